import { describe, expect, it } from 'vitest';
import {
  addToTotals,
  computeRowContributions,
  DEFAULT_RATE_TABLE,
  emptyTotals,
  hasUnverifiedRates,
  mergeTotals,
  ratesInForce,
  summarizeTotals,
  totalDue,
  totalsFromJson,
  totalsToJson,
  type ContributionLine,
  type RateRow,
} from '../../../domain/contributions';
import { Decimal, toAmountString } from '../../../domain/money';

const rates2026 = ratesInForce(DEFAULT_RATE_TABLE, '2026-01-01');

function amounts(lines: ContributionLine[]): Record<string, string> {
  return Object.fromEntries(lines.map((l) => [`${l.party}.${l.concept}`, toAmountString(l.amount)]));
}

describe('ratesInForce', () => {
  it('returns the 8 default rates, servidor verified and institución unverified', () => {
    expect(rates2026).toHaveLength(8);
    expect(rates2026.filter((r) => r.party === 'servidor').every((r) => r.verified)).toBe(true);
    expect(rates2026.filter((r) => r.party === 'institucion').every((r) => !r.verified)).toBe(true);
    expect(hasUnverifiedRates(rates2026)).toBe(true);
    // Employer split adds up to the public 19 % total; servidor to 12.125 %.
    const sum = (party: string) => rates2026.filter((r) => r.party === party).reduce((a, r) => a.plus(r.rate), new Decimal(0));
    expect(sum('institucion').equals(new Decimal('0.19'))).toBe(true);
    expect(sum('servidor').equals(new Decimal('0.12125'))).toBe(true);
  });

  it('is empty before the 2002 law took effect', () => {
    expect(ratesInForce(DEFAULT_RATE_TABLE, '2002-06-16')).toEqual([]);
  });

  it('a later verified rate supersedes the open-ended default from its effective date', () => {
    const table: RateRow[] = [
      ...DEFAULT_RATE_TABLE,
      { concept: 'salud', party: 'institucion', rate: '0.11', effectiveFrom: '2027-01-01', effectiveTo: null, legalSource: 'Acuerdo X', verified: true },
    ];
    const before = ratesInForce(table, '2026-12-16').find((r) => r.party === 'institucion' && r.concept === 'salud');
    const after = ratesInForce(table, '2027-01-01').find((r) => r.party === 'institucion' && r.concept === 'salud');
    expect(before?.rate.equals(new Decimal('0.10'))).toBe(true);
    expect(after?.rate.equals(new Decimal('0.11'))).toBe(true);
    expect(after?.verified).toBe(true);
  });

  it('respects an inclusive effectiveTo and rejects ambiguous rows', () => {
    const closed: RateRow[] = [
      { concept: 'salud', party: 'servidor', rate: '0.04', effectiveFrom: '2010-01-01', effectiveTo: '2020-01-01', legalSource: 'x', verified: true },
    ];
    expect(ratesInForce(closed, '2020-01-01')).toHaveLength(1);
    expect(ratesInForce(closed, '2020-01-16')).toHaveLength(0);
    const dup: RateRow[] = [...closed, { ...closed[0]!, rate: '0.05' }];
    expect(() => ratesInForce(dup, '2015-01-01')).toThrow(/ambiguous/);
  });
});

