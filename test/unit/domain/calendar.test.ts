import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../domain/calendar/business-calendar';
import {
  easterSunday,
  edomexCalendarForYears,
  edomexNonBusinessDays,
} from '../../../domain/calendar/edomex-calendar';
import { addDays, isoWeekday } from '../../../domain/dates';
import { dueDateForPeriod, lineaValidUntil, nominalDueDate } from '../../../domain/due-dates';

describe('BusinessCalendar', () => {
  // Week of 2026-03-16 (Mon) … 2026-03-22 (Sun); 2026-03-18 (Wed) declared non-business.
  const cal = new BusinessCalendar(['2026-03-18']);

  it('weekends and listed days are not business days', () => {
    expect(cal.isBusinessDay('2026-03-16')).toBe(true);
    expect(cal.isBusinessDay('2026-03-18')).toBe(false);
    expect(cal.isBusinessDay('2026-03-21')).toBe(false);
    expect(cal.isBusinessDay('2026-03-22')).toBe(false);
  });

  it('nextBusinessDay returns the date itself when it is a business day', () => {
    expect(cal.nextBusinessDay('2026-03-17')).toBe('2026-03-17');
    expect(cal.nextBusinessDay('2026-03-18')).toBe('2026-03-19');
    expect(cal.nextBusinessDay('2026-03-21')).toBe('2026-03-23');
  });

  it('addBusinessDays counts from the business day after the date', () => {
    // From Mon 16: Tue 17 (1), Wed 18 skipped, Thu 19 (2), Fri 20 (3), Mon 23 (4).
    expect(cal.addBusinessDays('2026-03-16', 1)).toBe('2026-03-17');
    expect(cal.addBusinessDays('2026-03-16', 3)).toBe('2026-03-20');
    expect(cal.addBusinessDays('2026-03-16', 4)).toBe('2026-03-23');
    // Submitted on Saturday: Mon 23 is day 1.
    expect(cal.addBusinessDays('2026-03-21', 1)).toBe('2026-03-23');
    expect(cal.addBusinessDays('2026-03-21', 0)).toBe('2026-03-23');
    expect(() => cal.addBusinessDays('2026-03-16', -1)).toThrow(RangeError);
  });

  it('businessDaysBetween counts business days in (from, to]', () => {
    expect(cal.businessDaysBetween('2026-03-16', '2026-03-23')).toBe(4);
    expect(cal.businessDaysBetween('2026-03-16', '2026-03-16')).toBe(0);
    expect(cal.businessDaysBetween('2026-03-23', '2026-03-16')).toBe(-4);
  });

  it('rejects invalid dates', () => {
    expect(() => new BusinessCalendar(['2026-02-30'])).toThrow(RangeError);
    expect(() => cal.isBusinessDay('2026-02-30')).toThrow(RangeError);
  });

  it('property: addBusinessDays lands on a business day, n business days away', () => {
    const edomex = edomexCalendarForYears([2025, 2026, 2027, 2028]);
    const start = fc.integer({ min: 0, max: 364 * 2 }).map((i) => addDays('2025-01-01', i));
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 120 }), (date, n) => {
        const result = edomex.addBusinessDays(date, n);
        if (!edomex.isBusinessDay(result) || (n > 0 && result <= date)) return false;
        return n === 0 || edomex.businessDaysBetween(date, result) === n;
      }),
    );
  });

  it('property: with any set of listed holidays, results are business days and counts round-trip', () => {
    const dayIndex = fc.integer({ min: 0, max: 400 });
    fc.assert(
      fc.property(fc.uniqueArray(dayIndex, { maxLength: 150 }), dayIndex, fc.integer({ min: 0, max: 60 }), (holidayIdx, startIdx, n) => {
        const calendar = new BusinessCalendar(holidayIdx.map((i) => addDays('2026-01-01', i)));
        const start = addDays('2026-01-01', startIdx);
        const result = calendar.addBusinessDays(start, n);
        if (!calendar.isBusinessDay(result)) return false;
        // Independent count: walk day by day over (start, result].
        let count = 0;
        for (let d = addDays(start, 1); d <= result; d = addDays(d, 1)) {
          const weekday = isoWeekday(d);
          if (weekday <= 5 && !holidayIdx.some((i) => addDays('2026-01-01', i) === d)) count++;
        }
        // n = 0 → nextBusinessDay(start): start itself (0 counted) or the first business day after it (1).
        return count === (n === 0 ? (calendar.isBusinessDay(start) ? 0 : 1) : n);
      }),
    );
  });

  it('throws when a query leaves the covered years', () => {
    const only2026 = edomexCalendarForYears([2026]);
    expect(() => only2026.isBusinessDay('2027-01-04')).toThrow(/2027/);
    expect(() => only2026.addBusinessDays('2026-12-18', 3)).toThrow(RangeError);
  });
});

describe('Easter computus', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i → %s (dateutil.easter as oracle)', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });
});

