import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, ERROR_CODES, isErrorCode } from './errors';
import { CLIENT_EVENT_NAMES, type ClientEventName, SERVER_EVENT_NAMES } from './events';
import {
  ackSchema,
  clientEventSchemas,
  LIMITS,
  LoginBodySchema,
  RegisterBodySchema,
  RoomStateSchema,
  serverEventSchemas,
} from './schemas';

const id = 'user_1';
const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

/** A valid payload per client event, and the string fields whose length is bounded. */
const valid: Record<ClientEventName, { payload: Record<string, unknown>; bounded: string[] }> = {
  'auth:hello': { payload: { token: 'x.y.z' }, bounded: ['token'] },
  'presence:set': { payload: { status: 'away' }, bounded: [] },
  'room:create': { payload: { name: 'Standup', maxParticipants: 4 }, bounded: ['name'] },
  'room:join': { payload: { roomId: 'r1' }, bounded: ['roomId'] },
  'room:leave': { payload: { roomId: 'r1' }, bounded: ['roomId'] },
  'room:self:mute': { payload: { roomId: 'r1', muted: true }, bounded: ['roomId'] },
  'room:self:deafen': { payload: { roomId: 'r1', deafened: true }, bounded: ['roomId'] },
  'call:direct:invite': { payload: { toUserId: id }, bounded: ['toUserId'] },
  'call:direct:accept': { payload: { callId: 'c1' }, bounded: ['callId'] },
  'call:direct:decline': { payload: { callId: 'c1' }, bounded: ['callId'] },
  'call:direct:end': { payload: { callId: 'c1' }, bounded: ['callId'] },
  'call:self:mute': { payload: { callId: 'c1', muted: true }, bounded: ['callId'] },
  'webrtc:offer': {
    payload: { to: id, roomId: 'r1', sdp: 'v=0' },
    bounded: ['to', 'roomId', 'sdp'],
  },
  'webrtc:answer': {
    payload: { to: id, callId: 'c1', sdp: 'v=0' },
    bounded: ['to', 'callId', 'sdp'],
  },
  'webrtc:ice': { payload: { to: id, roomId: 'r1', candidate }, bounded: ['to', 'roomId'] },
  'room:host:mute': { payload: { roomId: 'r1', userId: id }, bounded: ['roomId', 'userId'] },
  'room:host:kick': { payload: { roomId: 'r1', userId: id }, bounded: ['roomId', 'userId'] },
  'room:host:lock': { payload: { roomId: 'r1', locked: true }, bounded: ['roomId'] },
};

const schemaOf = (event: ClientEventName) => clientEventSchemas[event].payload;