describe('computeRowContributions', () => {
  it('sueldo 10000.00', () => {
    // 10000 × 4.625 % = 462.50; × 6.1 % = 610.00; × 1.4 % = 140.00
    // 10000 × 10 % = 1000.00; × 6 % = 600.00; × 1.5 % = 150.00; × 1 % = 100.00; × 0.5 % = 50.00
    expect(amounts(computeRowContributions(new Decimal('10000.00'), rates2026))).toEqual({
      'servidor.salud': '462.50',
      'servidor.reparto': '610.00',
      'servidor.sci': '140.00',
      'institucion.salud': '1000.00',
      'institucion.reparto': '600.00',
      'institucion.sci': '150.00',
      'institucion.admin': '100.00',
      'institucion.riesgo': '50.00',
    });
  });

  it('sueldo 1234.57 rounds each line half up', () => {
    // 1234.57 × 0.04625 = 57.0988625 → 57.10;  × 0.061 = 75.30877 → 75.31;  × 0.014 = 17.28398 → 17.28
    // 1234.57 × 0.10 = 123.457 → 123.46;  × 0.06 = 74.0742 → 74.07;  × 0.015 = 18.51855 → 18.52
    // 1234.57 × 0.01 = 12.3457 → 12.35;  × 0.005 = 6.17285 → 6.17
    expect(amounts(computeRowContributions(new Decimal('1234.57'), rates2026))).toEqual({
      'servidor.salud': '57.10',
      'servidor.reparto': '75.31',
      'servidor.sci': '17.28',
      'institucion.salud': '123.46',
      'institucion.reparto': '74.07',
      'institucion.sci': '18.52',
      'institucion.admin': '12.35',
      'institucion.riesgo': '6.17',
    });
  });

  it('exact half cents go up (binary floats or half-even would go down)', () => {
    // 996.00 × 0.04625 = 39.84 + 6.225 = 46.065 → 46.07
    expect(amounts(computeRowContributions(new Decimal('996.00'), rates2026))['servidor.salud']).toBe('46.07');
    // 1001.00 × 0.005 = 5.005 → 5.01
    expect(amounts(computeRowContributions(new Decimal('1001.00'), rates2026))['institucion.riesgo']).toBe('5.01');
    // 1234.50 × 0.01 = 12.345 → 12.35 (12.345 in binary is 12.3449999…)
    expect(amounts(computeRowContributions(new Decimal('1234.50'), rates2026))['institucion.admin']).toBe('12.35');
    // 1003.00 × 0.015 = 15.045 → 15.05
    expect(amounts(computeRowContributions(new Decimal('1003.00'), rates2026))['institucion.sci']).toBe('15.05');
  });

  it('rejects a negative sueldo', () => {
    expect(() => computeRowContributions(new Decimal('-1'), rates2026)).toThrow(RangeError);
  });
});

describe('totals', () => {
  it('folds rows as sums of rounded amounts plus reported retentions', () => {
    let t = emptyTotals();
    t = addToTotals(t, computeRowContributions(new Decimal('10000.00'), rates2026), { prestamoCorto: new Decimal('500.00') });
    t = addToTotals(t, computeRowContributions(new Decimal('1234.57'), rates2026), { otros: new Decimal('25.50') });
    const summary = summarizeTotals(t);
    // cuotas = (462.50 + 610.00 + 140.00) + (57.10 + 75.31 + 17.28) = 1212.50 + 149.69 = 1362.19
    expect(toAmountString(summary.cuotas)).toBe('1362.19');
    // aportaciones = 1900.00 + (123.46 + 74.07 + 18.52 + 12.35 + 6.17) = 1900.00 + 234.57 = 2134.57
    expect(toAmountString(summary.aportaciones)).toBe('2134.57');
    expect(toAmountString(summary.retenciones)).toBe('525.50');
    // 1362.19 + 2134.57 + 525.50 = 4022.26
    expect(toAmountString(summary.totalDue)).toBe('4022.26');
    expect(t.rows).toBe(2);
    expect(toAmountString(t.servidor.salud)).toBe('519.60');
  });

  it('sums rounded lines, not the rounded sum', () => {
    // 0.80 × 0.04625 = 0.037 → 0.04 per row; three rows → 0.12 (rounding the exact 0.111 would give 0.11)
    let t = emptyTotals();
    for (let i = 0; i < 3; i++) t = addToTotals(t, computeRowContributions(new Decimal('0.80'), rates2026));
    expect(toAmountString(t.servidor.salud)).toBe('0.12');
  });

  it('merging chunk totals equals folding everything, and JSON round-trips', () => {
    const sueldos = ['100.01', '2500.55', '7777.77', '15000.00'];
    const fold = (list: string[]) =>
      list.reduce((acc, sld) => addToTotals(acc, computeRowContributions(new Decimal(sld), rates2026), { prestamoHipotecario: new Decimal('1.01') }), emptyTotals());
    const whole = fold(sueldos);
    const merged = mergeTotals(fold(sueldos.slice(0, 2)), fold(sueldos.slice(2)));
    expect(totalsToJson(merged)).toEqual(totalsToJson(whole));
    expect(totalsToJson(totalsFromJson(totalsToJson(whole)))).toEqual(totalsToJson(whole));
    expect(totalsToJson(whole).retenciones.prestamoHipotecario).toBe('4.04');
  });

  it('totalDue adds the three parts', () => {
    expect(toAmountString(totalDue({ cuotas: new Decimal('1.10'), aportaciones: new Decimal('2.20'), retenciones: new Decimal('0.05') }))).toBe('3.35');
  });
});
