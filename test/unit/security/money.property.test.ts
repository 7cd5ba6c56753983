/**
 * Property tests of the money formulas (contracts §3, §4) against an independent oracle in
 * integer arithmetic (BigInt cents), so a rounding or summing slip cannot hide behind decimal.js:
 * - contributions: each line = round_half_up(sueldo × rate, 2); totals are Σ of the rounded
 *   lines (never the rounded Σ); folding row by row, in chunks, and through JSON agree;
 * - accessories: never negative, months in 0..60 and monotone in the payment date, capped at
 *   60, actualización and recargos as the contract's formula.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAccessories, lateMonths, MAX_LATE_MONTHS, type AccessoryRates } from '../../../domain/accessories';
import {
  addToTotals,
  CONCEPTS,
  compileRowContributions,
  computeRowContributions,
  DEFAULT_RATE_TABLE,
  emptyTotals,
  mergeTotals,
  ratesInForce,
  summarizeTotals,
  totalsFromJson,
  totalsToJson,
  type AppliedRate,
  type ContributionTotals,
} from '../../../domain/contributions';
import { addDays, addMonths, compareDates } from '../../../domain/dates';
import { canonicalAmount, compareCanonicalAmounts, Decimal, parseAmount, toAmountString } from '../../../domain/money';

// ---- integer oracle -------------------------------------------------------------------------

/** A non-negative decimal string as (integer, scale): "0.04625" → 4625n, 5. */
function scaled(text: string): { n: bigint; scale: number } {
  const [int, frac = ''] = text.split('.');
  return { n: BigInt(`${int}${frac}`), scale: frac.length };
}
/** round_half_up(a × b) in cents, for non-negative decimal strings, in integers only. */
function mulRoundCents(a: string, b: string): bigint {
  const x = scaled(a);
  const y = scaled(b);
  const scale = x.scale + y.scale; // product has `scale` decimals; cents keep 2
  const product = x.n * y.n;
  if (scale <= 2) return product * 10n ** BigInt(2 - scale);
  const divisor = 10n ** BigInt(scale - 2);
  return (product * 2n + divisor) / (2n * divisor);
}
const cents = (d: Decimal) => BigInt(d.times(100).toFixed(0));
const centsText = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

// ---- arbitraries ----------------------------------------------------------------------------

const amountCents = fc.bigInt({ min: 0n, max: 99_999_999_99n });
const amountText = amountCents.map(centsText);
/** Rates as effective-dated data may carry them: up to 6 decimals, 0 … 0.5. */
const rateText = fc.integer({ min: 0, max: 500_000 }).map((n) => (n / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '') || '0');
const ratesArb = fc.array(rateText, { minLength: 1, maxLength: CONCEPTS.length * 2 }).map((texts): AppliedRate[] =>
  texts.map((rate, i) => ({
    concept: CONCEPTS[i % CONCEPTS.length]!,
    party: i < CONCEPTS.length ? 'servidor' : 'institucion',
    rate: new Decimal(rate),
    verified: true,
    legalSource: 'prueba',
    effectiveFrom: '2002-07-01',
  })),
);
const defaultRates = ratesInForce(DEFAULT_RATE_TABLE, '2026-02-16');