describe('client event payloads', () => {
  it('covers every client event of the protocol', () => {
    expect(Object.keys(clientEventSchemas).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    expect(Object.keys(valid).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
  });

  describe.each(CLIENT_EVENT_NAMES)('%s', (event) => {
    const { payload, bounded } = valid[event];
    const schema = schemaOf(event);

    it('accepts a valid payload', () => {
      expect(schema.safeParse(payload).success).toBe(true);
    });

    it.each([null, undefined, 'text', 42, true, [], [payload]])(
      'rejects the non-object %j',
      (bad) => {
        expect(schema.safeParse(bad).success).toBe(false);
      },
    );

    it('rejects each missing required field', () => {
      for (const key of Object.keys(payload)) {
        if (event === 'room:create' && key === 'maxParticipants') continue; // optional
        const { [key]: _dropped, ...rest } = payload;
        expect(schema.safeParse(rest).success, `without ${key}`).toBe(false);
      }
    });

    it('rejects wrong field types', () => {
      for (const key of Object.keys(payload)) {
        for (const wrong of [{}, [], 12345, 'x'.repeat(3), false]) {
          if (typeof wrong === typeof payload[key] && !Array.isArray(wrong)) continue;
          if (event === 'webrtc:ice' && key === 'candidate' && wrong === null) continue;
          const result = schema.safeParse({ ...payload, [key]: wrong });
          expect(result.success, `${key}=${JSON.stringify(wrong)}`).toBe(false);
        }
      }
    });

    it('rejects too long strings', () => {
      for (const key of bounded) {
        const result = schema.safeParse({ ...payload, [key]: 'a'.repeat(LIMITS.sdpMax + 1) });
        expect(result.success, key).toBe(false);
      }
    });

    it('rejects an extra (huge) field', () => {
      expect(schema.safeParse({ ...payload, junk: 'x'.repeat(100_000) }).success).toBe(false);
      expect(schema.safeParse({ ...payload, __proto__x: 1 }).success).toBe(false);
    });

    it('never throws on arbitrary input', () => {
      fc.assert(
        fc.property(fc.anything(), (input) => {
          schema.safeParse(input);
        }),
        { numRuns: 300 },
      );
    });
  });

  it('ids are 1..128 characters', () => {
    const join = schemaOf('room:join');
    expect(join.safeParse({ roomId: '' }).success).toBe(false);
    expect(join.safeParse({ roomId: 'a'.repeat(128) }).success).toBe(true);
    expect(join.safeParse({ roomId: 'a'.repeat(129) }).success).toBe(false);
  });

  it('webrtc signals need exactly one of roomId and callId', () => {
    const offer = schemaOf('webrtc:offer');
    expect(offer.safeParse({ to: id, sdp: 'v=0' }).success).toBe(false);
    expect(offer.safeParse({ to: id, roomId: 'r', callId: 'c', sdp: 'v=0' }).success).toBe(false);
    const ice = schemaOf('webrtc:ice');
    expect(ice.safeParse({ to: id, callId: 'c', candidate: null }).success).toBe(true);
    expect(ice.safeParse({ to: id, candidate: null }).success).toBe(false);
  });

  it('an answer may name the offer it answers, and only an answer', () => {
    const answer = schemaOf('webrtc:answer');
    expect(answer.safeParse({ to: id, callId: 'c', sdp: 'v=0', answers: '461.3' }).success).toBe(
      true,
    );
    for (const answers of ['', '461', '461.3 ', 'x.1', `${'1'.repeat(33)}.1`, 3]) {
      expect(answer.safeParse({ to: id, callId: 'c', sdp: 'v=0', answers }).success).toBe(false);
    }
    const offer = schemaOf('webrtc:offer');
    expect(offer.safeParse({ to: id, callId: 'c', sdp: 'v=0', answers: '461.3' }).success).toBe(
      false,
    );
  });

  it('presence:set refuses offline and unknown statuses', () => {
    const set = schemaOf('presence:set');
    expect(set.safeParse({ status: 'offline' }).success).toBe(false);
    expect(set.safeParse({ status: 'dnd' }).success).toBe(false);
  });

  it('room:create trims the name and bounds maxParticipants', () => {
    const create = schemaOf('room:create');
    expect(create.parse({ name: '  Daily  ' })).toEqual({ name: 'Daily' });
    expect(create.safeParse({ name: '   ' }).success).toBe(false);
    expect(create.safeParse({ name: 'x', maxParticipants: 1 }).success).toBe(false);
    expect(create.safeParse({ name: 'x', maxParticipants: 2.5 }).success).toBe(false);
    expect(create.safeParse({ name: 'x'.repeat(65) }).success).toBe(false);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', 'a\u001b[31mb'],
    ['DEL', 'a\u007fb'],
    ['C1', 'a\u0085b'],
    ['newline inside', 'a\nb'],
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate', 'a\udc00'],
  ])('room names and display names refuse a %s character', (_label, name) => {
    const create = schemaOf('room:create').safeParse({ name });
    expect(create.success).toBe(false);
    expect(create.error?.issues[0]?.message).toMatch(/control characters/);
    const register = RegisterBodySchema.safeParse({
      email: 'a@b.co',
      password: 'longenough',
      displayName: name,
    });
    expect(register.success).toBe(false);
  });

  it('names keep non-ASCII letters and emoji', () => {
    expect(schemaOf('room:create').parse({ name: 'Café 🎧 Ω' })).toEqual({ name: 'Café 🎧 Ω' });
  });
});

describe('server events', () => {
  it('covers every server event of the protocol', () => {
    expect(Object.keys(serverEventSchemas).sort()).toEqual([...SERVER_EVENT_NAMES].sort());
  });

  it('tolerates fields added by newer servers', () => {
    const room = {
      id: 'r1',
      name: 'Standup',
      hostId: id,
      locked: false,
      maxParticipants: 6,
      participants: [
        {
          userId: id,
          displayName: 'A',
          isHost: true,
          muted: false,
          joinedAt: new Date().toISOString(),
          extra: 1,
        },
      ],
      topic: 'added later',
    };
    expect(RoomStateSchema.safeParse(room).success).toBe(true);
  });

  it('acks are either ok with the result or a catalog error', () => {
    const ack = ackSchema(clientEventSchemas['call:direct:invite'].result);
    expect(ack.safeParse({ ok: true, callId: 'c1' }).success).toBe(true);
    expect(
      ack.safeParse({ ok: false, error: { code: 'USER_BUSY', message: 'busy' } }).success,
    ).toBe(true);
    expect(ack.safeParse({ ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
    expect(ack.safeParse({ ok: true }).success).toBe(false);
  });
});

describe('HTTP bodies', () => {
  it('register normalises email and display name', () => {
    const body = RegisterBodySchema.parse({
      email: '  Alice@Example.COM ',
      password: 'longenough',
      displayName: '  Alice  ',
    });
    expect(body).toEqual({
      email: 'alice@example.com',
      password: 'longenough',
      displayName: 'Alice',
    });
  });

  it.each([
    [{ email: 'not-an-email', password: 'longenough', displayName: 'A' }],
    [{ email: 'a@b.co', password: 'short', displayName: 'A' }],
    [{ email: 'a@b.co', password: 'x'.repeat(129), displayName: 'A' }],
    [{ email: 'a@b.co', password: 'longenough', displayName: '' }],
    [{ email: 'a@b.co', password: 'longenough', displayName: 'x'.repeat(33) }],
    [{ email: 'a@b.co', password: 'longenough' }],
    [{ email: 'a@b.co', password: 'longenough', displayName: 'A', admin: true }],
    ['a string'],
  ])('register rejects %j', (body) => {
    expect(RegisterBodySchema.safeParse(body).success).toBe(false);
  });

  it('login accepts any non-empty password up to the maximum', () => {
    expect(LoginBodySchema.safeParse({ email: 'a@b.co', password: 'x' }).success).toBe(true);
    expect(LoginBodySchema.safeParse({ email: 'a@b.co', password: '' }).success).toBe(false);
  });
});

describe('error catalog', () => {
  it('lists the protocol codes with a status and a message', () => {
    // PROTOCOL.md "Error codes", then our documented extensions.
    const protocol = [
      'UNAUTHENTICATED',
      'VALIDATION_FAILED',
      'FORBIDDEN',
      'RATE_LIMITED',
      'ROOM_NOT_FOUND',
      'ROOM_FULL',
      'ROOM_LOCKED',
      'ROOM_BANNED',
      'NOT_IN_ROOM',
      'INVALID_TARGET',
      'USER_NOT_FOUND',
      'USER_OFFLINE',
      'USER_BUSY',
      'BUSY',
      'CALL_NOT_FOUND',
      'CALL_NOT_RINGING',
      'NOT_PEER',
      'EMAIL_TAKEN',
      'INVALID_CREDENTIALS',
      'NOT_FOUND',
      'INTERNAL',
    ];
    expect(ERROR_CODES).toEqual(expect.arrayContaining(protocol));
    expect(ERROR_CODES.filter((code) => !protocol.includes(code)).sort()).toEqual([
      'ACCOUNT_DISABLED',
      'INVITE_INVALID',
      'INVITE_REQUIRED',
      'PEER_UNREACHABLE',
      'REGISTRATION_CLOSED',
      'RESET_LINK_INVALID',
      'TOO_MANY_CONNECTIONS',
      'UNAVAILABLE',
    ]);
    for (const code of ERROR_CODES) {
      expect(ERROR_CATALOG[code].message.length).toBeGreaterThan(0);
      expect(ERROR_CATALOG[code].status).toBeGreaterThanOrEqual(400);
    }
    expect(isErrorCode('ROOM_FULL')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });
});
