/**
 * Issue 8, hostile input: every case of test/fixtures/hostile/cases.ts through the real API —
 * payroll files uploaded and processed by the real worker, SHM documents, hostile requests —
 * each gets its expected finding or status, exports stay inert (formula injection, HTML), and
 * afterwards the API, the database, Temporal and the worker still answer.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DOCUMENT_CASES,
  FORMULA_PAYLOADS,
  HTML_FILENAME,
  HTML_NAME,
  LAYOUT_HEADER,
  PAYROLL_BASELINE_RENAPO,
  PAYROLL_CASES,
  REQUEST_CASES,
  UPLOAD_LIMIT_FOR_TESTS,
  csvText,
  layoutRow,
  samplePeople,
  type PayrollCase,
} from '../fixtures/hostile/cases';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { createActiveInstitution, seedRenapoPeople, waitForPeriod } from '../support/payroll';
import { startTestWorld, type TestWorld } from '../support/world';
import { LICENCIATURA, multipart as shmMultipart, putProfile, registerApplicant, type TestApplicant } from './shm-helpers';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT_FOR_TESTS) });
  const renapo = [...PAYROLL_BASELINE_RENAPO, ...PAYROLL_CASES.flatMap((c) => c.renapo ?? [])];
  // RENAPO knows these people under other names than the file's for the HTML case (→ W061 quoting the file's names).
  await seedRenapoPeople(renapo.map((p) => ({ curp: p.curp, nombres: p.nombres.startsWith('<') ? 'ANA' : p.nombres, apellido1: p.apellido1, apellido2: p.apellido2 })));
});
afterAll(async () => {
  await world?.stop();
});

const SETTLED = ['computed', 'file-rejected', 'accepted'];

/** multipart/form-data with the file name as raw UTF-8 bytes (control characters included). */
function payrollMultipart(file: Buffer, filename: string) {
  const boundary = `----hostile${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return { payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}
const squash = (text: string) => text.replace(/\s+/g, '');

interface Uploaded {
  clave: string;
  headers: Record<string, string>;
  version?: { status: string; fileName: string };
  findings?: Array<{ row: number | null; column: string | null; code: string; value: string | null; message: string }>;
  http?: { statusCode: number; body: string };
}
const uploads = new Map<string, Uploaded>();

async function runPayrollCase(c: PayrollCase): Promise<Uploaded> {
  const clave = makeInstitutionClave();
  await createActiveInstitution(world, clave);
  const { headers } = await loginAs(world, 'institution', { institutionClave: clave });
  const form = payrollMultipart(await c.build(), c.filename);
  const res = await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/202604/files`, headers: { ...headers, ...form.headers }, payload: form.payload });
  if (res.statusCode !== 202) return { clave, headers, http: { statusCode: res.statusCode, body: res.body } };
  const view = await waitForPeriod(world, headers, clave, '202604', (v) => v.versions.some((x) => SETTLED.includes(x.status)), 120_000);
  const version = view.versions[0] as unknown as { status: string; fileName: string };
  const findings = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings`, headers });
  expect(findings.statusCode, findings.body).toBe(200);
  return { clave, headers, version, findings: findings.json().findings };
}

describe('hostile payroll files, uploaded through the API and read by the worker', () => {
  beforeAll(async () => {
    // All cases at once, each in its own institution: the worker takes them concurrently.
    const results = await Promise.all(PAYROLL_CASES.map(async (c) => [c.id, await runPayrollCase(c)] as const));
    for (const [id, r] of results) uploads.set(id, r);
  }, 300_000);

  it.each(PAYROLL_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const got = uploads.get(c.id)!;
    const e = c.expect;
    if (e.outcome === 'http') {
      expect(got.http?.statusCode, got.http?.body).toBe(e.status);
      return;
    }
    expect(got.http, `upload refused: ${got.http?.body}`).toBeUndefined();
    const findings = got.findings!;
    const summary = findings.map((f) => `${f.row}:${f.code}:${f.column}`).join(' ');
    if (e.outcome === 'file-rejected') {
      expect(got.version!.status).toBe('file-rejected');
      const finding = findings.find((f) => f.code === e.code);
      expect(finding, summary).toBeDefined();
      expect(finding!.message).toMatch(e.message);
    } else {
      expect(got.version!.status, summary).toBe('computed');
      for (const want of e.findings) {
        expect(findings.some((f) => f.row === want.row && f.code === want.code && (!want.column || f.column === want.column)), `${want.row}:${want.code} in ${summary}`).toBe(true);
      }
      for (const code of e.absent ?? []) expect(findings.filter((f) => f.code === code), summary).toEqual([]);
    }
  });

  it('neutralises formula injection in the exported findings CSV, while JSON keeps the value as sent', async () => {
    const { clave, headers, findings } = uploads.get('formula-injection')!;
    const res = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings?format=csv`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const records = parseCsv(res.body.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(records[0]).toEqual(['row', 'column', 'code', 'severity', 'value', 'message']);
    const dangerous = records.slice(1).flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(dangerous).toEqual([]);
    const values = records.slice(1).map((r) => r[4]);
    for (const payload of FORMULA_PAYLOADS) expect(values).toContain(`'${payload}`);
    for (const payload of FORMULA_PAYLOADS) expect(findings!.map((f) => f.value)).toContain(payload);
  });

  it('returns HTML in names and file names as inert text: JSON (nosniff), CSV and the findings PDF', async () => {
    const { clave, headers, findings } = uploads.get('html-in-names')!;
    const w061 = findings!.find((f) => f.code === 'W061')!;
    expect(w061.value).toContain(HTML_NAME.toUpperCase());
    const json = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604`, headers });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.headers['x-content-type-options']).toBe('nosniff');
    expect(json.json().versions[0].fileName).toBe(HTML_FILENAME);
    const csv = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings?format=csv`, headers });
    expect(csv.headers['x-content-type-options']).toBe('nosniff');
    const pdf = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings?format=pdf`, headers });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = squash(await pdfText(pdf.rawPayload));
    expect(text).toContain(squash(HTML_FILENAME));
    expect(text).toContain(squash(HTML_NAME.toUpperCase()));
  });

  it('keeps a file name with NUL and control characters as harmless text', async () => {
    const { clave, headers } = uploads.get('control-chars-in-filename')!;
    const view = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604`, headers });
    const name = view.json().versions[0].fileName as string;
    expect(name).not.toMatch(/[\u0000-\u001f]/);
    expect(name).toBe('nómina___[31mrojo.csv');
  });

  it('refuses an upload over UPLOAD_MAX_BYTES with 413 and a Spanish message, leaving nothing stored', async () => {
    const clave = makeInstitutionClave();
    await createActiveInstitution(world, clave);
    const { headers } = await loginAs(world, 'institution', { institutionClave: clave });
    const file = Buffer.concat([Buffer.from(csvText(LAYOUT_HEADER, [])), Buffer.alloc(UPLOAD_LIMIT_FOR_TESTS + 1 - Buffer.byteLength(csvText(LAYOUT_HEADER, [])), 0x41)]);
    const form = payrollMultipart(file, 'enorme.csv');
    const res = await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/202604/files`, headers: { ...headers, ...form.headers }, payload: form.payload });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/excede el máximo de 12 MB; comprímalo como XLSX o divídalo/) });
    const period = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604`, headers });
    expect(period.statusCode).toBe(404);
    const leftovers = (await readdir(path.join(world.config.STORAGE_DIR, 'payroll')).catch(() => [] as string[])).filter((f) => f.startsWith('.upload-'));
    expect(leftovers).toEqual([]);
  });
});

