import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/*
 * BENCH_PROFILE=dir: JavaScript CPU profiles of pages (Chromium's DevTools protocol, one
 * .cpuprofile per page, loadable in DevTools' Performance panel) and a printed summary of
 * where their main threads spent the time. Profiling costs CPU itself: the bench says so and its
 * CPU numbers from a profiled run are not comparable.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export const profileDir = process.env.BENCH_PROFILE || '';

/** Starts profiling `pages`; the returned function stops, writes `<label>-<i>.cpuprofile` and summarises. */
export async function profilePages(pages: readonly Page[], label: string) {
  const sessions = await Promise.all(
    pages.map(async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      // 200 µs instead of the default 1 ms: joins are short.
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      return cdp;
    }),
  );
  return async (): Promise<void> => {
    mkdirSync(profileDir, { recursive: true });
    const selfMs = new Map<string, number>();
    let totalMs = 0;
    for (const [index, cdp] of sessions.entries()) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
      await cdp.detach();
      writeFileSync(join(profileDir, `${label}-${index}.cpuprofile`), JSON.stringify(profile));
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      for (const [i, id] of (profile.samples ?? []).entries()) {
        const frame = byId.get(id)?.callFrame;
        const ms = (profile.timeDeltas?.[i] ?? 0) / 1000;
        if (!frame || frame.functionName === '(idle)') continue;
        const file = frame.url.split('/').pop() ?? '';
        const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
        selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
        totalMs += ms;
      }
    }
    const top = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.log(
      `\nprofile ${label}: ${pages.length} page(s), ${totalMs.toFixed(0)} ms busy on their main threads; top self time:`,
    );
    for (const [key, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
  };
}

export const traceFile = process.env.BENCH_TRACE || '';

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly args?: { readonly name?: string };
}

/**
 * BENCH_TRACE=path: a Chromium trace of the whole browser (every page's renderer, the GPU,
 * network and audio services) during each size's first last-join, written to
 * `<path>-<label>.json` (chrome://tracing, Perfetto), and a summary of where the renderers'
 * main threads spent it: the top-level tasks' children by name (style, layout, paint, script,
 * WebRTC calls …), which a JavaScript profile shows only as "(program)".
 */
export async function traceBrowser(page: Page, path: string) {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser');
  await browser.startTracing(undefined, {
    path,
    categories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'blink',
      'v8',
      'toplevel',
    ],
  });
  return async (): Promise<void> => {
    await browser.stopTracing();
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] };
    const mainThreads = new Set(
      trace.traceEvents
        .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
        .map((e) => `${e.pid}:${e.tid}`),
    );
    // Complete events on renderer main threads, nested by time: charge each one its self time.
    const byThread = new Map<string, TraceEvent[]>();
    for (const e of trace.traceEvents) {
      const key = `${e.pid}:${e.tid}`;
      if (e.ph !== 'X' || e.dur === undefined || !mainThreads.has(key)) continue;
      const events = byThread.get(key);
      if (events) events.push(e);
      else byThread.set(key, [e]);
    }
    const self = new Map<string, number>();
    let busy = 0;
    for (const events of byThread.values()) {
      events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
      const stack: Array<{ e: TraceEvent; child: number }> = [];
      const close = (until: number) => {
        while (stack.length > 0) {
          const top = stack[stack.length - 1];
          if (!top || top.e.ts + (top.e.dur ?? 0) > until) break;
          stack.pop();
          const own = (top.e.dur ?? 0) - top.child;
          self.set(top.e.name, (self.get(top.e.name) ?? 0) + own);
          const parent = stack[stack.length - 1];
          if (parent) parent.child += top.e.dur ?? 0;
          else busy += top.e.dur ?? 0;
        }
      };
      for (const e of events) {
        close(e.ts);
        stack.push({ e, child: 0 });
      }
      close(Number.POSITIVE_INFINITY);
    }
    console.log(
      `\ntrace ${path}: ${mainThreads.size} renderer main thread(s), ${(busy / 1000).toFixed(0)} ms in tasks; self time by event:`,
    );
    for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
    }
  };
}
