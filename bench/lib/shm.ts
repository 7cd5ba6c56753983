/**
 * The SHM scenario: N municipal treasury officials register (CURP confirmed at the RENAPO
 * simulator by a workflow, privacy notice accepted), fill a cédula of a few studies, jobs,
 * certifications and courses, upload one small PDF per item and submit, with bounded client
 * concurrency; R reviewers work the PostgreSQL queues through the API (list, claim, read the
 * task, download its document, decide) until every registration is scored. All over HTTP
 * against the API process, like real users; only the staff users are created in the database.
 *
 * Each applicant talks from its own loopback address (127.x.y.z): the self-registration
 * endpoint allows 20 registrations a minute per client address, and 500 officials do not share
 * one. Decisions are deterministic: one registration in ten has its last document rejected
 * (which still ends scored, without applicant action); everything else is approved.
 *
 * After the scenario a backlog of unreviewed registrations is submitted (nobody works it) so the
 * latency of the reviewers' queue listing is measured against a non-empty queue.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createUser } from '../../identity/users';
import { addDays } from '../../domain/dates';
import { createRenapoSimulatorClient } from '../../integrations/simulator-control';
import { GIVEN_NAMES, personKeys, seededRandom, SURNAMES } from '../../synthetic/payroll-files';
import { machine, MemorySampler, probeWindow } from './proc';
import { BenchStack } from './stack';

export interface ShmOptions {
  applicants: number;
  reviewers: number;
  /** Applicants working at the same time (the client's bound). */
  concurrency: number;
  /** Size of each supporting PDF. */
  documentKb: number;
  /** Unreviewed registrations submitted after the scenario for the queue-listing latency. */
  backlog: number;
  seed: number;
  deadline: number;
  log: (m: string) => void;
}

export interface Spread {
  p50: number;
  p95: number;
  max: number;
}

export interface ShmResult {
  applicants: number;
  reviewers: number;
  concurrency: number;
  itemsPerProfile: number;
  /** First registration POST → last submission answered (the applicants' side). */
  applicantPhaseSeconds: number;
  /** Registration POST → CURP confirmed (account active), per applicant. */
  verification: Spread;
  /** First submit → last registration scored. */
  wallSeconds: number;
  registrationsPerSecond: number;
  /** Per registration: the submit POST → `scored` (decided_at in PostgreSQL). */
  submitToScored: Spread;
  /** The submit POST's answer (the workflow started and the SLA deadlines computed). */
  submitAnswerMs: Spread;
  uploads: { documents: number; bytes: number; seconds: number; perSecond: number; mbPerSecond: number; latencyMs: Spread };
  review: { decisions: number; approved: number; rejected: number; seconds: number; perSecond: number; claimConflicts: number; queueListings: number; decisionMs: Spread };
  stars: Record<string, number>;
  meanTotal: number;
  sla: { escalateOnFirst: string | null; breachOnFirst: string | null; escalated: number; breached: number };
  talentBank: number;
  cpu: Record<string, number>;
  memory: { workerPeakRssMb: number; workerLiveHeapMb: number; apiPeakRssMb: number; apiLiveHeapMb: number };
  loadavgStart: number[];
  loadavgEnd: number[];
  /** Filled by run.ts after the scenario (bench/load.ts). */
  latency: null | {
    concurrency: number;
    backlogRegistrations: number;
    openTasks: number;
    talent: import('../load').LoadResult;
    queue: import('../load').LoadResult;
    talentPaths: string[];
    queuePaths: string[];
  };
}

/** What run.ts needs to measure the latency after the scenario. */
export interface ShmLoadTargets {
  recruiterToken: string;
  reviewerToken: string;
  talentPaths: string[];
  queuePaths: string[];
  backlogRegistrations: number;
  openTasks: number;
}

