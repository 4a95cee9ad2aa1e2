import { mkdirSync, writeFileSync } from 'node:fs';
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
