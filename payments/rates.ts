import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accessoryRates } from '../db/schema';
import { accessoryRatesFor, type AccessoryRates } from '../domain/accessories';
import { yearOf, type IsoDate } from '../domain/dates';

/** Monthly accessory rates of the fiscal year of `dueDate` (data), defaults when not loaded. */
export async function accessoryRatesForDueDate(db: Db, dueDate: IsoDate): Promise<AccessoryRates> {
  const rows = await db.select().from(accessoryRates).where(eq(accessoryRates.fiscalYear, String(yearOf(dueDate))));
  return accessoryRatesFor(
    dueDate,
    rows.map((r) => ({ fiscalYear: Number(r.fiscalYear), actualizacion: r.actualizacion, recargos: r.recargos })),
  );
}
