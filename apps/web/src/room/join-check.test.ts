import { describe, expect, it, vi } from 'vitest';
import { JoinCheck } from './join-check';

function setup(settings = { checkDevices: true, joinMuted: false }) {
  const deps = {
    join: vi.fn(async () => {}),
    settings: () => settings,
    rememberJoinMuted: vi.fn(),
    openMicrophone: vi.fn(async () => ({})),
    releaseMicrophone: vi.fn(),
  };
  return { deps, check: new JoinCheck(deps) };
}

describe('JoinCheck', () => {
  it('holds the join on the device check, with the microphone open, until Join now', async () => {
    const { deps, check } = setup();
    const outcome = check.request('r1');
    expect(check.getSnapshot().roomId).toBe('r1');
    expect(deps.openMicrophone).toHaveBeenCalledTimes(1);
    expect(deps.join).not.toHaveBeenCalled();
    check.confirm(true);
    await expect(outcome).resolves.toBe('joined');
    expect(deps.join).toHaveBeenCalledWith('r1', { muted: true });
    expect(deps.rememberJoinMuted).toHaveBeenCalledWith(true);
    expect(check.getSnapshot().roomId).toBeNull();
    expect(deps.releaseMicrophone).not.toHaveBeenCalled();
  });

  it('cancel joins nothing and lets the microphone go', async () => {
    const { deps, check } = setup();
    const outcome = check.request('r1');
    check.cancel();
    await expect(outcome).resolves.toBe('cancelled');
    expect(deps.join).not.toHaveBeenCalled();
    expect(deps.releaseMicrophone).toHaveBeenCalledTimes(1);
    check.cancel(); // nothing pending: nothing happens
    expect(deps.releaseMicrophone).toHaveBeenCalledTimes(1);
  });

  it('passes the refusal of the server to whoever asked', async () => {
    const { deps, check } = setup();
    deps.join.mockRejectedValueOnce(new Error('ROOM_LOCKED'));
    const outcome = check.request('r1');
    check.confirm(false);
    await expect(outcome).rejects.toThrow('ROOM_LOCKED');
  });

  it('joins at once, muted as last time, when the check is turned off', async () => {
    const { deps, check } = setup({ checkDevices: false, joinMuted: true });
    await expect(check.request('r1')).resolves.toBe('joined');
    expect(deps.join).toHaveBeenCalledWith('r1', { muted: true });
    expect(deps.openMicrophone).not.toHaveBeenCalled();
    expect(check.getSnapshot().roomId).toBeNull();
  });
});
