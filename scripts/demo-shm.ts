/**
 * SHM demo, called by the lead's demo once the stack is up: applicants register and submit
 * their cédula with documents; reviewers decide (one correction loop, one escalation with the
 * SLA clock shortened through the operations endpoint); their stars are printed. It talks to
 * the system like real users (HTTP API), except for creating the staff users in the database
 * and giving demo users this checkout's demo passwords.
 */
import { createDatabase } from '../db/client';
import { curpCheckDigit } from '../domain/identifiers/curp';
import type { Role } from '../identity/principal';
import { demoPassword } from './lib/dev-secrets';
import { ensureDemoUser, resetDemoPassword } from './lib/demo-users';

export interface ShmDemoContext {
  apiUrl: string;
  renapoUrl: string;
  databaseUrl: string;
  varDir: string;
}

interface Login {
  username: string;
  role: Role | 'applicant';
  password: string;
  token: string;
  id?: string;
}

/** One State of Mexico calendar day of the escalation demo lasts this long. */
const DEMO_DAY_MS = 1000;
/** Friday 13 March 2026 at noon: the next Monday is a holiday, so the SLA skips a weekend and a holiday. */
const DEMO_ORIGIN = '2026-03-13T12:00:00-06:00';

function shmCurp(index: number, sex: 'H' | 'M'): string {
  const consonants = 'BCDFGHJKLMNPQRSTVWXYZ';
  const c = (k: number) => consonants[(index * 5 + k * 7) % consonants.length]!;
  const first17 = `${c(0)}E${c(1)}${c(2)}8${index % 10}0${(index % 9) + 1}1${index % 10}${sex}MC${c(3)}${c(4)}${c(5)}${index % 10}`;
  return first17 + curpCheckDigit(first17);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call<T = any>(ctx: ShmDemoContext, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${ctx.apiUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function must<T = any>(ctx: ShmDemoContext, method: string, url: string, token: string | undefined, body: unknown, expected: number[]): Promise<T> {
  const res = await call<T>(ctx, method, url, token, body);
  if (!expected.includes(res.status)) throw new Error(`${method} ${url} → ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

/** Logs in, waiting out the login rate limit if the main demo used it up. */
async function login(ctx: ShmDemoContext, username: string, password: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const res = await call<{ accessToken: string }>(ctx, 'POST', '/v1/auth/login', undefined, { username, password });
    if (res.status === 200) return res.json.accessToken;
    if (res.status !== 429) throw new Error(`login failed for ${username}: ${JSON.stringify(res.json)}`);
    await sleep(10_000);
  }
  throw new Error(`login for ${username} kept being rate limited`);
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`demo timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function ensureStaff(ctx: ShmDemoContext): Promise<Record<string, Login>> {
  const wanted: { username: string; role: Role; institutionClave?: string }[] = [
    { username: 'admin', role: 'admin' },
    { username: 'revisor-shm-1', role: 'reviewer' },
    { username: 'revisor-shm-2', role: 'reviewer' },
    { username: 'supervisor-shm', role: 'supervisor' },
    { username: 'reclutador-toluca', role: 'recruiter', institutionClave: '30104' },
  ];
  const database = createDatabase(ctx.databaseUrl, { max: 1 });
  const result: Record<string, Login> = {};
  try {
    for (const w of wanted) {
      const password = demoPassword(ctx.varDir, w.username);
      const created = await ensureDemoUser(database.db, { ...w, password });
      result[w.username] = { username: w.username, role: w.role, password, token: '', id: created.id };
    }
  } finally {
    await database.close();
  }
  for (const l of Object.values(result)) l.token = await login(ctx, l.username, l.password);
  return result;
}

const POSITION = (municipality: string) => ({ municipality, ente: 'ayuntamiento', area: 'Tesorería', cargo: 'Director(a) de Ingresos', startDate: '2022-01-01' });
const LICENCIATURA = { level: 'licenciatura', institution: 'UAEMéx', programme: 'Licenciatura en Contaduría', field: 'contaduria', status: 'titulado', cedulaProfesional: '12345678' };
const CERT = {
  issuer: 'IHAEM-COCERTEM',
  standardCode: 'NICL-HM-01',
  standardTitle: 'Funciones de la Tesorería Municipal',
  level: 3,
  folio: 'COCERTEM-2024-0117',
  issuedOn: '2024-02-01',
  expiresOn: '2030-12-31',
  relevantToHacienda: true,
};

interface DemoApplicant {
  key: string;
  nombres: string;
  apellido1: string;
  apellido2: string;
  sex: 'H' | 'M';
  municipality: string;
  optIn: boolean;
  cedula: Record<string, unknown>;
}

const APPLICANTS: DemoApplicant[] = [
  {
    key: 'ana',
    nombres: 'ANA',
    apellido1: 'GARCIA',
    apellido2: 'LOPEZ',
    sex: 'M',
    municipality: 'Toluca',
    optIn: true,
    cedula: {
      studies: [LICENCIATURA, { level: 'maestria', institution: 'El Colegio Mexiquense', programme: 'Maestría en Finanzas Públicas', field: 'finanzas', status: 'titulado' }],
      experience: [{ employer: 'H. Ayuntamiento de Toluca', sector: 'municipal', cargo: 'Jefa de Ingresos', area: 'Ingresos', from: '2014-01-01', to: '2021-12-31', haciendaMunicipal: true }],
      certifications: [CERT, { ...CERT, issuer: 'CONOCER', standardCode: 'EC0301', standardTitle: 'Gestión de la hacienda pública municipal', level: 4, folio: 'CONOCER-77' }],
    },
  },
  {
    key: 'beatriz',
    nombres: 'BEATRIZ',
    apellido1: 'MARTINEZ',
    apellido2: 'RUIZ',
    sex: 'M',
    municipality: 'Metepec',
    optIn: true,
    cedula: {
      studies: [LICENCIATURA],
      experience: [{ employer: 'H. Ayuntamiento de Metepec', sector: 'municipal', cargo: 'Analista de catastro', area: 'Catastro', from: '2018-01-01', to: '2021-12-31', haciendaMunicipal: true }],
      certifications: [CERT],
    },
  },
  {
    key: 'carlos',
    nombres: 'CARLOS',
    apellido1: 'HERNANDEZ',
    apellido2: 'SOTO',
    sex: 'H',
    municipality: 'Toluca',
    optIn: false,
    cedula: { studies: [{ ...LICENCIATURA, field: 'otra', programme: 'Licenciatura en Ingeniería Civil' }], certifications: [CERT] },
  },
];

function pdf(label: string): Blob {
  return new Blob([`%PDF-1.4\n% ${label} ${Date.now()}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`], { type: 'application/pdf' });
}

async function upload(ctx: ShmDemoContext, token: string, itemId: string, name: string, replaces?: string): Promise<string> {
  const form = new FormData();
  form.append('itemId', itemId);
  if (replaces) form.append('replaces', replaces);
  form.append('file', pdf(name), name);
  const res = await fetch(`${ctx.apiUrl}/v1/shm/profile/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const json = (await res.json()) as { documentId: string };
  if (res.status !== 201) throw new Error(`upload ${name} failed: ${JSON.stringify(json)}`);
  return json.documentId;
}

interface Profile {
  profileId: string;
  applicant: { status: string };
  studies: { id: string; documents: { id: string }[] }[];
  experience: { id: string; documents: { id: string }[] }[];
  certifications: { id: string; documents: { id: string }[] }[];
  courses: { id: string; documents: { id: string }[] }[];
  registration: null | { registrationId: string; status: string; stage: string; sla: { escalated: boolean; escalateOn: string; breachOn: string; paused: boolean } | null };
}

/** Registers (or logs in) an applicant and makes sure their cédula has one document per item. */
async function prepareApplicant(ctx: ShmDemoContext, a: DemoApplicant, index: number): Promise<{ token: string; email: string; password: string; curp: string; profile: Profile }> {
  const curp = shmCurp(100 + index, a.sex);
  const email = `${a.key}.shm@example.gob.mx`;
  const password = demoPassword(ctx.varDir, email);
  const seed = await fetch(`${ctx.renapoUrl}/registry/${curp}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nombres: a.nombres, apellido1: a.apellido1, apellido2: a.apellido2, sexo: a.sex, fechNac: `19${curp.slice(4, 6)}-${curp.slice(6, 8)}-${curp.slice(8, 10)}`, cveEntidadNac: 'MC', estatusCURP: 'AN' }),
  });
  if (!seed.ok) throw new Error(`RENAPO simulator refused ${curp}`);
  const notice = await must<{ version: string }>(ctx, 'GET', '/v1/shm/privacy-notice', undefined, undefined, [200]);
  const reg = await call(ctx, 'POST', '/v1/shm/applicants', undefined, { curp, email, password, privacyNoticeVersion: notice.version, talentBankOptIn: a.optIn });
  if (reg.status !== 201 && reg.status !== 409) throw new Error(`registering ${a.key} failed: ${JSON.stringify(reg.json)}`);
  if (reg.status === 409) {
    // Registered by an earlier run, possibly from another checkout with other demo passwords.
    const database = createDatabase(ctx.databaseUrl, { max: 1 });
    try {
      await resetDemoPassword(database.db, email, password);
    } finally {
      await database.close();
    }
  }
  const token = await login(ctx, email, password);
  let profile = await until('RENAPO verification', () => must<Profile>(ctx, 'GET', '/v1/shm/profile', token, undefined, [200]), (p) => p.applicant.status !== 'verifying');
  if (!profile.registration) {
    await must(ctx, 'PUT', '/v1/shm/profile', token, { personal: { municipalityOfResidence: a.municipality }, position: POSITION(a.municipality), ...a.cedula }, [200]);
    profile = await must<Profile>(ctx, 'GET', '/v1/shm/profile', token, undefined, [200]);
    for (const item of [...profile.studies, ...profile.experience, ...profile.certifications, ...profile.courses]) {
      if (item.documents.length === 0) await upload(ctx, token, item.id, `soporte-${item.id.slice(0, 6)}.pdf`);
    }
    profile = await must<Profile>(ctx, 'GET', '/v1/shm/profile', token, undefined, [200]);
  }
  return { token, email, password, curp, profile };
}

interface Task {
  id: string;
  registrationId: string;
  itemId: string;
  documentId: string;
  status: string;
  escalated: boolean;
}

async function tasksOf(ctx: ShmDemoContext, token: string, registrationId: string, scope: string, count: number): Promise<Task[]> {
  return until(
    'review tasks',
    async () => (await must<{ items: Task[] }>(ctx, 'GET', `/v1/shm/review-tasks?scope=${scope}&limit=500`, token, undefined, [200])).items.filter((t) => t.registrationId === registrationId),
    (t) => t.length >= count,
  );
}

async function decide(ctx: ShmDemoContext, token: string, taskId: string, decision: string, reason?: string): Promise<void> {
  await must(ctx, 'POST', `/v1/shm/review-tasks/${taskId}/claim`, token, undefined, [200]);
  await must(ctx, 'POST', `/v1/shm/review-tasks/${taskId}/decision`, token, { decision, ...(reason ? { reason } : {}) }, [200]);
}

async function waitScored(ctx: ShmDemoContext, token: string): Promise<{ stars: number; total: string; breakdown: Record<string, { explanation: string }> }> {
  await until('the score', () => must<Profile>(ctx, 'GET', '/v1/shm/profile', token, undefined, [200]), (p) => p.registration?.status === 'scored', 120_000);
  return must(ctx, 'GET', '/v1/shm/profile/score', token, undefined, [200]);
}

export async function runShmDemo(ctx: ShmDemoContext): Promise<void> {
  console.log('\n== Demo SHM: cédulas, document review queues, SLA in State of Mexico business days, stars ==');
  const staff = await ensureStaff(ctx);
  const reviewer = staff['revisor-shm-1']!;
  const supervisor = staff['supervisor-shm']!;
  const admin = staff['admin']!;
  const results: { name: string; email: string; password: string; stars: number; total: string; note: string }[] = [];

  // Make sure the real clock is in force for the first two applicants.
  await must(ctx, 'PUT', '/v1/shm/operations/sla-settings', admin.token, { dayMs: null }, [200, 409]);

  // 1. Ana: every document reviewed; the maestría is rejected.
  const ana = await prepareApplicant(ctx, APPLICANTS[0]!, 0);
  if (!ana.profile.registration) {
    const sub = await must<{ registrationId: string; dueAt: string; escalateOn: string }>(ctx, 'POST', '/v1/shm/profile/submit', ana.token, undefined, [202]);
    console.log(`  Ana García: cédula sent (registration ${sub.registrationId}); review target: end of ${sub.escalateOn}`);
    const maestria = ana.profile.studies[1]!.id;
    for (const t of await tasksOf(ctx, reviewer.token, sub.registrationId, 'unassigned', 5)) {
      if (t.itemId === maestria) await decide(ctx, reviewer.token, t.id, 'reject', 'El título de maestría no coincide con la institución capturada.');
      else await decide(ctx, reviewer.token, t.id, 'approve');
    }
  }
  const anaScore = await waitScored(ctx, ana.token);
  results.push({ name: 'Ana García López (Toluca)', email: ana.email, password: ana.password, stars: anaScore.stars, total: anaScore.total, note: 'maestría rechazada; talent bank: sí' });

  // 2. Beatriz: a correction loop (the clock stops while she fixes the document).
  const bea = await prepareApplicant(ctx, APPLICANTS[1]!, 1);
  if (!bea.profile.registration) {
    const sub = await must<{ registrationId: string; escalateOn: string }>(ctx, 'POST', '/v1/shm/profile/submit', bea.token, undefined, [202]);
    const cert = bea.profile.certifications[0]!;
    const tasks = await tasksOf(ctx, reviewer.token, sub.registrationId, 'unassigned', 3);
    for (const t of tasks) {
      if (t.itemId === cert.id) await decide(ctx, reviewer.token, t.id, 'correction', 'El certificado está ilegible; súbalo escaneado a 300 dpi.');
      else await decide(ctx, reviewer.token, t.id, 'approve');
    }
    await until('the SLA pause', () => must<Profile>(ctx, 'GET', '/v1/shm/profile', bea.token, undefined, [200]), (p) => p.registration?.sla?.paused === true);
    console.log('  Beatriz Martínez: correction requested — SLA clock paused while she fixes the certificate');
    await upload(ctx, bea.token, cert.id, 'certificado-300dpi.pdf', cert.documents[0]!.id);
    const again = await must<{ escalateOn: string }>(ctx, 'POST', '/v1/shm/profile/submit', bea.token, undefined, [202]);
    console.log(`  Beatriz Martínez: corrected certificate re-submitted; new review target ${again.escalateOn}`);
    const [fixed] = await tasksOf(ctx, reviewer.token, sub.registrationId, 'unassigned', 1);
    await decide(ctx, reviewer.token, fixed!.id, 'approve');
  }
  const beaScore = await waitScored(ctx, bea.token);
  results.push({ name: 'Beatriz Martínez Ruiz (Metepec)', email: bea.email, password: bea.password, stars: beaScore.stars, total: beaScore.total, note: 'un ciclo de corrección' });

  // 3. Carlos: nobody reviews in time → escalation at 3 business days, with a shortened clock.
  const carlos = await prepareApplicant(ctx, APPLICANTS[2]!, 2);
  if (!carlos.profile.registration) {
    const scaled = await call(ctx, 'PUT', '/v1/shm/operations/sla-settings', admin.token, { dayMs: DEMO_DAY_MS, origin: DEMO_ORIGIN });
    let registrationId: string;
    if (scaled.status === 200) {
      const sub = await must<{ registrationId: string; escalateOn: string; breachOn: string }>(ctx, 'POST', '/v1/shm/profile/submit', carlos.token, undefined, [202]);
      registrationId = sub.registrationId;
      // Back to the real clock for everyone else; this registration keeps its shortened clock.
      await must(ctx, 'PUT', '/v1/shm/operations/sla-settings', admin.token, { dayMs: null }, [200]);
      console.log(
        `  Carlos Hernández: sent on Friday 13 March 2026 (simulated; 1 day = ${DEMO_DAY_MS} ms). Monday 16 is a holiday → escalation after ${sub.escalateOn}, breach after ${sub.breachOn}`,
      );
      await until('the escalation', () => must<Profile>(ctx, 'GET', '/v1/shm/profile', carlos.token, undefined, [200]), (p) => p.registration?.sla?.escalated === true, 60_000);
      const queue = await tasksOf(ctx, supervisor.token, sub.registrationId, 'escalated', 2);
      console.log(`  Carlos Hernández: escalated — ${queue.length} document(s) in the supervisors' queue; supervisor assigns them to a reviewer`);
    } else {
      console.log('  Carlos Hernández: production configuration — the SLA clock cannot be shortened; reviewing normally');
      registrationId = (await must<{ registrationId: string }>(ctx, 'POST', '/v1/shm/profile/submit', carlos.token, undefined, [202])).registrationId;
    }
    const tasks = await tasksOf(ctx, supervisor.token, registrationId, 'all', 2);
    for (const t of tasks) {
      await must(ctx, 'POST', `/v1/shm/review-tasks/${t.id}/reassign`, supervisor.token, { reviewerId: reviewer.id }, [200]);
      await must(ctx, 'POST', `/v1/shm/review-tasks/${t.id}/decision`, reviewer.token, { decision: 'approve' }, [200]);
    }
  }
  const carlosScore = await waitScored(ctx, carlos.token);
  results.push({ name: 'Carlos Hernández Soto (Toluca)', email: carlos.email, password: carlos.password, stars: carlosScore.stars, total: carlosScore.total, note: 'escalado a supervisión; talent bank: no' });

  // The talent bank shows only the applicants who opted in.
  const talent = await must<{ items: { name: string; stars: number; municipality: string }[] }>(ctx, 'GET', '/v1/shm/talent', staff['reclutador-toluca']!.token, undefined, [200]);
  console.log(`  Talent bank (recruiter view, opt-in only): ${talent.items.map((t) => `${t.name} ${'★'.repeat(t.stars)} (${t.municipality})`).join('; ') || 'empty'}`);

  console.log('\nSHM stars (rubric v1):');
  for (const r of results) console.log(`  ${'★'.repeat(r.stars).padEnd(5, '☆')} ${r.total.padStart(6)}  ${r.name} — ${r.note}`);
  console.log(`  Explanation for Ana: ${anaScore.breakdown.academico?.explanation ?? ''}`);
  console.log('\nSHM demo logins (passwords in var/dev-secrets.json):');
  for (const l of Object.values(staff)) console.log(`  ${l.role.padEnd(12)} ${l.username.padEnd(26)} ${l.password}`);
  for (const r of results) console.log(`  ${'applicant'.padEnd(12)} ${r.email.padEnd(26)} ${r.password}`);
}
