/**
 * State of Mexico non-business days, generated from rules kept as data.
 *
 * - Federal mandatory rest days, LFT art. 74 (reformed DOF 30-Sep-2024), with the Monday rules
 *   in force since 2006 (domain-reference §7.1).
 * - State days seen in the Gaceta del Gobierno calendars: 2 March, 5 May, 2 November, Holy
 *   Thursday and Good Friday (§7.2).
 * - [ASSUMPTION] vacation periods (§7.2): the Gaceta publishes them every year and they vary
 *   (2024: 22–26 Jul and 20 Dec–6 Jan; 2025: 21–29 Jul and 22 Dec–6 Jan). Until the yearly
 *   calendar is loaded we use a default pattern: the last two Monday–Friday weeks fully inside
 *   July, 20–31 December and 1–6 January. Callers can pass their own rules, and
 *   `edomexCalendarForYears` takes add/remove overrides (e.g. election days, days the Gaceta
 *   moves such as "2 Nov observed on 3 Nov").
 *
 * Only dates are produced; weekends are never business days anyway, so vacation entries list
 * Monday–Friday only (fixed holidays are listed even when they fall on a weekend).
 */
import { addDays, daysBetween, formatIsoDate, isoWeekday, isWeekend, nthWeekdayOfMonth, type IsoDate } from '../dates';
import { BusinessCalendar } from './business-calendar';

export type NonBusinessKind = 'holiday' | 'vacation';

export interface NonBusinessDay {
  date: IsoDate;
  kind: NonBusinessKind;
  name: string;
  source: string;
}

interface YearBounds {
  /** First year the rule applies (inclusive). */
  fromYear?: number;
  /** Last year the rule applies (inclusive). */
  toYear?: number;
  /** Only every `every` years counted from `anchorYear` (e.g. change of federal executive). */
  cycle?: { anchorYear: number; every: number };
}

export type HolidayRule = YearBounds & { name: string; source: string } & (
    | { type: 'fixed'; month: number; day: number }
    /** n-th ISO weekday (1 = Monday) of a month. */
    | { type: 'nthWeekday'; month: number; weekday: number; n: number }
    /** Days relative to Gregorian Easter Sunday (−3 = Holy Thursday, −2 = Good Friday). */
    | { type: 'easterOffset'; offsetDays: number }
  );

export type VacationRule = YearBounds & { name: string; source: string } & (
    /** Inclusive range of month-days within the same year, e.g. from "12-20" to "12-31". */
    | { type: 'range'; from: string; to: string }
    /** The last `weeks` Monday–Friday weeks lying entirely inside the month. */
    | { type: 'lastWeeksOfMonth'; month: number; weeks: number }
  );

const LFT = 'LFT art. 74 (reforma DOF 30-sep-2024)';
const LFT_OLD = 'LFT art. 74 (texto anterior a la reforma de 2006)';
const GACETA = 'Calendario oficial del Gobierno del Estado de México (Gaceta del Gobierno)';
const VACATION_ASSUMPTION =
  'Supuesto: periodo vacacional por defecto (domain-reference §7.2); sustituir por el calendario publicado en la Gaceta del Gobierno';

export const FEDERAL_HOLIDAY_RULES: readonly HolidayRule[] = [
  { type: 'fixed', month: 1, day: 1, name: 'Año Nuevo', source: LFT },
  { type: 'nthWeekday', month: 2, weekday: 1, n: 1, fromYear: 2006, name: 'Día de la Constitución', source: LFT },
  { type: 'fixed', month: 2, day: 5, toYear: 2005, name: 'Día de la Constitución', source: LFT_OLD },
  { type: 'nthWeekday', month: 3, weekday: 1, n: 3, fromYear: 2006, name: 'Natalicio de Benito Juárez', source: LFT },
  { type: 'fixed', month: 3, day: 21, toYear: 2005, name: 'Natalicio de Benito Juárez', source: LFT_OLD },
  { type: 'fixed', month: 5, day: 1, name: 'Día del Trabajo', source: LFT },
  { type: 'fixed', month: 9, day: 16, name: 'Día de la Independencia', source: LFT },
  {
    type: 'fixed',
    month: 10,
    day: 1,
    fromYear: 2024,
    cycle: { anchorYear: 2024, every: 6 },
    name: 'Transmisión del Poder Ejecutivo Federal',
    source: LFT,
  },
  {
    type: 'fixed',
    month: 12,
    day: 1,
    toYear: 2018,
    cycle: { anchorYear: 2018, every: 6 },
    name: 'Transmisión del Poder Ejecutivo Federal',
    source: LFT_OLD,
  },
  { type: 'nthWeekday', month: 11, weekday: 1, n: 3, fromYear: 2006, name: 'Día de la Revolución Mexicana', source: LFT },
  { type: 'fixed', month: 11, day: 20, toYear: 2005, name: 'Día de la Revolución Mexicana', source: LFT_OLD },
  { type: 'fixed', month: 12, day: 25, name: 'Navidad', source: LFT },
];

export const EDOMEX_STATE_HOLIDAY_RULES: readonly HolidayRule[] = [
  { type: 'fixed', month: 3, day: 2, name: 'Aniversario de la Erección del Estado de México', source: GACETA },
  { type: 'easterOffset', offsetDays: -3, name: 'Jueves Santo', source: GACETA },
  { type: 'easterOffset', offsetDays: -2, name: 'Viernes Santo', source: GACETA },
  { type: 'fixed', month: 5, day: 5, name: 'Aniversario de la Batalla de Puebla', source: GACETA },
  { type: 'fixed', month: 11, day: 2, name: 'Día de Muertos', source: GACETA },
];