describe('State of Mexico calendar', () => {
  const days2026 = edomexNonBusinessDays(2026);
  const holidays = days2026.filter((d) => d.kind === 'holiday').map((d) => d.date);
  const vacations = days2026.filter((d) => d.kind === 'vacation').map((d) => d.date);

  it('2026 holidays: LFT art. 74 with Monday rules plus state days', () => {
    expect(holidays).toEqual([
      '2026-01-01', // Año Nuevo
      '2026-02-02', // first Monday of February
      '2026-03-02', // Erección del Estado de México
      '2026-03-16', // third Monday of March
      '2026-04-02', // Holy Thursday (Easter 5 April)
      '2026-04-03', // Good Friday
      '2026-05-01',
      '2026-05-05',
      '2026-09-16',
      '2026-11-02',
      '2026-11-16', // third Monday of November
      '2026-12-25',
    ]);
  });

  it('2026 default vacations: 1–6 Jan, last two Mon–Fri weeks of July, 20–31 Dec (weekdays only)', () => {
    expect(vacations).toEqual([
      '2026-01-02',
      '2026-01-05',
      '2026-01-06',
      '2026-07-20',
      '2026-07-21',
      '2026-07-22',
      '2026-07-23',
      '2026-07-24',
      '2026-07-27',
      '2026-07-28',
      '2026-07-29',
      '2026-07-30',
      '2026-07-31',
      '2026-12-21',
      '2026-12-22',
      '2026-12-23',
      '2026-12-24',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
    ]);
    for (const d of vacations) expect(isoWeekday(d)).toBeLessThanOrEqual(5);
  });

  it('last two July weeks when 31 July is a Wednesday (2024): 15–19 and 22–26', () => {
    const july = edomexNonBusinessDays(2024)
      .filter((d) => d.kind === 'vacation' && d.date.startsWith('2024-07'))
      .map((d) => d.date);
    expect(july).toEqual([
      '2024-07-15', '2024-07-16', '2024-07-17', '2024-07-18', '2024-07-19',
      '2024-07-22', '2024-07-23', '2024-07-24', '2024-07-25', '2024-07-26',
    ]);
  });

  it('1 October only in transmission years (2024, 2030); 1 December up to 2018', () => {
    const has = (year: number, date: string) => edomexNonBusinessDays(year).some((d) => d.date === date && d.kind === 'holiday');
    expect(has(2024, '2024-10-01')).toBe(true);
    expect(has(2030, '2030-10-01')).toBe(true);
    expect(has(2026, '2026-10-01')).toBe(false);
    expect(has(2036, '2036-10-01')).toBe(true);
    expect(has(2018, '2018-12-01')).toBe(true);
    expect(has(2024, '2024-12-01')).toBe(false);
  });

  it('entries carry a Spanish name and a source; vacation sources say they are an assumption', () => {
    const goodFriday = days2026.find((d) => d.date === '2026-04-03');
    expect(goodFriday).toMatchObject({ kind: 'holiday', name: 'Viernes Santo' });
    const july = days2026.find((d) => d.date === '2026-07-20');
    expect(july?.source).toMatch(/Supuesto/);
  });

  it('vacation rules are data and can be replaced', () => {
    const custom = edomexNonBusinessDays(2025, {
      vacations: [{ type: 'range', from: '07-21', to: '07-29', name: 'Vacaciones de verano 2025', source: 'Gaceta 2025' }],
    });
    const v = custom.filter((d) => d.kind === 'vacation').map((d) => d.date);
    expect(v).toEqual(['2025-07-21', '2025-07-22', '2025-07-23', '2025-07-24', '2025-07-25', '2025-07-28', '2025-07-29']);
  });

  it('overrides add and remove dates', () => {
    // The Gaceta moved 2 Nov 2025 (Sunday) to Monday 3 Nov.
    const cal = edomexCalendarForYears([2025], { add: ['2025-11-03'], remove: ['2025-05-05'] });
    expect(cal.isBusinessDay('2025-11-03')).toBe(false);
    expect(cal.isBusinessDay('2025-05-05')).toBe(true);
    expect(cal.isBusinessDay('2025-11-04')).toBe(true);
  });
});

describe('due dates (contracts §4)', () => {
  const cal = edomexCalendarForYears([2026, 2027]);

  it.each([
    ['202601', '2026-01-20', '2026-01-20'], // Tuesday, business day
    ['202602', '2026-02-05', '2026-02-05'], // Thursday (the holiday was Monday 2 Feb)
    ['202605', '2026-03-20', '2026-03-20'], // Friday
    ['202606', '2026-04-05', '2026-04-06'], // Easter Sunday → Monday
    ['202608', '2026-05-05', '2026-05-06'], // 5 May holiday (Tuesday) → Wednesday
    ['202613', '2026-07-20', '2026-08-03'], // inside the July vacation (20–31) → Monday 3 Aug
    ['202621', '2026-11-20', '2026-11-20'], // Friday; the Revolution holiday was Monday 16
    ['202622', '2026-12-05', '2026-12-07'], // Saturday → Monday
    ['202623', '2026-12-20', '2027-01-07'], // winter vacation + 1–6 Jan → Thursday 7 Jan 2027
    ['202624', '2027-01-05', '2027-01-07'], // even Q24 → 5 Jan of the next year, vacation → 7 Jan
  ])('%s → nominal %s, due %s', (period, nominal, due) => {
    expect(nominalDueDate(period)).toBe(nominal);
    expect(dueDateForPeriod(period, cal)).toBe(due);
  });

  it('rejects invalid periods', () => {
    expect(() => nominalDueDate('202625')).toThrow(RangeError);
  });

  it('late línea is valid until the end of the issue month', () => {
    expect(lineaValidUntil('2026-03-20', '2026-03-10')).toBe('2026-03-20');
    expect(lineaValidUntil('2026-03-20', '2026-03-20')).toBe('2026-03-20');
    expect(lineaValidUntil('2026-03-20', '2026-04-02')).toBe('2026-04-30');
  });
});
