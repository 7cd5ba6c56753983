import { describe, expect, it } from 'vitest';
import { startRenapoPrefetch } from '../../../payroll/renapo-prefetch';

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('RENAPO prefetch during staging', () => {
  it('asks every queued CURP once, in small batches, in the order the chunks were staged', async () => {
    const asked: string[][] = [];
    const prefetch = startRenapoPrefetch(async (curps) => void asked.push(curps), { batchSize: 2 });
    prefetch.add(['A', 'B', 'C']);
    await settle();
    prefetch.add(['D']);
    await settle();
    const result = await prefetch.stop();
    expect(asked).toEqual([['A', 'B'], ['C'], ['D']]);
    expect(result).toEqual({ asked: 4, dropped: 0, error: null });
  });

  it('on stop, finishes the batch in flight and drops the rest, so staging never waits for a slow RENAPO', async () => {
    let release!: () => void;
    const asked: string[][] = [];
    const prefetch = startRenapoPrefetch(
      (curps) => {
        asked.push(curps);
        return new Promise<void>((resolve) => (release = resolve));
      },
      { batchSize: 2 },
    );
    prefetch.add(['A', 'B', 'C', 'D', 'E']);
    await settle();
    const stopping = prefetch.stop();
    release();
    expect(await stopping).toEqual({ asked: 2, dropped: 3, error: null });
    prefetch.add(['F']);
    await settle();
    expect(asked).toEqual([['A', 'B']]);
  });

  it('a failing RENAPO stops the prefetch quietly: the error is reported, nothing is thrown, later CURPs are not asked', async () => {
    let calls = 0;
    const prefetch = startRenapoPrefetch(async () => {
      calls++;
      throw new Error('RENAPO no disponible');
    });
    prefetch.add(['A']);
    await settle();
    prefetch.add(['B']);
    await settle();
    const result = await prefetch.stop();
    expect(calls).toBe(1);
    expect((result.error as Error).message).toBe('RENAPO no disponible');
  });
});
