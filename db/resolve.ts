import postgres from 'postgres';

export const DEFAULT_LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/edomex_backoffice';
export const EMBEDDED_PORT = 5433;

export type DatabaseKind = 'configured' | 'local' | 'embedded';

/** Creates the database named in `url` if the server lacks it (needs a role allowed to). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${dbName}`;
    if (rows.length === 0) {
      await sql.unsafe(`create database "${dbName.replace(/"/g, '""')}"`);
    }
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export async function isServerReachable(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * Which PostgreSQL the system uses: DATABASE_URL when given; otherwise the local server on
 * 127.0.0.1:5432; otherwise the embedded PGlite server (started by the caller).
 */
export async function chooseDatabase(configuredUrl: string | undefined): Promise<{ url: string; kind: DatabaseKind }> {
  if (configuredUrl) {
    await ensureDatabaseExists(configuredUrl);
    return { url: configuredUrl, kind: 'configured' };
  }
  if (await isServerReachable(DEFAULT_LOCAL_DATABASE_URL)) {
    await ensureDatabaseExists(DEFAULT_LOCAL_DATABASE_URL);
    return { url: DEFAULT_LOCAL_DATABASE_URL, kind: 'local' };
  }
  return { url: `postgres://postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`, kind: 'embedded' };
}
