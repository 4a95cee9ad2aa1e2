// Issue 9 §4: a peer whose network changes mid-call (Wi-Fi to cellular, a VPN coming up) gets
// its audio back through an ICE restart. Ben's Chromium runs in a network namespace of this
// test's own; mid-call his address is replaced by another one (the old one disappears, a new
// route appears), so every candidate pair he had dies with it, and his signaling socket too.
import { execFileSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppPair,
  createNetns,
  missingPrerequisite,
  type Netns,
  startAppPair,
  tempDir,
} from './deploy-harness';
import { CHROMIUM_ARGS, closeAll, inboundAudio, type Person, signUp, skipReason, unique } from './support';
import { meetInRoom } from './voice-support';

const prerequisite = skipReason || missingPrerequisite(['ip', 'iptables']);

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

interface Sample {
  readonly at: number;
  readonly bytes: number;
  readonly energy: number;
  readonly states: string;
}

async function sample(page: Page): Promise<Sample> {
  const list = await inboundAudio(page);
  return {
    at: Date.now(),
    bytes: list.reduce((n, s) => n + s.bytesReceived, 0),
    energy: list.reduce((n, s) => n + s.totalAudioEnergy, 0),
    states: list.map((s) => s.state).join(','),
  };
}

async function timeline(page: Page, ms: number): Promise<Sample[]> {
  const out: Sample[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    out.push(await sample(page));
    await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

describe.skipIf(prerequisite !== '')('a network change mid-call', () => {
  const dir = tempDir('netchange');
  let netns: Netns | undefined;
  let app: AppPair | undefined;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    netns = createNetns(dir.path, chromiumPath, { secondOctet: [251, 255] });
    ip('addr', 'add', `${netns.subnet}.5/30`, 'dev', netns.hostIf);
    app = await startAppPair({ host: netns.hostAddr });
    const args = [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${app.webUrl}`];
    browsers.push(await chromium.launch({ executablePath: chromiumPath, args }));
    browsers.push(await chromium.launch({ executablePath: netns.chromium, args }));
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    app?.stop();
    netns?.remove();
    dir.remove();
  });

  it('explore', async () => {
    if (!app || !netns) throw new Error('no setup');
    const [hostBrowser, nsBrowser] = browsers as [Browser, Browser];
    const people: Person[] = [];
    try {
      const ann = await signUp(hostBrowser, 'Ann', `${app.webUrl}/`);
      const ben = await signUp(nsBrowser, 'Ben', `${app.webUrl}/`);
      people.push(ann, ben);
      await meetInRoom(ann, [ben], unique('Moving'));
      const ns = netns;
      for (const p of people) await p.page.evaluate(() => {
        const w = window as unknown as { __ev: string[]; __pcs: RTCPeerConnection[] };
        w.__ev = [];
        const t = () => Math.round(performance.now());
        const log = (s: string) => w.__ev.push(`${t()} ${s}`);
        log('start');
        window.addEventListener('online', () => log('online'));
        window.addEventListener('offline', () => log('offline'));
        const c = (navigator as unknown as { connection?: EventTarget & { type?: string; effectiveType?: string } }).connection;
        c?.addEventListener('change', () => log(`connection change ${c.type} ${c.effectiveType}`));
        for (const pc of w.__pcs) {
          pc.addEventListener('icecandidate', (e) => log(`cand ${e.candidate?.candidate ?? 'end'}`));
          pc.addEventListener('iceconnectionstatechange', () => log(`ice ${pc.iceConnectionState}`));
          pc.addEventListener('icegatheringstatechange', () => log(`gather ${pc.iceGatheringState}`));
          pc.addEventListener('signalingstatechange', () => log(`sig ${pc.signalingState}`));
        }
      });
      const t0 = Date.now();
      for (const p of people) p.page.on('console', (m) => console.log(`[${p.name} ${Date.now() - t0}]`, m.text()));
      ip('-n', ns.name, 'addr', 'add', `${ns.subnet}.6/30`, 'dev', ns.nsIf);
      ip('-n', ns.name, 'route', 'add', 'default', 'via', `${ns.subnet}.5`);
      ip('-n', ns.name, 'addr', 'del', `${ns.nsAddr}/30`, 'dev', ns.nsIf);
      const [a, b] = await Promise.all([timeline(ann.page, 20_000), timeline(ben.page, 20_000)]);
      for (const [name, list] of [['ann', a], ['ben', b]] as const) {
        for (const s of list) console.log(name, s.at - t0, s.bytes, s.energy.toFixed(4), s.states);
      }
      for (const p of people) console.log(p.name, (await p.page.evaluate(() => (window as unknown as { __ev: string[] }).__ev)).join('\n'));
      expect(true).toBe(true);
    } finally {
      await closeAll(people);
    }
  }, 120_000);
});
