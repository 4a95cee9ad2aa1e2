import { clientEventSchemas } from '@openwcall/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quickIce } from './quick-ice';

const schema = clientEventSchemas['webrtc:ice'].payload;

/** Payloads near the valid shape: right keys, wrong keys, edge lengths and types. */
const fieldValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.string({ minLength: 60, maxLength: 70 }),
  fc.string({ minLength: 120, maxLength: 135 }),
  fc.string({ minLength: 250, maxLength: 260 }),
  fc.constant('c'.repeat(2048)),
  fc.constant('c'.repeat(2049)),
  fc.integer({ min: -2, max: 1030 }),
  fc.double(),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 1 }),
);
const candidate = fc.oneof(
  fc.constant(null),
  fc.dictionary(
    fc.constantFrom(
      'candidate',
      'sdpMid',
      'sdpMLineIndex',
      'usernameFragment',
      'extra',
      '__proto__',
    ),
    fieldValue,
  ),
  fieldValue,
);
/** Mostly valid payloads with one field pushed to an edge. */
const id = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant('i'.repeat(128)));
const nearlyValid = fc
  .tuple(
    id,
    fc.oneof(fc.record({ roomId: id }), fc.record({ callId: id })),
    fc.oneof(
      fc.constant(null),
      fc.record(
        {
          candidate: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('c'.repeat(2048))),
          sdpMid: fc.option(fc.oneof(fc.string({ maxLength: 3 }), fc.constant('m'.repeat(64)))),
          sdpMLineIndex: fc.option(fc.oneof(fc.nat(3), fc.constant(1024))),
          usernameFragment: fc.option(fc.string({ maxLength: 8 })),
        },
        { requiredKeys: ['candidate'] },
      ),
    ),
    fc.option(fc.tuple(fc.constantFrom('to', 'roomId', 'callId', 'candidate', 'x'), fieldValue)),
  )
  .map(([to, scope, candidate, tweak]) => {
    const p: Record<string, unknown> = { to, ...scope, candidate };
    if (tweak) p[tweak[0]] = tweak[1];
    return p;
  });
const payload = fc.oneof(
  { weight: 3, arbitrary: nearlyValid },
  fc.dictionary(
    fc.constantFrom('to', 'roomId', 'callId', 'candidate', 'sdp', 'constructor'),
    fc.oneof(fieldValue, candidate),
  ),
  fc.record(
    { to: fieldValue, roomId: fieldValue, callId: fieldValue, candidate },
    { requiredKeys: ['to', 'candidate'] },
  ),
  fc.jsonValue(),
);
// What the server actually receives went through JSON.
const overTheWire = payload.map((p) =>
  p === undefined ? p : JSON.parse(JSON.stringify(p) ?? 'null'),
);

describe('quickIce', () => {
  it('accepts only what the shared schema accepts, with the same result', () => {
    let accepted = 0;
    fc.assert(
      fc.property(overTheWire, (p) => {
        const quick = quickIce(p);
        const parsed = schema.safeParse(p);
        if (quick !== null) {
          accepted += 1;
          expect(parsed.success).toBe(true);
          expect(quick).toEqual(parsed.data);
        }
      }),
      { numRuns: 10_000 },
    );
    // The generator reaches the accepting side often enough to mean something.
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the fast path for the ordinary candidates browsers send', () => {
    const line =
      'candidate:842163049 1 udp 1677729535 192.0.2.10 54321 typ srflx raddr 0.0.0.0 rport 0';
    for (const p of [
      { to: 'u1', roomId: 'r1', candidate: { candidate: line, sdpMid: '0', sdpMLineIndex: 0 } },
      {
        to: 'u1',
        callId: 'c1',
        candidate: { candidate: line, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'Xy7Q' },
      },
      { to: 'u1', callId: 'c1', candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } },
      { to: 'u1', roomId: 'r1', candidate: null },
    ]) {
      expect(quickIce(p)).toBe(p);
      expect(schema.safeParse(p).success).toBe(true);
    }
  });

  it('leaves everything unusual to the schema', () => {
    for (const p of [
      { to: 'u1', roomId: 'r1', callId: 'c1', candidate: null },
      { to: 'u1', candidate: null },
      { to: '', roomId: 'r1', candidate: null },
      { to: 'u1', roomId: 'r1', candidate: { candidate: 'x', extra: 1 } },
      JSON.parse('{"to":"u1","roomId":"r1","candidate":null,"__proto__":{"x":1}}'),
      { to: 'u1', roomId: 'r1', candidate: { candidate: 'x', sdpMLineIndex: 1.5 } },
      [{ to: 'u1', roomId: 'r1', candidate: null }],
      null,
      'webrtc',
    ]) {
      expect(quickIce(p)).toBeNull();
    }
  });
});
