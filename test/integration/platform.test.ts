import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, institutions } from '../../db/schema';
import { institutionRegistrationWorkflowId } from '../../workflows/institution-registration';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
});
afterAll(async () => {
  await world?.stop();
});

function institutionPayload(clave: string, contactCurp: string) {
  return {
    clave,
    name: `Municipio de prueba ${clave}`,
    rfc: 'MTO850101AB1',
    kind: 'municipio',
    contact: { curp: contactCurp, name: 'Juan Pérez López', email: 'enlace@example.mx' },
  };
}

async function registerAndWait(clave: string, contactCurp: string, headers: Record<string, string>) {
  const res = await world.app.inject({ method: 'POST', url: '/v1/institutions', headers, payload: institutionPayload(clave, contactCurp) });
  expect(res.statusCode, res.body).toBe(202);
  const handle = world.temporal.workflow.getHandle(res.json().workflowId);
  return { res, result: await handle.result() };
}

describe('platform slice: an operator registers an institution', () => {
  it('confirms the liaison at RENAPO through a workflow and activates the institution', async () => {
    const operator = await loginAs(world, 'operator');
    const clave = makeInstitutionClave();
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });

    const { res, result } = await registerAndWait(clave, curp, operator.headers);
    expect(res.json()).toMatchObject({ clave, workflowId: institutionRegistrationWorkflowId(clave), status: 'pending' });
    expect(result).toEqual({ clave, status: 'active' });

    const [row] = await world.database.db.select().from(institutions).where(eq(institutions.clave, clave));
    expect(row).toMatchObject({ status: 'active', contactRenapoStatus: 'AN', registrationWorkflowId: institutionRegistrationWorkflowId(clave) });

    // The operations dashboard: the run is findable by its custom search attributes.
    const description = await world.temporal.workflow.getHandle(institutionRegistrationWorkflowId(clave)).describe();
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['InstitutionClave', clave],
        ['BusinessDomain', 'prisma'],
        ['Stage', 'active'],
      ]),
    );
    // …and the dashboard's filter finds it (visibility is eventually consistent: poll briefly).
    const query = `InstitutionClave = "${clave}" AND BusinessDomain = "prisma" AND Stage = "active"`;
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of world.temporal.workflow.list({ query })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toEqual([institutionRegistrationWorkflowId(clave)]);
  });

  it('rejects an institution whose liaison CURP is not active at RENAPO, with the reason in Spanish', async () => {
    const operator = await loginAs(world, 'operator');
    const clave = makeInstitutionClave();
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'BD' });

    const { result } = await registerAndWait(clave, curp, operator.headers);
    expect(result.status).toBe('rejected');
    expect(result.reason).toMatch(/no está vigente en RENAPO \(BD/);
    const [row] = await world.database.db.select().from(institutions).where(eq(institutions.clave, clave));
    expect(row?.status).toBe('rejected');
  });

  it('answers repeated registrations, concurrent or later, without a second workflow or institution', async () => {
    const operator = await loginAs(world, 'operator');
    const clave = makeInstitutionClave();
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });
    const [a, b] = await Promise.all([
      world.app.inject({ method: 'POST', url: '/v1/institutions', headers: operator.headers, payload: institutionPayload(clave, curp) }),
      world.app.inject({ method: 'POST', url: '/v1/institutions', headers: operator.headers, payload: institutionPayload(clave, curp) }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    await world.temporal.workflow.getHandle(institutionRegistrationWorkflowId(clave)).result();
    // Afterwards a retry of the same request is answered as done; different data is a conflict.
    const again = await world.app.inject({ method: 'POST', url: '/v1/institutions', headers: operator.headers, payload: institutionPayload(clave, curp) });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: 'active' });
    const different = await world.app.inject({
      method: 'POST',
      url: '/v1/institutions',
      headers: operator.headers,
      payload: { ...institutionPayload(clave, curp), name: 'Otro nombre' },
    });
    expect(different.statusCode).toBe(409);
    expect(different.json().error.code).toBe('INSTITUTION_EXISTS');
  });
});

describe('access control', () => {
  it('refuses a request without credentials with 401 and a Spanish message', async () => {
    const res = await world.app.inject({ method: 'GET', url: '/v1/institutions' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' }, requestId: expect.any(String) });
    expect(res.json().error.message).toMatch(/autenticación/);
  });

  it('refuses the wrong role with 403', async () => {
    const user = await loginAs(world, 'institution', { institutionClave: '20511' });
    const res = await world.app.inject({ method: 'POST', url: '/v1/institutions', headers: user.headers, payload: institutionPayload('20512', makeCurp()) });
    expect(res.statusCode).toBe(403);
  });

  it("lets an institution read its own record but never another institution's", async () => {
    const operator = await loginAs(world, 'operator');
    const [own, other] = [makeInstitutionClave(), makeInstitutionClave()];
    for (const clave of [own, other]) {
      const curp = makeCurp();
      await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });
      await registerAndWait(clave, curp, operator.headers);
    }
    const user = await loginAs(world, 'institution', { institutionClave: own });

    const mine = await world.app.inject({ method: 'GET', url: `/v1/institutions/${own}`, headers: user.headers });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ clave: own, status: 'active' });

    const theirs = await world.app.inject({ method: 'GET', url: `/v1/institutions/${other}`, headers: user.headers });
    expect(theirs.statusCode).toBe(403);
    expect(JSON.stringify(theirs.json())).not.toContain(other + '@');

    // Reading the liaison's CURP is personal data: it is audited with who and why.
    const audits = await world.database.db.select().from(auditLog).where(eq(auditLog.subjectId, own));
    expect(audits).toEqual([expect.objectContaining({ actorRole: 'institution', action: 'read', subjectType: 'institution-contact' })]);
  });

  it('accepts an institution API key for its own institution and refuses it once revoked', async () => {
    const admin = await loginAs(world, 'admin');
    const operator = await loginAs(world, 'operator');
    const clave = makeInstitutionClave();
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });
    await registerAndWait(clave, curp, operator.headers);

    const issued = await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/api-keys`, headers: admin.headers, payload: { name: 'sistema de nómina' } });
    expect(issued.statusCode).toBe(201);
    const { key, id } = issued.json();
    const ok = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers: { 'x-api-key': key } });
    expect(ok.statusCode).toBe(200);

    const revoke = await world.app.inject({ method: 'DELETE', url: `/v1/institutions/${clave}/api-keys/${id}`, headers: admin.headers });
    expect(revoke.statusCode).toBe(204);
    const refused = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}`, headers: { 'x-api-key': key } });
    expect(refused.statusCode).toBe(401);
  });

  it('refuses a tampered token and an alg:none token', async () => {
    const user = await loginAs(world, 'operator');
    const [header, payload, signature] = user.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const tampered = `${header}.${forged}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${forged}.`;
    for (const token of [tampered, none]) {
      const res = await world.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
    }
  });

  it('answers bad input with 400 and the offending field', async () => {
    const operator = await loginAs(world, 'operator');
    const res = await world.app.inject({
      method: 'POST',
      url: '/v1/institutions',
      headers: operator.headers,
      payload: { ...institutionPayload('123', 'NOT-A-CURP'), kind: 'municipio' },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['clave', 'contact.curp']));
  });
});

describe('platform health and docs', () => {
  it('reports PostgreSQL and Temporal as up', async () => {
    const res = await world.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: { up: true }, temporal: { up: true } });
  });

  it('serves the OpenAPI document with the contract paths', async () => {
    const res = await world.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/institutions', '/health']));
  });
});
