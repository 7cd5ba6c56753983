/**
 * Pure calendar arithmetic on ISO `YYYY-MM-DD` strings. No time zones, no clock:
 * days are converted to a day count since 1970-01-01 with integer arithmetic
 * (proleptic Gregorian calendar, H. Hinnant's days_from_civil algorithm).
 */

export type IsoDate = string;

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateParts {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidDateParts(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parses `YYYY-MM-DD`; null if the text is not a real calendar date. */
export function parseIsoDate(text: string): DateParts | null {
  const m = ISO_DATE_PATTERN.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidDateParts(year, month, day) ? { year, month, day } : null;
}

export function isValidIsoDate(text: string): boolean {
  return parseIsoDate(text) !== null;
}

function requireDate(text: string): DateParts {
  const parts = parseIsoDate(text);
  if (!parts) throw new RangeError(`invalid ISO date: ${JSON.stringify(text)}`);
  return parts;
}

export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  if (!isValidDateParts(year, month, day)) {
    throw new RangeError(`invalid date parts: ${year}-${month}-${day}`);
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Day number since 1970-01-01 (can be negative). */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = requireDate(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(dayNumber: number): IsoDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatIsoDate(year, month, day);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`);
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Adds calendar months; the day is clamped to the target month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer: ${months}`);
  const { year, month, day } = requireDate(date);
  const index = year * 12 + (month - 1) + months;
  const newYear = Math.floor(index / 12);
  const newMonth = index - newYear * 12 + 1;
  return formatIsoDate(newYear, newMonth, Math.min(day, daysInMonth(newYear, newMonth)));
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  const n = toDayNumber(date);
  return ((((n + 3) % 7) + 7) % 7) + 1;
}

export function isWeekend(date: IsoDate): boolean {
  return isoWeekday(date) >= 6;
}

/** -1, 0 or 1; ISO strings of valid dates compare lexicographically. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  requireDate(a);
  requireDate(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lastDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = requireDate(date);
  return formatIsoDate(year, month, daysInMonth(year, month));
}

/** The `n`-th (1-based) given ISO weekday of a month, e.g. third Monday of March. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): IsoDate {
  const first = formatIsoDate(year, month, 1);
  const offset = (weekday - isoWeekday(first) + 7) % 7;
  return formatIsoDate(year, month, 1 + offset + (n - 1) * 7);
}

export function yearOf(date: IsoDate): number {
  return requireDate(date).year;
}

/** Mexico City has had no daylight saving time since October 2022: a fixed UTC−06:00 offset. */
export const MEXICO_CITY_OFFSET_MS = -6 * 3_600_000;

/** The calendar date in Mexico City of an instant (epoch ms). */
export function mexicoDateOf(instantMs: number): IsoDate {
  return new Date(instantMs + MEXICO_CITY_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond of a Mexico City calendar day. */
export function endOfMexicoDay(date: IsoDate): number {
  return Date.parse(`${addDays(date, 1)}T00:00:00.000Z`) - MEXICO_CITY_OFFSET_MS - 1;
}