describe('contributions', () => {
  it('each line is round_half_up(sueldo × rate) to the centavo, never negative', () => {
    fc.assert(
      fc.property(amountText, ratesArb, (sueldo, rates) => {
        const lines = computeRowContributions(new Decimal(sueldo), rates);
        expect(lines).toHaveLength(rates.length);
        lines.forEach((line, i) => {
          expect(cents(line.amount)).toBe(mulRoundCents(sueldo, rates[i]!.rate.toString()));
          expect(line.amount.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(line.amount.isNegative()).toBe(false);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('totals are the sums of the rounded lines, whatever the order, chunking or JSON round trips', () => {
    const rows = fc.array(fc.record({ sueldo: amountText, corto: amountText, otros: amountText }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(rows, fc.nat(), (list, cut) => {
        const fold = (items: typeof list) =>
          items.reduce<ContributionTotals>(
            (t, r) => addToTotals(t, computeRowContributions(new Decimal(r.sueldo), defaultRates), { prestamoCorto: new Decimal(r.corto), otros: new Decimal(r.otros) }),
            emptyTotals(),
          );
        const all = fold(list);
        // Oracle: Σ over rows of each rounded line, in integers.
        for (const rate of defaultRates) {
          const expected = list.reduce((acc, r) => acc + mulRoundCents(r.sueldo, rate.rate.toString()), 0n);
          const got = rate.party === 'servidor' ? all.servidor[rate.concept] : all.institucion[rate.concept];
          expect(cents(got)).toBe(expected);
        }
        const k = cut % (list.length + 1);
        const merged = mergeTotals(totalsFromJson(totalsToJson(fold(list.slice(0, k)))), fold(list.slice(k)));
        expect(totalsToJson(merged)).toEqual(totalsToJson(all));
        expect(totalsToJson(fold([...list].reverse()))).toEqual(totalsToJson(all));
        const summary = summarizeTotals(all);
        expect(summary.totalDue.equals(summary.cuotas.plus(summary.aportaciones).plus(summary.retenciones))).toBe(true);
        expect(cents(summary.retenciones)).toBe(list.reduce((acc, r) => acc + scaled(r.corto).n + scaled(r.otros).n, 0n));
        expect(summary.totalDue.isNegative()).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the staging hot path (integer centavos) gives the same line amounts, including where it must fall back to Decimal', () => {
    // Sueldos up to 13 integer digits take the integer path; 14+ digits, or rates with many
    // decimals whose product leaves the safe integers, take the Decimal path: both must agree.
    const hugeSueldo = fc.bigInt({ min: 0n, max: 10n ** 17n }).map(centsText);
    const manyDecimalRate = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((n) => `0.${String(n).padStart(12, '0')}`);
    const order = CONCEPTS.flatMap((concept) => (['servidor', 'institucion'] as const).map((party) => [party, concept] as const));
    const sueldos = fc.oneof(amountText, hugeSueldo);
    // Rates that often leave exactly half a centavo (odd centavos × 0.5, × 0.005, …): the rounding edge.
    const halfRates = fc.array(fc.constantFrom('0.5', '0.005', '0.015', '0.04625', '0.25'), { minLength: 1, maxLength: 5 }).map((texts): AppliedRate[] =>
      texts.map((rate, i) => ({ concept: CONCEPTS[i]!, party: 'institucion', rate: new Decimal(rate), verified: true, legalSource: 'prueba', effectiveFrom: '2002-07-01' })),
    );
    const rateSets = fc.oneof(
      ratesArb,
      halfRates,
      fc.array(manyDecimalRate, { minLength: 1, maxLength: 3 }).map((texts): AppliedRate[] =>
        texts.map((rate, i) => ({ concept: CONCEPTS[i]!, party: 'servidor', rate: new Decimal(rate), verified: true, legalSource: 'prueba', effectiveFrom: '2002-07-01' })),
      ),
    );
    fc.assert(
      fc.property(sueldos, rateSets, (sueldo, rates) => {
        const amounts = compileRowContributions(rates, order)(sueldo);
        const reference = computeRowContributions(new Decimal(sueldo), rates);
        order.forEach(([party, concept], k) => {
          const i = rates.findIndex((r) => r.party === party && r.concept === concept);
          expect(amounts[k]).toBe(i < 0 ? '0.00' : toAmountString(reference[i]!.amount));
          if (i >= 0) expect(amounts[k]).toBe(centsText(mulRoundCents(sueldo, rates[i]!.rate.toString())));
        });
      }),
      { numRuns: 1000 },
    );
    // The contract's half-centavo examples (contributions.test.ts) through the hot path: they go up.
    const hot = compileRowContributions(defaultRates, order);
    const at = (sueldo: string, party: string, concept: string) => hot(sueldo)[order.findIndex(([p, c]) => p === party && c === concept)];
    expect(at('996.00', 'servidor', 'salud')).toBe('46.07');
    expect(at('1001.00', 'institucion', 'riesgo')).toBe('5.01');
    expect(at('1234.50', 'institucion', 'admin')).toBe('12.35');
    expect(() => hot('-1.00')).toThrow(RangeError);
    // A negative rate (never in force, but data) takes the Decimal path: same result as the reference.
    const negative: AppliedRate[] = [{ concept: 'salud', party: 'servidor', rate: new Decimal('-0.015'), verified: false, legalSource: 'prueba', effectiveFrom: '2002-07-01' }];
    expect(compileRowContributions(negative, order)('1003.00')[0]).toBe(toAmountString(computeRowContributions(new Decimal('1003.00'), negative)[0]!.amount));
  });

  it('amounts are normalised and compared exactly without Decimal, as the Decimal path does', () => {
    const anyDigits = fc.tuple(fc.stringMatching(/^\d{1,18}$/), fc.constantFrom('', '.', '.5', '.05', '.50', '.123', ',5')).map(([i, f]) => `${i}${f}`);
    fc.assert(
      fc.property(anyDigits, anyDigits, (a, b) => {
        const parsedA = parseAmount(a);
        expect(canonicalAmount(a)).toBe(parsedA ? toAmountString(parsedA) : null);
        const ca = canonicalAmount(a);
        const cb = canonicalAmount(b);
        if (ca && cb) expect(Math.sign(compareCanonicalAmounts(ca, cb))).toBe(new Decimal(ca).comparedTo(new Decimal(cb)));
      }),
      { numRuns: 2000 },
    );
  });

  it('the sum of rounded lines can differ from the rounded sum (and the contract takes the former)', () => {
    // 3 rows of 0.10 at 5 %: each line 0.005 → 0.01, Σ = 0.03; the rounded Σ (0.015) would be 0.02.
    const rates: AppliedRate[] = [{ concept: 'salud', party: 'servidor', rate: new Decimal('0.05'), verified: true, legalSource: 'x', effectiveFrom: '2002-07-01' }];
    let totals = emptyTotals();
    for (let i = 0; i < 3; i++) totals = addToTotals(totals, computeRowContributions(new Decimal('0.10'), rates));
    expect(toAmountString(totals.servidor.salud)).toBe('0.03');
  });
});

// ---- accessories ----------------------------------------------------------------------------

const isoDate = fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2040, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const accessoryRates = fc.tuple(rateText, rateText).map(([a, r]): AccessoryRates => ({ actualizacion: new Decimal(a).dividedBy(10), recargos: new Decimal(r).dividedBy(10) }));

describe('accessories', () => {
  it('are never negative, count 0..60 months, and follow the formula to the centavo', () => {
    fc.assert(
      fc.property(amountText, isoDate, fc.integer({ min: -400, max: 3000 }), accessoryRates, (total, due, lateDays, rates) => {
        const paymentDate = addDays(due, lateDays);
        const a = computeAccessories({ totalDue: new Decimal(total), dueDate: due, paymentDate, rates });
        expect(a.months).toBeGreaterThanOrEqual(0);
        expect(a.months).toBeLessThanOrEqual(MAX_LATE_MONTHS);
        expect(a.months).toBe(lateMonths(due, paymentDate));
        if (lateDays <= 0) expect(a.months).toBe(0);
        for (const part of [a.actualizacion, a.recargos, a.total]) expect(part.isNegative()).toBe(false);
        const act = mulRoundCents(total, rates.actualizacion.times(a.months).toString());
        expect(cents(a.actualizacion)).toBe(act);
        expect(cents(a.recargos)).toBe(mulRoundCents(centsText(scaled(total).n + act), rates.recargos.times(a.months).toString()));
        expect(a.grandTotal.equals(new Decimal(total).plus(a.actualizacion).plus(a.recargos))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never decrease when paying later, and stop growing at 60 months', () => {
    fc.assert(
      fc.property(amountText, isoDate, fc.integer({ min: 0, max: 2500 }), fc.integer({ min: 0, max: 2500 }), accessoryRates, (total, due, d1, d2, rates) => {
        const [early, late] = [addDays(due, Math.min(d1, d2)), addDays(due, Math.max(d1, d2))];
        const at = (paymentDate: string) => computeAccessories({ totalDue: new Decimal(total), dueDate: due, paymentDate, rates });
        const [x, y] = [at(early), at(late)];
        expect(x.months).toBeLessThanOrEqual(y.months);
        expect(x.actualizacion.lte(y.actualizacion)).toBe(true);
        expect(x.recargos.lte(y.recargos)).toBe(true);
        // Beyond 60 months nothing grows any more.
        const cap = at(addMonths(due, MAX_LATE_MONTHS));
        const beyond = at(addDays(addMonths(due, MAX_LATE_MONTHS), 1 + d1));
        expect(cap.months).toBe(MAX_LATE_MONTHS);
        expect(beyond.months).toBe(MAX_LATE_MONTHS);
        expect(beyond.total.equals(cap.total)).toBe(true);
        expect(compareDates(late, early)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('a larger amount due never gets smaller accessories', () => {
    fc.assert(
      fc.property(amountCents, amountCents, isoDate, fc.integer({ min: 1, max: 2500 }), accessoryRates, (a, b, due, late, rates) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const at = (c: bigint) => computeAccessories({ totalDue: new Decimal(centsText(c)), dueDate: due, paymentDate: addDays(due, late), rates });
        expect(at(lo).total.lte(at(hi).total)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
