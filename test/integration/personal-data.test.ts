/**
 * Issue 8, personal data: through an API built exactly like api/server.ts builds it (its pino
 * options, logging to memory), a day of work with CURPs and RFCs in URLs, bodies and files —
 * institution registration, avisos, people, payroll versions, SHM registration and documents.
 * Then: the logs hold no CURP, RFC or file content; every read of personal data left an
 * audit_log row saying who, what and why (denials too, never quoting the CURP); and the files
 * on disk are ciphertext.
 */
import { eq, inArray } from 'drizzle-orm';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditLog, people, users } from '../../db/schema';
import { LAYOUT_HEADER, layoutRow, samplePeople, type SamplePerson } from '../fixtures/hostile/cases';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { startLoggedApp, worldStorage, type CapturedLogs } from '../support/logs';
import { csv, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { startTestWorld, type TestWorld } from '../support/world';
import { LICENCIATURA, putProfile, registerApplicant, uploadDocument, type TestApplicant } from './shm-helpers';

let world: TestWorld;
/** The same world, but every request goes through the logged API. */
let logged: TestWorld;
let logs: CapturedLogs;

const DOC_MARKER = `CONTENIDO-CONFIDENCIAL-${randomBytes(6).toString('hex').toUpperCase()}`;
const FILE_MARKER = `ZZMARCA${randomBytes(4).toString('hex').toUpperCase()}`;
const secrets: string[] = [];
/** Requests that read personal data, by request id, with the audit row each must have left. */
const expectedAudits: Array<{ requestId: string; username: string; role: string; action: string; subjectType: string; subjectId?: string }> = [];

const state: {
  clave?: string;
  person?: SamplePerson;
  personId?: string;
  payroll?: SamplePerson[];
  applicant?: TestApplicant;
  documentBytes?: Buffer;
  unknownCurp?: string;
} = {};

async function get(url: string, headers: Record<string, string>, audit?: Omit<(typeof expectedAudits)[number], 'requestId'>) {
  const requestId = randomUUID();
  const res = await logged.app.inject({ method: 'GET', url, headers: { ...headers, 'x-request-id': requestId } });
  if (audit) expectedAudits.push({ requestId, ...audit });
  return res;
}

beforeAll(async () => {
  world = await startTestWorld();
  const started = await startLoggedApp(world, 'trace');
  logs = started.logs;
  logged = { ...world, app: started.app };

  // An operator registers an institution; its liaison's CURP travels in the body.
  const operator = await loginAs(logged, 'operator');
  const clave = makeInstitutionClave();
  state.clave = clave;
  const liaison = makeCurp();
  secrets.push(liaison);
  await seedRenapo(inject('renapoUrl'), liaison, { estatusCURP: 'AN' });
  const registered = await logged.app.inject({
    method: 'POST',
    url: '/v1/institutions',
    headers: operator.headers,
    payload: { clave, name: `Municipio ${clave}`, rfc: 'MTO850101AB1', kind: 'municipio', contact: { curp: liaison, name: 'Enlace de Nómina', email: 'enlace@example.mx' } },
  });
  expect(registered.statusCode, registered.body).toBe(202);
  await world.temporal.workflow.getHandle(registered.json().workflowId).result();
  const institution = await loginAs(logged, 'institution', { institutionClave: clave });
  expect((await get(`/v1/institutions/${clave}`, institution.headers, { username: institution.username, role: 'institution', action: 'read', subjectType: 'institution-contact', subjectId: clave })).statusCode).toBe(200);

  // An aviso de alta: CURP, RFC and names in the body; then its status and the aviso.
  const person = samplePeople(1)[0]!;
  state.person = person;
  secrets.push(person.curp, person.rfc);
  await seedRenapo(inject('renapoUrl'), person.curp, { estatusCURP: 'AN', nombres: person.nombres, apellido1: person.apellido1, apellido2: person.apellido2 });
  const sent = await logged.app.inject({
    method: 'POST',
    url: `/v1/institutions/${clave}/movements`,
    headers: institution.headers,
    payload: { movimiento: 'A', curp: person.curp, rfc: person.rfc, primer_apellido: person.apellido1, segundo_apellido: person.apellido2, nombres: person.nombres, fecha_movimiento: '2026-03-02', sueldo_cotizable: '15000.00' },
  });
  expect(sent.statusCode, sent.body).toBe(202);
  await world.temporal.workflow.getHandle(sent.json().workflowId).result();
  const noticeId = sent.json().noticeId as string;
  const notice = `/v1/institutions/${clave}/movements/${noticeId}`;
  expect((await get(notice, institution.headers, { username: institution.username, role: 'institution', action: 'read', subjectType: 'movement-notice', subjectId: noticeId })).statusCode).toBe(200);
  expect((await get(`${notice}/aviso?format=json`, institution.headers, { username: institution.username, role: 'institution', action: 'download', subjectType: 'movement-aviso', subjectId: noticeId })).statusCode).toBe(200);
  expect((await get(`${notice}/aviso?format=pdf`, institution.headers, { username: institution.username, role: 'institution', action: 'download', subjectType: 'movement-aviso', subjectId: noticeId })).statusCode).toBe(200);
  // A bad aviso: the CURP comes back in the 400 details to the sender, never to the log.
  expect((await logged.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/movements`, headers: institution.headers, payload: { curp: person.curp, rfc: person.rfc } })).statusCode).toBe(400);

  // People: CURP (and lower-case CURP, and an RFC) in URLs.
  const [row] = await world.database.db.select().from(people).where(eq(people.curp, person.curp));
  state.personId = row!.id;
  const op = { username: operator.username, role: 'operator' };
  expect((await get(`/v1/people/${person.curp}`, operator.headers, { ...op, action: 'read', subjectType: 'person', subjectId: row!.id })).statusCode).toBe(200);
  expect((await get(`/v1/people/${person.curp.toLowerCase()}/vigencia?date=2026-03-10`, operator.headers, { ...op, action: 'read', subjectType: 'person-vigencia', subjectId: row!.id })).statusCode).toBe(200);
  expect((await get(`/v1/people/${person.curp}/constancia?format=json`, operator.headers, { ...op, action: 'read', subjectType: 'person-constancia', subjectId: row!.id })).statusCode).toBe(200);
  expect((await get(`/v1/people/${person.curp}/account`, operator.headers, { ...op, action: 'read', subjectType: 'person-account', subjectId: row!.id })).statusCode).toBe(200);
  expect((await get(`/v1/people/${person.curp}`, institution.headers, { username: institution.username, role: 'institution', action: 'read', subjectType: 'person', subjectId: row!.id })).statusCode).toBe(200);
  expect((await get(`/v1/people/${person.rfc}`, operator.headers)).statusCode).toBe(400);
  expect((await get(`/v1/personas/${person.curp}`, operator.headers)).statusCode).toBe(404);
  state.unknownCurp = makeCurp();
  secrets.push(state.unknownCurp);
  expect((await get(`/v1/people/${state.unknownCurp}`, institution.headers)).statusCode).toBe(404);

  // Two payroll versions (CURPs and RFCs inside the file), findings in every format, the diff and the archive.
  const crowd = samplePeople(3, { nombres: FILE_MARKER });
  state.payroll = crowd;
  secrets.push(...crowd.flatMap((p) => [p.curp, p.rfc]));
  await seedRenapoPeople(crowd.map((p) => ({ curp: p.curp, nombres: 'OTRO NOMBRE', apellido1: p.apellido1, apellido2: p.apellido2 })));
  expect((await uploadPayroll(logged, institution.headers, clave, '202604', csv([...LAYOUT_HEADER], crowd.map((p) => layoutRow(p))))).statusCode).toBe(202);
  await waitForPeriod(logged, institution.headers, clave, '202604', versionReady(1));
  expect((await uploadPayroll(logged, institution.headers, clave, '202604', csv([...LAYOUT_HEADER], crowd.slice(1).map((p) => layoutRow(p, { sueldo_cotizable: '12000.00' }))))).statusCode).toBe(202);
  await waitForPeriod(logged, institution.headers, clave, '202604', versionReady(2));
  const inst = { username: institution.username, role: 'institution' };
  const period = `/v1/institutions/${clave}/periods/202604`;
  expect((await get(`${period}/findings`, institution.headers, { ...inst, action: 'read', subjectType: 'payroll-findings' })).statusCode).toBe(200);
  expect((await get(`${period}/findings?format=csv`, institution.headers, { ...inst, action: 'download', subjectType: 'payroll-findings' })).statusCode).toBe(200);
  expect((await get(`${period}/findings?format=pdf`, institution.headers, { ...inst, action: 'download', subjectType: 'payroll-findings' })).statusCode).toBe(200);
  expect((await get(`${period}/versions/2/diff`, institution.headers, { ...inst, action: 'read', subjectType: 'payroll-diff' })).statusCode).toBe(200);
  expect((await get(`${period}/archive`, institution.headers, { ...inst, action: 'download', subjectType: 'payroll-archive' })).statusCode).toBe(200);

  // SHM: self-registration (CURP in the body), an RFC in the cédula, a document, its download, the export.
  const applicant = await registerApplicant(logged);
  state.applicant = applicant;
  secrets.push(applicant.curp);
  const applicantRfc = `${applicant.curp.slice(0, 10)}AB1`;
  secrets.push(applicantRfc);
  const profile = await putProfile(logged, applicant.headers, { personal: { rfc: applicantRfc, phone: '7221234567' }, studies: [LICENCIATURA] });
  state.documentBytes = Buffer.from(`%PDF-1.4\n% ${DOC_MARKER}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
  const upload = await uploadDocument(logged, applicant.headers, profile.studies[0].id, `titulo-${applicant.curp}.pdf`, state.documentBytes);
  expect(upload.statusCode, upload.body).toBe(201);
  const documentId = upload.json().documentId as string;
  const ap = { username: applicant.email, role: 'applicant' };
  const download = await get(`/v1/shm/profile/documents/${documentId}`, applicant.headers, { ...ap, action: 'download', subjectType: 'shm-document', subjectId: documentId });
  expect(download.rawPayload.equals(state.documentBytes)).toBe(true);
  expect((await get('/v1/shm/profile', applicant.headers, { ...ap, action: 'read', subjectType: 'shm-profile', subjectId: profile.profileId })).statusCode).toBe(200);
  expect((await get('/v1/shm/arco/export', applicant.headers, { ...ap, action: 'export', subjectType: 'shm-applicant', subjectId: applicant.applicantId })).statusCode).toBe(200);
}, 240_000);

afterAll(async () => {
  await logged?.app.close();
  await world?.stop();
});

describe('logs', () => {
  it('hold no CURP, RFC or file content, while recording every request (URLs masked)', () => {
    const text = logs.text();
    const lines = logs.records();
    // The scan is meaningful: the requests are there, with their personal parts masked.
    const urls = lines.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean) as string[];
    expect(urls).toEqual(expect.arrayContaining([`/v1/people/[CURP]`, `/v1/people/[RFC]`, `/v1/personas/[CURP]`, expect.stringMatching(/^\/v1\/people\/\[CURP\]\/vigencia\?date=2026-03-10$/)]));
    expect(lines.filter((l) => l.msg === 'request completed').length).toBeGreaterThan(30);

    const leaks = [...secrets, DOC_MARKER, FILE_MARKER].filter((s) => text.toUpperCase().includes(s.toUpperCase()));
    expect(leaks).toEqual([]);
    // Nor the credentials: tokens, API keys, passwords.
    expect(text).not.toMatch(/Bearer ey|una-contraseña/);
  });
});

describe('audit log', () => {
  it('has, for every read of personal data, who (user, role, address), what (action, subject) and why (purpose)', async () => {
    const rows = await world.database.db.select().from(auditLog).where(inArray(auditLog.requestId, expectedAudits.map((e) => e.requestId)));
    const accounts = await world.database.db.select({ id: users.id, username: users.username }).from(users);
    const idOf = new Map(accounts.map((u) => [u.username, u.id]));
    const missing: string[] = [];
    for (const e of expectedAudits) {
      const row = rows.find((r) => r.requestId === e.requestId && r.subjectType === e.subjectType);
      if (!row) {
        missing.push(`${e.subjectType} (${e.action}) by ${e.role}`);
        continue;
      }
      expect(row).toMatchObject({ actorUserId: idOf.get(e.username), actorRole: e.role, action: e.action, outcome: 'allowed', ip: expect.any(String) });
      if (e.subjectId) expect(row.subjectId).toBe(e.subjectId);
      expect(row.purpose.length, `${e.subjectType}: purpose`).toBeGreaterThan(10);
    }
    expect(missing).toEqual([]);
  });

  it('records denials too, identifying an unknown CURP only by a digest', async () => {
    const denied = await world.database.db.select().from(auditLog).where(eq(auditLog.outcome, 'denied'));
    expect(denied).toEqual(expect.arrayContaining([expect.objectContaining({ actorRole: 'institution', subjectType: 'person', subjectId: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) })]));
    const all = JSON.stringify(await world.database.db.select().from(auditLog));
    for (const s of secrets) expect(all).not.toContain(s);
  });
});

describe('files at rest', () => {
  async function filesUnder(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)])));
    return nested.flat();
  }

  it('are AES-256-GCM ciphertext: no CURP, RFC, name or document text on disk, yet they read back exactly', async () => {
    const files = await filesUnder(world.config.STORAGE_DIR);
    const areas = new Set(files.map((f) => path.relative(world.config.STORAGE_DIR, f).split(path.sep)[0]));
    expect([...areas]).toEqual(expect.arrayContaining(['payroll', 'shm-documents']));
    const plaintexts = [DOC_MARKER, FILE_MARKER, 'curp,clave_issemym', '%PDF', ...secrets];
    for (const file of files) {
      const bytes = await readFile(file);
      for (const p of plaintexts) {
        expect(bytes.includes(Buffer.from(p)), `${path.relative(world.config.STORAGE_DIR, file)} contains "${p}"`).toBe(false);
        expect(bytes.includes(Buffer.from(p, 'utf16le'))).toBe(false);
      }
    }
    // The stored document is IV (12) + ciphertext + tag (16), and decrypts to the bytes uploaded.
    const storage = worldStorage(world);
    const docFile = files.find((f) => f.includes(`${path.sep}shm-documents${path.sep}`))!;
    const key = path.relative(world.config.STORAGE_DIR, docFile).split(path.sep).join('/');
    expect((await readFile(docFile)).length).toBe(state.documentBytes!.length + 12 + 16);
    expect((await storage.getBuffer(key)).equals(state.documentBytes!)).toBe(true);
    // Tampering is detected, not served.
    const original = await readFile(docFile);
    const tampered = Buffer.from(original);
    tampered[20] = tampered[20]! ^ 0xff;
    await writeFile(docFile, tampered);
    await expect(storage.getBuffer(key)).rejects.toThrow();
    await writeFile(docFile, original);
  });
});
