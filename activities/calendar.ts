import { and, eq, gte, lte } from 'drizzle-orm';
import { BusinessCalendar } from '../domain/calendar/business-calendar';
import type { Db } from '../db/client';
import { calendarDays } from '../db/schema';
import { EDOMEX_CALENDAR_ID } from '../db/seed';

/**
 * The State of Mexico business calendar for `years`, from the `calendar_days` data (generated
 * rules plus operators' overrides; kind `workday` cancels a generated day).
 */
export async function loadBusinessCalendar(db: Db, years: readonly number[], calendarId = EDOMEX_CALENDAR_ID): Promise<BusinessCalendar> {
  const from = `${Math.min(...years)}-01-01`;
  const to = `${Math.max(...years)}-12-31`;
  const rows = await db
    .select({ date: calendarDays.date, kind: calendarDays.kind })
    .from(calendarDays)
    .where(and(eq(calendarDays.calendarId, calendarId), gte(calendarDays.date, from), lte(calendarDays.date, to)));
  return new BusinessCalendar(
    rows.filter((r) => r.kind !== 'workday').map((r) => r.date),
    { coveredYears: years },
  );
}
