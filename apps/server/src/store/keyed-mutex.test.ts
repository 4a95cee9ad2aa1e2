import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('serializes holders of one key in arrival order', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const work = async (name: string) => {
      const release = await mutex.lock('k');
      order.push(`${name}+`);
      await tick();
      order.push(`${name}-`);
      release();
    };
    await Promise.all([work('a'), work('b'), work('c')]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(mutex.size).toBe(0);
  });

  it('lets different keys run concurrently', async () => {
    const mutex = new KeyedMutex();
    const a = await mutex.lock('a');
    const b = await mutex.lock('b');
    expect(mutex.size).toBe(2);
    a();
    b();
    expect(mutex.size).toBe(0);
  });

  it('does not deadlock on overlapping key sets taken in opposite orders', async () => {
    const mutex = new KeyedMutex();
    let done = 0;
    const work = async (keys: string[]) => {
      const release = await mutex.lockAll(keys);
      await tick();
      done++;
      release();
    };
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => work(i % 2 ? ['x', 'y', 'z'] : ['z', 'y', 'x'])),
    );
    expect(done).toBe(50);
    expect(mutex.size).toBe(0);
  });

  it('ignores a second release', async () => {
    const mutex = new KeyedMutex();
    const first = await mutex.lock('k');
    const second = mutex.lock('k');
    first();
    first();
    const release = await second;
    expect(mutex.size).toBe(1);
    release();
    expect(mutex.size).toBe(0);
  });
});
