import { describe, expect, it } from 'vitest';
import { edomexCalendarForYears, edomexNonBusinessDays } from '../../../domain/calendar/edomex-calendar';
import { BusinessCalendar } from '../../../domain/calendar/business-calendar';
import { endOfMexicoDay, isWeekend, mexicoDateOf } from '../../../domain/dates';
import { DAY_MS, REAL_CLOCK, realDelayMs, virtualNow } from '../../../domain/shm/clock';
import { arcoDueOn, businessDaysConsumed, slaDeadlines, validateTargets } from '../../../domain/shm/sla';

// The same days the seed writes into calendar_days for 'edomex' (generated rules, no overrides).
const calendar = new BusinessCalendar(
  [2025, 2026, 2027].flatMap((y) => edomexNonBusinessDays(y).map((d) => d.date)),
  { coveredYears: [2025, 2026, 2027] },
);

describe('SHM review SLA (contracts §7) in the State of Mexico calendar', () => {
  it('submitted on the Friday before the Monday holiday of 16 March 2026: escalation after Thu 19, breach after Mon 23', () => {
    // 14–15 March is a weekend and 16 March 2026 is the third Monday of March (Natalicio de Benito Juárez).
    expect(calendar.isBusinessDay('2026-03-16')).toBe(false);
    const d = slaDeadlines(calendar, '2026-03-13');
    // Business days after Friday 13: Tue 17 (1), Wed 18 (2), Thu 19 (3), Fri 20 (4), Mon 23 (5).
    expect(d).toMatchObject({ escalateOn: '2026-03-19', breachOn: '2026-03-23' });
    // A term includes its last day, which ends at midnight Mexico City time (UTC−6).
    expect(new Date(d.dueAt).toISOString()).toBe('2026-03-20T05:59:59.999Z');
    expect(new Date(d.breachAt).toISOString()).toBe('2026-03-24T05:59:59.999Z');
  });

  it('without the holiday the same Friday would escalate after Wednesday 18 (the holiday really counts)', () => {
    const noHoliday = new BusinessCalendar(calendar.listedNonBusinessDays().filter((x) => x !== '2026-03-16'), { coveredYears: [2025, 2026, 2027] });
    expect(slaDeadlines(noHoliday, '2026-03-13')).toMatchObject({ escalateOn: '2026-03-18', breachOn: '2026-03-20' });
  });

  it('a correction pauses the clock: days waiting for the applicant do not count', () => {
    // Correction asked on Tue 17 (1 business day consumed: the 16th is a holiday), answered on Fri 20.
    expect(businessDaysConsumed(calendar, '2026-03-13', '2026-03-17')).toBe(1);
    const resumed = slaDeadlines(calendar, '2026-03-20', undefined, 1);
    // Remaining 2 and 4 business days from Monday 23 (21–22 is a weekend).
    expect(resumed).toMatchObject({ escalateOn: '2026-03-24', breachOn: '2026-03-26' });
    // Without the pause it would have escalated on the 19th.
    expect(slaDeadlines(calendar, '2026-03-13').escalateOn).toBe('2026-03-19');
  });

  it('a used-up target falls due at the end of the next business day', () => {
    // Saturday 21 with 3 days consumed: escalation at the end of Monday 23, breach 2 days later.
    expect(slaDeadlines(calendar, '2026-03-21', undefined, 3)).toMatchObject({ escalateOn: '2026-03-23', breachOn: '2026-03-24' });
  });

  it('crosses the year end and the winter vacation period (20 Dec – 6 Jan)', () => {
    // Friday 18 December: nothing counts until Thursday 7 January → 7 (1), 8 (2), 11 (3), 12 (4), 13 (5).
    const d = slaDeadlines(calendar, '2026-12-18');
    expect(d.escalateOn).toBe('2027-01-11');
    expect(d.breachOn).toBe('2027-01-13');
  });

  it('deadlines never land on a weekend or holiday (property over a year of submissions)', () => {
    for (let day = 0; day < 365; day++) {
      const from = new Date(Date.UTC(2026, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);
      const d = slaDeadlines(calendar, from);
      expect(calendar.isBusinessDay(d.escalateOn) && !isWeekend(d.breachOn)).toBe(true);
      expect(calendar.businessDaysBetween(from, d.escalateOn)).toBe(3);
      expect(calendar.businessDaysBetween(from, d.breachOn)).toBe(5);
    }
  });

  it('ARCO answers are due 20 business days after receipt', () => {
    // 17–20 Mar (4), 23–27 (9), 30–31 (11), 1 Apr (12), Holy Thursday/Friday 2–3 Apr skipped, 6–10 (17), 13, 14, 15 (20).
    expect(arcoDueOn(calendar, '2026-03-13')).toBe('2026-04-15');
    expect(calendar.businessDaysBetween('2026-03-13', '2026-04-15')).toBe(20);
  });

  it('Mexico City dates: 23:30 local on the 13th is still the 13th', () => {
    expect(mexicoDateOf(Date.parse('2026-03-14T05:30:00Z'))).toBe('2026-03-13');
    expect(mexicoDateOf(Date.parse('2026-03-14T06:00:00Z'))).toBe('2026-03-14');
    expect(endOfMexicoDay('2026-03-13')).toBe(Date.parse('2026-03-14T06:00:00Z') - 1);
  });

  it('rejects targets that make no sense', () => {
    expect(() => validateTargets({ escalateAfterBusinessDays: 5, breachAfterBusinessDays: 3 })).toThrow(RangeError);
    expect(() => validateTargets({ escalateAfterBusinessDays: 0, breachAfterBusinessDays: 3 })).toThrow(RangeError);
  });

  it('agrees with the generated State of Mexico calendar used elsewhere', () => {
    const generated = edomexCalendarForYears([2026, 2027]);
    expect(slaDeadlines(generated, '2026-03-13')).toEqual(slaDeadlines(calendar, '2026-03-13'));
  });
});

describe('scaled SLA clock', () => {
  const origin = Date.parse('2026-03-13T18:00:00Z'); // Friday 13 March, 12:00 in Mexico City
  const clock = { dayMs: 1000, originMs: origin, anchorRealMs: 5_000 };

  it('runs one calendar day per dayMs of real time from the origin', () => {
    expect(virtualNow(clock, 5_000)).toBe(origin);
    expect(virtualNow(clock, 6_500)).toBe(origin + 1.5 * DAY_MS);
    expect(realDelayMs(clock, 2 * DAY_MS)).toBe(2000);
  });

  it('is the real clock when not scaled', () => {
    expect(virtualNow(REAL_CLOCK, 123)).toBe(123);
    expect(realDelayMs(REAL_CLOCK, 5000)).toBe(5000);
    expect(realDelayMs(REAL_CLOCK, -5)).toBe(1);
  });

  it('the escalation of the holiday example comes 6.5 virtual days after a Friday-noon submission', () => {
    const d = slaDeadlines(calendar, mexicoDateOf(origin));
    expect(realDelayMs(clock, d.dueAt + 1 - origin)).toBe(6500);
  });
});
