// Issue 9 §4: a peer whose network changes mid-call (Wi-Fi to cellular, a VPN coming up) gets
// its audio back through an ICE restart. Ben's Chromium runs in a network namespace of this
// test's own; mid-call his address is replaced by another one on another subnet (the old one
// disappears, the default route moves), so every candidate pair he had dies with it, and so
// does his signaling socket's TCP connection, which nothing tells the server about.
import { execFileSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './browser';
import {
  type AppPair,
  createNetns,
  missingPrerequisite,
  type Netns,
  startAppPair,
  tempDir,
} from './deploy-harness';
import {
  closeAll,
  expectAudioFlowing,
  inboundAudio,
  type Person,
  poll,
  printPageLog,
  recordTiming,
  signUp,
  skipReason,
  unique,
} from './support';
import { meetInRoom } from './voice-support';

const prerequisite = skipReason || missingPrerequisite(['ip', 'iptables', 'ss']);

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

interface Sample {
  readonly at: number;
  readonly bytes: number;
  readonly energy: number;
}

async function sample(page: Page): Promise<Sample> {
  const list = await inboundAudio(page);
  return {
    at: Date.now(),
    bytes: list.reduce((n, s) => n + s.bytesReceived, 0),
    energy: list.reduce((n, s) => n + s.totalAudioEnergy, 0),
  };
}

/**
 * When audio came back on `page` after a change at `since`: first its packets stop (the
 * stall: no bytes over a quarter second, which proves the change cut the path), then the
 * first moment both bytes and audio energy grow past where the stall left them.
 */
async function audioBack(page: Page, since: number, timeoutMs = 20_000): Promise<number> {
  const deadline = since + timeoutMs;
  const window: Sample[] = [];
  let stall: Sample | null = null;
  while (Date.now() < deadline) {
    const now = await sample(page);
    window.push(now);
    if (!stall) {
      const quarter = window.find((s) => now.at - s.at >= 250 && now.at - s.at < 600);
      if (quarter && quarter.bytes === now.bytes) stall = now;
    } else if (now.bytes > stall.bytes && now.energy > stall.energy) {
      return now.at - since;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(stall ? 'audio did not come back' : 'audio never stopped: nothing changed');
}

/** Tags the page's peer connections, so a later check can tell whether they were replaced. */
function tagConnections(page: Page) {
  return page.evaluate(() => {
    const pcs = window.__pcs;
    for (const pc of pcs) pc.__tag = 'before';
    return pcs.length;
  });
}

/** How many peer connections the page made, and how many of the tagged ones are still open. */
function connections(page: Page) {
  return page.evaluate(() => {
    const pcs = window.__pcs;
    return {
      made: pcs.length,
      taggedOpen: pcs.filter((pc) => pc.__tag === 'before' && pc.connectionState === 'connected')
        .length,
    };
  });
}

const header = (page: Page) => page.locator('header .conn');

/** A round trip through both sockets: Ben mutes, Ann sees it, Ben unmutes, Ann sees that. */
async function muteRoundTrip(ann: Person, ben: Person) {
  const tile = ann.page.locator('li.tile[aria-label="Ben"]');
  await ben.page.getByRole('button', { name: 'Mute', exact: true }).click();
  await tile.getByText('Muted').waitFor();
  await ben.page.getByRole('button', { name: 'Unmute', exact: true }).click();
  await tile.getByText('Muted').waitFor({ state: 'detached' });
}

describe.skipIf(prerequisite !== '')('a network change mid-call', () => {
  const dir = tempDir('netchange');
  let netns: Netns | undefined;
  let app: AppPair | undefined;
  const browsers: Browser[] = [];
  const people: Person[] = [];
  /** The address the namespace moves to: another /30 of the same /24 (.4/30, host side .5). */
  let nextAddr = '';
  let nextGateway = '';

  beforeAll(async () => {
    const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    // 10.251-254.x.x: other namespaced tests take 10.200-249, and this one renumbers.
    netns = createNetns(dir.path, chromiumPath, { secondOctet: [251, 255] });
    nextAddr = `${netns.subnet}.6`;
    nextGateway = `${netns.subnet}.5`;
    // The "cellular" side is there from the start; Ben just is not on it yet.
    run('ip', 'addr', 'add', `${nextGateway}/30`, 'dev', netns.hostIf);
    // The server and the web app on the host end of the veth: the one address both browsers
    // reach (Ann from the host, Ben from inside the namespace).
    app = await startAppPair({ host: netns.hostAddr });
    const args = [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${app.webUrl}`];
    browsers.push(await chromium.launch({ executablePath: chromiumPath, args }));
    browsers.push(await chromium.launch({ executablePath: netns.chromium, args }));
  });

  afterAll(async () => {
    await closeAll(people);
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    app?.stop();
    // The namespace takes its addresses, routes and iptables rules with it; the host end of
    // the veth takes the second host address.
    netns?.remove();
    dir.remove();
  });

  async function meet(): Promise<[Person, Person]> {
    if (!app) throw new Error('no app');
    const [hostBrowser, nsBrowser] = browsers as [Browser, Browser];
    const ann = await signUp(hostBrowser, 'Ann', `${app.webUrl}/`);
    const ben = await signUp(nsBrowser, 'Ben', `${app.webUrl}/`);
    people.push(ann, ben);
    await meetInRoom(ann, [ben], unique('Moving'));
    return [ann, ben];
  }

  it('Ben moves to another network: audio is back both ways within 3 s, on the same connection', async () => {
    if (!netns) throw new Error('no namespace');
    const ns = netns;
    const [ann, ben] = await meet();
    const made = { ann: await tagConnections(ann.page), ben: await tagConnections(ben.page) };

    const t0 = Date.now();
    run('ip', '-n', ns.name, 'addr', 'add', `${nextAddr}/30`, 'dev', ns.nsIf);
    run('ip', '-n', ns.name, 'route', 'add', 'default', 'via', nextGateway);
    run('ip', '-n', ns.name, 'addr', 'del', `${ns.nsAddr}/30`, 'dev', ns.nsIf);
    const [annMs, benMs] = await Promise.all([audioBack(ann.page, t0), audioBack(ben.page, t0)]);
    const backMs = Math.max(annMs, benMs);
    console.log(`[network-change] audio back after ${backMs} ms (Ann ${annMs}, Ben ${benMs})`);
    recordTiming('network change', { audioBackMs: backMs, annMs, benMs });
    // What both pages did, for a run that comes out slow.
    if (backMs > 3_000) await Promise.all([printPageLog(ann, t0), printPageLog(ben, t0)]);

    // An ICE restart on the connections there were, not new ones.
    expect(await connections(ann.page)).toEqual({ made: made.ann, taggedOpen: made.ann });
    expect(await connections(ben.page)).toEqual({ made: made.ben, taggedOpen: made.ben });
    await Promise.all([expectAudioFlowing(ann.page, 1), expectAudioFlowing(ben.page, 1)]);
    expect(backMs).toBeLessThanOrEqual(3_000);

    // Ben's signaling came back on its own, over the new address; past the old socket's
    // reconnect grace (5 s), a round trip through both sockets orders what the grace would
    // have sent Ann before the check that Ben never left.
    await header(ben.page).filter({ hasText: 'Connected' }).waitFor();
    await poll(
      async () => Date.now() - t0,
      (ms) => ms > 7_000,
      { what: 'the old socket grace to pass', intervalMs: 200 },
    );
    await muteRoundTrip(ann, ben);
    await ann.page.getByText('2 / 6 people').waitFor();
    expect(await ann.page.locator('li.tile[aria-label="Ben"]').count()).toBe(1);
    await closeAll(people.splice(0));
  }, 120_000);

  it('only the signaling path drops: the socket comes back, media never stops', async () => {
    if (!netns || !app) throw new Error('no setup');
    const ns = netns;
    const server = new URL(app.serverUrl);
    const [ann, ben] = await meet();
    const made = { ann: await tagConnections(ann.page), ben: await tagConnections(ben.page) };

    // Refuse new connections to the server from Ben, and abort the one he has: the socket
    // fails the way a dead NAT or proxy makes it fail; UDP media is untouched.
    const block = ['OUTPUT', '-p', 'tcp', '--dport', server.port, '-j', 'REJECT'];
    run('ip', 'netns', 'exec', ns.name, 'iptables', '-A', ...block, '--reject-with', 'tcp-reset');
    run('ip', 'netns', 'exec', ns.name, 'ss', '-K', 'dport', '=', server.port);
    await header(ben.page).filter({ hasText: 'Reconnecting…' }).waitFor();
    // Audio keeps flowing both ways while the signaling is down.
    await Promise.all([expectAudioFlowing(ann.page, 1), expectAudioFlowing(ben.page, 1)]);
    run('ip', 'netns', 'exec', ns.name, 'iptables', '-D', ...block, '--reject-with', 'tcp-reset');

    await header(ben.page).filter({ hasText: 'Connected' }).waitFor();
    await muteRoundTrip(ann, ben);
    await Promise.all([expectAudioFlowing(ann.page, 1), expectAudioFlowing(ben.page, 1)]);
    // The connections that carried the media are the same objects, never torn down.
    expect(await connections(ann.page)).toEqual({ made: made.ann, taggedOpen: made.ann });
    expect(await connections(ben.page)).toEqual({ made: made.ben, taggedOpen: made.ben });
    await ann.page.getByText('2 / 6 people').waitFor();
    await closeAll(people.splice(0));
  }, 120_000);
});
