import { printTable } from '@openwcall/server/bench/table';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, newPage, register, unique } from '../e2e/browser';
import { startStack } from '../e2e/global-setup';
import { startBareRelay } from './bare/relay';
import { browserCpuMs, type CpuSample, measureCpu } from './cpu';
import { profileDir, profilePages, traceBrowser, traceFile } from './profile';
import { addTimeline, readTimeline, timelineOn } from './timeline';

/*
 * `pnpm bench:web`: the web app against a bare page (bench/bare: getUserMedia, one
 * RTCPeerConnection per peer, an <audio> per remote stream) in ONE Chromium, in one run, one
 * browser context per person. For each room size: click Join → room shown, → all of the
 * joiner's connections connected, → audio arrived from every peer; then the CPU of all
 * Chromium processes during a steady call. On this 2-core machine absolute numbers mean little
 * (ENVIRONMENT.md); the ratios app/bare are the result.
 */

const env = (name: string, fallback: string) => process.env[name] || fallback;
const SIZES = env('BENCH_SIZES', '2,3,6')
  .split(',')
  .map((s) => Number(s.trim()));
const ROUNDS = Number(env('BENCH_ROUNDS', '3'));
const CPU_MS = Number(env('BENCH_CPU_MS', '10000'));
const CPU_PEOPLE = Number(env('BENCH_CPU_PEOPLE', '3'));
const CHROMIUM_PATH = env('CHROMIUM_PATH', '/usr/bin/chromium');
// Rooms hold six (the server's default ROOM_MAX_PARTICIPANTS).
if (!SIZES.every((n) => Number.isInteger(n) && n >= 2 && n <= 6)) {
  throw new Error(`BENCH_SIZES must list room sizes from 2 to 6, got "${process.env.BENCH_SIZES}"`);
}
if (!(ROUNDS >= 1 && CPU_MS >= 1000 && CPU_PEOPLE >= 2 && CPU_PEOPLE <= 6)) {
  throw new Error('BENCH_ROUNDS ≥ 1, BENCH_CPU_MS ≥ 1000, BENCH_CPU_PEOPLE 2–6');
}
// Every wait is bounded: a join that does not complete in this time fails the bench.
const JOIN_TIMEOUT_MS = 60_000;
const TARGET = { cpu: 1.3, setup: 1.5 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// The two subjects: the same steps, each in its own UI.

interface Subject {
  readonly name: 'app' | 'bare';
  /** A new person (browser context) ready to join, e.g. signed in and on the lobby. */
  person(index: number): Promise<Page>;
  /** Everything up to the click (the button must be there), so the clock starts at the click. */
  prepare(page: Page, room: string, first: boolean): Promise<() => Promise<void>>;
  leave(page: Page): Promise<void>;
}

function appSubject(browser: Browser, webUrl: string): Subject {
  return {
    name: 'app',
    person: async (index) => {
      const { page } = await register(browser, `Bench${index + 1}`, webUrl);
      await addTimeline(page.context());
      // A returning person who turned the device check off: Join joins at once, as the bare
      // page's does (the check is a step the person takes, not set-up work of the call).
      await page.evaluate(() =>
        localStorage.setItem('openwcall:voice', JSON.stringify({ checkDevices: false })),
      );
      await page.reload();
      await page.getByRole('heading', { name: 'People' }).waitFor();
      return page;
    },
    prepare: async (page, room, first) => {
      if (first) {
        await page.getByLabel('Room name').fill(room);
        const create = page.getByRole('button', { name: 'Create room' });
        return () => create.click();
      }
      const join = page.getByRole('button', { name: `Join ${room}` });
      await join.waitFor();
      return () => join.click();
    },
    leave: async (page) => {
      await page.getByRole('button', { name: 'Leave room' }).click();
      await page.getByRole('heading', { name: 'People' }).waitFor();
    },
  };
}

function bareSubject(browser: Browser, relayUrl: string): Subject {
  return {
    name: 'bare',
    person: async () => {
      const { page } = await newPage(browser);
      await addTimeline(page.context());
      await page.goto(relayUrl);
      return page;
    },
    prepare: async (page, room) => {
      await page.getByLabel('Room').fill(room);
      const join = page.getByRole('button', { name: 'Join', exact: true });
      await join.waitFor();
      await page.waitForFunction(
        () => !document.querySelector<HTMLButtonElement>('#join')?.disabled,
      );
      return () => join.click();
    },
    leave: async (page) => {
      await page.getByRole('button', { name: 'Leave', exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('audio').length === 0);
    },
  };
}

// ---------------------------------------------------------------------------------------
// One join, timed inside the page (performance.now()), so Node's round trips do not count.

interface JoinTimes {
  readonly shownMs: number;
  readonly connectedMs: number;
  readonly audioMs: number;
  /**
   * CPU time of all Chromium processes from the click until audio came from every peer: the
   * work a join costs, which on a busy 2-core machine varies far less than its wall time.
   */
  readonly cpuMs: number;
}

// Runs in the page, as source text: tsx would wrap a function passed to page.evaluate in its
// `__name` helper, which the page does not have. Polls every 10 ms; the connections counted are
// the ones created since `t0` (window.__pcs, e2e/browser.ts INIT_SCRIPT).
const WAIT_FOR_JOIN = `async ({ t0, room, peers, timeoutMs }) => {
  const pcs = () =>
    window.__pcs.filter((pc) => pc.__createdAt >= t0 && pc.connectionState !== 'closed');
  const heard = async (pc) => {
    let ok = false;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        ok = (r.bytesReceived ?? 0) > 0 && (r.totalAudioEnergy ?? 0) > 0;
      }
    });
    return ok;
  };
  let shownMs = null;
  let connectedMs = null;
  let audioMs = null;
  while (performance.now() - t0 < timeoutMs) {
    const now = performance.now();
    if (shownMs === null) {
      const headings = [...document.querySelectorAll('h1')];
      if (headings.some((h) => h.textContent.trim() === room)) shownMs = now - t0;
    }
    const list = pcs();
    if (list.length >= peers) {
      if (connectedMs === null && list.every((pc) => pc.connectionState === 'connected')) {
        connectedMs = now - t0;
      }
      if (audioMs === null && (await Promise.all(list.map(heard))).every(Boolean)) {
        audioMs = performance.now() - t0;
      }
    }
    if (shownMs !== null && connectedMs !== null && audioMs !== null) {
      return { shownMs, connectedMs, audioMs };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const states = JSON.stringify(pcs().map((pc) => pc.connectionState));
  throw new Error('join of ' + room + ' incomplete after ' + timeoutMs + ' ms: shown ' + shownMs +
    ', connected ' + connectedMs + ', audio ' + audioMs + ', connections ' + states);
}`;

/** Marks the start in the page, clicks, and waits for the room, connections and audio. */
async function timedJoin(
  page: Page,
  room: string,
  peers: number,
  click: () => Promise<void>,
  label = '',
): Promise<JoinTimes> {
  const t0 = await page.evaluate(() => performance.now());
  const cpu0 = browserCpuMs();
  await click();
  const args = { t0, room, peers, timeoutMs: JOIN_TIMEOUT_MS };
  const times = (await page.evaluate(`(${WAIT_FOR_JOIN})(${JSON.stringify(args)})`)) as Omit<
    JoinTimes,
    'cpuMs'
  >;
  const cpuMs = browserCpuMs() - cpu0;
  if (timelineOn && label) {
    console.log(
      `  timeline of ${label} (ms after the click):\n${(await readTimeline(page, t0)).join('\n')}`,
    );
  }
  return { ...times, cpuMs };
}

/** People 0…n-1 join `room` one after the other (each fully connected); the last one's times. */
async function meet(
  subject: Subject,
  pages: readonly Page[],
  room: string,
  profileLabel = '',
): Promise<JoinTimes> {
  let last: JoinTimes | null = null;
  for (const [index, page] of pages.entries()) {
    const click = await subject.prepare(page, room, index === 0);
    // Only the last join is profiled (in every page of the room), traced and timelined.
    const label = index === pages.length - 1 ? profileLabel : '';
    const profiled = profileDir && label ? await profilePages(pages, label) : null;
    const traced =
      traceFile && label ? await traceBrowser(page, `${traceFile}-${label}.json`) : null;
    last = await timedJoin(page, room, index, click, label);
    await profiled?.();
    await traced?.();
  }
  if (!last) throw new Error('nobody joined');
  return last;
}

async function leaveAll(subject: Subject, pages: readonly Page[]) {
  for (const page of pages) await subject.leave(page);
}

// ---------------------------------------------------------------------------------------
// The run

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const ms = (value: number) => `${Math.round(value)}`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

async function people(subject: Subject, count: number, pages: Page[] = []): Promise<Page[]> {
  while (pages.length < count) pages.push(await subject.person(pages.length));
  return pages;
}

/** A steady CPU_PEOPLE-person call with nothing else open in the browser. */
async function steadyCpu(subject: Subject, browser: Browser): Promise<CpuSample> {
  const pages = await people(subject, CPU_PEOPLE);
  await meet(subject, pages, unique(`cpu-${subject.name}`));
  // Let join cues, entry animations and the first stats settle before measuring.
  await sleep(2_000);
  const profiled = profileDir ? await profilePages(pages, `steady-${subject.name}`) : null;
  const sample = await measureCpu(CPU_MS);
  await profiled?.();
  await leaveAll(subject, pages);
  await Promise.all(pages.map((p) => p.context().close()));
  if (browser.contexts().length !== 0) throw new Error('contexts left open');
  return sample;
}

async function main() {
  if (profileDir) console.log(`profiling into ${profileDir}: CPU numbers include the profiler`);
  console.log(
    `bench:web — sizes ${SIZES.join(',')}, ${ROUNDS} round(s), CPU over ${CPU_MS} ms of a ${CPU_PEOPLE}-person call`,
  );
  const stack = await startStack();
  const relay = await startBareRelay();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const app = appSubject(browser, stack.webUrl);
    const bare = bareSubject(browser, relay.url);

    const cpu = { app: await steadyCpu(app, browser), bare: await steadyCpu(bare, browser) };

    // Both subjects' people stay open for all rounds, so each round has the same background;
    // rounds alternate app/bare, so a busy moment on the machine hits both.
    const biggest = Math.max(...SIZES);
    const pages = { app: await people(app, biggest), bare: await people(bare, biggest) };
    const times = new Map<string, JoinTimes[]>();
    for (const size of SIZES) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const subject of [app, bare]) {
          const group = pages[subject.name].slice(0, size);
          const label = round === 0 ? `join${size}-${subject.name}` : '';
          const result = await meet(subject, group, unique(`r${size}-${subject.name}`), label);
          const key = `${subject.name}:${size}`;
          times.set(key, [...(times.get(key) ?? []), result]);
          await leaveAll(subject, group);
          console.log(
            `  ${subject.name} ${size} people, round ${round + 1}: shown ${ms(result.shownMs)} ms, connected ${ms(result.connectedMs)} ms, audio ${ms(result.audioMs)} ms, browser CPU ${ms(result.cpuMs)} ms`,
          );
        }
      }
    }

    const rows: string[][] = [];
    const setupRatios: number[] = [];
    for (const size of SIZES) {
      for (const [label, pick] of [
        ['click Join → room shown', (t: JoinTimes) => t.shownMs],
        ['join → all connected', (t: JoinTimes) => t.connectedMs],
        ['join → audio from all', (t: JoinTimes) => t.audioMs],
        ['browser CPU for the join', (t: JoinTimes) => t.cpuMs],
      ] as const) {
        const a = (times.get(`app:${size}`) ?? []).map(pick);
        const b = (times.get(`bare:${size}`) ?? []).map(pick);
        if (label === 'join → all connected' || label === 'join → audio from all') {
          setupRatios.push(median(a) / median(b));
        }
        rows.push([
          String(size),
          label,
          ms(median(a)),
          ms(Math.max(...a)),
          ms(median(b)),
          ms(Math.max(...b)),
          ratio(median(a), median(b)),
        ]);
      }
    }
    printTable(
      `Set-up of the last joiner (ms, ${ROUNDS} round(s); median and slowest)`,
      ['people', 'measure', 'app median', 'app slowest', 'bare median', 'bare slowest', 'app/bare'],
      rows,
    );

    const kinds = [...new Set([...cpu.app.byKind.keys(), ...cpu.bare.byKind.keys()])].sort();
    printTable(
      `CPU of all Chromium processes, steady ${CPU_PEOPLE}-person call, ${CPU_MS / 1000} s (% of one core)`,
      ['process', 'app', 'bare', 'app/bare'],
      [
        ...kinds.map((kind) => {
          const a = cpu.app.byKind.get(kind) ?? 0;
          const b = cpu.bare.byKind.get(kind) ?? 0;
          return [kind, a.toFixed(1), b.toFixed(1), ratio(a, b)];
        }),
        [
          'all',
          cpu.app.percent.toFixed(1),
          cpu.bare.percent.toFixed(1),
          ratio(cpu.app.percent, cpu.bare.percent),
        ],
      ],
    );
    const cpuRatio = cpu.app.percent / cpu.bare.percent;
    const worstSetup = Math.max(...setupRatios);
    console.log(
      `\nTargets: CPU within ${TARGET.cpu}× of bare: ${cpuRatio.toFixed(2)}× ${cpuRatio <= TARGET.cpu ? 'met' : 'NOT met'}; ` +
        `set-up within ${TARGET.setup}× (worst median ratio of connected/audio): ${worstSetup.toFixed(2)}× ${worstSetup <= TARGET.setup ? 'met' : 'NOT met'}`,
    );
  } finally {
    await browser.close().catch(() => {});
    await relay.close();
    stack.stop();
  }
}

await main();
