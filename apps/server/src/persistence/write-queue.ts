/**
 * An ordered, in-memory queue of database writes that never blocks its producers.
 *
 * Signaling calls `push()` and moves on; one worker applies jobs in order (a membership
 * row needs its room row first). A failing job is retried with capped exponential backoff
 * and the queue waits behind it, so order is kept and nothing is dropped while the
 * database is slow or down — up to `maxLength` jobs, past which the oldest are dropped with
 * an error log rather than letting memory grow without bound.
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
  run: () => Promise<unknown>;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

export class WriteQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly opts: Required<Omit<WriteQueueOptions, 'log'>> & Pick<WriteQueueOptions, 'log'>;
  /** Jobs applied, retried and dropped since start (exposed as metrics). */
  readonly stats = { applied: 0, retried: 0, dropped: 0 };

  constructor(options: WriteQueueOptions = {}) {
    this.opts = {
      maxLength: 10_000,
      maxAttempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      isTransient: () => true,
      sleep: defaultSleep,
      ...options,
    };
  }

  get length(): number {
    return this.jobs.length;
  }

  push(name: string, run: () => Promise<unknown>): void {
    if (this.closed) return;
    if (this.jobs.length >= this.opts.maxLength) {
      // The head is in flight while the worker runs (it will be applied): drop the oldest
      // write still waiting behind it.
      const [lost] = this.jobs.splice(this.running && this.jobs.length > 1 ? 1 : 0, 1);
      this.stats.dropped += 1;
      this.opts.log?.error({ job: lost?.name }, 'database write queue full: oldest write dropped');
    }
    this.jobs.push({ name, run });
    if (!this.running) void this.drain();
  }

  /** Resolves when every queued job has been applied or given up. */
  idle(): Promise<void> {
    if (!this.running && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying; pending jobs get one last attempt each within `graceMs`. */
  async close(graceMs = 2000): Promise<void> {
    const done = this.idle();
    await Promise.race([done, new Promise((r) => setTimeout(r, graceMs).unref?.())]);
    this.closed = true;
    this.jobs.length = 0;
  }

  private async drain() {
    this.running = true;
    while (this.jobs.length > 0 && !this.closed) {
      const job = this.jobs[0] as Job;
      let failures = 0;
      for (;;) {
        try {
          await job.run();
          this.stats.applied += 1;
          break;
        } catch (err) {
          failures += 1;
          const transient = this.opts.isTransient(err);
          if (this.closed || (!transient && failures >= this.opts.maxAttempts)) {
            this.stats.dropped += 1;
            this.opts.log?.error({ err, job: job.name, failures }, 'database write given up');
            break;
          }
          this.stats.retried += 1;
          const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (failures - 1));
          this.opts.log?.warn(
            { err, job: job.name, failures, delay },
            'database write failed; retrying',
          );
          await this.opts.sleep(delay);
        }
      }
      // The head may have been dropped by an overflow while it ran.
      if (this.jobs[0] === job) this.jobs.shift();
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
