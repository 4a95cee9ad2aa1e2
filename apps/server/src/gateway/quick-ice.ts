import { LIMITS, type ParsedClientPayload } from '@openwcall/shared';

/*
 * `webrtc:ice` is most of the traffic (every candidate of every peer connection). This checks
 * the ordinary shape by hand, without zod's machinery, and returns the payload as is; for
 * anything else it returns null and the gateway parses with the shared schema as usual, so
 * the schema stays the one definition of what is valid. quick-ice.test.ts checks, property-
 * based, that whatever this accepts the schema accepts too, with the same result.
 */

type IceSignal = ParsedClientPayload<'webrtc:ice'>;

const SIGNAL_KEYS = new Set(['to', 'roomId', 'callId', 'candidate']);
const CANDIDATE_KEYS = new Set(['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.idMax;
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
  return true;
}

function optionalString(value: unknown, max: number): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.length <= max)
  );
}

export function quickIce(payload: unknown): IceSignal | null {
  if (!isPlainObject(payload) || !onlyKeys(payload, SIGNAL_KEYS)) return null;
  if (!isId(payload.to)) return null;
  const { roomId, callId, candidate } = payload;
  if (roomId === undefined ? !isId(callId) : !isId(roomId) || callId !== undefined) return null;
  if (candidate !== null) {
    if (!isPlainObject(candidate) || !onlyKeys(candidate, CANDIDATE_KEYS)) return null;
    if (typeof candidate.candidate !== 'string' || candidate.candidate.length > LIMITS.candidateMax)
      return null;
    if (!optionalString(candidate.sdpMid, 64)) return null;
    if (!optionalString(candidate.usernameFragment, 256)) return null;
    const index = candidate.sdpMLineIndex;
    if (
      index !== undefined &&
      index !== null &&
      !(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 1024)
    )
      return null;
  }
  return payload as IceSignal;
}
