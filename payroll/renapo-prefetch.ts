/**
 * Asks RENAPO about the CURPs of people the registry does not know yet (altas) while the rest of
 * their file is still being staged, so that the set checks that follow find the answers stored
 * (renapo_checks) instead of waiting for the calls. Staging is CPU-bound in the worker and the
 * calls wait on the network: they overlap almost for free.
 *
 * Best effort by design: the set checks remain the authority (they ask for whatever is still
 * missing and fail, and retry, if RENAPO is down). So a failed call stops the prefetch quietly,
 * and `stop()` drops what is still queued and waits only for the batch in flight — the staging
 * activity never waits long for RENAPO, whatever its rate limit or health.
 */
export interface RenapoPrefetch {
  /** Queues CURPs; ignored after `stop()` or a failure. */
  add(curps: readonly string[]): void;
  /** Stops: the batch in flight finishes, the rest is dropped. Never throws. */
  stop(): Promise<{ asked: number; dropped: number; error: unknown }>;
}

/** `ask` looks a few CURPs up (cached answers are reused) and stores RENAPO's answers. */
export function startRenapoPrefetch(ask: (curps: string[]) => Promise<unknown>, options: { batchSize?: number } = {}): RenapoPrefetch {
  const batchSize = options.batchSize ?? 32;
  const queue: string[] = [];
  let stopped = false;
  let error: unknown = null;
  let asked = 0;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    while (!stopped && error === null) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const batch = queue.splice(0, batchSize);
      try {
        await ask(batch);
        asked += batch.length;
      } catch (err) {
        error = err;
      }
    }
  })();

  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  return {
    add(curps) {
      if (stopped || error !== null || curps.length === 0) return;
      queue.push(...curps);
      signal();
    },
    async stop() {
      stopped = true;
      signal();
      await loop;
      const dropped = queue.length;
      queue.length = 0;
      return { asked, dropped, error };
    },
  };
}
