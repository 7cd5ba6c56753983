/**
 * Bounded concurrency for activities that keep several PostgreSQL connections or remote calls
 * busy at once. Both helpers let nothing keep running behind an error: whatever started is
 * awaited before the first error is thrown, so a retry never races its own previous attempt.
 */

/** Waits for every promise to settle, then returns their values or throws the first rejection. */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * Runs `task(0) … task(count - 1)` with at most `lanes` running at once, starting them in index
 * order. After a task fails no new one starts; the running ones finish, then the first error is
 * thrown.
 */
export async function runInLanes(count: number, lanes: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await settleAll(Array.from({ length: Math.min(lanes, count) }, lane));
}
