import { describe, expect, it } from 'vitest';
import {
  canonicalFingerprint,
  commitment,
  continuityTag,
  fromHex,
  NONCE_BYTES,
  safetyCode,
  toHex,
} from './safety-code';

const fpA = canonicalFingerprint('SHA-256', 'aa:01');
const fpB = canonicalFingerprint('sha-256', 'BB:02');
const nonce = (byte: number) => new Uint8Array(NONCE_BYTES).fill(byte);

describe('safety code arithmetic', () => {
  it('writes fingerprints one way whatever case getStats used', () => {
    expect(fpA).toBe('sha-256 AA:01');
  });

  it('gives both ends the same code, in three groups of four digits', async () => {
    const alice = { fingerprint: fpA, nonce: nonce(1) };
    const bob = { fingerprint: fpB, nonce: nonce(2) };
    const seenByAlice = await safetyCode(alice, bob);
    expect(seenByAlice).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(await safetyCode(bob, alice)).toBe(seenByAlice);
  });

  it('changes with either fingerprint and either nonce', async () => {
    const base = await safetyCode(
      { fingerprint: fpA, nonce: nonce(1) },
      { fingerprint: fpB, nonce: nonce(2) },
    );
    const variants = await Promise.all([
      safetyCode({ fingerprint: fpA, nonce: nonce(3) }, { fingerprint: fpB, nonce: nonce(2) }),
      safetyCode({ fingerprint: fpA, nonce: nonce(1) }, { fingerprint: fpB, nonce: nonce(3) }),
      safetyCode(
        { fingerprint: 'sha-256 CC:03', nonce: nonce(1) },
        { fingerprint: fpB, nonce: nonce(2) },
      ),
      // Nonces swapped between the two certificates.
      safetyCode({ fingerprint: fpA, nonce: nonce(2) }, { fingerprint: fpB, nonce: nonce(1) }),
    ]);
    for (const code of variants) expect(code).not.toBe(base);
  });

  it('is order independent even when both ends share one certificate', async () => {
    const one = { fingerprint: fpA, nonce: nonce(5) };
    const two = { fingerprint: fpA, nonce: nonce(6) };
    expect(await safetyCode(one, two)).toBe(await safetyCode(two, one));
  });

  it('binds a commitment to the certificate and the nonce', async () => {
    const commit = toHex(await commitment(fpA, nonce(1)));
    expect(commit).toMatch(/^[0-9a-f]{64}$/);
    expect(toHex(await commitment(fpA, nonce(1)))).toBe(commit);
    expect(toHex(await commitment(fpB, nonce(1)))).not.toBe(commit);
    expect(toHex(await commitment(fpA, nonce(2)))).not.toBe(commit);
  });

  it('ties a continuity tag to the code and to both certificates, in either order', async () => {
    const tag = await continuityTag('1111 2222 3333', fpA, fpB);
    expect(await continuityTag('1111 2222 3333', fpB, fpA)).toBe(tag);
    expect(await continuityTag('1111 2222 3334', fpA, fpB)).not.toBe(tag);
    expect(await continuityTag('1111 2222 3333', fpA, 'sha-256 CC:03')).not.toBe(tag);
  });

  it('reads only lower-case hex of the exact length', () => {
    expect(fromHex('00ff', 2)).toEqual(new Uint8Array([0, 255]));
    for (const bad of ['00FF', '00f', '00ff00', 'zzzz', 12, null, { length: 4 }]) {
      expect(fromHex(bad, 2)).toBeNull();
    }
  });
});