describe('hostile SHM documents: the content decides, never the name', () => {
  let applicant: TestApplicant;
  let itemId: string;
  beforeAll(async () => {
    applicant = await registerApplicant(world);
    const profile = await putProfile(world, applicant.headers, { studies: [LICENCIATURA] });
    itemId = profile.studies[0].id;
  });

  it.each(DOCUMENT_CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const form = shmMultipart({ itemId }, { filename: c.filename, contentType: c.contentType, content: c.build() });
    const res = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/documents', headers: { ...applicant.headers, ...form.headers }, payload: form.payload });
    expect(res.statusCode, res.body).toBe(c.expect.status);
    if (c.expect.status === 201) {
      if (c.expect.originalName) expect(res.json().originalName).toBe(c.expect.originalName);
      if (c.expect.mime) expect(res.json().mime).toBe(c.expect.mime);
    } else {
      const e = c.expect as { code: string; message: RegExp };
      expect(res.json().error.code).toBe(e.code);
      expect(res.json().error.message).toMatch(e.message);
    }
  });

  it('serves a stored document as an attachment with its checked type, never as a page', async () => {
    const profile = await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers });
    const doc = profile.json().studies[0].documents.find((d: { originalName: string }) => d.originalName.includes('onerror'));
    const res = await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${doc.id}`, headers: applicant.headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="_img src=x onerror=alert\(1\)_.pdf"/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('hostile requests', () => {
  let clave: string;
  const as: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    clave = makeInstitutionClave();
    await createActiveInstitution(world, clave);
    as.institution = (await loginAs(world, 'institution', { institutionClave: clave })).headers;
    as.operator = (await loginAs(world, 'operator')).headers;
    as.reviewer = (await loginAs(world, 'reviewer')).headers;
  });

  it.each(REQUEST_CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const r = c.request({ clave });
    const res = await world.app.inject({ method: r.method, url: r.url, payload: r.payload as never, headers: { ...as[c.as], ...r.headers } });
    expect(res.statusCode, res.body).toBe(c.expect.status);
    expect(res.json().error.code).toBe(c.expect.code);
    expect(res.json().error.message).toMatch(c.expect.message);
  });
});

describe('HTML in an institution name is inert in the aviso (PDF and JSON)', () => {
  it('prints the name as text', async () => {
    const operator = await loginAs(world, 'operator');
    const clave = makeInstitutionClave();
    const liaison = makeCurp();
    await seedRenapo(inject('renapoUrl'), liaison, { estatusCURP: 'AN' });
    const name = `Municipio ${HTML_NAME} (prueba) \\ fin`;
    const registered = await world.app.inject({
      method: 'POST',
      url: '/v1/institutions',
      headers: operator.headers,
      payload: { clave, name, rfc: 'MTO850101AB1', kind: 'municipio', contact: { curp: liaison, name: 'Enlace', email: 'enlace@example.mx' } },
    });
    expect(registered.statusCode, registered.body).toBe(202);
    await world.temporal.workflow.getHandle(registered.json().workflowId).result();
    const person = samplePeople(1)[0]!;
    await seedRenapo(inject('renapoUrl'), person.curp, { estatusCURP: 'AN', nombres: person.nombres, apellido1: person.apellido1, apellido2: person.apellido2 });
    const row = layoutRow(person);
    const sent = await world.app.inject({
      method: 'POST',
      url: `/v1/institutions/${clave}/movements`,
      headers: operator.headers,
      payload: { movimiento: 'A', curp: person.curp, rfc: person.rfc, primer_apellido: row[3], segundo_apellido: row[4], nombres: row[5], fecha_movimiento: '2026-03-02', sueldo_cotizable: '1000.00' },
    });
    expect(sent.statusCode, sent.body).toBe(202);
    await world.temporal.workflow.getHandle(sent.json().workflowId).result();
    const base = `/v1/institutions/${clave}/movements/${sent.json().noticeId}/aviso`;
    const json = await world.app.inject({ method: 'GET', url: `${base}?format=json`, headers: operator.headers });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().institution.name).toBe(name);
    const pdf = await world.app.inject({ method: 'GET', url: `${base}?format=pdf`, headers: operator.headers });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(squash(await pdfText(pdf.rawPayload))).toContain(squash(name));
  });
});

describe('after the corpus', () => {
  it('the API, PostgreSQL and Temporal still answer, and the worker still processes a normal file', async () => {
    const health = await world.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', database: { up: true }, temporal: { up: true } });
    const clave = makeInstitutionClave();
    await createActiveInstitution(world, clave);
    const { headers } = await loginAs(world, 'institution', { institutionClave: clave });
    const form = payrollMultipart(Buffer.from(csvText(LAYOUT_HEADER, PAYROLL_BASELINE_RENAPO.map((p) => layoutRow(p)))), 'nomina.csv');
    const res = await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/202604/files`, headers: { ...headers, ...form.headers }, payload: form.payload });
    expect(res.statusCode, res.body).toBe(202);
    const view = await waitForPeriod(world, headers, clave, '202604', (v) => v.versions.some((x) => SETTLED.includes(x.status)));
    expect(view.versions[0]!.status).toBe('computed');
  });
});
