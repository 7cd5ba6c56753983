/**
 * The SLA clock of SHM workflows. In production it is the real clock. Outside production an
 * operator (or a test, or the demo) may scale it: one calendar day of the State of Mexico
 * lasts `dayMs` real milliseconds, starting at the virtual instant `originMs` when the setting
 * was made (`anchorRealMs`). Every deadline is still computed from the real calendar (weekends,
 * holidays); only the passage of time is faster. Pure and deterministic: workflows import it.
 */
export const DAY_MS = 86_400_000;

export interface SlaClock {
  /** Real milliseconds per virtual calendar day; null = real time. */
  dayMs: number | null;
  /** Virtual instant (epoch ms) at `anchorRealMs`. */
  originMs: number | null;
  /** Real instant (epoch ms) at which the scaled clock started. */
  anchorRealMs: number | null;
}

export const REAL_CLOCK: Readonly<SlaClock> = Object.freeze({ dayMs: null, originMs: null, anchorRealMs: null });

export function isScaled(clock: SlaClock): clock is { dayMs: number; originMs: number; anchorRealMs: number } {
  return clock.dayMs !== null && clock.originMs !== null && clock.anchorRealMs !== null && clock.dayMs > 0;
}

/** The virtual instant (epoch ms) that corresponds to the real instant `realMs`. */
export function virtualNow(clock: SlaClock, realMs: number): number {
  if (!isScaled(clock)) return realMs;
  return Math.floor(clock.originMs + ((realMs - clock.anchorRealMs) * DAY_MS) / clock.dayMs);
}

/** Real milliseconds to wait for `virtualMs` of virtual time to pass (at least 1 ms). */
export function realDelayMs(clock: SlaClock, virtualMs: number): number {
  if (virtualMs <= 0) return 1;
  if (!isScaled(clock)) return Math.ceil(virtualMs);
  return Math.max(1, Math.ceil((virtualMs * clock.dayMs) / DAY_MS));
}
