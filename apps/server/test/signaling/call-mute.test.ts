import { describe, expect, it } from 'vitest';
import { topologies, useClients, useDeployment } from '../support/deployment';

/* Extension `call:self:mute` → `call:direct:muted` (README "Protocol extensions"). */
describe.each(topologies)('call:self:mute on $label', (topology) => {
  const server = useDeployment(topology);
  const { client } = useClients(server);

  it('tells both parties of an accepted call, and only them', async () => {
    const caller = await client('Caller');
    const callee = await client('Callee');
    const other = await client('Other');
    const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
    await callee.next('call:direct:incoming');
    // Not yet accepted: there is no call to show a mute in.
    expect((await caller.request('call:self:mute', { callId, muted: true })).error.code).toBe(
      'CALL_NOT_FOUND',
    );
    await callee.request('call:direct:accept', { callId });
    await caller.next('call:direct:state', (s) => s.state === 'accepted');

    expect(await callee.request('call:self:mute', { callId, muted: true })).toEqual({ ok: true });
    for (const party of [caller, callee]) {
      expect(await party.next('call:direct:muted')).toEqual({
        callId,
        userId: callee.user.id,
        muted: true,
      });
    }
    expect((await other.request('call:self:mute', { callId, muted: true })).error.code).toBe(
      'FORBIDDEN',
    );
    // Only the parties: both have the event (on two nodes, the caller sits on other's node, so
    // that node has delivered it), and other's refused request came back after that.
    expect(other.all('call:direct:muted')).toEqual([]);
    expect(
      (await caller.request('call:self:mute', { callId: 'no-such-call', muted: true })).error.code,
    ).toBe('CALL_NOT_FOUND');
    expect(
      (await caller.request('call:self:mute', { callId, muted: 'yes' } as never)).error.code,
    ).toBe('VALIDATION_FAILED');
  });
});
