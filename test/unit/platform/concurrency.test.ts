import { describe, expect, it } from 'vitest';
import { runInLanes, settleAll } from '../../../platform/concurrency';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('runInLanes', () => {
  it('runs every task once, never more than the lanes at a time, starting them in order', async () => {
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    await runInLanes(7, 2, async (i) => {
      started.push(i);
      peak = Math.max(peak, ++running);
      await tick();
      running--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });

  it('starts nothing after a failure, lets the running task finish, then throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = runInLanes(10, 2, async (i) => {
      started.push(i);
      if (i === 2) throw new Error('window 2 failed');
      await tick();
      finished.push(i);
    });
    await expect(run).rejects.toThrow('window 2 failed');
    // Lane A ran 0 and failed on 2 while lane B was still on 1: B finished 1 and took nothing more.
    expect(started).toEqual([0, 1, 2]);
    expect(finished).toEqual([0, 1]);
  });
});

describe('settleAll', () => {
  it('throws the first rejection only after every promise has settled', async () => {
    let slowDone = false;
    const slow = tick().then(() => tick()).then(() => {
      slowDone = true;
    });
    await expect(settleAll([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });

  it('returns the values in order when all succeed', async () => {
    expect(await settleAll([Promise.resolve(1), tick().then(() => 2)])).toEqual([1, 2]);
  });
});
