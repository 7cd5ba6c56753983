import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../db/client';
import { openDatabase } from '../../db/open';
import { authenticate, createUser } from '../../identity/users';
import { freePort, startTsProcess, waitForPort, type ManagedProcess } from '../../scripts/lib/processes';

let server: ManagedProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('embedded PostgreSQL fallback (a machine with no PostgreSQL)', () => {
  it('serves PGlite over the wire protocol with the migrations, reference data, a login and several connections working', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglite-'));
    const port = await freePort();
    server = startTsProcess('pglite-test', 'db/embedded-server.ts', { logDir: dir, env: { PGLITE_DATA_DIR: path.join(dir, 'data'), PGLITE_PORT: String(port) } });
    await waitForPort(port, '127.0.0.1', 60_000);

    process.env.DATABASE_KIND = 'embedded';
    const { database, kind } = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, migrate: true });
    delete process.env.DATABASE_KIND;
    try {
      expect(kind).toBe('embedded');
      const [{ holidays }] = (await database.sql`select count(*)::int as holidays from calendar_days where calendar_id = 'edomex' and date = '2026-09-16'`) as unknown as [{ holidays: number }];
      expect(holidays).toBe(1);
      await createUser(database.db, { username: 'embedded-admin', password: 'una-contraseña-larga', role: 'admin' });
      const outcome = await authenticate(database.db, 'embedded-admin', 'una-contraseña-larga', '127.0.0.1');
      expect(outcome.ok).toBe(true);

      // The stack's API and worker each hold their own connection at the same time.
      const worker = createDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1 });
      try {
        const [{ users }] = (await worker.sql`select count(*)::int as users from users where username = 'embedded-admin'`) as unknown as [{ users: number }];
        expect(users).toBe(1);
        await database.sql`select 1`;
      } finally {
        await worker.close();
      }
    } finally {
      await database.close();
    }
  });
});
