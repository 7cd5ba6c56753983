/**
 * Payment due dates (contracts §4; domain-reference §1.6 [ASSUMPTION] LISSSTE 5/20 pattern):
 * odd quincena (days 1–15 of month m) → day 20 of month m; even quincena → day 5 of month m+1;
 * moved to the next business day of the State of Mexico calendar.
 */
import { compareDates, formatIsoDate, lastDayOfMonth, type IsoDate } from './dates';
import type { BusinessCalendar } from './calendar/business-calendar';
import { parsePeriod } from './periods';

/** The due date before the business-day shift. */
export function nominalDueDate(period: string): IsoDate {
  const info = parsePeriod(period);
  if (!info) throw new RangeError(`invalid period: ${JSON.stringify(period)}`);
  if (info.quincena % 2 === 1) return formatIsoDate(info.year, info.month, 20);
  return info.month === 12 ? formatIsoDate(info.year + 1, 1, 5) : formatIsoDate(info.year, info.month + 1, 5);
}

/** The due date: nominal day moved to the next business day. The calendar must cover its year. */
export function dueDateForPeriod(period: string, calendar: BusinessCalendar): IsoDate {
  return calendar.nextBusinessDay(nominalDueDate(period));
}

/**
 * Validity of a línea de captura (contracts §4): the due date for a timely línea; for a línea
 * issued after the due date, the last day of the month it was issued in.
 */
export function lineaValidUntil(dueDate: IsoDate, issueDate: IsoDate): IsoDate {
  return compareDates(issueDate, dueDate) <= 0 ? dueDate : lastDayOfMonth(issueDate);
}
