import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/*
 * CPU of the browser's process tree (the Chromium this process launched and everything under
 * it), from /proc: utime + stime of each process, so GPU, audio and network services count too.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly ticks: number;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

/** Chromium's processes: the browser (a child of this process) and all its descendants. */
function browserProcesses(): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== null);
  const inTree = new Set<number>();
  for (const p of all) {
    if (p.ppid !== process.pid) continue;
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    if (/chrom/i.test(cmdline)) inTree.add(p.pid);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => inTree.has(p.pid));
}

/** What a Chromium process is, from its --type and --utility-sub-type flags. */
function processKind(pid: number): string {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'gone';
  }
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser';
  if (type === 'utility') {
    const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1] ?? '';
    if (/audio/i.test(sub)) return 'audio service';
    if (/network/i.test(sub)) return 'network service';
    return 'utility';
  }
  return type;
}

/** CPU time Chromium's whole process tree used so far, in ms (processes that exited are not counted). */
export function browserCpuMs(): number {
  return (browserProcesses().reduce((sum, p) => sum + p.ticks, 0) / CLOCK_TICKS) * 1000;
}

export interface CpuSample {
  readonly percent: number;
  readonly byKind: ReadonlyMap<string, number>;
}

/** CPU of Chromium's process tree over `ms`, in % of one core, in all and by process kind. */
export async function measureCpu(ms: number): Promise<CpuSample> {
  const before = new Map(browserProcesses().map((p) => [p.pid, p.ticks]));
  const started = performance.now();
  await sleep(ms);
  const after = browserProcesses();
  const seconds = (performance.now() - started) / 1000;
  const percentOf = (ticks: number) => (ticks / CLOCK_TICKS / seconds) * 100;
  const byKind = new Map<string, number>();
  let total = 0;
  for (const p of after) {
    const used = p.ticks - (before.get(p.pid) ?? 0);
    total += used;
    const kind = processKind(p.pid);
    byKind.set(kind, (byKind.get(kind) ?? 0) + percentOf(used));
  }
  return { percent: percentOf(total), byKind };
}
