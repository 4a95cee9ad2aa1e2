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

  it('gives up an unknown coded error after maxAttempts by default, retries outages', async () => {
    const errors: string[] = [];
    const queue = new WriteQueue({
      maxAttempts: 3,
      sleep: async () => {},
      log: { warn: () => {}, error: (_o, msg) => errors.push(msg) },
    });
    let tries = 0;
    queue.push('nul', async () => {
      tries += 1;
      throw Object.assign(new Error('invalid byte sequence'), { code: 'P2039' });
    });
    let outage = 0;
    queue.push('outage', async () => {
      outage += 1;
      if (outage < 6) throw Object.assign(new Error('terminating connection'), { code: 'P1017' });
    });
    await queue.idle();
    expect(tries).toBe(3);
    expect(outage).toBe(6);
    expect(queue.stats).toEqual({ applied: 1, retried: 7, dropped: 1 });
    expect(errors).toEqual(['database write given up']);
  });

  it('overflow drops the oldest chain whole and refuses its later jobs', async () => {
    const db = flakyDatabase();
    const clock = manualSleep();
    const errors: Array<Record<string, unknown>> = [];
    const queue = new WriteQueue({
      maxLength: 4,
      sleep: clock.sleep,
      log: { warn: () => {}, error: (o) => errors.push(o as Record<string, unknown>) },
    });
    queue.push('head', db.write('head'));
    await clock.sleeping;
    queue.push('roomCreated-A', db.write('roomCreated-A'), 'room:A');
    queue.push('roomCreated-B', db.write('roomCreated-B'), 'room:B');
    queue.push('membership-A', db.write('membership-A'), 'room:A');
    // Full (head + 3): the oldest waiting chain, room A, goes as a whole.
    queue.push('membership-B', db.write('membership-B'), 'room:B');
    expect(queue.length).toBe(3);
    // A later job of room A would fail on the missing room row: refused.
    queue.push('roomClosed-A', db.write('roomClosed-A'), 'room:A');
    expect(queue.length).toBe(3);
    db.up();
    clock.release();
    await queue.idle();
    expect(db.state.applied).toEqual(['head', 'roomCreated-B', 'membership-B']);
    expect(queue.stats.dropped).toBe(3);
    expect(errors[0]).toMatchObject({
      key: 'room:A',
      lost: 2,
      jobs: { 'roomCreated-A': 1, 'membership-A': 1 },
    });
  });

  it('overflow never splits a chain: a dependent job lands only with its room', async () => {
    const applied: string[] = [];
    const clock = manualSleep();
    let down = true;
    const queue = new WriteQueue({ maxLength: 50, sleep: clock.sleep, log: undefined });
    const write = (name: string, needs?: string) => async () => {
      if (down) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
      if (needs && !applied.includes(needs)) throw new Error(`${name} without ${needs}`);
      applied.push(name);
    };
    for (let r = 0; r < 40; r++) {
      queue.push(`room-${r}`, write(`room-${r}`), `room:${r}`);
      for (let m = 0; m < 3; m++)
        queue.push(`member-${r}-${m}`, write(`member-${r}-${m}`, `room-${r}`), `room:${r}`);
      if (r === 0) await clock.sleeping;
    }
    expect(queue.length).toBeLessThanOrEqual(50);
    down = false;
    clock.release();
    await queue.idle();
    // Every membership written has its room; every room kept has all its memberships.
    for (const name of applied.filter((n) => n.startsWith('room-'))) {
      const r = name.slice(5);
      for (let m = 0; m < 3; m++) expect(applied).toContain(`member-${r}-${m}`);
    }
    expect(queue.stats.applied + queue.stats.dropped).toBe(160);
    expect(applied).toContain('room-39');
  });

  it('close() flushes for the grace period and logs every write it could not make', async () => {
    const db = flakyDatabase();
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const queue = new WriteQueue({
      baseDelayMs: 1000,
      log: {
        warn: () => {},
        error: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }),
      },
    });
    for (const name of ['roomCreated', 'membershipStarted', 'membershipStarted', 'roomClosed'])
      queue.push(name, db.write(name), 'room:r');
    queue.push('callRinging', db.write('callRinging'), 'call:c');
    const started = performance.now();
    expect(await queue.close(200)).toEqual({ lost: 5 });
    expect(performance.now() - started).toBeLessThan(1000);
    // Retried during the grace period despite the 1 s back-off.
    expect(db.state.attempts).toBeGreaterThan(2);
    expect(queue.stats.dropped).toBe(5);
    expect(lines).toEqual([
      {
        msg: 'database write queue closed: 5 writes not written',
        obj: expect.objectContaining({
          lost: 5,
          jobs: { roomCreated: 1, membershipStarted: 2, roomClosed: 1, callRinging: 1 },
        }),
      },
    ]);
  });

  it('close() resolves at once when everything is written', async () => {
    const applied: string[] = [];
    const queue = new WriteQueue();
    queue.push('a', async () => applied.push('a'));
    expect(await queue.close(5000)).toEqual({ lost: 0 });
    expect(applied).toEqual(['a']);
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
