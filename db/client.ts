import net from 'node:net';
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

/**
 * The connection's socket, with Nagle's algorithm off. postgres.js leaves it on, and then every
 * message the client sends right after another one without waiting for an answer (a COPY's data
 * then its CopyDone, the COMMIT after a COPY) sits in the kernel until the server's delayed ACK,
 * ~40 ms on Linux: measured, a transaction with two small COPYs took 176 ms instead of 1.1 ms.
 * postgres.js writes its startup message at once; the socket queues it until it is connected,
 * and the connect timeout and TLS upgrade stay postgres.js's. One host (the first) per pool.
 */
function noDelaySocket(options: { host: string[]; port: number[]; path?: string | false }): net.Socket {
  if (options.path) return net.connect({ path: options.path });
  return net.connect({ host: options.host[0], port: options.port[0]!, noDelay: true });
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
    socket: noDelaySocket, // documented (README, "Custom socket") but missing from postgres.js's types
  } as postgres.Options<Record<string, never>>);
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
