import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, loginAttempts, users } from '../db/schema';
import { hashApiKey } from './api-keys';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords';
import type { Principal, Role } from './principal';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export async function createUser(
  db: Db,
  input: { username: string; password: string; role: Role; institutionClave?: string | null; personId?: string | null; displayName?: string },
): Promise<{ id: string; created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const inserted = await db
    .insert(users)
    .values({
      username: input.username,
      passwordHash,
      role: input.role,
      institutionClave: input.institutionClave ?? null,
      personId: input.personId ?? null,
      displayName: input.displayName,
    })
    .onConflictDoNothing({ target: users.username })
    .returning({ id: users.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.username, input.username));
  return { id: existing[0]!.id, created: false };
}

export type LoginOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'invalid_credentials' | 'locked' | 'disabled' };

/** Verifies a password; counts failures and locks the account after MAX_FAILED_LOGINS. */
export async function authenticate(db: Db, username: string, password: string, ip: string | null): Promise<LoginOutcome> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  const record = async (success: boolean, reason: string | null) => {
    await db.insert(loginAttempts).values({ username, ip, success, reason });
  };
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password);
    await record(false, 'unknown_user');
    return { ok: false, reason: 'invalid_credentials' };
  }
  if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    await record(false, 'locked');
    return { ok: false, reason: 'locked' };
  }
  if (user.disabled) {
    await record(false, 'disabled');
    return { ok: false, reason: 'disabled' };
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    const failed = user.failedLogins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await db
      .update(users)
      .set({
        failedLogins: lock ? 0 : failed,
        lockedUntil: lock ? sql`now() + make_interval(mins => ${LOCKOUT_MINUTES})` : user.lockedUntil,
      })
      .where(eq(users.id, user.id));
    await record(false, lock ? 'bad_password_lockout' : 'bad_password');
    return { ok: false, reason: lock ? 'locked' : 'invalid_credentials' };
  }
  await db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
  await record(true, null);
  return {
    ok: true,
    principal: {
      kind: 'user',
      id: user.id,
      role: user.role,
      username: user.username,
      institutionClave: user.institutionClave,
      personId: user.personId,
    },
  };
}

export async function principalForApiKey(db: Db, key: string): Promise<Principal | null> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, row.id));
  return {
    kind: 'apiKey',
    id: row.id,
    role: 'institution',
    username: `api-key:${row.prefix}`,
    institutionClave: row.institutionClave,
    personId: null,
  };
}
