import { describe, expect, it } from 'vitest';
import { TransmitGate } from './transmit';

function sender() {
  const calls: boolean[] = [];
  return { calls, isClosed: false, setGated: (gated: boolean) => calls.push(gated) };
}

describe('TransmitGate', () => {
  it('opens only while the push-to-talk key is held', () => {
    const gate = new TransmitGate(true);
    const mesh = sender();
    gate.attach(mesh);
    expect(mesh.calls).toEqual([true]);
    gate.press();
    expect(gate.getSnapshot()).toMatchObject({ held: true, open: true });
    gate.press(); // key repeat changes nothing
    gate.release();
    expect(mesh.calls).toEqual([true, false, true]);
  });

  it('is open without push to talk, and closed while deafened whatever the key does', () => {
    const gate = new TransmitGate(false);
    const mesh = sender();
    gate.attach(mesh);
    expect(mesh.calls).toEqual([false]);
    gate.press(); // ignored: push to talk is off
    expect(gate.getSnapshot().held).toBe(false);
    gate.setDeafened(true);
    gate.setPushToTalk(true);
    gate.press();
    expect(gate.getSnapshot()).toMatchObject({ deafened: true, held: true, open: false });
    expect(mesh.calls.at(-1)).toBe(true);
  });

  it('forgets meshes that closed', () => {
    const gate = new TransmitGate(false);
    const mesh = sender();
    gate.attach(mesh);
    mesh.isClosed = true;
    gate.setDeafened(true);
    expect(mesh.calls).toEqual([false]);
  });
});
