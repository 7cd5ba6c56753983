import { describe, expect, it } from 'vitest';
import {
  accessoryRatesFor,
  computeAccessories,
  DEFAULT_ACCESSORY_RATES,
  lateMonths,
} from '../../../domain/accessories';
import { Decimal, toAmountString } from '../../../domain/money';

const s = toAmountString;

describe('lateMonths', () => {
  it('is 0 when paid on or before the due date', () => {
    expect(lateMonths('2026-03-20', '2026-03-20')).toBe(0);
    expect(lateMonths('2026-03-20', '2026-03-01')).toBe(0);
  });

  it('counts any started month: 1 day → 1, exactly a month → 1, a month and a day → 2', () => {
    expect(lateMonths('2026-03-20', '2026-03-21')).toBe(1);
    expect(lateMonths('2026-03-20', '2026-04-20')).toBe(1);
    expect(lateMonths('2026-03-20', '2026-04-21')).toBe(2);
    expect(lateMonths('2026-12-05', '2027-01-06')).toBe(2);
  });

  it('clamps month ends: due 31 Jan → 28 Feb is one month, 1 Mar is the second', () => {
    expect(lateMonths('2026-01-31', '2026-02-28')).toBe(1);
    expect(lateMonths('2026-01-31', '2026-03-01')).toBe(2);
    expect(lateMonths('2026-01-31', '2026-03-31')).toBe(2);
  });

  it('caps at 60 months', () => {
    expect(lateMonths('2020-01-20', '2025-01-20')).toBe(60); // exactly 60 months
    expect(lateMonths('2020-01-20', '2025-01-21')).toBe(60); // would be 61
    expect(lateMonths('2020-01-20', '2025-02-20')).toBe(60); // 61 months late
    expect(lateMonths('2020-01-20', '2040-01-01')).toBe(60);
  });
});

describe('computeAccessories (default rates 0.36 % and 1.85 % monthly)', () => {
  const rates = DEFAULT_ACCESSORY_RATES;

  it('1 day late', () => {
    // months = 1
    // actualización = 1234.56 × 0.0036 × 1 = 4.444416 → 4.44
    // recargos = (1234.56 + 4.44) × 0.0185 × 1 = 1239.00 × 0.0185 = 22.9215 → 22.92
    const r = computeAccessories({ totalDue: new Decimal('1234.56'), dueDate: '2026-03-20', paymentDate: '2026-03-21', rates });
    expect(r.months).toBe(1);
    expect(s(r.actualizacion)).toBe('4.44');
    expect(s(r.recargos)).toBe('22.92');
    expect(s(r.total)).toBe('27.36');
    expect(s(r.grandTotal)).toBe('1261.92');
  });

  it('one month and one day late', () => {
    // months = 2
    // actualización = 1234.56 × 0.0036 × 2 = 8.888832 → 8.89
    // recargos = (1234.56 + 8.89) × 0.0185 × 2 = 1243.45 × 0.037 = 46.00765 → 46.01
    const r = computeAccessories({ totalDue: new Decimal('1234.56'), dueDate: '2026-03-20', paymentDate: '2026-04-21', rates });
    expect(r.months).toBe(2);
    expect(s(r.actualizacion)).toBe('8.89');
    expect(s(r.recargos)).toBe('46.01');
    expect(s(r.total)).toBe('54.90');
    expect(s(r.grandTotal)).toBe('1289.46');
  });

  it('61 months late is capped at 60', () => {
    // months = min(61, 60) = 60
    // actualización = 10000.00 × 0.0036 × 60 = 2160.00
    // recargos = (10000.00 + 2160.00) × 0.0185 × 60 = 12160.00 × 1.11 = 13497.60
    const r = computeAccessories({ totalDue: new Decimal('10000.00'), dueDate: '2020-01-20', paymentDate: '2025-02-20', rates });
    expect(r.months).toBe(60);
    expect(s(r.actualizacion)).toBe('2160.00');
    expect(s(r.recargos)).toBe('13497.60');
    expect(s(r.total)).toBe('15657.60');
    expect(s(r.grandTotal)).toBe('25657.60');
  });

  it('rounds an exact half cent up', () => {
    // actualización = 312.50 × 0.0036 = 1.125 → 1.13 (half-even would give 1.12)
    // recargos = 313.63 × 0.0185 = 5.802155 → 5.80
    const r = computeAccessories({ totalDue: new Decimal('312.50'), dueDate: '2026-03-20', paymentDate: '2026-04-01', rates });
    expect(s(r.actualizacion)).toBe('1.13');
    expect(s(r.recargos)).toBe('5.80');
  });

  it('is all zero when paid on time', () => {
    const r = computeAccessories({ totalDue: new Decimal('999.99'), dueDate: '2026-03-20', paymentDate: '2026-03-20', rates });
    expect(r.months).toBe(0);
    expect(r.total.isZero()).toBe(true);
    expect(s(r.grandTotal)).toBe('999.99');
  });
});

describe('accessoryRatesFor', () => {
  it('uses the row of the due date fiscal year, else the defaults', () => {
    const table = [{ fiscalYear: 2027, actualizacion: '0.0040', recargos: '0.0200' }];
    const r2027 = accessoryRatesFor('2027-01-07', table);
    expect(r2027.actualizacion.equals(new Decimal('0.004'))).toBe(true);
    expect(r2027.recargos.equals(new Decimal('0.02'))).toBe(true);
    expect(accessoryRatesFor('2026-12-31', table)).toBe(DEFAULT_ACCESSORY_RATES);
  });
});
