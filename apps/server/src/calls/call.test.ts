import { CALL_STATES, type CallState } from '@openwcall/shared';
import { describe, expect, it } from 'vitest';
import {
  answerRefusal,
  boundSocketOf,
  CALL_TRANSITIONS,
  type CallRecord,
  canTransition,
  createCallRecord,
  hangUpOutcome,
  isFinal,
  peerOf,
  rebindSocket,
  transition,
} from './call';

const ringing = createCallRecord({
  id: 'c1',
  caller: { id: 'a', displayName: 'A' },
  callee: { id: 'b', displayName: 'B' },
  callerSocketId: 'a:1',
  now: 1000,
});
const inState = (state: CallState): CallRecord => ({ ...ringing, state });

describe('call state machine', () => {
  const allowed: Array<[CallState, CallState]> = [
    ['ringing', 'accepted'],
    ['ringing', 'declined'],
    ['ringing', 'cancelled'],
    ['ringing', 'missed'],
    ['ringing', 'ended'],
    ['accepted', 'ended'],
  ];

  it('allows exactly the listed transitions', () => {
    for (const from of CALL_STATES) {
      for (const to of CALL_STATES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
        expect(transition(inState(from), to, 0).ok, `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('reports a refused transition', () => {
    expect(transition(inState('accepted'), 'declined', 0)).toEqual({
      ok: false,
      from: 'accepted',
      to: 'declined',
    });
  });

  it('stamps answeredAt and endedAt', () => {
    const accepted = transition(ringing, 'accepted', 2000);
    expect(accepted).toMatchObject({ ok: true, call: { state: 'accepted', answeredAt: 2000 } });
    if (!accepted.ok) throw new Error('unreachable');
    expect(transition(accepted.call, 'ended', 5000)).toMatchObject({
      ok: true,
      call: { state: 'ended', answeredAt: 2000, endedAt: 5000 },
    });
  });

  it('knows the final states', () => {
    expect(CALL_STATES.filter(isFinal)).toEqual(['declined', 'cancelled', 'missed', 'ended']);
    for (const state of CALL_STATES) {
      expect(isFinal(state)).toBe(CALL_TRANSITIONS[state].length === 0);
    }
  });
});

describe('who may do what', () => {
  it('only the callee answers, only while ringing', () => {
    expect(answerRefusal(ringing, 'a')).toBe('FORBIDDEN');
    expect(answerRefusal(ringing, 'z')).toBe('FORBIDDEN');
    expect(answerRefusal(ringing, 'b')).toBeNull();
    expect(answerRefusal(inState('accepted'), 'b')).toBe('CALL_NOT_RINGING');
  });

  it('hanging up: caller cancels, callee declines, anyone ends an accepted call', () => {
    expect(hangUpOutcome(ringing, 'a')).toBe('cancelled');
    expect(hangUpOutcome(ringing, 'b')).toBe('declined');
    expect(hangUpOutcome(inState('accepted'), 'a')).toBe('ended');
    expect(hangUpOutcome(inState('accepted'), 'b')).toBe('ended');
    expect(hangUpOutcome(ringing, 'z')).toBeNull();
  });

  it('sees the other party and the bound sockets', () => {
    expect(peerOf(ringing, 'a').id).toBe('b');
    expect(peerOf(ringing, 'b').id).toBe('a');
    expect(boundSocketOf(ringing, 'a')).toBe('a:1');
    expect(boundSocketOf(ringing, 'b')).toBeNull();
    expect(boundSocketOf(rebindSocket(ringing, 'b', 'b:2'), 'b')).toBe('b:2');
    expect(boundSocketOf(rebindSocket(ringing, 'a', 'a:2'), 'a')).toBe('a:2');
  });
});
