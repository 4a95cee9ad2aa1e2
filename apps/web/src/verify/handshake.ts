import type { DataChannelLike } from '../rtc';
import {
  commitment,
  continuityTag,
  type Fingerprint,
  fromHex,
  NONCE_BYTES,
  randomNonce,
  safetyCode,
  sameBytes,
  toHex,
} from './safety-code';

/*
 * The safety-code handshake, run by both ends over the pre-negotiated 'verify' data channel of
 * one RTCPeerConnection (so inside the DTLS session it is meant to vouch for):
 *
 *   1. Each side reads the certificates DTLS actually uses (getStats: transport →
 *      local/remoteCertificateId → certificate.fingerprint), picks a 32-byte random nonce and
 *      sends  {type:'commit', commit: SHA-256("…commit-v1" ‖ own fingerprint ‖ nonce)}.
 *   2. Only once it holds the other's commit it sends {type:'reveal', nonce, continuity?}.
 *   3. On the other's reveal it recomputes the commit from the fingerprint *its* DTLS sees on
 *      the far end and that nonce. A mismatch means the far end is not who committed (a relay
 *      passing messages through) or lied: "Could not verify", never a code.
 *   4. Code = 40 bits of SHA-256("…code-v1" ‖ fpLow ‖ fpHigh ‖ nonceLow ‖ nonceHigh), sorted by
 *      fingerprint so both ends get the same digits.
 *
 * A man in the middle terminates two DTLS sessions with certificates of its own and has to
 * make both codes equal. It must commit to its nonce on each side before it learns that side's
 * nonce, so the code it gets is a fresh 1-in-10^12 draw per attempt: certificates ground in
 * advance do not help (ZRTP's hash commitment, RFC 6189 §4.4.1.1).
 *
 * `continuity` keeps a code between calls: a side that remembers the code of an earlier call
 * with exactly these two certificates sends a tag of it; if both tags are equal, both show that
 * code again instead of the fresh one (continuityTag in safety-code.ts).
 */

export interface DtlsFingerprints {
  readonly local: Fingerprint;
  readonly remote: Fingerprint;
}

export type HandshakeResult =
  | {
      readonly ok: true;
      readonly code: string;
      readonly fingerprints: DtlsFingerprints;
      /** The code of an earlier call, kept because both ends still have the same certificates. */
      readonly continued: boolean;
    }
  | { readonly ok: false; readonly reason: string };

export interface HandshakeOptions {
  readonly channel: DataChannelLike;
  /** The certificates of this connection's DTLS session (dtls-fingerprints.ts). */
  readonly fingerprints: () => Promise<DtlsFingerprints>;
  /** The code remembered for exactly these two certificates, if any. */
  readonly recall?: (fingerprints: DtlsFingerprints) => string | null;
  /** The other side never finished (it is gone, or something eats the messages). */
  readonly timeoutMs?: number;
  readonly nonce?: () => Uint8Array;
}

type Message =
  | { readonly type: 'commit'; readonly commit: Uint8Array }
  | { readonly type: 'reveal'; readonly nonce: Uint8Array; readonly continuity: string | null };

// Honest messages are under 200 bytes; anything larger is refused before JSON.parse.
const MAX_MESSAGE_CHARS = 512;

