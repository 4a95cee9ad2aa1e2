import { describe, expect, it } from 'vitest';
import { type DtlsFingerprints, type HandshakeResult, runHandshake } from './handshake';
import { NONCE_BYTES, toHex } from './safety-code';
import { channelPair, type MemoryChannel } from './testing/channel-pair';

const FP_A = 'sha-256 AA:AA';
const FP_B = 'sha-256 BB:BB';
const FP_M = 'sha-256 EE:EE';

function run(channel: MemoryChannel, fingerprints: DtlsFingerprints, recall?: () => string | null) {
  return runHandshake({
    channel,
    fingerprints: async () => fingerprints,
    ...(recall ? { recall } : {}),
    timeoutMs: 2_000,
  }).result;
}

function codeOf(result: HandshakeResult): string {
  if (!result.ok) throw new Error(`handshake failed: ${result.reason}`);
  return result.code;
}

/** Alice and Bob on one honest connection. */
async function honest(recallA?: () => string | null, recallB?: () => string | null) {
  const pair = channelPair();
  const alice = run(pair.a, { local: FP_A, remote: FP_B }, recallA);
  const bob = run(pair.b, { local: FP_B, remote: FP_A }, recallB);
  pair.open();
  return Promise.all([alice, bob]);
}

/**
 * Bob's side answers with `messages`, Alice runs the real handshake. No wait is needed for her
 * commit: opening queued her first step, and every message she reads is queued after it.
 */
async function aliceAgainst(messages: () => unknown[]) {
  const pair = channelPair();
  const alice = run(pair.a, { local: FP_A, remote: FP_B });
  pair.b.tap = () => null;
  pair.open();
  for (const message of messages()) pair.a.deliver(message);
  return alice;
}

const hex = (byte: number) => toHex(new Uint8Array(NONCE_BYTES).fill(byte));

describe('the safety-code handshake', () => {
  it('gives both ends of one connection the same code', async () => {
    const [alice, bob] = await honest();
    expect(codeOf(alice)).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(codeOf(bob)).toBe(codeOf(alice));
    expect(alice.ok && alice.continued).toBe(false);
  });

  it('draws a new code for every connection', async () => {
    const [first] = await honest();
    const [second] = await honest();
    expect(codeOf(second)).not.toBe(codeOf(first));
  });

  it('keeps the earlier code when both ends remember it for these certificates', async () => {
    const [alice, bob] = await honest(
      () => '1234 5678 9012',
      () => '1234 5678 9012',
    );
    expect(codeOf(alice)).toBe('1234 5678 9012');
    expect(codeOf(bob)).toBe('1234 5678 9012');
    expect(alice.ok && alice.continued).toBe(true);
  });

  it('draws a fresh code on both ends when only one remembers, or they remember different codes', async () => {
    const [alice, bob] = await honest(() => '1234 5678 9012');
    expect(codeOf(alice)).not.toBe('1234 5678 9012');
    expect(codeOf(bob)).toBe(codeOf(alice));
    const [carol, dave] = await honest(
      () => '1111 1111 1111',
      () => '2222 2222 2222',
    );
    expect(codeOf(dave)).toBe(codeOf(carol));
    expect(codeOf(carol)).not.toMatch(/^(1111|2222) /);
  });

  it('refuses a code when a relay passes the messages between two DTLS sessions', async () => {
    // The signaling server swapped fingerprints: Alice's DTLS peer is M, and so is Bob's.
    const pair = channelPair();
    const alice = run(pair.a, { local: FP_A, remote: FP_M });
    const bob = run(pair.b, { local: FP_B, remote: FP_M });
    pair.open();
    const results = await Promise.all([alice, bob]);
    for (const result of results) {
      expect(result).toEqual({
        ok: false,
        reason: 'the commit does not match the certificate DTLS sees',
      });
    }
  });

  it('leaves a man in the middle who runs the handshake on each side with two different codes', async () => {
    const left = channelPair();
    const right = channelPair();
    const alice = run(left.a, { local: FP_A, remote: FP_M });
    const mitmLeft = run(left.b, { local: FP_M, remote: FP_A });
    const mitmRight = run(right.a, { local: FP_M, remote: FP_B });
    const bob = run(right.b, { local: FP_B, remote: FP_M });
    left.open();
    right.open();
    const [a, ml, mr, b] = await Promise.all([alice, mitmLeft, mitmRight, bob]);
    expect(codeOf(ml)).toBe(codeOf(a));
    expect(codeOf(mr)).toBe(codeOf(b));
    expect(codeOf(a)).not.toBe(codeOf(b));
  });

  it('fails on a reveal whose nonce does not open the commit', async () => {
    const result = await aliceAgainst(() => [
      JSON.stringify({ type: 'commit', commit: hex(9) }),
      JSON.stringify({ type: 'reveal', nonce: hex(1), continuity: null }),
    ]);
    expect(result).toEqual({
      ok: false,
      reason: 'the commit does not match the certificate DTLS sees',
    });
  });

  it.each([
    ['a reveal before its commit', () => [JSON.stringify({ type: 'reveal', nonce: hex(1) })]],
    [
      'a second commit',
      () => [
        JSON.stringify({ type: 'commit', commit: hex(1) }),
        JSON.stringify({ type: 'commit', commit: hex(2) }),
      ],
    ],
    ['a malformed message', () => ['{"type":"commit","commit":"not hex"}']],
    ['a malformed message', () => ['not json']],
    ['a malformed message', () => [{ type: 'commit' }]],
    ['a malformed message', () => [`{"type":"commit","commit":"${'a'.repeat(600)}"}`]],
    ['a malformed message', () => ['{"type":"hello"}']],
    ['a malformed message', () => ['null']],
  ])('fails on hostile input: %s', async (reason, messages) => {
    expect(await aliceAgainst(messages)).toEqual({ ok: false, reason });
  });

  it("fails when its own messages are reflected back (they commit to Alice's certificate)", async () => {
    const pair = channelPair();
    const alice = run(pair.a, { local: FP_A, remote: FP_B });
    pair.a.tap = (data) => {
      setTimeout(() => pair.a.deliver(data), 0);
      return null;
    };
    pair.open();
    expect(await alice).toEqual({
      ok: false,
      reason: 'the commit does not match the certificate DTLS sees',
    });
  });

  it('fails when the other side never answers, or the channel closes', async () => {
    const pair = channelPair();
    pair.b.tap = () => null;
    const silent = runHandshake({
      channel: pair.a,
      fingerprints: async () => ({ local: FP_A, remote: FP_B }),
      timeoutMs: 50,
    }).result;
    pair.open();
    expect(await silent).toEqual({ ok: false, reason: 'no answer' });

    const closing = channelPair();
    const closed = run(closing.a, { local: FP_A, remote: FP_B });
    closing.open();
    closing.b.close();
    expect(await closed).toEqual({ ok: false, reason: 'the channel closed' });
  });
});
