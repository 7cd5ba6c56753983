import { sql } from 'drizzle-orm';
import { edomexNonBusinessDays } from '../domain/calendar/edomex-calendar';
import { DEFAULT_ACCESSORY_RATES } from '../domain/accessories';
import { DEFAULT_RATE_TABLE } from '../domain/contributions';
import type { Db } from './client';
import { accessoryRates, calendarDays, contributionRates } from './schema';

export const EDOMEX_CALENDAR_ID = 'edomex';
export const SEEDED_CALENDAR_YEARS = { from: 2024, to: 2032 } as const;
export const SEEDED_ACCESSORY_YEARS = { from: 2016, to: 2032 } as const;

/**
 * Reference data the system needs to run: the default rate table of contracts §3, accessory
 * rates per fiscal year and the generated State of Mexico calendar. Idempotent: existing rows
 * (including operators' overrides and newer verified rates) are never touched.
 */
export async function seedReferenceData(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const [{ count }] = (await tx.select({ count: sql<number>`count(*)::int` }).from(contributionRates)) as [{ count: number }];
    if (count === 0) {
      await tx.insert(contributionRates).values(
        DEFAULT_RATE_TABLE.map((r) => ({
          concept: r.concept,
          party: r.party,
          rate: r.rate,
          effectiveFrom: r.effectiveFrom,
          effectiveTo: r.effectiveTo,
          legalSource: r.legalSource,
          verified: r.verified,
        })),
      );
    }

    const years = [];
    for (let y = SEEDED_ACCESSORY_YEARS.from; y <= SEEDED_ACCESSORY_YEARS.to; y++) years.push(y);
    await tx
      .insert(accessoryRates)
      .values(
        years.map((y) => ({
          fiscalYear: String(y),
          actualizacion: DEFAULT_ACCESSORY_RATES.actualizacion.toString(),
          recargos: DEFAULT_ACCESSORY_RATES.recargos.toString(),
          legalSource:
            y === 2016
              ? 'Ley de Ingresos del Estado de México 2016 (recargos por mora 1.85 %, actualización 0.36 % mensual)'
              : 'Supuesto: tasas de 2016 mientras no se cargue la Ley de Ingresos del ejercicio',
          verified: false,
        })),
      )
      .onConflictDoNothing();

    const days = [];
    for (let y = SEEDED_CALENDAR_YEARS.from; y <= SEEDED_CALENDAR_YEARS.to; y++) {
      for (const d of edomexNonBusinessDays(y)) {
        days.push({ calendarId: EDOMEX_CALENDAR_ID, date: d.date, kind: d.kind, name: d.name, source: d.source, isOverride: false });
      }
    }
    await tx.insert(calendarDays).values(days).onConflictDoNothing();
  });
}
