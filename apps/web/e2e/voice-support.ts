import type { Locator, Page } from 'playwright-core';
import {
  callButton,
  energyGrowth,
  expectAudioFlowing,
  inboundAudio,
  localStreamId,
  type Person,
  poll,
  waitConnected,
} from './support';

export async function createRoom(page: Page, name: string) {
  await page.getByLabel('Room name').fill(name);
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** The device check a Join opens first (ui/device-check.tsx; on unless turned off). */
export function deviceCheck(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Check your devices' });
}

/** Goes through the open device check with "Join now" (after ticking "Join muted" with `muted`). */
export async function joinNow(page: Page, options: { readonly muted?: boolean } = {}) {
  const check = deviceCheck(page);
  if (options.muted) await check.getByLabel('Join muted').check();
  await check.getByRole('button', { name: 'Join now' }).click();
}

/** Clicks a Join button (`join`, default: the lobby's for room `name`) and then "Join now". */
export async function pressJoin(
  page: Page,
  join: Locator | string,
  options: { readonly muted?: boolean } = {},
) {
  await (typeof join === 'string'
    ? page.getByRole('button', { name: `Join ${join}` })
    : join
  ).click();
  await joinNow(page, options);
}

export async function joinRoom(page: Page, name: string, join?: Locator) {
  await pressJoin(page, join ?? name);
  await page.getByRole('heading', { name }).waitFor();
}

/** `host` creates `room`, the others join in turn; everyone is connected and hears audio. */
export async function meetInRoom(host: Person, others: readonly Person[], room: string) {
  await createRoom(host.page, room);
  for (const person of others) await joinRoom(person.page, room);
  const everyone = [host, ...others];
  for (const person of everyone) await waitConnected(person.page, others.length);
  await Promise.all(everyone.map((p) => expectAudioFlowing(p.page, others.length)));
}

/** `caller` calls `callee`, who accepts; the caller's connection is up. */
export async function startCall(caller: Person, callee: Person) {
  await callButton(caller.page, callee).click();
  await callee.page
    .getByRole('dialog', { name: new RegExp(caller.name) })
    .getByRole('button', { name: 'Accept' })
    .click();
  await waitConnected(caller.page, 1);
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

/** The user id on `name`'s tile in a room. */
export async function userIdOf(page: Page, name: string): Promise<string> {
  const id = await page.locator(`li.tile[aria-label="${name}"]`).getAttribute('data-user-id');
  if (!id) throw new Error(`no tile for ${name}`);
  return id;
}

/**
 * For someone above 100 % (played through Web Audio): the loudest RMS of their stream before
 * and after their gain over `windowMs`, read from analysers in the playout graph.
 */
export async function boostPeak(page: Page, userId: string, windowMs = 2_000) {
  return page.evaluate(
    async ({ userId, windowMs }) => {
      let before = 0;
      let after = 0;
      let boosted = false;
      const deadline = performance.now() + windowMs;
      while (performance.now() < deadline) {
        const levels =
          window.__openwcall.app.connection.getSnapshot()?.playout.boostLevels(userId) ?? null;
        if (levels) {
          boosted = true;
          before = Math.max(before, levels.before);
          after = Math.max(after, levels.after);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      return { boosted, before, after };
    },
    { userId, windowMs },
  );
}

/** Opens "Options for <name>" and returns its panel. */
export async function openOptions(page: Page, name: string) {
  const panel = page.getByRole('dialog', { name: `Options for ${name}` });
  if (!(await panel.isVisible())) {
    await page.getByRole('button', { name: `Options for ${name}` }).click();
  }
  await panel.waitFor();
  return panel;
}

/** Opens the control bar's "Audio settings" (push to talk, processing) if it is closed. */
export async function openAudioSettings(page: Page) {
  const details = page.locator('details.audio-settings');
  if (!(await details.evaluate((el) => (el as HTMLDetailsElement).open))) {
    await details.locator('summary').click();
  }
}
