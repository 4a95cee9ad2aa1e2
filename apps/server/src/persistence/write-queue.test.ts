import { describe, expect, it } from 'vitest';
import { WriteQueue } from './write-queue';

/** A sleep that waits for `release()`; `sleeping` resolves once the queue is in it. */
function manualSleep() {
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const sleeping = new Promise<void>((resolve) => (entered = resolve));
  return {
    sleeping,
    release: () => release(),
    sleep: () =>
      new Promise<void>((resolve) => {
        release = resolve;
        entered();
      }),
  };
}

/** A database that is down until `up()` is called: every write fails meanwhile. */
function flakyDatabase() {
  const state = { down: true, attempts: 0, applied: [] as string[] };
  return {
    state,
    up: () => {
      state.down = false;
    },
    write: (name: string) => async () => {
      state.attempts += 1;
      if (state.down)
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      state.applied.push(name);
    },
  };
}

describe('WriteQueue', () => {
  it('never blocks the producer, retries an outage and applies every write in order', async () => {
    const db = flakyDatabase();
    const delays: number[] = [];
    const queue = new WriteQueue({
      baseDelayMs: 10,
      maxDelayMs: 40,
      maxAttempts: 2,
      sleep: async (ms) => {
        delays.push(ms);
        // The database comes back after a while (more failures than maxAttempts: an
        // outage is retried without counting against it).
        if (delays.length === 6) db.up();
      },
    });
    const started = performance.now();
    for (let i = 0; i < 50; i++) queue.push(`write-${i}`, db.write(`write-${i}`));
    // push() returns at once although nothing could be written.
    expect(performance.now() - started).toBeLessThan(20);
    expect(queue.length).toBeGreaterThan(0);

    await queue.idle();
    expect(db.state.applied).toEqual(Array.from({ length: 50 }, (_, i) => `write-${i}`));
    expect(queue.stats).toEqual({ applied: 50, retried: 6, dropped: 0 });
    // Capped exponential backoff.
    expect(delays).toEqual([10, 20, 40, 40, 40, 40]);
    expect(queue.length).toBe(0);
  });

  it('keeps order when writes are pushed while it is retrying', async () => {
    const db = flakyDatabase();
    const clock = manualSleep();
    const queue = new WriteQueue({ baseDelayMs: 1, sleep: clock.sleep });
    queue.push('a', db.write('a'));
    await clock.sleeping;
    queue.push('b', db.write('b'));
    queue.push('c', db.write('c'));
    db.up();
    clock.release();
    await queue.idle();
    queue.push('d', db.write('d'));
    await queue.idle();
    expect(db.state.applied).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives up a write the database rejects as bad data, and carries on', async () => {
    const applied: string[] = [];
    const errors: string[] = [];
    const queue = new WriteQueue({
      maxAttempts: 3,
      isTransient: (err) => (err as { code?: string }).code !== 'P2003',
      sleep: async () => {},
      log: { warn: () => {}, error: (_o, msg) => errors.push(msg) },
    });
    let tries = 0;
    queue.push('bad', async () => {
      tries += 1;
      throw Object.assign(new Error('foreign key'), { code: 'P2003' });
    });
    queue.push('good', async () => {
      applied.push('good');
    });
    await queue.idle();
    expect(tries).toBe(3);
    expect(applied).toEqual(['good']);
    expect(queue.stats.dropped).toBe(1);
    expect(errors).toEqual(['database write given up']);
  });

  it('bounds memory: past maxLength the oldest waiting write is dropped and logged', async () => {
    const db = flakyDatabase();
    const errors: string[] = [];
    const clock = manualSleep();
    const queue = new WriteQueue({
      maxLength: 3,
      sleep: clock.sleep,
      log: { warn: () => {}, error: (_o, msg) => errors.push(msg) },
    });
    queue.push('a', db.write('a'));
    await clock.sleeping;
    // 'a' is being retried; 'b' and 'c' are the oldest waiting when 'd' and 'e' arrive.
    for (const name of ['b', 'c', 'd', 'e']) queue.push(name, db.write(name));
    expect(queue.length).toBe(3);
    db.up();
    clock.release();
    await queue.idle();
    expect(db.state.applied).toEqual(['a', 'd', 'e']);
    expect(queue.stats.dropped).toBe(2);
    expect(errors).toHaveLength(2);
  });

  it('close() gives pending writes a grace period, then stops retrying', async () => {
    const db = flakyDatabase();
    const queue = new WriteQueue({ baseDelayMs: 5, maxDelayMs: 5 });
    queue.push('stuck', db.write('stuck'));
    const started = performance.now();
    await queue.close(100);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(queue.length).toBe(0);
    queue.push('late', db.write('late'));
    expect(queue.length).toBe(0);
    await queue.idle();
    expect(db.state.applied).toEqual([]);
  });
});
