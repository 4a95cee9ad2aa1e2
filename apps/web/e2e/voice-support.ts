import type { Page } from 'playwright-core';
import { energyGrowth, inboundAudio, localStreamId, type Person, poll } from './support';

export async function createRoom(page: Page, name: string) {
  await page.getByLabel('Room name').fill(name);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

export async function joinRoom(page: Page, name: string) {
  await page.getByRole('button', { name: `Join ${name}` }).click();
  await page.getByRole('heading', { name }).waitFor();
}

export async function streamOf(person: Person): Promise<string> {
  const id = await localStreamId(person.page);
  if (!id) throw new Error(`${person.name} has no microphone stream`);
  return id;
}

/** Audio energy `listener` received from `streamId` over `windowMs`. */
export async function energyFrom(listener: Page, streamId: string, windowMs = 2_000) {
  return (await energyGrowth(listener, windowMs)).get(streamId) ?? 0;
}

/**
 * Waits until `listener` has received more RTP bytes from `streamId` than it had now: packets
 * the sender sent after a change it made have arrived (silence still sends packets), so an
 * energy measurement that starts afterwards measures the new state, not the jitter buffer.
 */
export async function afterPacketsArrive(listener: Page, streamId: string, bytes = 2_000) {
  const read = async () =>
    (await inboundAudio(listener)).find((s) => s.remoteStreamId === streamId)?.bytesReceived ?? 0;
  const start = await read();
  await poll(read, (now) => now >= start + bytes, {
    what: `${bytes} more bytes from ${streamId}`,
    intervalMs: 20,
  });
}

/** Waits until `listener` hears `streamId` (energy grows within a 1 s window). */
export async function waitHears(listener: Page, streamId: string, what: string) {
  await poll(
    () => energyFrom(listener, streamId, 1_000),
    (energy) => energy > 0,
    { what, intervalMs: 0 },
  );
}
