/**
 * Money is exact decimal end to end (contracts §3): never binary floating point.
 *
 * `Decimal` is a private clone of decimal.js (precision 40 significant digits, ROUND_HALF_UP,
 * exponential notation disabled for any realistic magnitude so `toString()` is always plain).
 * Do not call `Decimal.set()` on it: the configuration is part of the domain contract.
 */
import DecimalJs from 'decimal.js';

export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = DecimalJs;

export const ZERO: Decimal = new Decimal(0);

const AMOUNT_PATTERN = /^\d+(\.\d{1,2})?$/;

/**
 * Strict amount parser for inbound files and APIs: digits, optional `.` and 1–2 decimals.
 * Rejects thousands separators, signs, exponents, spaces inside, and more than 2 decimals.
 * Leading/trailing whitespace is ignored. Returns null when the text is not a valid amount.
 */
export function parseAmount(text: string): Decimal | null {
  const trimmed = text.trim();
  if (!AMOUNT_PATTERN.test(trimmed)) return null;
  return new Decimal(trimmed);
}

/** Rounds to cents, half away from zero (for amounts ≥ 0 this is the usual half-up). */
export function roundHalfUp2(d: Decimal): Decimal {
  return new Decimal(d).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * Renders an amount with exactly 2 decimals and no grouping: "1234.50", "0.05", "-3.10".
 * Values with more decimals are rounded half-up first. Negative zero renders as "0.00".
 */
export function toAmountString(d: Decimal): string {
  const rounded = roundHalfUp2(d);
  if (rounded.isZero()) return '0.00';
  const negative = rounded.isNegative();
  const plain = rounded.abs().toString(); // plain notation thanks to toExpNeg/toExpPos
  const dot = plain.indexOf('.');
  const intPart = dot === -1 ? plain : plain.slice(0, dot);
  const fracPart = dot === -1 ? '' : plain.slice(dot + 1);
  return `${negative ? '-' : ''}${intPart}.${fracPart.padEnd(2, '0')}`;
}

// ---- The per-row hot path: exact integer centavos -----------------------------------------------
// A payroll row carries four amounts and yields eight contribution lines. Through Decimal objects
// that was ~1.1 CPU-s and most of the garbage per 100k rows (bench/notes.md, session 10), so the
// per-row code works in integer centavos, which are exact decimal arithmetic as long as every
// value stays a safe integer (< 2^53); beyond that it falls back to Decimal, never to a float.

const CENTS_PATTERN = /^(\d{1,13})(?:\.(\d)(\d)?)?$/;

/**
 * An amount's text (already trimmed, as `parseAmount` accepts it) as integer centavos, or null when
 * it is not a valid amount or has more than 13 integer digits (then use `parseAmount`).
 */
export function amountCents(text: string): number | null {
  const m = CENTS_PATTERN.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + (m[2] === undefined ? 0 : Number(m[2]) * 10 + (m[3] === undefined ? 0 : Number(m[3])));
}

/** Non-negative integer centavos as `toAmountString` renders them: "1234.50", "0.05". */
export function centsToAmountString(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a non-negative safe number of centavos: ${cents}`);
  const fraction = cents % 100;
  return `${(cents - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/**
 * The canonical text of an amount, `toAmountString(parseAmount(text))`, without building a Decimal
 * when the amount fits in safe centavos. Null when the text is not a valid amount.
 */
export function canonicalAmount(text: string): string | null {
  const trimmed = text.trim();
  const cents = amountCents(trimmed);
  if (cents !== null) return centsToAmountString(cents);
  const parsed = parseAmount(trimmed);
  return parsed ? toAmountString(parsed) : null;
}

/**
 * Compares two canonical non-negative amount texts exactly (negative, zero, positive like a − b):
 * canonical texts have no leading zeros and two decimals, so more integer digits means larger and
 * equal lengths compare as text.
 */
export function compareCanonicalAmounts(a: string, b: string): number {
  const lengthDifference = a.indexOf('.') - b.indexOf('.');
  if (lengthDifference !== 0) return lengthDifference;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Exact sum of a list of amounts (empty list → 0). */
export function sumAmounts(list: Iterable<Decimal>): Decimal {
  let total: Decimal = ZERO;
  for (const item of list) total = total.plus(item);
  return total;
}

/** Converts a stored decimal string (e.g. from the database or a workflow payload) to Decimal. */
export function decimalFromString(text: string): Decimal {
  const d = new Decimal(text);
  if (!d.isFinite()) throw new RangeError(`not a finite decimal: ${text}`);
  return d;
}
