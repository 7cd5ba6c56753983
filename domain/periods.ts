/**
 * Quincenal periods `YYYYQQ` (contracts §1, domain-reference §7.3): QQ = 01..24; quincena n is in
 * month ceil(n/2); odd n covers days 1–15, even n covers day 16 to month end.
 */
import { daysInMonth, formatIsoDate, parseIsoDate, type IsoDate } from './dates';

export const MIN_PERIOD_YEAR = 1900;
export const MAX_PERIOD_YEAR = 2999;

export interface PeriodInfo {
  period: string;
  year: number;
  quincena: number; // 1..24
  month: number; // 1..12
  start: IsoDate;
  end: IsoDate;
  days: number; // 13..16
}

const PERIOD_PATTERN = /^(\d{4})(0[1-9]|1\d|2[0-4])$/;

export function parsePeriod(p: string): PeriodInfo | null {
  const m = PERIOD_PATTERN.exec(p);
  if (!m) return null;
  const year = Number(m[1]);
  const quincena = Number(m[2]);
  if (year < MIN_PERIOD_YEAR || year > MAX_PERIOD_YEAR) return null;
  const month = Math.ceil(quincena / 2);
  const firstHalf = quincena % 2 === 1;
  const startDay = firstHalf ? 1 : 16;
  const endDay = firstHalf ? 15 : daysInMonth(year, month);
  return {
    period: p,
    year,
    quincena,
    month,
    start: formatIsoDate(year, month, startDay),
    end: formatIsoDate(year, month, endDay),
    days: endDay - startDay + 1,
  };
}

export function isValidPeriod(p: string): boolean {
  return parsePeriod(p) !== null;
}

function requirePeriod(p: string): PeriodInfo {
  const info = parsePeriod(p);
  if (!info) throw new RangeError(`invalid period: ${JSON.stringify(p)}`);
  return info;
}

export function makePeriod(year: number, quincena: number): string {
  const p = `${String(year).padStart(4, '0')}${String(quincena).padStart(2, '0')}`;
  requirePeriod(p);
  return p;
}

export function previousPeriod(p: string): string {
  const { year, quincena } = requirePeriod(p);
  return quincena === 1 ? makePeriod(year - 1, 24) : makePeriod(year, quincena - 1);
}

export function nextPeriod(p: string): string {
  const { year, quincena } = requirePeriod(p);
  return quincena === 24 ? makePeriod(year + 1, 1) : makePeriod(year, quincena + 1);
}

/** The period a date falls in. */
export function periodOfDate(date: IsoDate): string {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`invalid ISO date: ${JSON.stringify(date)}`);
  return makePeriod(parts.year, (parts.month - 1) * 2 + (parts.day <= 15 ? 1 : 2));
}

/** Whether a date lies inside the period (both ends inclusive); false for invalid input. */
export function dateInPeriod(date: IsoDate, period: string): boolean {
  const info = parsePeriod(period);
  if (!info || !parseIsoDate(date)) return false;
  return date >= info.start && date <= info.end;
}

/** Label used on payslips and documents: "Quincena 04 del 2026". */
export function periodLabel(p: string): string {
  const { year, quincena } = requirePeriod(p);
  return `Quincena ${String(quincena).padStart(2, '0')} del ${year}`;
}

/** Compares two valid periods: negative, 0 or positive. */
export function comparePeriods(a: string, b: string): number {
  requirePeriod(a);
  requirePeriod(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