const MUNICIPALITIES: [name: string, weight: number][] = [
  ['Toluca', 8], ['Ecatepec de Morelos', 7], ['Nezahualcóyotl', 6], ['Naucalpan de Juárez', 6], ['Tlalnepantla de Baz', 5],
  ['Metepec', 4], ['Chalco', 3], ['Texcoco', 3], ['Zinacantepec', 2], ['Atlacomulco', 2], ['Valle de Bravo', 1], ['Ixtapan de la Sal', 1],
];
const AREAS = ['Tesorería', 'Ingresos', 'Egresos', 'Catastro', 'Contabilidad'];
const CARGOS = ['Tesorero(a) municipal', 'Director(a) de Ingresos', 'Subdirector(a) de Egresos', 'Jefe(a) de Catastro', 'Analista de ingresos', 'Auxiliar contable'];
const FIELDS = ['contaduria', 'economia', 'administracion', 'derecho', 'finanzas', 'otra'];
const CERTS = [
  { issuer: 'IHAEM-COCERTEM', standardCode: 'NICL-HM-01', standardTitle: 'Funciones de la Tesorería Municipal' },
  { issuer: 'CONOCER', standardCode: 'EC0301', standardTitle: 'Gestión de la hacienda pública municipal' },
  { issuer: 'IHAEM-COCERTEM', standardCode: 'NICL-CAT-02', standardTitle: 'Gestión catastral municipal' },
];
const COURSES = ['Ley de Ingresos de los Municipios', 'Contabilidad gubernamental (CONAC)', 'Disciplina financiera municipal', 'Actualización catastral'];
const PASSWORD = 'una-contraseña-de-aspirante-larga';

interface ApplicantPlan {
  index: number;
  curp: string;
  email: string;
  address: string;
  optIn: boolean;
  municipality: string;
  cedula: Record<string, unknown>;
  /** Position of the item (studies, experience, certifications, courses order) whose document a reviewer rejects; -1: none. */
  rejectItem: number;
  renapo: { curp: string; nombres: string; apellido1: string; apellido2?: string; sexo: 'H' | 'M'; fechNac: string; cveEntidadNac: string; estatusCURP: string };
}

/** Deterministic applicants; CURP indexes from 1,400,000 (above every payroll scenario's range). */
function planApplicants(seed: number, first: number, count: number): ApplicantPlan[] {
  const out: ApplicantPlan[] = [];
  const totalWeight = MUNICIPALITIES.reduce((a, [, w]) => a + w, 0);
  for (let i = first; i < first + count; i++) {
    const random = seededRandom((seed * 31 + i * 2_654_435_761) >>> 0);
    const int = (n: number) => Math.floor(random() * n);
    const primer = SURNAMES[int(SURNAMES.length)]!;
    const segundo = SURNAMES[int(SURNAMES.length)]!;
    const nombres = GIVEN_NAMES[int(GIVEN_NAMES.length)]!;
    const keys = personKeys(primer, segundo, nombres, 1_400_000 + i, random);
    let w = random() * totalWeight;
    const municipality = MUNICIPALITIES.find(([, weight]) => (w -= weight) < 0)?.[0] ?? 'Toluca';
    const area = AREAS[int(AREAS.length)]!;
    const field = FIELDS[int(FIELDS.length)]!;
    const year = (min: number, span: number) => min + int(span);
    const studies: Record<string, unknown>[] = [
      { level: 'licenciatura', institution: 'UAEMéx', programme: `Licenciatura en ${field === 'otra' ? 'Ingeniería Civil' : field}`, field, status: random() < 0.8 ? 'titulado' : 'concluido', cedulaProfesional: String(10_000_000 + int(89_999_999)).slice(0, 8) },
    ];
    if (random() < 0.3) studies.push({ level: 'maestria', institution: 'El Colegio Mexiquense', programme: 'Maestría en Finanzas Públicas', field: 'finanzas', status: 'titulado' });
    const expFrom = year(2005, 10);
    const experience: Record<string, unknown>[] = [
      { employer: `H. Ayuntamiento de ${municipality}`, sector: 'municipal', cargo: 'Analista de ingresos', area, from: `${expFrom}-01-01`, to: `${expFrom + 1 + int(6)}-12-31`, haciendaMunicipal: true },
    ];
    if (random() < 0.4) experience.push({ employer: 'Despacho Contable SC', sector: 'privado', cargo: 'Contador(a)', area: 'Contabilidad', from: '2002-03-01', to: '2004-12-31', haciendaMunicipal: false });
    const certifications: Record<string, unknown>[] = [];
    const nCerts = random() < 0.6 ? 1 : random() < 0.5 ? 2 : 0;
    for (let c = 0; c < nCerts; c++) {
      const cert = CERTS[(i + c) % CERTS.length]!;
      const issued = year(2019, 6);
      certifications.push({ ...cert, level: 2 + int(3), folio: `${cert.issuer}-${issued}-${String(i).padStart(5, '0')}`, issuedOn: `${issued}-0${1 + int(9)}-15`, expiresOn: `${issued + 5}-12-31`, relevantToHacienda: true });
    }
    const courses: Record<string, unknown>[] = [];
    const nCourses = int(3);
    for (let c = 0; c < nCourses; c++) courses.push({ name: COURSES[(i + c) % COURSES.length]!, institution: 'IHAEM', hours: 20 + 10 * int(5), completedOn: `${year(2018, 7)}-05-10` });
    const items = studies.length + experience.length + certifications.length + courses.length;
    const startDate = addDays('2019-01-01', int(1800));
    out.push({
      index: i,
      curp: keys.curp,
      email: `aspirante${i}.bench@example.mx`,
      address: `127.${100 + (Math.floor(i / 62_500) % 100)}.${Math.floor(i / 250) % 250}.${(i % 250) + 2}`,
      optIn: random() < 0.8,
      municipality,
      cedula: {
        personal: { rfc: keys.rfc, phone: `722${String(1_000_000 + i).slice(-7)}`, municipalityOfResidence: municipality },
        position: { municipality, ente: random() < 0.85 ? 'ayuntamiento' : 'organismo', area, cargo: CARGOS[int(CARGOS.length)]!, startDate },
        studies,
        experience,
        certifications,
        courses,
      },
      rejectItem: i % 10 === 7 ? items - 1 : -1,
      renapo: { curp: keys.curp, nombres, apellido1: primer, apellido2: segundo, sexo: keys.sex, fechNac: keys.birthDate, cveEntidadNac: keys.curp.slice(11, 13), estatusCURP: 'AN' },
    });
  }
  return out;
}