export const EDOMEX_HOLIDAY_RULES: readonly HolidayRule[] = [...FEDERAL_HOLIDAY_RULES, ...EDOMEX_STATE_HOLIDAY_RULES];

export const DEFAULT_EDOMEX_VACATION_RULES: readonly VacationRule[] = [
  { type: 'range', from: '01-01', to: '01-06', name: 'Periodo vacacional de invierno', source: VACATION_ASSUMPTION },
  { type: 'lastWeeksOfMonth', month: 7, weeks: 2, name: 'Periodo vacacional de verano', source: VACATION_ASSUMPTION },
  { type: 'range', from: '12-20', to: '12-31', name: 'Periodo vacacional de invierno', source: VACATION_ASSUMPTION },
];

export interface EdomexCalendarRules {
  holidays?: readonly HolidayRule[];
  vacations?: readonly VacationRule[];
}

/** Gregorian Easter Sunday (anonymous Gregorian / Meeus–Jones–Butcher computus). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatIsoDate(year, month, day);
}

function appliesIn(rule: YearBounds, year: number): boolean {
  if (rule.fromYear !== undefined && year < rule.fromYear) return false;
  if (rule.toYear !== undefined && year > rule.toYear) return false;
  if (rule.cycle) {
    const diff = year - rule.cycle.anchorYear;
    if (((diff % rule.cycle.every) + rule.cycle.every) % rule.cycle.every !== 0) return false;
  }
  return true;
}

function holidayDate(rule: HolidayRule, year: number): IsoDate {
  switch (rule.type) {
    case 'fixed':
      return formatIsoDate(year, rule.month, rule.day);
    case 'nthWeekday':
      return nthWeekdayOfMonth(year, rule.month, rule.weekday, rule.n);
    case 'easterOffset':
      return addDays(easterSunday(year), rule.offsetDays);
  }
}

function monthDay(year: number, text: string): IsoDate {
  const m = /^(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`invalid month-day: ${JSON.stringify(text)}`);
  return formatIsoDate(year, Number(m[1]), Number(m[2]));
}

function vacationDates(rule: VacationRule, year: number): IsoDate[] {
  let from: IsoDate;
  let to: IsoDate;
  if (rule.type === 'range') {
    from = monthDay(year, rule.from);
    to = monthDay(year, rule.to);
  } else {
    // Last Monday whose Friday (Monday + 4) is still inside the month.
    const nextMonthFirst =
      rule.month === 12 ? formatIsoDate(year + 1, 1, 1) : formatIsoDate(year, rule.month + 1, 1);
    const lastDay = addDays(nextMonthFirst, -1);
    let lastMonday = addDays(lastDay, -4);
    while (isoWeekday(lastMonday) !== 1) lastMonday = addDays(lastMonday, -1);
    from = addDays(lastMonday, -7 * (rule.weeks - 1));
    to = addDays(lastMonday, 4);
  }
  const dates: IsoDate[] = [];
  const days = daysBetween(from, to);
  for (let i = 0; i <= days; i++) {
    const d = addDays(from, i);
    if (!isWeekend(d)) dates.push(d);
  }
  return dates;
}

/**
 * Non-business days of one year, sorted by date. When two rules yield the same date the first
 * holiday wins and vacations never shadow a holiday.
 */
export function edomexNonBusinessDays(year: number, rules: EdomexCalendarRules = {}): NonBusinessDay[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2999) throw new RangeError(`year out of range: ${year}`);
  const byDate = new Map<IsoDate, NonBusinessDay>();
  for (const rule of rules.holidays ?? EDOMEX_HOLIDAY_RULES) {
    if (!appliesIn(rule, year)) continue;
    const date = holidayDate(rule, year);
    if (!byDate.has(date)) byDate.set(date, { date, kind: 'holiday', name: rule.name, source: rule.source });
  }
  for (const rule of rules.vacations ?? DEFAULT_EDOMEX_VACATION_RULES) {
    if (!appliesIn(rule, year)) continue;
    for (const date of vacationDates(rule, year)) {
      if (!byDate.has(date)) byDate.set(date, { date, kind: 'vacation', name: rule.name, source: rule.source });
    }
  }
  return [...byDate.values()].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

export interface CalendarOverrides {
  /** Extra non-business dates (election days, suspensions, days moved by the Gaceta). */
  add?: readonly string[];
  /** Generated dates that are business days after all (e.g. a holiday observed on another day). */
  remove?: readonly string[];
}

/**
 * The State of Mexico business calendar for the given years. Queries outside those years throw,
 * so load the following year too when a term can cross 31 December (e.g. the due date of
 * quincena 24 falls in January).
 */
export function edomexCalendarForYears(
  years: readonly number[],
  overrides: CalendarOverrides = {},
  rules: EdomexCalendarRules = {},
): BusinessCalendar {
  const dates = new Set<IsoDate>();
  for (const year of years) for (const day of edomexNonBusinessDays(year, rules)) dates.add(day.date);
  for (const d of overrides.add ?? []) dates.add(d);
  for (const d of overrides.remove ?? []) dates.delete(d);
  return new BusinessCalendar(dates, { coveredYears: years });
}
