import { PDFParse } from 'pdf-parse';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditLog, employments, movementNotices, people, renapoChecks } from '../../db/schema';
import { isValidClaveIssemym } from '../../domain/identifiers/clave-issemym';
import { rfcCheckDigit } from '../../domain/identifiers/rfc';
import { createUser } from '../../identity/users';
import { movementNoticeWorkflowId } from '../../workflows/movement-notice';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
let operator: { headers: { authorization: string } };
beforeAll(async () => {
  world = await startTestWorld();
  operator = await loginAs(world, 'operator');
});
afterAll(async () => {
  await world?.stop();
});

const renapoUrl = () => inject('renapoUrl');
type Headers = Record<string, string>;

async function registerInstitution(name = 'Municipio de Prueba'): Promise<string> {
  const clave = makeInstitutionClave();
  const liaison = makeCurp();
  await seedRenapo(renapoUrl(), liaison, { estatusCURP: 'AN' });
  const res = await world.app.inject({
    method: 'POST',
    url: '/v1/institutions',
    headers: operator.headers,
    payload: { clave, name: `${name} ${clave}`, rfc: 'MTO850101AB1', kind: 'municipio', contact: { curp: liaison, name: 'Enlace de Nómina', email: 'enlace@example.mx' } },
  });
  expect(res.statusCode, res.body).toBe(202);
  expect(await world.temporal.workflow.getHandle(res.json().workflowId).result()).toMatchObject({ status: 'active' });
  return clave;
}

function rfcFor(curp: string): string {
  const first12 = `${curp.slice(0, 10)}AB`;
  return first12 + rfcCheckDigit(first12);
}

function notice(curp: string, overrides: Record<string, unknown> = {}) {
  return {
    movimiento: 'A',
    curp,
    rfc: rfcFor(curp),
    primer_apellido: 'Pérez',
    segundo_apellido: 'López',
    nombres: 'Juan',
    fecha_movimiento: '2026-03-02',
    sueldo_cotizable: '12500.50',
    puesto: 'Analista',
    ...overrides,
  };
}

async function post(clave: string, payload: object, headers: Headers = operator.headers) {
  return world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/movements`, headers, payload });
}

/** Sends a notice, waits for its workflow and returns the GET view. */
async function send(clave: string, payload: object, headers: Headers = operator.headers) {
  const res = await post(clave, payload, headers);
  expect(res.statusCode, res.body).toBe(202);
  const { noticeId, workflowId } = res.json();
  expect(workflowId).toBe(movementNoticeWorkflowId(noticeId));
  const result = await world.temporal.workflow.getHandle(workflowId).result();
  const view = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/movements/${noticeId}`, headers });
  expect(view.statusCode, view.body).toBe(200);
  return { noticeId, result, view: view.json() };
}

