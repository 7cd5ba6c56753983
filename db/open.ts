import { createDatabase, type Database } from './client';
import { applyMigrations } from './migrate';
import { chooseDatabase, type DatabaseKind } from './resolve';
import { seedReferenceData } from './seed';

export interface OpenedDatabase {
  database: Database;
  kind: DatabaseKind;
  url: string;
}

/**
 * Connects to the database chosen by `chooseDatabase` (DATABASE_KIND=embedded is set by the
 * stack launcher when it started PGlite), optionally applying migrations and reference data.
 */
export async function openDatabase(options: { url?: string; poolMax?: number; migrate?: boolean }): Promise<OpenedDatabase> {
  const embedded = process.env.DATABASE_KIND === 'embedded';
  const chosen = options.url ? { url: options.url, kind: (embedded ? 'embedded' : 'configured') as DatabaseKind } : await chooseDatabase(undefined);
  const singleSession = chosen.kind === 'embedded';
  const database = createDatabase(chosen.url, { max: singleSession ? 1 : options.poolMax });
  if (options.migrate) {
    await applyMigrations(database, { singleSession });
    await seedReferenceData(database.db);
  }
  return { database, kind: chosen.kind, url: chosen.url };
}
