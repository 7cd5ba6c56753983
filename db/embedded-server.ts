/**
 * Embedded PostgreSQL (PGlite) served over the wire protocol, for a newcomer's machine with no
 * PostgreSQL. PGlite is a single session: each process uses a pool of one connection, and the
 * socket server's queue runs one query at a time, keeping an open transaction with the connection
 * that began it.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';
import { EMBEDDED_PORT } from './resolve';

const dataDir = process.env.PGLITE_DATA_DIR ?? 'var/pglite';
const port = Number(process.env.PGLITE_PORT ?? EMBEDDED_PORT);
mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create(dataDir);
// More than one connection: the stack's API, worker and demo each hold one, and a readiness probe
// that has not yet been torn down must not make the next real connection be reset (the default of 1
// did exactly that under load).
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 });
await server.start();
console.log(`embedded PostgreSQL (PGlite) listening on 127.0.0.1:${port}, data in ${dataDir}`);
const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
