/**
 * Issue 8, access: forged and stale credentials, API-key revocation, login throttling and
 * lockout (with its trace in login_attempts and in the API's log).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAttempts, users } from '../../db/schema';
import { createUser, LOCKOUT_MINUTES, MAX_FAILED_LOGINS } from '../../identity/users';
import { loginAs, makeInstitutionClave } from '../support/identities';
import { startLoggedApp, type CapturedLogs } from '../support/logs';
import { createActiveInstitution } from '../support/payroll';
import { startTestWorld, TEST_JWT_SECRET, type TestWorld } from '../support/world';

let world: TestWorld;
let app: Awaited<ReturnType<typeof startLoggedApp>>['app'];
let logs: CapturedLogs;
beforeAll(async () => {
  world = await startTestWorld();
  ({ app, logs } = await startLoggedApp(world, 'info'));
});
afterAll(async () => {
  await app?.close();
  await world?.stop();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const me = (authorization: string) => app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization } });

async function sign(claims: Record<string, unknown>, options: { secret?: string; alg?: string; iss?: string; aud?: string; exp?: number | string; nbf?: number } = {}) {
  let jwt = new SignJWT({ role: 'admin', usr: 'forjado', inst: null, per: null, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setSubject('00000000-0000-0000-0000-000000000001')
    .setIssuer(options.iss ?? 'edomex-backoffice')
    .setAudience(options.aud ?? 'edomex-backoffice-api')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '10m');
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

describe('tokens', () => {
  it('accepts a token the API would issue (control for the refusals below)', async () => {
    const res = await me(`Bearer ${await sign({})}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().role).toBe('admin');
  });

  it('refuses tampered, expired, not-yet-valid, unsigned, alg:none, re-signed and mis-addressed tokens with 401', async () => {
    const operator = await loginAs(world, 'operator');
    const [header, payload, signature] = operator.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const promoted = b64({ ...claims, role: 'admin' });
    const now = Math.floor(Date.now() / 1000);
    const forgeries: Record<string, string> = {
      'payload changed (role admin), old signature': `${header}.${promoted}.${signature}`,
      'signature of another token': `${header}.${payload}.${(await sign({})).split('.')[2]}`,
      'expired an hour ago, same secret': await sign({ role: 'operator' }, { exp: now - 3600 }),
      'not valid before next hour': await sign({ role: 'operator' }, { nbf: now + 3600 }),
      'unsigned (empty signature)': `${header}.${promoted}.`,
      'unsigned (two parts)': `${header}.${promoted}`,
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${promoted}.`,
      'alg None (case variant)': `${b64({ alg: 'None', typ: 'JWT' })}.${promoted}.`,
      'HS512 with the same secret': await sign({}, { alg: 'HS512' }),
      'HS256 with another secret': await sign({}, { secret: 'otro-secreto-que-no-es-el-del-servidor-000000' }),
      'another issuer': await sign({}, { iss: 'otro-sistema' }),
      'another audience': await sign({}, { aud: 'otra-api' }),
      'a role that does not exist': await sign({ role: 'root' }),
      garbage: 'no.es.un-jwt',
    };
    for (const [what, token] of Object.entries(forgeries)) {
      const res = await me(`Bearer ${token}`);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(401);
      expect(res.json().error.message, what).toMatch(/inválido o expiró/);
    }
    // Other schemes are not credentials at all.
    expect((await me(`Basic ${Buffer.from(`${operator.username}:x`).toString('base64')}`)).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `bearer ${operator.token}` } })).statusCode).toBe(401);
  });

  it('keeps the token short-lived (15 minutes by default)', async () => {
    const operator = await loginAs(world, 'operator');
    const claims = JSON.parse(Buffer.from(operator.token.split('.')[1]!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(900);
    expect(world.config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
  });
});

describe('API keys', () => {
  it('a revoked key is refused at once; the key is tenant-bound and shown only when issued', async () => {
    const admin = await loginAs(world, 'admin');
    const [clave, other] = [makeInstitutionClave(), makeInstitutionClave()];
    await createActiveInstitution(world, clave);
    await createActiveInstitution(world, other);
    const issued = await app.inject({ method: 'POST', url: `/v1/institutions/${clave}/api-keys`, headers: admin.headers, payload: { name: 'nómina' } });
    expect(issued.statusCode).toBe(201);
    const { key, id } = issued.json();
    const headers = { 'x-api-key': key as string };
    expect((await app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/institutions/${other}`, headers })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/institutions', headers })).statusCode).toBe(403);
    // Stored as a hash only.
    const [row] = await world.database.sql`select key_hash, prefix from api_keys where id = ${id}`;
    expect(JSON.stringify(row)).not.toContain(key);

    // Revoking through another institution's URL does nothing.
    expect((await app.inject({ method: 'DELETE', url: `/v1/institutions/${other}/api-keys/${id}`, headers: admin.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers })).statusCode).toBe(200);

    expect((await app.inject({ method: 'DELETE', url: `/v1/institutions/${clave}/api-keys/${id}`, headers: admin.headers })).statusCode).toBe(204);
    const refused = await app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/revocada/);
    // An institution cannot issue or revoke keys itself.
    expect((await app.inject({ method: 'POST', url: `/v1/institutions/${clave}/api-keys`, headers: (await loginAs(world, 'institution', { institutionClave: clave })).headers, payload: { name: 'x' } })).statusCode).toBe(403);
    // A near miss of a valid key is not a key.
    const valid = (await app.inject({ method: 'POST', url: `/v1/institutions/${clave}/api-keys`, headers: admin.headers, payload: { name: 'nueva' } })).json().key as string;
    const nearMiss = valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A');
    expect((await app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers: { 'x-api-key': nearMiss } })).statusCode).toBe(401);
  });
});

describe('login throttling and lockout', () => {
  const password = 'una-contraseña-larga-de-prueba';
  const attemptsOf = (username: string) =>
    world.database.db.select().from(loginAttempts).where(eq(loginAttempts.username, username)).orderBy(asc(loginAttempts.at), asc(loginAttempts.id));
  const loginFrom = (ip: string, username: string, pwd: string) => app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: ip, payload: { username, password: pwd } });

  it(`locks the account after ${MAX_FAILED_LOGINS} wrong passwords, refuses the right one while locked, and logs it`, async () => {
    const username = `bloqueo-${Date.now()}`;
    await createUser(world.database.db, { username, password, role: 'operator' });
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const res = await loginFrom('10.80.0.1', username, `mala-${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    }
    const last = await loginFrom('10.80.0.1', username, 'mala-final');
    expect(last.statusCode).toBe(401);
    expect(last.json().error).toMatchObject({ code: 'ACCOUNT_LOCKED', message: expect.stringMatching(/bloqueada temporalmente/) });

    // The right password does not open a locked account (from another address too).
    const right = await loginFrom('10.80.0.2', username, password);
    expect(right.statusCode).toBe(401);
    expect(right.json().error.code).toBe('ACCOUNT_LOCKED');

    const [user] = await world.database.db.select().from(users).where(eq(users.username, username));
    const lockedForMinutes = (user!.lockedUntil!.getTime() - Date.now()) / 60_000;
    expect(lockedForMinutes).toBeGreaterThan(LOCKOUT_MINUTES - 1);
    expect(lockedForMinutes).toBeLessThanOrEqual(LOCKOUT_MINUTES);

    const attempts = await attemptsOf(username);
    expect(attempts.map((a) => [a.success, a.reason, a.ip])).toEqual([
      ...Array.from({ length: MAX_FAILED_LOGINS - 1 }, () => [false, 'bad_password', '10.80.0.1']),
      [false, 'bad_password_lockout', '10.80.0.1'],
      [false, 'locked', '10.80.0.2'],
    ]);
    const lockoutLines = logs.records().filter((r) => r.event === 'login_lockout');
    expect(lockoutLines.length).toBeGreaterThanOrEqual(2);
    expect(lockoutLines.every((r) => r.level === 40)).toBe(true); // pino "warn"
    expect(JSON.stringify(lockoutLines)).not.toContain(password);

    // Once the lock expires the right password works again and the counter starts over.
    await world.database.db.update(users).set({ lockedUntil: sql`now() - interval '1 second'` }).where(eq(users.username, username));
    const after = await loginFrom('10.80.0.3', username, password);
    expect(after.statusCode, after.body).toBe(200);
    const [reset] = await world.database.db.select().from(users).where(eq(users.username, username));
    expect(reset).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('answers the 11th attempt in a minute from one address for one username with 429 in Spanish, without checking the password', async () => {
    const username = `limite-${Date.now()}`;
    await createUser(world.database.db, { username, password, role: 'operator' });
    for (let i = 0; i < 10; i++) expect((await loginFrom('10.81.0.1', username, 'mala')).statusCode).toBe(401);
    const limited = await loginFrom('10.81.0.1', username, password);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/Demasiados intentos; espere/) });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await attemptsOf(username)).length).toBe(10);
  });

  it('throttles per address and username: colleagues behind the same address can still log in', async () => {
    // Ten clerks of one office (one NAT address) log in within the same minute, then one more.
    const office = '10.82.0.1';
    for (let i = 0; i < 11; i++) {
      const username = `oficina-${i}-${Date.now()}`;
      await createUser(world.database.db, { username, password, role: 'institution', institutionClave: '20511' });
      const res = await loginFrom(office, username, password);
      expect(res.statusCode, `clerk ${i + 1}: ${res.body}`).toBe(200);
    }
    // A guesser hammering one account from one address is throttled without locking others out.
    const target = `objetivo-${Date.now()}`;
    await createUser(world.database.db, { username: target, password, role: 'operator' });
    for (let i = 0; i < 10; i++) await loginFrom('10.82.0.9', target, 'mala');
    expect((await loginFrom('10.82.0.9', target, 'mala')).statusCode).toBe(429);
    const other = await world.database.db.select().from(loginAttempts).where(and(eq(loginAttempts.ip, '10.82.0.9'), eq(loginAttempts.username, target)));
    expect(other.length).toBe(10);
  });
});
