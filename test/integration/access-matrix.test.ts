/**
 * Issue 8, access: every route the API exposes × every kind of caller, against the reviewed
 * policy in test/security/access-matrix.ts; then cross-tenant attempts on real data (another
 * institution's periods, notices and people; another applicant's documents; another servant).
 * Token forgeries and API-key revocation are in security-tokens.test.ts.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditLog, people } from '../../db/schema';
import { rfcCheckDigit } from '../../domain/identifiers/rfc';
import type { Role } from '../../identity/principal';
import { createUser } from '../../identity/users';
import { LAYOUT_HEADER, layoutRow, samplePeople } from '../fixtures/hostile/cases';
import { ACCESS_MATRIX, routeKey, type AccessEntry } from '../security/access-matrix';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { createActiveInstitution, csv, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { startTestWorld, type TestWorld } from '../support/world';
import { LICENCIATURA, login, putProfile, registerApplicant, uploadDocument, pdfBytes } from './shm-helpers';

let world: TestWorld;

interface Subject {
  name: string;
  /** null: no credentials. */
  role: Role | null;
  headers: Record<string, string>;
  /** An institution principal of another institution than the one in the URL. */
  otherInstitution?: boolean;
}

const subjects: Subject[] = [];
let ownClave: string;
let otherClave: string;
let servantCurp: string;

let address = 0;
/** A fresh client address per request, so the per-IP rate limits of public routes never interfere. */
const nextAddress = () => {
  address += 1;
  return `10.77.${Math.floor(address / 250) % 250}.${(address % 250) + 1}`;
};

