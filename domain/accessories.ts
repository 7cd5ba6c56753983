/**
 * Late-payment accessories (contracts §4; domain-reference §1.7, State of Mexico fixed monthly
 * rates): "months" counts every month or fraction started after the due date, at most 60;
 * actualización on the amount due; recargos on the amount due plus actualización (never on
 * recargos).
 */
import { addMonths, compareDates, yearOf, type IsoDate } from './dates';
import { Decimal, roundHalfUp2 } from './money';

export const MAX_LATE_MONTHS = 60;

export interface AccessoryRates {
  /** Monthly actualización rate as a fraction (0.0036 = 0.36 %). */
  actualizacion: Decimal;
  /** Monthly recargos rate as a fraction (0.0185 = 1.85 %). */
  recargos: Decimal;
}

/** Ley de Ingresos del Estado de México 2016 figures (domain-reference §1.7): 0.36 % and 1.85 % monthly. */
export const DEFAULT_ACCESSORY_RATES: Readonly<AccessoryRates> = Object.freeze({
  actualizacion: new Decimal('0.0036'),
  recargos: new Decimal('0.0185'),
});

/** A row of the per-fiscal-year rate table (rates as decimal-fraction strings). */
export interface AccessoryRateRow {
  fiscalYear: number;
  actualizacion: string;
  recargos: string;
  legalSource?: string;
  verified?: boolean;
}

/** Rates for the fiscal year of the due date, falling back to the defaults when the year is not loaded. */
export function accessoryRatesFor(dueDate: IsoDate, table: readonly AccessoryRateRow[] = []): AccessoryRates {
  const year = yearOf(dueDate);
  const row = table.find((r) => r.fiscalYear === year);
  if (!row) return DEFAULT_ACCESSORY_RATES;
  return { actualizacion: new Decimal(row.actualizacion), recargos: new Decimal(row.recargos) };
}

/**
 * Months or fractions of a month started between the day after the due date and the payment
 * date: 0 if paid on or before the due date, otherwise the smallest m ≥ 1 with
 * addMonths(dueDate, m) ≥ paymentDate (day clamped to month end), capped at 60.
 * 1 day late → 1; exactly one month late → 1; one month and one day → 2.
 */
export function lateMonths(dueDate: IsoDate, paymentDate: IsoDate): number {
  if (compareDates(paymentDate, dueDate) <= 0) return 0;
  for (let m = 1; m <= MAX_LATE_MONTHS; m++) {
    if (compareDates(addMonths(dueDate, m), paymentDate) >= 0) return m;
  }
  return MAX_LATE_MONTHS;
}

export interface AccessoriesInput {
  totalDue: Decimal;
  dueDate: IsoDate;
  paymentDate: IsoDate;
  rates: AccessoryRates;
}

export interface Accessories {
  months: number;
  actualizacion: Decimal;
  recargos: Decimal;
  /** actualizacion + recargos (the accessories only). */
  total: Decimal;
  /** totalDue + actualizacion + recargos: what must be paid on the payment date. */
  grandTotal: Decimal;
}

export function computeAccessories(input: AccessoriesInput): Accessories {
  if (input.totalDue.isNegative()) throw new RangeError('totalDue must not be negative');
  const months = lateMonths(input.dueDate, input.paymentDate);
  const actualizacion = roundHalfUp2(input.totalDue.times(input.rates.actualizacion).times(months));
  const recargos = roundHalfUp2(input.totalDue.plus(actualizacion).times(input.rates.recargos).times(months));
  const total = actualizacion.plus(recargos);
  return { months, actualizacion, recargos, total, grandTotal: input.totalDue.plus(total) };
}