async function vigencia(curp: string, date: string, headers: Headers = operator.headers) {
  const res = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/vigencia?date=${date}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

async function verifyAtRenapo(curp: string) {
  const res = await world.app.inject({ method: 'POST', url: `/v1/people/${curp}/renapo-verification`, headers: operator.headers });
  expect(res.statusCode, res.body).toBe(202);
  return world.temporal.workflow.getHandle(res.json().workflowId).result();
}

describe('alta through the API: person, clave, plaza, vigencia and aviso', () => {
  it('registers a new servant with a Luhn-valid clave, makes them vigente at once and issues the aviso PDF/JSON', async () => {
    const clave = await registerInstitution('Municipio de Metepec');
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN', nombres: 'JUAN', apellido1: 'PÉREZ', apellido2: 'LÓPEZ' });

    expect((await vigencia_or_404(curp)).statusCode).toBe(404);
    const { result, view, noticeId } = await send(clave, notice(curp));
    expect(result).toMatchObject({ noticeId, status: 'applied', folio: expect.stringMatching(/^AM-\d{4}-\d{7}$/) });
    expect(JSON.stringify(result)).not.toContain(curp); // workflow output carries no CURP
    expect(view).toMatchObject({ status: 'applied', movimiento: 'A', folio: result.folio, findings: [] });
    expect(isValidClaveIssemym(view.claveIssemym)).toBe(true);
    expect(view.links.avisoPdf).toBe(`/v1/institutions/${clave}/movements/${noticeId}/aviso?format=pdf`);

    // Vigencia right after the workflow result.
    expect(await vigencia(curp, '2026-03-02')).toMatchObject({ vigente: true, claveIssemym: view.claveIssemym, institutions: [{ institutionClave: clave, since: '2026-03-02' }] });
    expect((await vigencia(curp, '2026-03-01')).vigente).toBe(false);
    expect(await vigencia(view.claveIssemym, '2026-03-02')).toMatchObject({ vigente: true, curp }); // by clave too

    const person = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}`, headers: operator.headers });
    expect(person.statusCode).toBe(200);
    expect(person.json()).toMatchObject({
      curp,
      claveIssemym: view.claveIssemym,
      claveLegacy: false,
      nombres: 'JUAN',
      primerApellido: 'PÉREZ',
      rfc: rfcFor(curp),
      renapo: { status: 'AN' },
      administrators: [{ administratorCode: 'ISSEMYM', effectiveFrom: '2026-03-02', effectiveTo: null }],
      employments: [{ institutionClave: clave, startDate: '2026-03-02', endDate: null, active: true, puesto: 'Analista', salaries: [{ period: '202605', sueldoCotizable: '12500.50' }] }],
    });

    const json = await world.app.inject({ method: 'GET', url: `${view.links.avisoJson}`, headers: operator.headers });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      folio: result.folio,
      institution: { clave, name: `Municipio de Metepec ${clave}` },
      person: { claveIssemym: view.claveIssemym, curp },
      movement: { code: 'A', label: 'ALTA', fechaMovimiento: '2026-03-02', sueldoCotizable: '12500.50' },
      verificationHash: view.verificationHash,
    });

    const pdf = await world.app.inject({ method: 'GET', url: view.links.avisoPdf, headers: operator.headers });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.rawPayload);
    for (const expected of [`Municipio de Metepec ${clave}`, view.claveIssemym, 'ALTA', result.folio, curp, view.verificationHash]) expect(text).toContain(expected);
  });

  it('reports field findings with contract codes and Spanish messages (E011 rejects, W021 only warns)', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    const wrongDigit = curp.slice(0, 17) + String((Number(curp[17]) + 1) % 10);
    const rejected = await send(clave, notice(wrongDigit, { sueldo_cotizable: '0' }));
    expect(rejected.result.status).toBe('rejected');
    expect(rejected.view.claveIssemym).toBeNull();
    expect(rejected.view.links).toBeNull();
    expect(rejected.view.findings.map((f: { code: string }) => f.code).sort()).toEqual(['E011', 'E040']);
    expect(rejected.view.findings.find((f: { code: string }) => f.code === 'E011')).toMatchObject({ severity: 'error', field: 'curp', message: expect.stringMatching(/dígito verificador/) });
    const aviso = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/movements/${rejected.noticeId}/aviso`, headers: operator.headers });
    expect(aviso.statusCode).toBe(409);

    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    const badDigitRfc = rfcFor(curp).slice(0, 12) + (rfcFor(curp).endsWith('1') ? '2' : '1');
    const warned = await send(clave, notice(curp, { rfc: badDigitRfc }));
    expect(warned.result.status).toBe('applied');
    expect(warned.view.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'W021', severity: 'warning' })]));
    // Names differ from RENAPO's (seeded JUAN PEREZ LOPEZ vs Juan Pérez López: same once accents are ignored).
    expect(warned.view.findings.map((f: { code: string }) => f.code)).not.toContain('W061');
  });
});

async function vigencia_or_404(curp: string) {
  return world.app.inject({ method: 'GET', url: `/v1/people/${curp}/vigencia`, headers: operator.headers });
}

