/**
 * Helpers for the SHM integration tests: an applicant who registers and logs in through the
 * API, multipart uploads, staff users, and polling.
 */
import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import type { Role } from '../../identity/principal';
import { createUser } from '../../identity/users';
import { makeCurp, seedRenapo } from '../support/identities';
import type { TestWorld } from '../support/world';

export type Headers = { authorization: string };

/** A small but real PDF (unique bytes, so each upload is its own stored object). */
export function pdfBytes(label = 'documento'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n%${randomBytes(6).toString('hex')}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% ${label}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`,
  );
}

export function multipart(fields: Record<string, string>, file?: { field?: string; filename: string; contentType: string; content: Buffer }) {
  const boundary = `----shm${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}

export interface TestApplicant {
  curp: string;
  email: string;
  password: string;
  headers: Headers;
  applicantId: string;
  profileId: string;
}

let addressSequence = 0;
/**
 * Logs in from a distinct client address. The login rate limit is keyed by address and
 * username, so this is no longer required; distinct addresses keep tests independent anyway.
 */
export async function login(world: TestWorld, username: string, password: string): Promise<Headers> {
  addressSequence += 1;
  const remoteAddress = `10.66.${Math.floor(addressSequence / 250) % 250}.${(addressSequence % 250) + 1}`;
  const res = await world.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password }, remoteAddress });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().accessToken}` };
}

/** Self-registration through the API (RENAPO simulator seeded), waits for the CURP check, logs in. */
export async function registerApplicant(world: TestWorld, options: { optIn?: boolean; renapoStatus?: string } = {}): Promise<TestApplicant> {
  const curp = makeCurp();
  await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: options.renapoStatus ?? 'AN', nombres: 'ANA', apellido1: 'GARCIA', apellido2: 'LOPEZ' });
  const notice = await world.app.inject({ method: 'GET', url: '/v1/shm/privacy-notice' });
  expect(notice.statusCode).toBe(200);
  const email = `aspirante-${randomBytes(4).toString('hex')}@example.mx`;
  const password = 'una-contraseña-de-aspirante-larga';
  const res = await world.app.inject({
    method: 'POST',
    url: '/v1/shm/applicants',
    payload: { curp, email, password, privacyNoticeVersion: notice.json().version, talentBankOptIn: options.optIn ?? true },
  });
  expect(res.statusCode, res.body).toBe(201);
  await world.temporal.workflow.getHandle(res.json().workflowId).result();
  const headers = await login(world, email, password);
  return { curp, email, password, headers, applicantId: res.json().applicantId, profileId: res.json().profileId };
}

export async function staff(world: TestWorld, role: Role, options: { institutionClave?: string } = {}): Promise<{ headers: Headers; id: string; username: string }> {
  const username = `${role}-${randomBytes(4).toString('hex')}`;
  const password = 'una-contraseña-larga-de-prueba';
  const { id } = await createUser(world.database.db, { username, password, role, institutionClave: options.institutionClave ?? null });
  return { headers: await login(world, username, password), id, username };
}

export async function putProfile(world: TestWorld, headers: Headers, body: unknown) {
  const res = await world.app.inject({ method: 'PUT', url: '/v1/shm/profile', headers, payload: body as object });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function uploadDocument(world: TestWorld, headers: Headers, itemId: string, filename: string, content: Buffer, extra: Record<string, string> = {}) {
  const contentType = filename.endsWith('.png') ? 'image/png' : filename.endsWith('.jpg') ? 'image/jpeg' : 'application/pdf';
  const form = multipart({ itemId, ...extra }, { filename, contentType, content });
  return world.app.inject({ method: 'POST', url: '/v1/shm/profile/documents', headers: { ...headers, ...form.headers }, payload: form.payload });
}

/** Uploads one PDF per item of the profile view. Returns the document id per item id. */
export async function uploadOnePdfPerItem(world: TestWorld, headers: Headers, profile: { studies: { id: string }[]; experience: { id: string }[]; certifications: { id: string }[]; courses: { id: string }[] }) {
  const docs = new Map<string, string>();
  for (const item of [...profile.studies, ...profile.experience, ...profile.certifications, ...profile.courses]) {
    const res = await uploadDocument(world, headers, item.id, `soporte-${item.id.slice(0, 8)}.pdf`, pdfBytes(item.id));
    expect(res.statusCode, res.body).toBe(201);
    docs.set(item.id, res.json().documentId);
  }
  return docs;
}

export interface TaskView {
  id: string;
  registrationId: string;
  itemId: string;
  documentId: string;
  round: string;
  status: string;
  escalated: boolean;
  claimedBy: string | null;
}

export async function tasksOf(world: TestWorld, headers: Headers, registrationId: string, scope = 'all'): Promise<TaskView[]> {
  const res = await world.app.inject({ method: 'GET', url: `/v1/shm/review-tasks?scope=${scope}&limit=500`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as TaskView[]).filter((t) => t.registrationId === registrationId);
}

export const POSITION = { municipality: 'Toluca', ente: 'ayuntamiento', area: 'Tesorería', cargo: 'Subdirector de Ingresos', startDate: '2022-01-01' } as const;
export const LICENCIATURA = { level: 'licenciatura', institution: 'UAEMéx', programme: 'Licenciatura en Contaduría', field: 'contaduria', status: 'titulado', cedulaProfesional: '12345678' } as const;
export const CERT_L3 = {
  issuer: 'IHAEM-COCERTEM',
  standardCode: 'NICL-HM-01',
  standardTitle: 'Funciones de la Tesorería Municipal',
  level: 3,
  folio: 'COCERTEM-2024-0117',
  issuedOn: '2024-02-01',
  expiresOn: '2030-12-31',
  relevantToHacienda: true,
} as const;
