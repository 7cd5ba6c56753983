/**
 * Payment rules (contracts §4–§5), pure: what a línea asks for on a given payment date, and how
 * a deposit compares with it. Money is exact decimal; accessories come from domain/accessories.
 */
import { computeAccessories, type AccessoryRates } from '../accessories';
import { addDays, compareDates, type IsoDate } from '../dates';
import { Decimal, toAmountString } from '../money';

export interface LineaTerms {
  /** Balance of the determinación the línea covers. */
  principal: Decimal;
  /** The period's due date (accessories run from the day after). */
  dueDate: IsoDate;
  validUntil: IsoDate;
  rates: AccessoryRates;
}

export interface AmountOnDate {
  principal: Decimal;
  actualizacion: Decimal;
  recargos: Decimal;
  months: number;
  total: Decimal;
}

/**
 * What the línea asks for if paid on `paymentDate`: the principal plus the accessories for the
 * actual payment date (a late línea is printed with its amount at its validity date, the most
 * it can ask; paying earlier in its validity asks less).
 */
export function amountDueOn(terms: LineaTerms, paymentDate: IsoDate): AmountOnDate {
  const acc = computeAccessories({ totalDue: terms.principal, dueDate: terms.dueDate, paymentDate, rates: terms.rates });
  return { principal: terms.principal, actualizacion: acc.actualizacion, recargos: acc.recargos, months: acc.months, total: acc.grandTotal };
}

export type MatchResult = 'exact' | 'partial' | 'excess';

/** By reference first (the caller found the línea), then by amount. */
export function classifyDeposit(expected: Decimal, deposited: Decimal): MatchResult {
  const c = deposited.comparedTo(expected);
  return c === 0 ? 'exact' : c < 0 ? 'partial' : 'excess';
}

/** Whether a deposit made on `operationDate` may be applied to a línea valid until `validUntil`. */
export function isWithinValidity(operationDate: IsoDate, validUntil: IsoDate): boolean {
  return compareDates(operationDate, validUntil) <= 0;
}

/** A small schedule for the formato de pago: how much to pay by each date that changes it. */
export function paymentSchedule(terms: LineaTerms, fromDate: IsoDate): Array<{ payBy: IsoDate; amount: string }> {
  const rows: Array<{ payBy: IsoDate; amount: string }> = [];
  let date = fromDate;
  let last: string | null = null;
  while (compareDates(date, terms.validUntil) <= 0) {
    const amount = toAmountString(amountDueOn(terms, date).total);
    if (amount !== last) {
      if (rows.length > 0) rows[rows.length - 1]!.payBy = addDays(date, -1);
      rows.push({ payBy: terms.validUntil, amount });
      last = amount;
    }
    date = addDays(date, 1);
  }
  return rows;
}
