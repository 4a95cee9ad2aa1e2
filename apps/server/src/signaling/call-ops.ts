import type { ParsedClientPayload } from '@openwcall/shared';
import {
  answerRefusal,
  type CallRecord,
  createCallRecord,
  hangUpOutcome,
  roleOf,
  transition,
} from '../calls/call';
import { recordKey } from '../store/store';
import type { Actor } from './actor';
import type { SignalingCore } from './core';
import { type Effect, emit } from './effects';
import { EMPTY, type Empty, fail, ok, type Result } from './result';
import {
  callStateEffects,
  connectedSession,
  finishCall,
  hasOutgoingRinging,
  logTransition,
  ringDeadline,
} from './steps';
import type { Tx } from './tx';

export async function invite(
  core: SignalingCore,
  actor: Actor,
  { toUserId }: ParsedClientPayload<'call:direct:invite'>,
): Promise<Result<{ callId: string }>> {
  if (toUserId === actor.userId) return fail('INVALID_TARGET');
  const callId = core.newId();

  const result = await core.run(async (tx): Promise<Result<{ callId: string }>> => {
    const caller = await connectedSession(tx, actor);
    if (!caller) return fail('UNAUTHENTICATED');
    if (
      caller.roomId !== null ||
      (await core.inAcceptedCall(tx, caller)) ||
      (await hasOutgoingRinging(tx, caller))
    ) {
      return fail('BUSY');
    }
    const callee = await tx.user(toUserId);
    if (!callee) return fail('USER_OFFLINE');
    if (callee.roomId !== null || callee.callIds.length > 0 || callee.status === 'busy') {
      return fail('USER_BUSY');
    }

    if (await tx.call(callId)) throw new Error(`call id ${callId} is taken`);
    const now = core.clock();
    const call = createCallRecord({
      id: callId,
      caller: { id: caller.userId, displayName: caller.displayName },
      callee: { id: callee.userId, displayName: callee.displayName },
      callerSocketId: actor.socketId,
      now,
    });
    tx.put('call', callId, call);
    tx.put('user', caller.userId, { ...caller, callIds: [...caller.callIds, callId] });
    tx.put('user', callee.userId, { ...callee, callIds: [...callee.callIds, callId] });
    core.setDeadline(tx, ringDeadline(callId), {
      kind: 'ring',
      callId,
      due: now + core.config.ringTimeoutMs,
    });
    tx.after(() => {
      logTransition(core, callId, 'none', 'ringing');
      core.persist((sink) =>
        sink.callRinging({
          callId,
          callerId: call.caller.id,
          calleeId: call.callee.id,
          startedAt: new Date(now),
        }),
      );
    });
    return ok({ callId }, [
      emit({ user: callee.userId }, 'call:direct:incoming', { callId, from: call.caller }),
      ...callStateEffects(call),
    ]);
  });
  // USER_NOT_FOUND comes before BUSY and USER_OFFLINE in the protocol's order, but only the
  // database knows who exists: it is asked after the live state, and only when the answer
  // could be one of those. So a database outage never blocks calling people who are online,
  // and an unanswered lookup keeps the live answer, never INTERNAL.
  if (!result.ok && (result.code === 'USER_OFFLINE' || result.code === 'BUSY')) {
    const [online] = await core.store.readRecent([recordKey('user', toUserId)]);
    const exists =
      (online?.version ?? 0) > 0 ||
      (await core.findUser(toUserId).then(
        (user) => user !== null,
        () => true,
      ));
    if (!exists) return fail('USER_NOT_FOUND');
  }
  return result;
}

/** Runs `fn` on an existing call; CALL_NOT_FOUND otherwise. */
function withCall<R>(
  core: SignalingCore,
  callId: string,
  fn: (tx: Tx, call: CallRecord) => Promise<Result<R>>,
): Promise<Result<R>> {
  return core.run(async (tx) => {
    const call = await tx.call(callId);
    return call ? fn(tx, call) : fail('CALL_NOT_FOUND');
  });
}

export async function accept(
  core: SignalingCore,
  actor: Actor,
  { callId }: ParsedClientPayload<'call:direct:accept'>,
): Promise<Result<Empty>> {
  return withCall(core, callId, async (tx, call) => {
    const refusal = answerRefusal(call, actor.userId);
    if (refusal) return fail(refusal);
    const callee = await connectedSession(tx, actor);
    if (!callee) return fail('UNAUTHENTICATED');
    if (
      callee.roomId !== null ||
      (await core.inAcceptedCall(tx, callee)) ||
      (await hasOutgoingRinging(tx, callee))
    ) {
      return fail('BUSY');
    }

    const step = transition(call, 'accepted', core.clock());
    if (!step.ok) return fail('CALL_NOT_RINGING');
    const accepted = { ...step.call, calleeSocketId: actor.socketId };
    tx.put('call', callId, accepted);
    core.setDeadline(tx, ringDeadline(callId), null);
    tx.after(() => {
      logTransition(core, callId, call.state, 'accepted');
      core.persist((sink) =>
        sink.callUpdated({
          callId,
          state: 'accepted',
          startedAt: new Date(accepted.createdAt),
          answeredAt: accepted.answeredAt === null ? null : new Date(accepted.answeredAt),
          endedAt: null,
        }),
      );
    });
    return ok(EMPTY, callStateEffects(accepted));
  });
}

export async function decline(
  core: SignalingCore,
  actor: Actor,
  { callId }: ParsedClientPayload<'call:direct:decline'>,
): Promise<Result<Empty>> {
  return withCall(core, callId, async (tx, call) => {
    const refusal = answerRefusal(call, actor.userId);
    if (refusal) return fail(refusal);
    return ok(EMPTY, await finishCall(core, tx, call, 'declined'));
  });
}

export async function end(
  core: SignalingCore,
  actor: Actor,
  { callId }: ParsedClientPayload<'call:direct:end'>,
): Promise<Result<Empty>> {
  return withCall(core, callId, async (tx, call) => {
    const outcome = hangUpOutcome(call, actor.userId);
    if (!outcome) return fail('FORBIDDEN');
    return ok(EMPTY, await finishCall(core, tx, call, outcome));
  });
}

/**
 * Extension: a party of an accepted call tells both parties (every socket) it muted or
 * unmuted. Nothing is stored: it is a hint for the other side's display.
 */
export async function selfMute(
  core: SignalingCore,
  actor: Actor,
  { callId, muted }: ParsedClientPayload<'call:self:mute'>,
): Promise<Result<Empty>> {
  return withCall(core, callId, async (_tx, call) => {
    if (!roleOf(call, actor.userId)) return fail('FORBIDDEN');
    if (call.state !== 'accepted') return fail('CALL_NOT_FOUND');
    const payload = { callId, userId: actor.userId, muted };
    return ok(EMPTY, [
      emit({ user: call.caller.id }, 'call:direct:muted', payload),
      emit({ user: call.callee.id }, 'call:direct:muted', payload),
    ]);
  });
}

/** The ring timeout fired: a call still ringing is missed. */
export async function ringTimeoutIn(
  core: SignalingCore,
  tx: Tx,
  callId: string,
): Promise<Effect[]> {
  const call = await tx.call(callId);
  if (call?.state !== 'ringing') return [];
  return finishCall(core, tx, call, 'missed');
}
