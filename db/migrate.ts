import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { fileURLToPath } from 'node:url';
import type { Database } from './client';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
const MIGRATION_LOCK_KEY = 7_233_001;

/**
 * Applies the committed drizzle-kit migrations; safe at every start-up and from several
 * processes at once (an advisory lock serialises them). `singleSession` is the embedded
 * PGlite server, which has one connection and no other process to race with.
 */
export async function applyMigrations(database: Database, options: { singleSession?: boolean } = {}): Promise<void> {
  if (options.singleSession) {
    await migrate(database.db, { migrationsFolder });
    return;
  }
  const lock = await database.sql.reserve();
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(database.db, { migrationsFolder });
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    lock.release();
  }
}