describe('idempotency: the same alta twice or concurrently', () => {
  it('answers repeated identical POSTs with the same noticeId', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    const [a, b] = await Promise.all([post(clave, notice(curp)), post(clave, notice(curp))]);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(a.json().noticeId).toBe(b.json().noticeId);
    await world.temporal.workflow.getHandle(a.json().workflowId).result();
    const again = await post(clave, notice(curp));
    expect(again.json()).toMatchObject({ noticeId: a.json().noticeId, duplicate: true, status: 'applied' });

    // An explicit Idempotency-Key reused with another body is refused.
    const keyed = await post(clave, notice(curp, { movimiento: 'M', sueldo_cotizable: '13000.00' }), { ...operator.headers, 'idempotency-key': `k-${curp}` });
    expect(keyed.statusCode).toBe(202);
    const reused = await post(clave, notice(curp, { movimiento: 'M', sueldo_cotizable: '14000.00' }), { ...operator.headers, 'idempotency-key': `k-${curp}` });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await world.temporal.workflow.getHandle(keyed.json().workflowId).result();
  });

  it('yields one person, one clave and one plaza when two different notices race for the same alta', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    const sends = await Promise.all(
      ['uno', 'dos', 'tres'].map((k) => send(clave, notice(curp), { ...operator.headers, 'idempotency-key': `race-${k}-${curp}` })),
    );
    const statuses = sends.map((s) => s.result.status).sort();
    expect(statuses).toEqual(['applied', 'rejected', 'rejected']);
    for (const s of sends.filter((x) => x.result.status === 'rejected')) {
      expect(s.view.findings).toEqual([expect.objectContaining({ code: 'E032', severity: 'error' })]);
    }
    const claves = new Set(sends.map((s) => s.view.claveIssemym));
    expect(claves.size).toBe(1);

    const db = world.database.db;
    const rows = await db.select().from(people).where(eq(people.curp, curp));
    expect(rows).toHaveLength(1);
    const plazas = await db.select().from(employments).where(eq(employments.personId, rows[0]!.id));
    expect(plazas).toHaveLength(1);
  });
});

describe('RENAPO through the simulator', () => {
  it('rejects an alta whose CURP RENAPO reports as BD with a clear Spanish message', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'BD' });
    const { result, view } = await send(clave, notice(curp));
    expect(result.status).toBe('rejected');
    expect(view.findings).toEqual([expect.objectContaining({ code: 'E013', severity: 'error', field: 'curp' })]);
    expect(view.findings[0].message).toMatch(/dada de baja en RENAPO por defunción \(estatus BD: Baja por defunción\)/);
    expect(await world.database.db.select().from(people).where(eq(people.curp, curp))).toHaveLength(0);
  });

  it('rejects a CURP that is not at RENAPO (E012)', async () => {
    const clave = await registerInstitution();
    const { view } = await send(clave, notice(makeCurp()));
    expect(view.findings).toEqual([expect.objectContaining({ code: 'E012' })]);
  });

  it('moves a person to the new CURP on RCC; the old CURP still resolves to the same person and clave', async () => {
    const clave = await registerInstitution();
    const oldCurp = makeCurp();
    const newCurp = makeCurp();
    await seedRenapo(renapoUrl(), oldCurp, { estatusCURP: 'AN' });
    const alta = await send(clave, notice(oldCurp));
    expect(alta.result.status).toBe('applied');

    await seedRenapo(renapoUrl(), newCurp, { estatusCURP: 'AN' });
    await seedRenapo(renapoUrl(), oldCurp, { estatusCURP: 'RCC', curpNueva: newCurp });
    expect(await verifyAtRenapo(oldCurp)).toMatchObject({ found: true, curpChanged: true, status: 'AN' });

    const byOld = await world.app.inject({ method: 'GET', url: `/v1/people/${oldCurp}`, headers: operator.headers });
    const byNew = await world.app.inject({ method: 'GET', url: `/v1/people/${newCurp}`, headers: operator.headers });
    expect(byOld.statusCode).toBe(200);
    expect(byOld.json()).toEqual(byNew.json());
    expect(byOld.json()).toMatchObject({
      curp: newCurp,
      claveIssemym: alta.view.claveIssemym,
      curpHistory: expect.arrayContaining([
        expect.objectContaining({ curp: oldCurp, replacedAt: expect.any(String) }),
        expect.objectContaining({ curp: newCurp, reason: 'renapo-change', replacedAt: null }),
      ]),
    });
    // Movements sent with the old CURP still reach the same person (vigencia by either CURP).
    const baja = await send(clave, notice(oldCurp, { movimiento: 'B', fecha_movimiento: '2026-03-31', sueldo_cotizable: '0' }));
    expect(baja.result.status).toBe('applied');
    expect(baja.view.claveIssemym).toBe(alta.view.claveIssemym);
    expect((await vigencia(newCurp, '2026-04-01')).vigente).toBe(false);
  });

  it('registers an alta sent with a CURP RENAPO already replaced under the new CURP (W070), keeping the old one', async () => {
    const clave = await registerInstitution();
    const oldCurp = makeCurp();
    const newCurp = makeCurp();
    await seedRenapo(renapoUrl(), newCurp, { estatusCURP: 'AN' });
    await seedRenapo(renapoUrl(), oldCurp, { estatusCURP: 'BCC', curpNueva: newCurp });
    const { result, view } = await send(clave, notice(oldCurp));
    expect(result.status).toBe('applied');
    expect(view.findings).toEqual([expect.objectContaining({ code: 'W070', severity: 'warning', message: expect.stringContaining(newCurp) })]);
    const person = await world.app.inject({ method: 'GET', url: `/v1/people/${oldCurp}`, headers: operator.headers });
    expect(person.json()).toMatchObject({ curp: newCurp, claveIssemym: view.claveIssemym });
  });

  it('reuses cached RENAPO answers within the TTL and stops vigencia when a fresh check reports BD', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    await send(clave, notice(curp));
    const checks = () => world.database.db.select().from(renapoChecks).where(eq(renapoChecks.curp, curp));
    expect(await checks()).toHaveLength(1);
    const m = await send(clave, notice(curp, { movimiento: 'M', fecha_movimiento: '2026-03-16', sueldo_cotizable: '13000.00' }));
    expect(m.result.status).toBe('applied');
    expect(await checks()).toHaveLength(1); // answered from the cache
    const stored = (await checks())[0]!;
    expect(stored.raw).toMatchObject({ statusOper: 'EXITOSO', estatusCURP: 'AN' }); // raw response kept for audit

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City' }).format(new Date());
    expect((await vigencia(curp, today)).vigente).toBe(true);
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'BD' });
    expect(await verifyAtRenapo(curp)).toMatchObject({ status: 'BD', suspended: true });
    expect(await checks()).toHaveLength(2);
    const v = await vigencia(curp, today);
    expect(v).toMatchObject({ vigente: false, suspendedFrom: today });
    expect(v.reason).toMatch(/defunción/);
    expect((await vigencia(curp, '2026-03-10')).vigente).toBe(true); // the past is not rewritten
  });
});

