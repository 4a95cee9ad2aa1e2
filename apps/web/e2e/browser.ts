import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PageHooks } from '../src/ui/page-hooks';

/** A connection as INIT_SCRIPT leaves it, with what tests may tag it with. */
export type TrackedConnection = RTCPeerConnection & {
  readonly __createdAt: number;
  readonly __remoteStreamId?: string | null;
  __tag?: string;
};

// What the browser tests and the bench read inside a page (page.evaluate): the app's hooks
// (src/ui/page-hooks.ts) and INIT_SCRIPT's list of connections.
declare global {
  interface Window {
    readonly __openwcall: PageHooks;
    readonly __pcs: TrackedConnection[];
  }
}

/*
 * What drives Chromium for the browser tests and for `pnpm bench:web` (bench/web.ts), which
 * runs outside Vitest: nothing here may import vitest.
 */

// ENVIRONMENT.md: flags that work on our machines; fake devices beep, so audio energy grows.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

// Runs in every page before the app: remembers each RTCPeerConnection and the remote stream id
// (the sender's local MediaStream id, from the SDP msid) it receives, for getStats() checks.
const INIT_SCRIPT = `(() => {
  const Native = window.RTCPeerConnection;
  const list = [];
  window.__pcs = list;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      list.push(this);
      this.__createdAt = performance.now();
      this.addEventListener('track', (e) => { this.__remoteStreamId = e.streams[0] ? e.streams[0].id : null; });
    }
  };
})();`;

export interface Person {
  readonly name: string;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly context: BrowserContext;
  readonly page: Page;
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['microphone'] });
  await context.addInitScript(INIT_SCRIPT);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  return { context, page };
}

/** A new person with a fresh account at `url`, signed in and looking at the lobby. */
export async function register(browser: Browser, name: string, url: string): Promise<Person> {
  const { context, page } = await newPage(browser);
  const email = `${unique(name.toLowerCase().replace(/\W+/g, ''))}@example.test`;
  const password = 'correct horse battery';
  await page.goto(url);
  await page.getByRole('button', { name: 'Register a new account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.getByRole('heading', { name: 'People' }).waitFor();
  const userId = await page.evaluate(() => {
    const session = window.__openwcall.app.session.getSnapshot();
    return session.status === 'signed-in' ? session.user.id : '';
  });
  return { name, userId, email, password, context, page };
}

export interface InboundAudio {
  readonly state: RTCPeerConnectionState;
  readonly remoteStreamId: string | null;
  readonly bytesReceived: number;
  readonly totalAudioEnergy: number;
}

/** Inbound audio of every open peer connection in the page. */
export function inboundAudio(page: Page): Promise<InboundAudio[]> {
  return page.evaluate(async () => {
    return Promise.all(
      window.__pcs
        .filter((pc) => pc.connectionState !== 'closed')
        .map(async (pc) => {
          let bytesReceived = 0;
          let totalAudioEnergy = 0;
          const stats = await pc.getStats();
          stats.forEach(
            (report: {
              type: string;
              kind?: string;
              bytesReceived?: number;
              totalAudioEnergy?: number;
            }) => {
              if (report.type === 'inbound-rtp' && report.kind === 'audio') {
                bytesReceived += report.bytesReceived ?? 0;
                totalAudioEnergy += report.totalAudioEnergy ?? 0;
              }
            },
          );
          return {
            state: pc.connectionState,
            remoteStreamId: pc.__remoteStreamId ?? null,
            bytesReceived,
            totalAudioEnergy,
          };
        }),
    );
  });
}
