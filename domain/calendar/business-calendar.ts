/**
 * Business-day arithmetic over a set of non-business dates. Saturdays and Sundays are never
 * business days. Terms count from the business day after the starting date and include the
 * last day (domain-reference §7.2).
 */
import { addDays, isValidIsoDate, isWeekend, toDayNumber, yearOf, type IsoDate } from '../dates';

/** Safety bound: no real calendar has this many consecutive non-business days. */
const MAX_SCAN_DAYS = 3660;

export interface BusinessCalendarOptions {
  /**
   * Years whose non-business days are known. When given, any query touching a date outside
   * them throws instead of silently treating unknown holidays as business days.
   */
  coveredYears?: Iterable<number>;
}

export class BusinessCalendar {
  private readonly nonBusiness: ReadonlySet<IsoDate>;
  private readonly covered: ReadonlySet<number> | null;

  constructor(nonBusinessDays: Iterable<string>, options: BusinessCalendarOptions = {}) {
    const set = new Set<IsoDate>();
    for (const d of nonBusinessDays) {
      if (!isValidIsoDate(d)) throw new RangeError(`invalid non-business date: ${JSON.stringify(d)}`);
      set.add(d);
    }
    this.nonBusiness = set;
    this.covered = options.coveredYears ? new Set(options.coveredYears) : null;
  }

  /** Non-business dates explicitly listed (weekends are implicit), sorted. */
  listedNonBusinessDays(): IsoDate[] {
    return [...this.nonBusiness].sort();
  }

  private check(date: IsoDate): void {
    if (!isValidIsoDate(date)) throw new RangeError(`invalid ISO date: ${JSON.stringify(date)}`);
    if (this.covered && !this.covered.has(yearOf(date))) {
      throw new RangeError(`business calendar does not cover year ${yearOf(date)} (date ${date})`);
    }
  }

  isBusinessDay(date: IsoDate): boolean {
    this.check(date);
    return !isWeekend(date) && !this.nonBusiness.has(date);
  }

  /** The date itself if it is a business day, otherwise the first business day after it. */
  nextBusinessDay(date: IsoDate): IsoDate {
    let current = date;
    for (let i = 0; i <= MAX_SCAN_DAYS; i++) {
      if (this.isBusinessDay(current)) return current;
      current = addDays(current, 1);
    }
    throw new RangeError(`no business day within ${MAX_SCAN_DAYS} days after ${date}`);
  }

  /**
   * The n-th business day after `date` (counting starts the day after `date`; `date` itself never
   * counts). n = 0 returns `nextBusinessDay(date)`. n must be a non-negative integer.
   */
  addBusinessDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer: ${n}`);
    this.check(date);
    if (n === 0) return this.nextBusinessDay(date);
    let current = date;
    let remaining = n;
    let scanned = 0;
    while (remaining > 0) {
      current = addDays(current, 1);
      if (this.isBusinessDay(current)) {
        remaining--;
        scanned = 0;
      } else if (++scanned > MAX_SCAN_DAYS) {
        throw new RangeError(`no business day within ${MAX_SCAN_DAYS} days after ${date}`);
      }
    }
    return current;
  }

  /**
   * Number of business days d with from < d ≤ to (so that
   * businessDaysBetween(x, addBusinessDays(x, n)) = n for n ≥ 1). Negative when to < from.
   */
  businessDaysBetween(from: IsoDate, to: IsoDate): number {
    this.check(from);
    this.check(to);
    const span = toDayNumber(to) - toDayNumber(from);
    if (span < 0) return -this.businessDaysBetween(to, from);
    let count = 0;
    let current = from;
    for (let i = 0; i < span; i++) {
      current = addDays(current, 1);
      if (this.isBusinessDay(current)) count++;
    }
    return count;
  }
}
