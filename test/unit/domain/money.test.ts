import { describe, expect, it } from 'vitest';
import { Decimal, parseAmount, roundHalfUp2, sumAmounts, toAmountString } from '../../../domain/money';

describe('parseAmount', () => {
  it('accepts plain amounts with up to 2 decimals, trimming spaces', () => {
    expect(parseAmount('1234.50')?.equals(new Decimal('1234.5'))).toBe(true);
    expect(parseAmount(' 0 ')?.isZero()).toBe(true);
    expect(parseAmount('7.1')?.equals(new Decimal('7.10'))).toBe(true);
    expect(parseAmount('10000')?.equals(10000)).toBe(true);
  });

  it.each(['', ' ', '1,234.50', '1 234.50', '-5.00', '+5', '1e3', '1E3', '12.345', '.50', '5.', 'abc', '0x10', 'NaN', 'Infinity', '١٢'])(
    'rejects %j',
    (text) => {
      expect(parseAmount(text)).toBeNull();
    },
  );
});

describe('roundHalfUp2 / toAmountString', () => {
  it('rounds half up at the third decimal, unlike binary floating point', () => {
    // 1.005 as a binary double is 1.00499999999999989…, so float rounding gives 1.00; exact decimal gives 1.01.
    expect(toAmountString(roundHalfUp2(new Decimal('1.005')))).toBe('1.01');
    expect(toAmountString(new Decimal('2.675'))).toBe('2.68');
    expect(toAmountString(new Decimal('2.674999'))).toBe('2.67');
  });

  it('pads to exactly 2 decimals without grouping or exponent notation', () => {
    expect(toAmountString(new Decimal('1234.5'))).toBe('1234.50');
    expect(toAmountString(new Decimal('0'))).toBe('0.00');
    expect(toAmountString(new Decimal('-0'))).toBe('0.00');
    expect(toAmountString(new Decimal('0.05'))).toBe('0.05');
    expect(toAmountString(new Decimal('1e21'))).toBe('1000000000000000000000.00');
    expect(toAmountString(new Decimal('0.0000001'))).toBe('0.00');
    expect(toAmountString(new Decimal('-3.1'))).toBe('-3.10');
    expect(toAmountString(new Decimal('987654321.999'))).toBe('987654322.00');
  });
});

describe('sumAmounts', () => {
  it('adds exactly: 0.10 + 0.20 = 0.30 (0.30000000000000004 in binary floating point)', () => {
    expect(toAmountString(sumAmounts([new Decimal('0.10'), new Decimal('0.20')]))).toBe('0.30');
    expect(sumAmounts([]).isZero()).toBe(true);
  });
});