export function parseMessage(data: unknown): Message | null {
  if (typeof data !== 'string' || data.length > MAX_MESSAGE_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === 'commit') {
    const commit = fromHex(message.commit, 32);
    return commit ? { type: 'commit', commit } : null;
  }
  if (message.type === 'reveal') {
    const nonce = fromHex(message.nonce, NONCE_BYTES);
    const continuity = message.continuity ?? null;
    if (!nonce || (continuity !== null && !fromHex(continuity, 32))) return null;
    return { type: 'reveal', nonce, continuity: continuity as string | null };
  }
  return null;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Runs the handshake on one channel; `cancel` stops it (the connection was replaced). */
export function runHandshake(options: HandshakeOptions): {
  readonly result: Promise<HandshakeResult>;
  cancel(): void;
} {
  const { channel } = options;
  let settle: (result: HandshakeResult) => void = () => {};
  const result = new Promise<HandshakeResult>((resolve) => {
    settle = resolve;
  });

  let done = false;
  let fingerprints: DtlsFingerprints | null = null;
  let ownNonce: Uint8Array | null = null;
  let ownTag: string | null = null;
  let remembered: string | null = null;
  let theirCommit: Uint8Array | null = null;
  let revealed = false;
  let theirReveal: Extract<Message, { type: 'reveal' }> | null = null;
  // Hashing is async: every step runs in arrival order on one chain.
  let chain = Promise.resolve();

  const finish = (outcome: HandshakeResult) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    channel.removeEventListener('open', onOpen);
    channel.removeEventListener('close', onClose);
    channel.removeEventListener('message', onMessage);
    settle(outcome);
  };
  const fail = (reason: string) => finish({ ok: false, reason });
  const step = (work: () => Promise<void>) => {
    chain = chain.then(async () => {
      if (done) return;
      try {
        await work();
      } catch (error) {
        fail(error instanceof Error ? error.message : 'handshake error');
      }
    });
  };
  const send = (message: Record<string, string | null>) => channel.send(JSON.stringify(message));

  const revealIfReady = () => {
    if (revealed || !ownNonce || !theirCommit) return;
    revealed = true;
    send({ type: 'reveal', nonce: toHex(ownNonce), continuity: ownTag });
  };

  const completeIfReady = async () => {
    if (!revealed || !theirReveal || !fingerprints || !ownNonce) return;
    const kept = ownTag !== null && theirReveal.continuity === ownTag ? remembered : null;
    const code =
      kept ??
      (await safetyCode(
        { fingerprint: fingerprints.local, nonce: ownNonce },
        { fingerprint: fingerprints.remote, nonce: theirReveal.nonce },
      ));
    finish({ ok: true, code, fingerprints, continued: kept !== null });
  };

  const start = () =>
    step(async () => {
      fingerprints = await options.fingerprints();
      const nonce = (options.nonce ?? randomNonce)();
      send({ type: 'commit', commit: toHex(await commitment(fingerprints.local, nonce)) });
      ownNonce = nonce;
      remembered = options.recall?.(fingerprints) ?? null;
      ownTag = remembered
        ? await continuityTag(remembered, fingerprints.local, fingerprints.remote)
        : null;
      revealIfReady();
    });

  const receive = (message: Message) =>
    step(async () => {
      if (message.type === 'commit') {
        if (theirCommit) return fail('a second commit');
        theirCommit = message.commit;
        revealIfReady();
        return;
      }
      // Honest peers reveal only after our commit, which went out before we read anything.
      if (!theirCommit || !ownNonce) return fail('a reveal before its commit');
      if (theirReveal) return fail('a second reveal');
      if (!fingerprints) return fail('no DTLS certificates');
      const expected = await commitment(fingerprints.remote, message.nonce);
      if (!sameBytes(expected, theirCommit)) {
        return fail('the commit does not match the certificate DTLS sees');
      }
      theirReveal = message;
      await completeIfReady();
    });

  function onOpen() {
    start();
  }
  function onClose() {
    fail('the channel closed');
  }
  function onMessage(event: { readonly data: unknown }) {
    const message = parseMessage(event.data);
    if (!message) {
      step(async () => fail('a malformed message'));
      return;
    }
    receive(message);
  }

  const timer = setTimeout(() => fail('no answer'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  channel.addEventListener('message', onMessage);
  channel.addEventListener('close', onClose);
  if (channel.readyState === 'open') start();
  else if (channel.readyState === 'connecting') channel.addEventListener('open', onOpen);
  else fail('the channel closed');

  return { result, cancel: () => fail('cancelled') };
}
