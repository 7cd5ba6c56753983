import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  db: Db;
  close(): Promise<void>;
}

/** One pool per process. `max` is 1 for the embedded PGlite server (single session). */
export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // numeric stays a string so money is never a binary float
    types: {},
    // No JIT: our statements are index probes and set operations over one file; compiling them
    // (20–50 ms each, every execution) cost more than it saved on every measured path.
    connection: { jit: 'off' },
  });
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