async function issueApiKey(admin: Record<string, string>, clave: string): Promise<string> {
  const res = await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/api-keys`, headers: admin, payload: { name: 'sistema de nómina' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key as string;
}

/** A registry person with a servant user linked to it. */
async function servantUser(operator: Record<string, string>): Promise<{ curp: string; personId: string; headers: Record<string, string> }> {
  const curp = makeCurp();
  const clave = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
  const res = await world.app.inject({
    method: 'POST',
    url: '/v1/people/legacy-import',
    headers: operator,
    payload: { items: [{ curp, claveIssemym: clave, primer_apellido: 'PRUEBA', nombres: 'SERVIDORA' }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().imported).toBe(1);
  const [person] = await world.database.db.select().from(people).where(eq(people.curp, curp));
  const username = `servant-${randomUUID().slice(0, 8)}`;
  await createUser(world.database.db, { username, password: 'una-contraseña-larga-de-prueba', role: 'servant', personId: person!.id });
  return { curp, personId: person!.id, headers: await login(world, username, 'una-contraseña-larga-de-prueba') };
}

beforeAll(async () => {
  world = await startTestWorld();
  ownClave = makeInstitutionClave();
  do otherClave = makeInstitutionClave();
  while (otherClave === ownClave);
  await createActiveInstitution(world, ownClave);
  await createActiveInstitution(world, otherClave);

  const admin = await loginAs(world, 'admin');
  const operator = await loginAs(world, 'operator');
  const servant = await servantUser(operator.headers);
  servantCurp = servant.curp;
  const applicant = await registerApplicant(world);

  subjects.push(
    { name: 'anonymous', role: null, headers: {} },
    { name: 'institution (own)', role: 'institution', headers: (await loginAs(world, 'institution', { institutionClave: ownClave })).headers },
    { name: 'institution (other)', role: 'institution', headers: (await loginAs(world, 'institution', { institutionClave: otherClave })).headers, otherInstitution: true },
    { name: 'institution API key (own)', role: 'institution', headers: { 'x-api-key': await issueApiKey(admin.headers, ownClave) } },
    { name: 'institution API key (other)', role: 'institution', headers: { 'x-api-key': await issueApiKey(admin.headers, otherClave) }, otherInstitution: true },
    { name: 'operator', role: 'operator', headers: operator.headers },
    { name: 'servant', role: 'servant', headers: servant.headers },
    { name: 'applicant', role: 'applicant', headers: applicant.headers },
    { name: 'reviewer', role: 'reviewer', headers: (await loginAs(world, 'reviewer')).headers },
    { name: 'supervisor', role: 'supervisor', headers: (await loginAs(world, 'supervisor')).headers },
    { name: 'recruiter', role: 'recruiter', headers: (await loginAs(world, 'recruiter')).headers },
    { name: 'admin', role: 'admin', headers: admin.headers },
  );
});
afterAll(async () => {
  await world?.stop();
});

/** A concrete URL for a route: the own institution's clave, ids that exist nowhere, the servant's own CURP for reads. */
function concreteUrl(entry: AccessEntry): string {
  return entry.url
    .replace(':clave', ownClave)
    .replace(':period', '202604')
    .replace(':curp', entry.method === 'GET' ? servantCurp : makeCurp())
    .replace(':version', '2')
    .replace(/:(noticeId|documentId|profileId|applicationId|id)/g, () => randomUUID())
    .replace('*', 'swagger-ui.css');
}

type Expectation = 'allowed' | 401 | 403;

function expectationFor(entry: AccessEntry, subject: Subject): Expectation {
  if (entry.signed) return 401;
  if (entry.allow === 'public') return 'allowed';
  if (subject.role === null) return 401;
  if (!entry.allow.includes(subject.role)) return 403;
  if (entry.tenant === 'institution' && subject.otherInstitution) return 403;
  return 'allowed';
}

describe('the matrix covers exactly the routes the API exposes', () => {
  it('has one entry per registered route, and no entry for a route that does not exist', () => {
    const registered = new Set(world.app.declaredRoutes.map(routeKey));
    const listed = ACCESS_MATRIX.map(routeKey);
    expect(new Set(listed).size, 'duplicate entries in the matrix').toBe(listed.length);
    const missing = [...registered].filter((k) => !listed.includes(k));
    const stale = listed.filter((k) => !registered.has(k));
    expect(missing, 'routes without an entry in test/security/access-matrix.ts').toEqual([]);
    expect(stale, 'entries for routes that no longer exist').toEqual([]);
  });

  it('each route declares in config.access exactly the roles and tenant rule of its entry', () => {
    const declared = new Map(world.app.declaredRoutes.map((r) => [routeKey(r), r.access]));
    const drift: string[] = [];
    for (const entry of ACCESS_MATRIX) {
      const access = declared.get(routeKey(entry));
      if (entry.url.startsWith('/docs')) {
        if (access !== null) drift.push(`${routeKey(entry)}: the OpenAPI pages declare no rule`);
        continue;
      }
      if (!access) {
        drift.push(`${routeKey(entry)}: no config.access`);
        continue;
      }
      const roles = 'public' in access ? 'public' : [...access.roles].sort().join(',');
      const expected = entry.allow === 'public' ? 'public' : [...entry.allow].sort().join(',');
      const tenant = 'public' in access ? undefined : access.tenant;
      if (roles !== expected || tenant !== entry.tenant) drift.push(`${routeKey(entry)}: declares ${roles} tenant=${tenant ?? '-'}, matrix says ${expected} tenant=${entry.tenant ?? '-'}`);
    }
    expect(drift).toEqual([]);
  });
});

describe('every route × every caller', () => {
  it.each(ACCESS_MATRIX.map((e) => [routeKey(e), e] as const))('%s', async (_key, entry) => {
    const problems: string[] = [];
    for (const subject of subjects) {
      const expected = expectationFor(entry, subject);
      const res = await world.app.inject({
        method: entry.method,
        url: concreteUrl(entry),
        headers: subject.headers,
        remoteAddress: nextAddress(),
        ...(entry.method === 'GET' || entry.method === 'DELETE' ? {} : { payload: {} }),
      });
      const status = res.statusCode;
      const seen = `${subject.name}: expected ${expected}, got ${status} ${res.body.slice(0, 160)}`;
      if (status >= 500) problems.push(seen);
      else if (expected === 'allowed') {
        if (status === 401 || status === 403) problems.push(seen);
      } else if (status !== expected) {
        problems.push(seen);
      } else {
        // A refusal is the API's error body, in Spanish, and says nothing about the data.
        const body = res.json() as { error?: { code?: string; message?: string } };
        if (!body.error?.code || !/[áéíóúñ]|solicitud|permiso|autenticación|firma/i.test(body.error.message ?? '')) problems.push(`${seen} (no Spanish error body)`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('refusals are decided before the request body is read', () => {
  it('another institution is refused with 403 even when its body is invalid or its upload huge', async () => {
    const other = subjects.find((s) => s.name === 'institution (other)')!;
    const invalid = await world.app.inject({ method: 'POST', url: `/v1/institutions/${ownClave}/movements`, headers: other.headers, payload: { curp: 12 } });
    expect(invalid.statusCode).toBe(403);
    const upload = await world.app.inject({
      method: 'POST',
      url: `/v1/institutions/${ownClave}/periods/202604/files`,
      headers: { ...other.headers, 'content-type': 'multipart/form-data; boundary=x' },
      payload: Buffer.alloc(3 * 1024 * 1024, 0x41),
    });
    expect(upload.statusCode).toBe(403);
    expect(upload.json().error.message).toMatch(/propia institución/);
  });

  it('anonymous callers get 401 before validation, so the error says nothing about the expected input', async () => {
    const res = await world.app.inject({ method: 'POST', url: '/v1/people/legacy-import', payload: { items: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details).toBeUndefined();
  });
});

describe('cross-tenant attempts on real data', () => {
  const refused = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body).toBe(status);
  const bodyWithoutId = (res: { json(): unknown }) => ({ ...(res.json() as { error: unknown }), requestId: undefined });

  it("institution A can neither read nor write institution B's periods, whatever the route", async () => {
    const a = await loginAs(world, 'institution', { institutionClave: ownClave });
    const b = await loginAs(world, 'institution', { institutionClave: otherClave });
    const crowd = samplePeople(3);
    await seedRenapoPeople(crowd.map((p) => ({ curp: p.curp, nombres: p.nombres, apellido1: p.apellido1, apellido2: p.apellido2 })));
    const file = csv([...LAYOUT_HEADER], crowd.map((p) => layoutRow(p)));
    expect((await uploadPayroll(world, b.headers, otherClave, '202604', file)).statusCode).toBe(202);
    await waitForPeriod(world, b.headers, otherClave, '202604', versionReady(1));

    const base = `/v1/institutions/${otherClave}/periods/202604`;
    for (const suffix of ['', '/findings', '/findings?format=csv', '/findings?format=pdf', '/versions/2/diff', '/variance', '/payment-form', '/cfdi', '/archive', '/determinacion', '/dispersion']) {
      refused(await world.app.inject({ method: 'GET', url: base + suffix, headers: a.headers }), 403);
    }
    for (const action of ['accept', 'withdraw']) refused(await world.app.inject({ method: 'POST', url: `${base}/${action}`, headers: a.headers, payload: {} }), 403);
    refused(await uploadPayroll(world, a.headers, otherClave, '202604', file), 403);
    // B's period is untouched: still one version, not accepted, not withdrawn.
    const view = await world.app.inject({ method: 'GET', url: base, headers: b.headers });
    expect(view.json()).toMatchObject({ versions: [{ version: 1 }] });
    expect(view.json().stage).not.toMatch(/accepted|withdrawn/);
    // A's own URLs do not reach B's data either: same period, A's clave → 404.
    refused(await world.app.inject({ method: 'GET', url: `/v1/institutions/${ownClave}/periods/202604/findings`, headers: a.headers }), 404);
  });

  it("institution A cannot read B's avisos, send avisos as B, or see people who only work at B", async () => {
    const operator = await loginAs(world, 'operator');
    const a = await loginAs(world, 'institution', { institutionClave: ownClave });
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });
    const first12 = `${curp.slice(0, 10)}AB`;
    const payload = {
      movimiento: 'A', curp, rfc: first12 + rfcCheckDigit(first12), primer_apellido: 'PEREZ', segundo_apellido: 'LOPEZ', nombres: 'JUAN',
      fecha_movimiento: '2026-03-02', sueldo_cotizable: '12500.50', puesto: 'Analista',
    };
    const sent = await world.app.inject({ method: 'POST', url: `/v1/institutions/${otherClave}/movements`, headers: operator.headers, payload });
    expect(sent.statusCode, sent.body).toBe(202);
    await world.temporal.workflow.getHandle(sent.json().workflowId).result();
    const noticeId = sent.json().noticeId as string;

    refused(await world.app.inject({ method: 'GET', url: `/v1/institutions/${otherClave}/movements/${noticeId}`, headers: a.headers }), 403);
    refused(await world.app.inject({ method: 'GET', url: `/v1/institutions/${otherClave}/movements/${noticeId}/aviso?format=json`, headers: a.headers }), 403);
    refused(await world.app.inject({ method: 'GET', url: `/v1/institutions/${ownClave}/movements/${noticeId}`, headers: a.headers }), 404);
    refused(await world.app.inject({ method: 'GET', url: `/v1/institutions/${ownClave}/movements/${noticeId}/aviso`, headers: a.headers }), 404);
    refused(await world.app.inject({ method: 'POST', url: `/v1/institutions/${otherClave}/movements`, headers: a.headers, payload: { ...payload, curp: makeCurp() } }), 403);

    // The person works only at B: for A they answer exactly like a CURP nobody has.
    const theirs = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}`, headers: a.headers });
    const nobody = await world.app.inject({ method: 'GET', url: `/v1/people/${makeCurp()}`, headers: a.headers });
    refused(theirs, 404);
    expect(bodyWithoutId(theirs)).toEqual(bodyWithoutId(nobody));
    expect(theirs.body).not.toContain(curp);
    const [person] = await world.database.db.select().from(people).where(eq(people.curp, curp));
    const denials = await world.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, person!.id), eq(auditLog.outcome, 'denied')));
    expect(denials).toEqual([expect.objectContaining({ actorRole: 'institution', action: 'read', subjectType: 'person' })]);
  });

  it("a servant sees only themself: another servant's record, vigencia, constancia and account answer 404 like unknown keys", async () => {
    const operator = await loginAs(world, 'operator');
    const me = await servantUser(operator.headers);
    const other = await servantUser(operator.headers);
    const [otherRow] = await world.database.db.select().from(people).where(eq(people.id, other.personId));
    for (const key of [other.curp, otherRow!.claveIssemym]) {
      for (const suffix of ['', '/vigencia', '/constancia?format=json', '/account']) {
        const res = await world.app.inject({ method: 'GET', url: `/v1/people/${key}${suffix}`, headers: me.headers });
        refused(res, 404);
        const unknown = await world.app.inject({ method: 'GET', url: `/v1/people/${makeCurp()}${suffix}`, headers: me.headers });
        expect(bodyWithoutId(res)).toEqual(bodyWithoutId(unknown));
      }
    }
    const mine = await world.app.inject({ method: 'GET', url: '/v1/people/me', headers: me.headers });
    expect(mine.json()).toMatchObject({ curp: me.curp });
    const denials = await world.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, other.personId), eq(auditLog.outcome, 'denied')));
    expect(denials.length).toBe(8);
    expect(new Set(denials.map((d) => d.actorRole))).toEqual(new Set(['servant']));
  });

  it("applicant A can reach neither applicant B's profile nor B's documents; A's reads stay A's", async () => {
    const a = await registerApplicant(world);
    const b = await registerApplicant(world);
    const profile = await putProfile(world, b.headers, { studies: [LICENCIATURA] });
    const upload = await uploadDocument(world, b.headers, profile.studies[0].id, 'titulo.pdf', pdfBytes('titulo de B'));
    expect(upload.statusCode, upload.body).toBe(201);
    const documentId = upload.json().documentId as string;

    refused(await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${documentId}`, headers: a.headers }), 404);
    const own = await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${documentId}`, headers: b.headers });
    expect(own.statusCode).toBe(200);
    // A's profile, export and ARCO list never carry B.
    for (const url of ['/v1/shm/profile', '/v1/shm/arco/export', '/v1/shm/arco', '/v1/shm/applications', '/v1/shm/profile/registrations']) {
      const res = await world.app.inject({ method: 'GET', url, headers: a.headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.body).not.toContain(b.curp);
      expect(res.body).not.toContain(documentId);
    }
    // A cannot attach a document to B's item, nor replace B's document.
    const foreignItem = await uploadDocument(world, a.headers, profile.studies[0].id, 'mio.pdf', pdfBytes('de A'));
    refused(foreignItem, 404);
    const aProfile = await putProfile(world, a.headers, { studies: [LICENCIATURA] });
    const replace = await uploadDocument(world, a.headers, aProfile.studies[0].id, 'mio.pdf', pdfBytes('de A'), { replaces: documentId });
    refused(replace, 422);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${documentId}`, headers: b.headers })).statusCode).toBe(200);
    // An applicant's token opens none of the staff routes over B's data.
    for (const url of ['/v1/shm/review-tasks?scope=all', `/v1/shm/talent/${b.profileId}`, '/v1/shm/operations']) {
      refused(await world.app.inject({ method: 'GET', url, headers: a.headers }), 403);
    }
    const denied = await world.database.db
      .select()
      .from(auditLog)
      .where(and(inArray(auditLog.subjectId, [documentId]), eq(auditLog.outcome, 'denied')));
    expect(denied).toEqual([expect.objectContaining({ actorRole: 'applicant', action: 'download', subjectType: 'shm-document' })]);
  });
});
