import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { CHROMIUM_ARGS, inboundAudio, type Person, register } from './browser';

export { type InboundAudio, inboundAudio, newPage, type Person, unique } from './browser';

export const webUrl = inject('webUrl');
export const skipReason = inject('skipReason');
/**
 * The README's screenshots are refreshed on purpose (`UPDATE_SCREENSHOTS=1`, best on a fresh
 * server, whose lobby lists no other tests' people); otherwise the tests still take them, into
 * a temporary folder, so a test run leaves the repository as it was.
 */
export const screenshotDir =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots')
    : join(tmpdir(), 'openwcall-e2e-screenshots');
mkdirSync(screenshotDir, { recursive: true });

/** One browser for the enclosing describe block; call the returned function inside tests. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser has not started');
    return browser;
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: inject('chromiumPath'), args: CHROMIUM_ARGS });
}

/** A new person with a fresh account, signed in and looking at the lobby. */
export function signUp(browser: Browser, name: string, url = webUrl): Promise<Person> {
  return register(browser, name, url);
}

/**
 * `person`'s "Call" button in `page`'s lobby, found by user id: an earlier test's namesake
 * stays listed online for the server's reconnect grace after its browser closed, and a click
 * on it rings nobody.
 */
export function callButton(page: Page, person: Person) {
  return page
    .locator(`li.person[data-user-id="${person.userId}"]`)
    .getByRole('button', { name: `Call ${person.name}`, exact: true });
}

/** The id of the MediaStream the page sends (its microphone), as receivers see it. */
export function localStreamId(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__openwcall.app.microphone.getSnapshot().stream?.id ?? null);
}

export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await read();
  }
  return last;
}

/** Waits until `count` connections are `connected`; resolves with the ms it took. */
export async function waitConnected(page: Page, count: number, timeoutMs = 20_000) {
  await poll(
    () => inboundAudio(page),
    (list) => list.filter((s) => s.state === 'connected').length >= count,
    { timeoutMs, intervalMs: 50, what: `${count} connected peer connections` },
  );
}

/** Waits until `count` connections received audio bytes. */
export async function waitFirstAudio(page: Page, count: number, timeoutMs = 20_000) {
  await poll(
    () => inboundAudio(page),
    (list) => list.filter((s) => s.bytesReceived > 0).length >= count,
    { timeoutMs, intervalMs: 50, what: `audio bytes on ${count} connections` },
  );
}

/**
 * Asserts audio flows on `count` connected connections: bytesReceived and totalAudioEnergy
 * both grow over `windowMs` (the fake microphone beeps, so energy grows between beeps).
 */
export async function expectAudioFlowing(page: Page, count: number, windowMs = 1_500) {
  await poll(
    async () => {
      const before = await inboundAudio(page);
      await new Promise((r) => setTimeout(r, windowMs));
      const after = await inboundAudio(page);
      return after.filter((now, i) => {
        const then = before[i];
        return (
          then !== undefined &&
          now.state === 'connected' &&
          now.bytesReceived > then.bytesReceived &&
          now.totalAudioEnergy > then.totalAudioEnergy
        );
      }).length;
    },
    (growing) => growing >= count,
    { timeoutMs: 20_000, intervalMs: 0, what: `audio flowing on ${count} connections` },
  );
}

/** Energy growth per remote stream id over a window. */
export async function energyGrowth(page: Page, windowMs = 2_000): Promise<Map<string, number>> {
  const before = await inboundAudio(page);
  await new Promise((r) => setTimeout(r, windowMs));
  const after = await inboundAudio(page);
  const growth = new Map<string, number>();
  for (const now of after) {
    const then = before.find((b) => b.remoteStreamId === now.remoteStreamId);
    if (now.remoteStreamId && then) {
      growth.set(now.remoteStreamId, now.totalAudioEnergy - then.totalAudioEnergy);
    }
  }
  return growth;
}

export async function screenshot(page: Page, file: string): Promise<void> {
  // Let entry animations (dialogs, notices: 180 ms) finish.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(screenshotDir, file), fullPage: false });
}

/** One JSON line per measurement, for the report. */
export function recordTiming(name: string, values: Record<string, number>): void {
  console.log(`E2E_TIMING ${JSON.stringify({ name, ...values })}`);
}

export async function closeAll(people: readonly Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.context.close().catch(() => {})));
}

/** Prints the page's own log (PageLog) from `since` on: what a slow or failed run did. */
export async function printPageLog(person: Person, since: number): Promise<void> {
  const entries = await person.page.evaluate(() => window.__openwcall.logs());
  for (const entry of entries.filter((e) => e.at >= since)) {
    const context = entry.context === undefined ? '' : ` ${JSON.stringify(entry.context)}`;
    console.log(`[${person.name}] +${entry.at - since} ms ${entry.message}${context}`);
  }
}
