/**
 * Constancia de servicios for portability (domain-reference §10.1): periods per institution, days
 * cotizados, years and the 52-week equivalence.
 *
 * - Days of a period are calendar days from its start to its end (inclusive), or to `asOf` while
 *   the plaza is active; periods starting after `asOf` are left out.
 * - Simultaneous periods are not accumulated (LISSSTE art. 148): the total counts each day once.
 * - One year = 52 weeks; weeks = ⌊days / 7⌋; the last fraction is stated in weeks (and days), and
 *   a fraction above six months (26 weeks) counts as a full year for portability (art. 141).
 * - Until quincenal files feed `dias_cotizados`, days are derived from the plaza periods.
 */
import { daysBetween, type IsoDate } from '../dates';
import type { EmploymentSpan } from './vigencia';

export const WEEKS_PER_YEAR = 52;
export const HALF_YEAR_WEEKS = 26;

export interface ServicePeriod {
  institutionClave: string;
  start: IsoDate;
  /** End used for the count: the baja date, or `asOf` for an active plaza. */
  end: IsoDate;
  active: boolean;
  days: number;
}

export interface ServiceRecord {
  asOf: IsoDate;
  periods: ServicePeriod[];
  byInstitution: { institutionClave: string; days: number; periods: number }[];
  /** Σ days of every period (simultaneous days counted once per plaza). */
  grossDays: number;
  /** Days counted once (no accumulation of simultaneous periods). */
  daysCotizados: number;
  simultaneousDays: number;
  weeks: number;
  years: number;
  fractionWeeks: number;
  fractionDays: number;
  /** Years for portability: `years`, plus one when the fraction exceeds 26 weeks. */
  yearsRecognized: number;
  /** Weeks equivalent (the figure a receiving institute uses). */
  weeksEquivalent: number;
}

export function serviceRecord(employments: readonly EmploymentSpan[], asOf: IsoDate): ServiceRecord {
  const periods: ServicePeriod[] = employments
    .filter((e) => e.start <= asOf)
    .map((e) => {
      const end = e.end === null || e.end > asOf ? asOf : e.end;
      return { institutionClave: e.institutionClave, start: e.start, end, active: e.end === null || e.end > asOf, days: Math.max(0, daysBetween(e.start, end) + 1) };
    })
    .filter((p) => p.days > 0)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.institutionClave.localeCompare(b.institutionClave)));

  const perInstitution = new Map<string, { days: number; periods: number }>();
  for (const p of periods) {
    const acc = perInstitution.get(p.institutionClave) ?? { days: 0, periods: 0 };
    acc.days += p.days;
    acc.periods += 1;
    perInstitution.set(p.institutionClave, acc);
  }

  // Union of the intervals (sorted by start).
  let union = 0;
  let curStart: IsoDate | null = null;
  let curEnd: IsoDate | null = null;
  for (const p of periods) {
    if (curStart === null || curEnd === null) {
      curStart = p.start;
      curEnd = p.end;
    } else if (daysBetween(curEnd, p.start) <= 1) {
      if (p.end > curEnd) curEnd = p.end;
    } else {
      union += daysBetween(curStart, curEnd) + 1;
      curStart = p.start;
      curEnd = p.end;
    }
  }
  if (curStart !== null && curEnd !== null) union += daysBetween(curStart, curEnd) + 1;

  const grossDays = periods.reduce((s, p) => s + p.days, 0);
  const weeks = Math.floor(union / 7);
  const years = Math.floor(weeks / WEEKS_PER_YEAR);
  const fractionWeeks = weeks % WEEKS_PER_YEAR;
  return {
    asOf,
    periods,
    byInstitution: [...perInstitution.entries()]
      .map(([institutionClave, v]) => ({ institutionClave, ...v }))
      .sort((a, b) => a.institutionClave.localeCompare(b.institutionClave)),
    grossDays,
    daysCotizados: union,
    simultaneousDays: grossDays - union,
    weeks,
    years,
    fractionWeeks,
    fractionDays: union % 7,
    yearsRecognized: years + (fractionWeeks > HALF_YEAR_WEEKS ? 1 : 0),
    weeksEquivalent: weeks,
  };
}