describe('bajas, modificaciones, reingresos and the constancia', () => {
  it('applies the E032/E033 rules, keeps salary history, and issues the constancia (PDF and JSON)', async () => {
    const toluca = await registerInstitution('Municipio de Toluca');
    const lerma = await registerInstitution('Municipio de Lerma');
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });

    expect((await send(toluca, notice(curp, { fecha_movimiento: '2024-01-01', sueldo_cotizable: '10000.00' }))).result.status).toBe('applied');
    // Simultaneous plaza at another institution.
    expect((await send(lerma, notice(curp, { fecha_movimiento: '2024-07-01', sueldo_cotizable: '5000.00' }))).result.status).toBe('applied');
    // M for a person not active at an institution: E033. R while active: E032.
    const other = await registerInstitution();
    const m = await send(other, notice(curp, { movimiento: 'M', fecha_movimiento: '2024-08-01' }));
    expect(m.view.findings).toEqual([expect.objectContaining({ code: 'E033' })]);
    const r = await send(toluca, notice(curp, { movimiento: 'R', fecha_movimiento: '2024-08-01' }));
    expect(r.view.findings).toEqual([expect.objectContaining({ code: 'E032' })]);

    expect((await send(toluca, notice(curp, { movimiento: 'M', fecha_movimiento: '2024-09-16', sueldo_cotizable: '11000.00' }))).result.status).toBe('applied');
    const baja = await send(toluca, notice(curp, { movimiento: 'B', fecha_movimiento: '2024-12-31', sueldo_cotizable: '0' }));
    expect(baja.result.status).toBe('applied');
    expect((await vigencia(curp, '2025-01-01')).institutions).toEqual([expect.objectContaining({ institutionClave: lerma })]);
    const bajaLerma = await send(lerma, notice(curp, { movimiento: 'B', fecha_movimiento: '2025-06-30', sueldo_cotizable: '0' }));
    expect(bajaLerma.result.status).toBe('applied');
    const v = await vigencia(curp, '2025-07-01');
    expect(v).toMatchObject({ vigente: false });
    expect(v.reason).toMatch(/última baja fue el 2025-06-30/);
    // Reingreso before the last baja is refused (E031); after it, accepted.
    const early = await send(toluca, notice(curp, { movimiento: 'R', fecha_movimiento: '2024-12-31' }));
    expect(early.view.findings).toEqual([expect.objectContaining({ code: 'E031' })]);
    expect((await send(toluca, notice(curp, { movimiento: 'R', fecha_movimiento: '2026-01-16' }))).result.status).toBe('applied');

    const person = (await world.app.inject({ method: 'GET', url: `/v1/people/${curp}`, headers: operator.headers })).json();
    const tolucaPlazas = person.employments.filter((e: { institutionClave: string }) => e.institutionClave === toluca);
    expect(tolucaPlazas).toHaveLength(2);
    expect(tolucaPlazas[0].salaries.map((s: { period: string; sueldoCotizable: string }) => [s.period, s.sueldoCotizable])).toEqual([
      ['202418', '11000.00'],
      ['202401', '10000.00'],
    ]);

    const constancia = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/constancia?format=json&asOf=2026-01-31`, headers: operator.headers });
    expect(constancia.statusCode, constancia.body).toBe(200);
    const c = constancia.json();
    // Toluca 2024-01-01..2024-12-31 (366) + Lerma 2024-07-01..2025-06-30 (365, 184 simultaneous) + Toluca 2026-01-16..31 (16).
    expect(c.content.totals).toMatchObject({ daysCotizados: 366 + 181 + 16, grossDays: 366 + 365 + 16, simultaneousDays: 184, weeks: 80, years: 1, fractionWeeks: 28, yearsRecognized: 2 });
    expect(c.folio).toMatch(/^CS-\d{4}-\d{7}$/);
    const again = (await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/constancia?format=json&asOf=2026-01-31`, headers: operator.headers })).json();
    expect(again.folio).toBe(c.folio); // same content, same folio

    const pdf = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/constancia?asOf=2026-01-31`, headers: operator.headers });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.rawPayload);
    for (const expected of ['Constancia de servicios', `Municipio de Toluca ${toluca}`, `Municipio de Lerma ${lerma}`, person.claveIssemym, c.folio, '563', c.verificationHash]) {
      expect(text).toContain(expected);
    }
  });
});

describe('who may see people', () => {
  it('documents the registry paths in the OpenAPI document', async () => {
    const paths = Object.keys((await world.app.inject({ method: 'GET', url: '/docs/json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/institutions/{clave}/movements',
        '/v1/institutions/{clave}/movements/{noticeId}',
        '/v1/institutions/{clave}/movements/{noticeId}/aviso',
        '/v1/people/{curp}',
        '/v1/people/{curp}/vigencia',
        '/v1/people/{curp}/constancia',
        '/v1/people/me',
      ]),
    );
  });

  it('lets a servant see only themself, an institution only its own people and plazas, and audits it', async () => {
    const own = await registerInstitution();
    const other = await registerInstitution();
    const curp = makeCurp();
    const stranger = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    await seedRenapo(renapoUrl(), stranger, { estatusCURP: 'AN' });
    await send(own, notice(curp));
    await send(other, notice(curp, { fecha_movimiento: '2026-03-05' }));
    await send(other, notice(stranger));

    const [row] = await world.database.db.select().from(people).where(eq(people.curp, curp));
    const username = `servant-${curp}`;
    await createUser(world.database.db, { username, password: 'una-contraseña-larga-de-prueba', role: 'servant', personId: row!.id });
    const login = await world.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: 'una-contraseña-larga-de-prueba' } });
    const servant = { authorization: `Bearer ${login.json().accessToken}` };

    const me = await world.app.inject({ method: 'GET', url: '/v1/people/me', headers: servant });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ curp, employments: [expect.anything(), expect.anything()], vigenciaHoy: { vigente: true } });
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/vigencia`, headers: servant })).statusCode).toBe(200);
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/constancia?format=json`, headers: servant })).statusCode).toBe(200);
    // Someone else answers 404, as an unknown CURP does: a servant cannot probe who is registered.
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${stranger}`, headers: servant })).statusCode).toBe(404);
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${stranger}/vigencia`, headers: servant })).statusCode).toBe(404);

    const institution = await loginAs(world, 'institution', { institutionClave: own });
    const seen = await world.app.inject({ method: 'GET', url: `/v1/people/${curp}`, headers: institution.headers });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().employments.map((e: { institutionClave: string }) => e.institutionClave)).toEqual([own]);
    expect(seen.json()).toMatchObject({ otherIds: null, administrators: null, vigenciaHoy: null });
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${stranger}`, headers: institution.headers })).statusCode).toBe(404);
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${curp}/vigencia`, headers: institution.headers })).statusCode).toBe(403);

    // Notices are tenant-scoped: another institution's notice is refused.
    const [foreign] = await world.database.db
      .select()
      .from(movementNotices)
      .where(and(eq(movementNotices.institutionClave, other), eq(movementNotices.curp, stranger)));
    expect((await world.app.inject({ method: 'GET', url: `/v1/institutions/${other}/movements/${foreign!.id}`, headers: institution.headers })).statusCode).toBe(403);
    expect((await world.app.inject({ method: 'GET', url: `/v1/institutions/${own}/movements/${foreign!.id}`, headers: institution.headers })).statusCode).toBe(404);
    expect((await post(other, notice(makeCurp()), institution.headers)).statusCode).toBe(403);

    const [strangerRow] = await world.database.db.select().from(people).where(eq(people.curp, stranger));
    const audits = await world.database.db
      .select()
      .from(auditLog)
      .where(inArray(auditLog.subjectId, [row!.id, strangerRow!.id]));
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorRole: 'servant', subjectType: 'person', outcome: 'allowed' }),
        expect.objectContaining({ actorRole: 'servant', subjectId: strangerRow!.id, outcome: 'denied' }),
        expect.objectContaining({ actorRole: 'institution', subjectType: 'person', outcome: 'allowed' }),
      ]),
    );
  });

  it('keeps AFORE assignments with effective dates and other ids for portability', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    await send(clave, notice(curp));
    const assign = await world.app.inject({
      method: 'POST',
      url: `/v1/people/${curp}/administrators`,
      headers: operator.headers,
      payload: { administratorCode: 'profuturo', effectiveFrom: '2026-07-01', sourceDocument: 'solicitud de registro 123' },
    });
    expect(assign.statusCode, assign.body).toBe(201);
    expect(assign.json().administrators).toEqual([
      { administratorCode: 'ISSEMYM', effectiveFrom: '2026-03-02', effectiveTo: '2026-06-30' },
      { administratorCode: 'PROFUTURO', effectiveFrom: '2026-07-01', effectiveTo: null },
    ]);
    const ids = await world.app.inject({ method: 'PUT', url: `/v1/people/${curp}/other-ids`, headers: operator.headers, payload: { nssImss: '12345678903', issteNumber: 'ISS-998' } });
    expect(ids.statusCode, ids.body).toBe(200);
    const bad = await world.app.inject({ method: 'PUT', url: `/v1/people/${curp}/other-ids`, headers: operator.headers, payload: { nssImss: '12345678901' } });
    expect(bad.statusCode).toBe(400);
  });

  it('imports legacy claves as-is, flagged legacy, and later altas reuse the same person', async () => {
    const clave = await registerInstitution();
    const curp = makeCurp();
    await seedRenapo(renapoUrl(), curp, { estatusCURP: 'AN' });
    const res = await world.app.inject({
      method: 'POST',
      url: '/v1/people/legacy-import',
      headers: operator.headers,
      payload: { items: [{ curp, claveIssemym: '0125175', primer_apellido: 'PEREZ', nombres: 'JUAN' }] },
    });
    expect(res.json()).toEqual({ imported: 1, skipped: [] });
    const again = await world.app.inject({ method: 'POST', url: '/v1/people/legacy-import', headers: operator.headers, payload: { items: [{ curp, claveIssemym: '0125175', primer_apellido: 'PEREZ', nombres: 'JUAN' }] } });
    expect(again.json().imported).toBe(0);
    const { view } = await send(clave, notice(curp));
    expect(view).toMatchObject({ status: 'applied', claveIssemym: '0125175' });
    const person = (await world.app.inject({ method: 'GET', url: `/v1/people/${curp}`, headers: operator.headers })).json();
    expect(person).toMatchObject({ claveIssemym: '0125175', claveLegacy: true });
    const count = await world.database.db.execute(sql`select count(*)::int as n from people where curp = ${curp}`);
    expect((count as unknown as { n: number }[])[0]!.n).toBe(1);
  });
});
