// The arithmetic of a safety code (protocol: handshake.ts). Everything is SHA-256 over
// domain-separated input, so a value made for one purpose cannot be replayed as another.

/** A DTLS certificate fingerprint as `getStats()` reports it, canonical: `sha-256 AB:CD:…`. */
export type Fingerprint = string;

/** The size of each side's random nonce; as large as the hash, so it cannot be guessed. */
export const NONCE_BYTES = 32;
/** Digits of a safety code: 3 groups of 4, about 40 bits (a 1 in 10^12 chance to forge). */
export const CODE_DIGITS = 12;

const encoder = new TextEncoder();

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// Fingerprints are ASCII without NUL, so a NUL after each keeps the fields apart.
function field(text: string): Uint8Array {
  return encoder.encode(`${text}\0`);
}

async function sha256(parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(parts)));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lower-case hex of exactly `bytes` bytes, or null: hostile input never reaches the hash. */
export function fromHex(text: unknown, bytes: number): Uint8Array | null {
  if (typeof text !== 'string' || !new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(text)) return null;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function canonicalFingerprint(algorithm: string, value: string): Fingerprint {
  return `${algorithm.toLowerCase()} ${value.toUpperCase()}`;
}

export function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}

/** What a side sends first: it binds its DTLS certificate and its nonce before it sees the other's. */
export function commitment(fingerprint: Fingerprint, nonce: Uint8Array): Promise<Uint8Array> {
  return sha256([field('openwcall-verify-commit-v1'), field(fingerprint), nonce]);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export interface Side {
  readonly fingerprint: Fingerprint;
  readonly nonce: Uint8Array;
}

// Both ends must hash the same bytes whichever of them computes: order by fingerprint (the
// nonce breaks a tie, e.g. two accounts in one browser profile share the device certificate).
function ordered(a: Side, b: Side): [Side, Side] {
  if (a.fingerprint !== b.fingerprint) return a.fingerprint < b.fingerprint ? [a, b] : [b, a];
  return toHex(a.nonce) < toHex(b.nonce) ? [a, b] : [b, a];
}

/** The code both people read aloud, e.g. `0123 4567 8901`. */
export async function safetyCode(a: Side, b: Side): Promise<string> {
  const [first, second] = ordered(a, b);
  const digest = await sha256([
    field('openwcall-verify-code-v1'),
    field(first.fingerprint),
    field(second.fingerprint),
    first.nonce,
    second.nonce,
  ]);
  // 64 bits reduced mod 10^12: the bias is below 2^-24, far under the code's own odds.
  const value = new DataView(digest.buffer).getBigUint64(0) % 10n ** BigInt(CODE_DIGITS);
  return formatCode(value.toString().padStart(CODE_DIGITS, '0'));
}

export function formatCode(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * Proof that a side still holds the code of an earlier call with the same two certificates.
 * It travels inside DTLS, and a stand-in without both private keys never sees the fingerprints
 * match, so it cannot produce one; with it both ends keep showing the code they compared before.
 */
export function continuityTag(code: string, local: Fingerprint, remote: Fingerprint) {
  const [low, high] = local < remote ? [local, remote] : [remote, local];
  return sha256([field('openwcall-verify-continue-v1'), field(code), field(low), field(high)]).then(
    toHex,
  );
}