/** A small valid PDF of about `kb` KB: one page with a content stream (unique bytes per document). */
function pdfOf(label: string, kb: number): Buffer {
  // Scanned-document stand-in: comment lines in the content stream (valid PDF, incompressible bytes).
  const filler = (randomBytes(Math.max(0, Math.floor(((kb * 1024 - 700) * 3) / 4))).toString('base64').match(/.{1,76}/g) ?? []).map((l) => `% ${l}\n`).join('');
  const stream = `BT /F1 12 Tf 72 720 Td (${label.replace(/[()\\]/g, '')}) Tj ET\n${filler}`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, k) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${k + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function multipart(fields: Record<string, string>, file: { filename: string; contentType: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`), file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 });

interface Reply {
  status: number;
  text: string;
  json: any;
  bytes: number;
}

/** One HTTP request to the API (node:http, keep-alive; `from` binds the client's loopback address). */
function request(apiUrl: string, method: string, path: string, options: { token?: string; json?: unknown; body?: Buffer; contentType?: string; from?: string } = {}): Promise<Reply> {
  const url = new URL(apiUrl);
  const body = options.json !== undefined ? Buffer.from(JSON.stringify(options.json)) : options.body;
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body) {
    headers['content-type'] = options.json !== undefined ? 'application/json' : options.contentType!;
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent, localAddress: options.from, timeout: 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = (res.headers['content-type'] ?? '').includes('json') ? buf.toString('utf8') : '';
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, text, json, bytes: buf.length });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function must(apiUrl: string, method: string, path: string, expected: number[], options: Parameters<typeof request>[3] = {}): Promise<Reply> {
  const res = await request(apiUrl, method, path, options);
  if (!expected.includes(res.status)) throw new Error(`SHM bench: ${method} ${path} → HTTP ${res.status} ${res.text.slice(0, 400)}`);
  return res;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spread(values: number[], digits = 1): Spread {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  const r = (n: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  return { p50: r(at(50)), p95: r(at(95)), max: r(s.at(-1)!) };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (next < items.length && failed === null) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed !== null) throw failed;
}

interface ApplicantTiming {
  registerStart: number;
  verified: number;
  submitStart: number;
  submitDone: number;
  registrationId: string;
  escalateOn: string | null;
  breachOn: string | null;
  uploads: { start: number; end: number; bytes: number }[];
}

async function staffLogin(stack: BenchStack, username: string, role: 'reviewer' | 'recruiter', password: string): Promise<{ id: string; token: string }> {
  const { id } = await createUser(stack.database.db, { username, password, role });
  const res = await must(stack.apiUrl, 'POST', '/v1/auth/login', [200], { json: { username, password } });
  return { id, token: (res.json as { accessToken: string }).accessToken };
}

/** One applicant, end to end on the applicant's side: register → verified → cédula → documents → submit. */
async function applicantFlow(apiUrl: string, a: ApplicantPlan, documentKb: number, deadline: number, rejectDocs: Set<string>): Promise<ApplicantTiming> {
  const from = a.address;
  const notice = await must(apiUrl, 'GET', '/v1/shm/privacy-notice', [200], { from });
  const registerStart = Date.now();
  await must(apiUrl, 'POST', '/v1/shm/applicants', [201], {
    from,
    json: { curp: a.curp, email: a.email, password: PASSWORD, privacyNoticeVersion: (notice.json as { version: string }).version, talentBankOptIn: a.optIn },
  });
  const token = (await must(apiUrl, 'POST', '/v1/auth/login', [200], { from, json: { username: a.email, password: PASSWORD } })).json.accessToken as string;
  // The CURP is confirmed at RENAPO by a workflow; the applicant's page shows when.
  for (;;) {
    const p = await must(apiUrl, 'GET', '/v1/shm/profile', [200], { from, token });
    if (p.json.applicant.status === 'active') break;
    if (p.json.applicant.status !== 'verifying') throw new Error(`SHM bench: applicant ${a.email} not verified: ${p.json.applicant.rejectionReason}`);
    if (Date.now() > deadline) throw new Error(`SHM bench: applicant ${a.email} still verifying at the deadline`);
    await sleep(200);
  }
  const verified = Date.now();
  const profile = (await must(apiUrl, 'PUT', '/v1/shm/profile', [200], { from, token, json: a.cedula })).json as Record<'studies' | 'experience' | 'certifications' | 'courses', { id: string }[]>;
  const items = [...profile.studies, ...profile.experience, ...profile.certifications, ...profile.courses];
  const uploads: ApplicantTiming['uploads'] = [];
  for (const [k, item] of items.entries()) {
    const form = multipart({ itemId: item.id }, { filename: `soporte-${k + 1}.pdf`, contentType: 'application/pdf', content: pdfOf(`${a.email} ${item.id}`, documentKb) });
    const start = Date.now();
    const res = await must(apiUrl, 'POST', '/v1/shm/profile/documents', [201], { from, token, body: form.body, contentType: form.contentType });
    uploads.push({ start, end: Date.now(), bytes: form.body.length });
    if (k === a.rejectItem) rejectDocs.add((res.json as { documentId: string }).documentId);
  }
  const submitStart = Date.now();
  const sub = (await must(apiUrl, 'POST', '/v1/shm/profile/submit', [202], { from, token })).json as { registrationId: string; escalateOn: string | null; breachOn: string | null };
  return { registerStart, verified, submitStart, submitDone: Date.now(), registrationId: sub.registrationId, escalateOn: sub.escalateOn, breachOn: sub.breachOn, uploads };
}

interface ReviewStats {
  decisions: number;
  approved: number;
  rejected: number;
  conflicts: number;
  listings: number;
  firstDecision: number;
  lastDecision: number;
  decisionMs: number[];
}

/** A reviewer at work: list the unassigned queue, claim a task, read it, download its document, decide. */
async function reviewerLoop(apiUrl: string, token: string, rank: number, rejectDocs: Set<string>, stats: ReviewStats, done: () => boolean, deadline: number): Promise<void> {
  while (!done()) {
    if (Date.now() > deadline) throw new Error('SHM bench: reviewers still working at the deadline');
    const list = await must(apiUrl, 'GET', '/v1/shm/review-tasks?scope=unassigned&limit=50', [200], { token });
    stats.listings++;
    const tasks = (list.json as { items: { id: string; documentId: string }[] }).items;
    if (tasks.length === 0) {
      await sleep(250);
      continue;
    }
    // Reviewers do not all take the head of the queue: each starts at its own place in the page.
    const start = (rank * 7) % tasks.length;
    for (let k = 0; k < tasks.length; k++) {
      const t = tasks[(start + k) % tasks.length]!;
      const claim = await request(apiUrl, 'POST', `/v1/shm/review-tasks/${t.id}/claim`, { token });
      if (claim.status === 409) {
        stats.conflicts++;
        continue;
      }
      if (claim.status !== 200) throw new Error(`SHM bench: claim ${t.id} → HTTP ${claim.status} ${claim.text}`);
      const t0 = Date.now();
      await must(apiUrl, 'GET', `/v1/shm/review-tasks/${t.id}`, [200], { token });
      await must(apiUrl, 'GET', `/v1/shm/review-tasks/${t.id}/document`, [200], { token });
      const reject = rejectDocs.has(t.documentId);
      await must(apiUrl, 'POST', `/v1/shm/review-tasks/${t.id}/decision`, [200], {
        token,
        json: reject ? { decision: 'reject', reason: 'El documento no corresponde al elemento capturado en la cédula.' } : { decision: 'approve' },
      });
      const now = Date.now();
      stats.decisionMs.push(now - t0);
      stats.decisions++;
      if (reject) stats.rejected++;
      else stats.approved++;
      if (stats.firstDecision === 0) stats.firstDecision = now;
      stats.lastDecision = now;
      // A reviewer takes one task at a time and lists the queue again (it moves under them).
      break;
    }
  }
}

export async function runShmScenario(stack: BenchStack, o: ShmOptions): Promise<{ result: ShmResult; load: ShmLoadTargets }> {
  const { log } = o;
  const plans = planApplicants(o.seed, 0, o.applicants);
  const backlog = planApplicants(o.seed, o.applicants, o.backlog);
  log(`SHM: ${o.applicants} applicants (${o.concurrency} at a time), ${o.reviewers} reviewers: seeding RENAPO and staff users`);
  const renapo = createRenapoSimulatorClient({ baseUrl: stack.renapoUrl, timeoutMs: 120_000 });
  await renapo.seedBulk([...plans, ...backlog].map((p) => p.renapo));
  const staffPassword = 'una-contraseña-larga-de-benchmark';
  await stack.restartApps(); // fresh worker and API: their peak memory belongs to this scenario
  const reviewers = [];
  for (let r = 0; r < o.reviewers; r++) reviewers.push(await staffLogin(stack, `bench-revisor-${r + 1}`, 'reviewer', staffPassword));
  const recruiter = await staffLogin(stack, 'bench-reclutador', 'recruiter', staffPassword);

  const sampler = new MemorySampler(() => new Map([['worker', stack.worker.pid], ['api', stack.api.pid]])).start();
  const cpu0 = await stack.cpu();
  const client0 = process.cpuUsage();
  const loadavgStart = machine().loadavg;
  const started = Date.now();
  const rejectDocs = new Set<string>();
  const timings: ApplicantTiming[] = [];
  const stats: ReviewStats = { decisions: 0, approved: 0, rejected: 0, conflicts: 0, listings: 0, firstDecision: 0, lastDecision: 0, decisionMs: [] };

  // The first failure anywhere (an applicant, a reviewer, the watcher, the deadline) stops everyone.
  let failed: unknown = null;
  const fail = (err: unknown) => {
    failed ??= err;
  };
  // Every registration scored: watched in PostgreSQL, like the payroll driver does.
  let scoredCount = 0;
  let applicantsDone = false;
  const allScored = () => applicantsDone && scoredCount >= o.applicants;
  const watcher = (async () => {
    while (!allScored() && failed === null) {
      if (Date.now() > o.deadline) throw new Error(`SHM bench: ${scoredCount} of ${o.applicants} registrations scored at the deadline`);
      const [row] = (await stack.database.sql`
        select count(*) filter (where status = 'scored')::int as scored, count(*) filter (where status = 'rejected')::int as rejected from shm_registrations`) as unknown as { scored: number; rejected: number }[];
      if (row!.rejected > 0) {
        const [bad] = (await stack.database.sql`select id, check_findings from shm_registrations where status = 'rejected' limit 1`) as unknown as { id: string; check_findings: unknown }[];
        throw new Error(`SHM bench: ${row!.rejected} registration(s) rejected by the automatic checks, e.g. ${bad!.id}: ${JSON.stringify(bad!.check_findings)}`);
      }
      scoredCount = row!.scored;
      await sleep(250);
    }
  })().catch(fail);
  let progress = 0;
  const ticker = setInterval(() => log(`  SHM: ${timings.length}/${o.applicants} submitted, ${stats.decisions} decisions, ${scoredCount} scored`), 15_000);
  ticker.unref();
  const stopAll = () => failed !== null || allScored();
  const reviewing = Promise.all(reviewers.map((r, rank) => reviewerLoop(stack.apiUrl, r.token, rank, rejectDocs, stats, stopAll, o.deadline).catch(fail)));
  try {
    await pool(plans, o.concurrency, async (a) => {
      if (failed !== null) throw failed;
      timings.push(await applicantFlow(stack.apiUrl, a, o.documentKb, o.deadline, rejectDocs));
      progress++;
    });
  } catch (err) {
    fail(err);
  }
  applicantsDone = true;
  await watcher;
  await reviewing;
  clearInterval(ticker);
  if (failed !== null) {
    sampler.stop();
    throw failed;
  }
  const finished = Date.now();
  const cpu1 = await stack.cpu();
  const clientCpu = process.cpuUsage(client0);
  const peaks = sampler.stop();
  const loadavgEnd = machine().loadavg;
  log(`  SHM: ${progress} registrations scored in ${((finished - started) / 1000).toFixed(1)} s; collecting figures`);

  const regs = (await stack.database.sql`
    select r.id, extract(epoch from r.decided_at)::float8 * 1000 as decided_ms, s.stars, s.total::float8 as total,
           c.escalated_at is not null as escalated, c.breached_at is not null as breached
      from shm_registrations r
      join shm_scores s on s.registration_id = r.id
      left join shm_sla_clocks c on c.registration_id = r.id and c.round = 'review'
     where r.status = 'scored'`) as unknown as { id: string; decided_ms: number; stars: number; total: number; escalated: boolean; breached: boolean }[];
  const byId = new Map(regs.map((r) => [r.id, r]));
  const e2e: number[] = [];
  for (const t of timings) {
    const r = byId.get(t.registrationId);
    if (!r) throw new Error(`SHM bench: registration ${t.registrationId} has no score`);
    e2e.push((r.decided_ms - t.submitStart) / 1000);
  }
  const firstSubmit = Math.min(...timings.map((t) => t.submitStart));
  const lastScored = Math.max(...timings.map((t) => byId.get(t.registrationId)!.decided_ms));
  const wall = (lastScored - firstSubmit) / 1000;
  const uploads = timings.flatMap((t) => t.uploads);
  const uploadSeconds = (Math.max(...uploads.map((u) => u.end)) - Math.min(...uploads.map((u) => u.start))) / 1000;
  const uploadBytes = uploads.reduce((a, u) => a + u.bytes, 0);
  const stars: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const r of regs) stars[String(r.stars)] = (stars[String(r.stars)] ?? 0) + 1;
  const [tb] = (await stack.database.sql`
    select count(distinct s.profile_id)::int as n from shm_scores s
      join shm_profiles p on p.id = s.profile_id join shm_applicants a on a.id = p.applicant_id
     where a.talent_bank_opt_in and a.blocked_at is null and a.status = 'active'`) as unknown as { n: number }[];
  const wProbe = probeWindow(`${stack.probeDir}/${stack.worker.name}.jsonl`, started, finished);
  const aProbe = probeWindow(`${stack.probeDir}/${stack.api.name}.jsonl`, started, finished);
  const cpu = BenchStack.cpuDelta(cpu0, cpu1);
  cpu['bench client'] = Math.round(((clientCpu.user + clientCpu.system) / 1e6) * 10) / 10;
  const mb = (kb: number) => Math.round(kb / 102.4) / 10;
  const reviewSeconds = (stats.lastDecision - stats.firstDecision) / 1000;
  const first = timings.reduce((a, b) => (b.submitStart < a.submitStart ? b : a));
  const result: ShmResult = {
    applicants: o.applicants,
    reviewers: o.reviewers,
    concurrency: o.concurrency,
    itemsPerProfile: Math.round((uploads.length / timings.length) * 100) / 100,
    applicantPhaseSeconds: Math.round((Math.max(...timings.map((t) => t.submitDone)) - Math.min(...timings.map((t) => t.registerStart))) / 100) / 10,
    verification: spread(timings.map((t) => (t.verified - t.registerStart) / 1000), 2),
    wallSeconds: Math.round(wall * 10) / 10,
    registrationsPerSecond: Math.round((timings.length / wall) * 100) / 100,
    submitToScored: spread(e2e),
    submitAnswerMs: spread(timings.map((t) => t.submitDone - t.submitStart), 0),
    uploads: {
      documents: uploads.length,
      bytes: uploadBytes,
      seconds: Math.round(uploadSeconds * 10) / 10,
      perSecond: Math.round((uploads.length / uploadSeconds) * 10) / 10,
      mbPerSecond: Math.round((uploadBytes / 1048576 / uploadSeconds) * 100) / 100,
      latencyMs: spread(uploads.map((u) => u.end - u.start), 0),
    },
    review: {
      decisions: stats.decisions,
      approved: stats.approved,
      rejected: stats.rejected,
      seconds: Math.round(reviewSeconds * 10) / 10,
      perSecond: Math.round((stats.decisions / Math.max(reviewSeconds, 0.001)) * 100) / 100,
      claimConflicts: stats.conflicts,
      queueListings: stats.listings,
      decisionMs: spread(stats.decisionMs, 0),
    },
    stars,
    meanTotal: Math.round((regs.reduce((a, r) => a + r.total, 0) / Math.max(1, regs.length)) * 100) / 100,
    sla: { escalateOnFirst: first.escalateOn, breachOnFirst: first.breachOn, escalated: regs.filter((r) => r.escalated).length, breached: regs.filter((r) => r.breached).length },
    talentBank: tb!.n,
    cpu,
    memory: { workerPeakRssMb: mb(peaks.get('worker') ?? 0), workerLiveHeapMb: wProbe.live, apiPeakRssMb: mb(peaks.get('api') ?? 0), apiLiveHeapMb: aProbe.live },
    loadavgStart,
    loadavgEnd,
    latency: null,
  };

  // A backlog nobody reviews, so the queue listing is measured against a non-empty queue.
  let openTasks = 0;
  if (backlog.length > 0) {
    log(`  SHM: submitting a backlog of ${backlog.length} unreviewed registrations for the queue-listing latency`);
    const sink = new Set<string>();
    await pool(backlog, o.concurrency, async (a) => {
      await applicantFlow(stack.apiUrl, a, o.documentKb, o.deadline, sink);
    });
    for (;;) {
      const [row] = (await stack.database.sql`
        select count(*) filter (where stage = 'in-review')::int as ready, count(*)::int as total from shm_registrations where status <> 'scored'`) as unknown as { ready: number; total: number }[];
      if (row!.ready >= backlog.length) break;
      if (Date.now() > o.deadline) throw new Error(`SHM bench: the backlog's review tasks were not created by the deadline (${row!.ready}/${backlog.length})`);
      await sleep(250);
    }
    const [open] = (await stack.database.sql`select count(*)::int as n from shm_review_tasks where status = 'open'`) as unknown as { n: number }[];
    openTasks = open!.n;
  }
  const towns = MUNICIPALITIES.slice(0, 6).map(([m]) => m);
  const load: ShmLoadTargets = {
    recruiterToken: recruiter.token,
    reviewerToken: reviewers[0]!.token,
    // A recruiter looking for a treasury official: one municipality, at least 3 stars (sometimes a current certification).
    talentPaths: towns.map((m, k) => `/v1/shm/talent?municipality=${encodeURIComponent(m)}&minStars=3${k % 3 === 2 ? '&certification=NICL-HM-01' : ''}`),
    // A reviewer's queue: the unassigned page, and the page of one municipality.
    queuePaths: ['/v1/shm/review-tasks?scope=unassigned&limit=50', ...towns.slice(0, 3).map((m) => `/v1/shm/review-tasks?scope=unassigned&municipality=${encodeURIComponent(m)}&limit=50`)],
    backlogRegistrations: backlog.length,
    openTasks,
  };
  return { result, load };
}
