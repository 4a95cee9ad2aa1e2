import { isTransientDbError } from './outage';

/**
 * An ordered, in-memory queue of database writes that never blocks its producers.
 *
 * Signaling calls `push()` and moves on; one worker applies jobs in order (a membership
 * row needs its room row first). A job failing with an outage error is retried with capped
 * exponential backoff and the queue waits behind it, so order is kept and nothing is lost
 * while the database is down. Any other failure is a write the database refused: it is
 * given up after `maxAttempts`, so it cannot hold every later write behind it.
 *
 * Bound: at most `maxLength` jobs wait. Jobs carry a chain key (a room's or a call's id):
 * a membership without its room row would fail on its foreign key, so overflow drops the
 * oldest waiting chain as a whole, and later jobs of a dropped chain are refused too.
 */
export interface WriteQueueOptions {
  maxLength?: number;
  /** Attempts before a job that keeps failing is given up (a bug, not an outage). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Tells whether an error is an outage (retry without counting) or a bad write. */
  isTransient?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

interface Job {
  name: string;
  /** Jobs sharing a key depend on each other (in push order); undefined: on nothing. */
  key: string | undefined;
  run: () => Promise<unknown>;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/** How many dropped chain keys are remembered to refuse their later jobs. */
const DROPPED_KEYS_MAX = 10_000;
/** Back-off while closing: the grace period is for attempts, not for sleeping. */
const CLOSING_DELAY_MS = 50;

function summary(jobs: Job[]): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const j of jobs) byName[j.name] = (byName[j.name] ?? 0) + 1;
  return byName;
}

export class WriteQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private closing = false;
  private closed = false;
  /** The job the worker is applying (still at jobs[0]). */
  private inFlight: Job | undefined;
  private readonly droppedKeys = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private readonly opts: Required<Omit<WriteQueueOptions, 'log'>> & Pick<WriteQueueOptions, 'log'>;
  /** Jobs applied, retried and dropped (overflow, given up, or lost at close) since start. */
  readonly stats = { applied: 0, retried: 0, dropped: 0 };

  constructor(options: WriteQueueOptions = {}) {
    this.opts = {
      maxLength: 10_000,
      maxAttempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      isTransient: isTransientDbError,
      sleep: defaultSleep,
      ...options,
    };
  }

  get length(): number {
    return this.jobs.length;
  }

  push(name: string, run: () => Promise<unknown>, key?: string): void {
    if (this.closed) {
      this.stats.dropped += 1;
      this.opts.log?.error({ job: name, key }, 'database write after close: not written');
      return;
    }
    if (key !== undefined && this.droppedKeys.has(key)) {
      this.stats.dropped += 1;
      this.opts.log?.error({ job: name, key }, 'database write of a dropped chain: not written');
      return;
    }
    if (this.jobs.length >= this.opts.maxLength) this.dropOldestChain();
    if (key !== undefined && this.droppedKeys.has(key)) {
      // The overflow dropped this job's own chain: it would only fail on what is missing.
      this.stats.dropped += 1;
      return;
    }
    this.jobs.push({ name, key, run });
    if (!this.running) void this.drain();
  }

  /** Resolves when every queued job has been applied or given up. */
  idle(): Promise<void> {
    if (!this.running && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Flushes for at most `graceMs` (retrying without long back-offs), then stops. Every job
   * not written by then is counted in `stats.dropped` and named in one error log line.
   */
  async close(graceMs = 2000): Promise<{ lost: number }> {
    if (this.closed) return { lost: 0 };
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise((r) => {
        timer = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    const lost = this.jobs.splice(0);
    if (lost.length > 0) {
      this.stats.dropped += lost.length;
      this.opts.log?.error(
        {
          lost: lost.length,
          jobs: summary(lost),
          inFlight: this.inFlight?.name,
          graceMs,
        },
        `database write queue closed: ${lost.length} writes not written`,
      );
    }
    // The worker may still be awaiting the in-flight job; nobody waits for it any more.
    this.finishIdle();
    return { lost: lost.length };
  }

  /** Drops every waiting job of the oldest chain (never the in-flight job). */
  private dropOldestChain() {
    const first = this.inFlight && this.jobs[0] === this.inFlight ? 1 : 0;
    // The chain being written cannot go whole: prefer the next one, unless it is all there is.
    const busy = first === 1 ? this.inFlight?.key : undefined;
    const oldest =
      this.jobs.find((j, i) => i >= first && (busy === undefined || j.key !== busy)) ??
      this.jobs[first];
    if (!oldest) return;
    let lost: Job[];
    if (oldest.key === undefined) {
      lost = this.jobs.splice(this.jobs.indexOf(oldest), 1);
    } else {
      const key = oldest.key;
      lost = [];
      for (let i = this.jobs.length - 1; i >= first; i--) {
        if (this.jobs[i]?.key === key) lost.push(...this.jobs.splice(i, 1));
      }
      this.droppedKeys.add(key);
      if (this.droppedKeys.size > DROPPED_KEYS_MAX) {
        const [old] = this.droppedKeys;
        if (old !== undefined) this.droppedKeys.delete(old);
      }
    }
    this.stats.dropped += lost.length;
    this.opts.log?.error(
      { key: oldest.key, lost: lost.length, jobs: summary(lost), maxLength: this.opts.maxLength },
      'database write queue full: oldest chain of writes dropped',
    );
  }

  private finishIdle() {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async drain() {
    this.running = true;
    while (this.jobs.length > 0 && !this.closed) {
      const job = this.jobs[0] as Job;
      this.inFlight = job;
      let failures = 0;
      for (;;) {
        try {
          await job.run();
          if (!this.closed) this.stats.applied += 1;
          break;
        } catch (err) {
          failures += 1;
          // Lost at close: already counted and logged there.
          if (this.closed) break;
          const transient = this.opts.isTransient(err);
          if (!transient && failures >= this.opts.maxAttempts) {
            this.stats.dropped += 1;
            this.opts.log?.error({ err, job: job.name, failures }, 'database write given up');
            break;
          }
          this.stats.retried += 1;
          const backoff = Math.min(
            this.opts.maxDelayMs,
            this.opts.baseDelayMs * 2 ** (failures - 1),
          );
          const delay = this.closing ? Math.min(backoff, CLOSING_DELAY_MS) : backoff;
          this.opts.log?.warn(
            { err, job: job.name, failures, delay, transient },
            'database write failed; retrying',
          );
          await this.opts.sleep(delay);
          if (this.closed) break;
        }
      }
      this.inFlight = undefined;
      if (this.jobs[0] === job) this.jobs.shift();
    }
    this.running = false;
    this.finishIdle();
  }
}
