import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  fromDayNumber,
  isoWeekday,
  isValidIsoDate,
  lastDayOfMonth,
  nthWeekdayOfMonth,
  toDayNumber,
} from '../../../domain/dates';
import {
  dateInPeriod,
  isValidPeriod,
  nextPeriod,
  parsePeriod,
  periodLabel,
  periodOfDate,
  previousPeriod,
} from '../../../domain/periods';

const MS_PER_DAY = 86_400_000;

describe('dates', () => {
  it('validates real calendar dates only', () => {
    expect(isValidIsoDate('2028-02-29')).toBe(true);
    expect(isValidIsoDate('2026-02-29')).toBe(false);
    expect(isValidIsoDate('1900-02-29')).toBe(false);
    expect(isValidIsoDate('2000-02-29')).toBe(true);
    expect(isValidIsoDate('2026-13-01')).toBe(false);
    expect(isValidIsoDate('2026-1-01')).toBe(false);
    expect(isValidIsoDate('2026-01-01T00:00:00Z')).toBe(false);
  });

  it('property: day numbers and weekdays agree with Date.UTC (independent oracle)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_000, max: 60_000 }), (n) => {
        const iso = new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
        const utcWeekday = new Date(n * MS_PER_DAY).getUTCDay(); // 0 = Sunday
        return fromDayNumber(n) === iso && toDayNumber(iso) === n && isoWeekday(iso) === (utcWeekday === 0 ? 7 : utcWeekday);
      }),
    );
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds months clamping to month end', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addMonths('2026-03-20', -3)).toBe('2025-12-20');
    expect(lastDayOfMonth('2026-02-10')).toBe('2026-02-28');
  });

  it('finds the n-th weekday of a month', () => {
    expect(nthWeekdayOfMonth(2026, 2, 1, 1)).toBe('2026-02-02'); // 1 Feb 2026 is a Sunday
    expect(nthWeekdayOfMonth(2026, 3, 1, 3)).toBe('2026-03-16'); // Mondays 2, 9, 16
    expect(nthWeekdayOfMonth(2024, 11, 1, 3)).toBe('2024-11-18'); // Gaceta 2024 lists 18 Nov
  });
});

describe('periods', () => {
  it('parses quincenas per domain-reference §7.3', () => {
    expect(parsePeriod('202601')).toEqual({
      period: '202601',
      year: 2026,
      quincena: 1,
      month: 1,
      start: '2026-01-01',
      end: '2026-01-15',
      days: 15,
    });
    expect(parsePeriod('202604')).toMatchObject({ start: '2026-02-16', end: '2026-02-28', days: 13 });
    expect(parsePeriod('202804')).toMatchObject({ start: '2028-02-16', end: '2028-02-29', days: 14 });
    expect(parsePeriod('202624')).toMatchObject({ month: 12, start: '2026-12-16', end: '2026-12-31', days: 16 });
    expect(parsePeriod('202614')).toMatchObject({ start: '2026-07-16', end: '2026-07-31', days: 16 });
    expect(parsePeriod('202608')).toMatchObject({ start: '2026-04-16', end: '2026-04-30', days: 15 });
  });

  it.each(['202600', '202625', '20261', '2026011', '2026-01', 'abcdef', '', '189901'])('rejects %j', (p) => {
    expect(parsePeriod(p)).toBeNull();
    expect(isValidPeriod(p)).toBe(false);
  });

  it('steps across year ends', () => {
    expect(previousPeriod('202601')).toBe('202524');
    expect(nextPeriod('202524')).toBe('202601');
    expect(nextPeriod('202609')).toBe('202610');
    expect(previousPeriod('202610')).toBe('202609');
    expect(() => nextPeriod('202625')).toThrow(RangeError);
  });

  it('maps dates to periods', () => {
    expect(periodOfDate('2026-01-15')).toBe('202601');
    expect(periodOfDate('2026-01-16')).toBe('202602');
    expect(periodOfDate('2026-02-28')).toBe('202604');
    expect(periodOfDate('2026-12-31')).toBe('202624');
    expect(dateInPeriod('2026-02-16', '202604')).toBe(true);
    expect(dateInPeriod('2026-02-15', '202604')).toBe(false);
    expect(dateInPeriod('2026-03-01', '202604')).toBe(false);
    expect(dateInPeriod('2026-02-30', '202604')).toBe(false);
    expect(dateInPeriod('2026-02-20', '202625')).toBe(false);
  });

  it('labels periods like payslips do', () => {
    expect(periodLabel('202604')).toBe('Quincena 04 del 2026');
    expect(periodLabel('202624')).toBe('Quincena 24 del 2026');
  });

  it('property: every day of a period maps back to it, and next/previous are inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1950, max: 2100 }), fc.integer({ min: 1, max: 24 }), (year, q) => {
        const p = `${year}${String(q).padStart(2, '0')}`;
        const info = parsePeriod(p);
        if (!info) return false;
        for (let i = 0; i < info.days; i++) if (periodOfDate(addDays(info.start, i)) !== p) return false;
        return (
          periodOfDate(addDays(info.start, -1)) === previousPeriod(p) &&
          periodOfDate(addDays(info.end, 1)) === nextPeriod(p) &&
          previousPeriod(nextPeriod(p)) === p
        );
      }),
    );
  });
});
