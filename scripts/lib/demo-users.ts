import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { hashPassword } from '../../identity/passwords';
import { createUser } from '../../identity/users';

/**
 * Gives a demo user this checkout's demo password (var/dev-secrets.json) and unlocks it: an
 * earlier demo run, possibly from another checkout against the same database, may have set
 * another one.
 */
export async function resetDemoPassword(db: Db, username: string, password: string): Promise<void> {
  await db.update(users).set({ passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: null }).where(eq(users.username, username));
}

/** Creates a demo user, or resets an existing one's password (see `resetDemoPassword`). */
export async function ensureDemoUser(db: Db, input: Parameters<typeof createUser>[1]): Promise<{ id: string; created: boolean }> {
  const user = await createUser(db, input);
  if (!user.created) await resetDemoPassword(db, input.username, input.password);
  return user;
}
