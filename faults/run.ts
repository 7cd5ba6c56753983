/**
 * Fault-injection suite (issue 8): `make faults` (big) and `make faults-smoke` (CI size).
 *
 * Starts its own full stack (faults/lib/stack.ts), then runs a multi-institution quincena
 * (upload → accept → pay through the bank simulator → CFDI → dispersion) and a batch of SHM
 * registrations (register → cédula → documents → submit → reviewers decide → score), all
 * through the API, while it SIGKILLs and restarts the workers, the API and the Temporal dev
 * server at seeded-random moments, crash-restarts PostgreSQL once, and makes the simulators
 * slow, failing and duplicating. After recovery it checks the invariants in SQL and through the
 * API, writes its section of RELIABILITY.md and exits non-zero if anything was lost, duplicated
 * or left unfinished.
 *
 * Sizes (env): FAULT_INSTITUTIONS, FAULT_ROWS (per file), FAULT_REGISTRATIONS, FAULT_KILLS,
 * FAULT_WORKERS, FAULT_WINDOW_S (how long faults are injected), FAULT_RECOVERY_S (bound on the
 * wait after the last fault), FAULT_SEED, FAULT_RUN_NAME (the RELIABILITY.md section).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase } from '../db/client';
import { institutions } from '../db/schema';
import { addDays, mexicoDateOf } from '../domain/dates';
import { parsePeriod, periodOfDate } from '../domain/periods';
import { createUser } from '../identity/users';
import type { Role } from '../identity/principal';
import { createBankSimulatorClient, createRenapoSimulatorClient, createStampingSimulatorClient } from '../integrations/simulator-control';
import { personKeys, seededRandom } from '../synthetic/payroll-files';
import { checkInvariants, type Invariant } from './lib/invariants';
import { multipartFile, pollUntil, RetryingClient } from './lib/http';
import { table, writeSection } from './lib/report';
import { FaultStack } from './lib/stack';

const int = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Math.max(0, Math.floor(Number(v)));
};
const cfg = {
  name: process.env.FAULT_RUN_NAME ?? 'faults',
  institutions: Math.max(1, int('FAULT_INSTITUTIONS', 6)),
  rows: Math.max(2, int('FAULT_ROWS', 2000)),
  registrations: int('FAULT_REGISTRATIONS', 20),
  kills: int('FAULT_KILLS', 10),
  workers: Math.max(1, int('FAULT_WORKERS', 2)),
  windowS: Math.max(20, int('FAULT_WINDOW_S', 240)),
  recoveryS: Math.max(30, int('FAULT_RECOVERY_S', 420)),
  seed: int('FAULT_SEED', 20260815),
};

const t0 = Date.now();
const since = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = (msg: string) => console.log(`[${since().padStart(6)} s] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = seededRandom(cfg.seed);
const between = (a: number, b: number) => a + random() * (b - a);
const todayMx = () => mexicoDateOf(Date.now());

// ------------------------------------------------------------------------------------ records

interface FaultEvent {
  at: string;
  t: number;
  kind: string;
  target: string;
  detail: string;
}
const faults: FaultEvent[] = [];
let loadStart = 0;
function recordFault(kind: string, target: string, detail = '') {
  const e = { at: new Date().toISOString(), t: Math.round((Date.now() - loadStart) / 100) / 10, kind, target, detail };
  faults.push(e);
  log(`FAULT ${kind} ${target} ${detail}`);
}

const ops = {
  uploads: 0,
  uploadsDuplicateAnswers: 0,
  acceptances: 0,
  payments: 0,
  dispersed: 0,
  statementImports: 0,
  applicantsRegistered: 0,
  documentsUploaded: 0,
  registrationsSubmitted: 0,
  decisions: 0,
  scored: 0,
};
const failures: string[] = [];

// ------------------------------------------------------------------------------------ main

const stack = new FaultStack({ workers: cfg.workers, simSeed: String(cfg.seed), log, env: { RENAPO_RATE_PER_SECOND: '400' } });
let exitCode = 1;
process.once('SIGINT', () => {
  void stack.stop().finally(() => process.exit(130));
});
process.once('SIGTERM', () => {
  void stack.stop().finally(() => process.exit(143));
});

try {
  log(`fault suite "${cfg.name}": ${JSON.stringify(cfg)}`);
  log('starting the private stack...');
  await stack.start();
  const bootSeconds = since();
  const result = await runSuite();
  exitCode = result.ok ? 0 : 1;
  writeReport(result.invariants, bootSeconds, result.loadSeconds, result.recoverySeconds, result.http);
  log(result.ok ? 'ALL INVARIANTS HOLD' : 'INVARIANT FAILURES: see RELIABILITY.md');
} catch (err) {
  console.error(err);
  failures.push(`suite aborted: ${(err as Error).message}`);
  try {
    writeReport([], '-', '-', '-', null);
  } catch {
    // nothing more to report
  }
} finally {
  log('stopping the stack...');
  await stack.stop();
}
process.exit(exitCode);

// ------------------------------------------------------------------------------------ suite

interface InstitutionPlan {
  clave: string;
  period: string;
  username: string;
  password: string;
  token: string;
  file: Buffer;
  sha256: string;
  rows: number;
  validRows: number;
  curps: string[];
}

interface ApplicantPlan {
  curp: string;
  email: string;
  password: string;
  token?: string;
  profileId?: string;
  registrationId?: string;
  status?: string;
}

async function runSuite() {
  const api = new RetryingClient(stack.apiUrl);
  const renapo = createRenapoSimulatorClient({ baseUrl: stack.url('renapo'), timeoutMs: 60_000 });
  const bank = createBankSimulatorClient({ baseUrl: stack.url('bank'), timeoutMs: 30_000 });
  const stamping = createStampingSimulatorClient({ baseUrl: stack.url('stamping') });
  const database = createDatabase(stack.databaseUrl, { max: 2 });

  // ---- setup (before any fault): institutions, staff, RENAPO records, files
  const period = periodOfDate(addDays(todayMx(), 20));
  const periodStart = parsePeriod(period)!.start;
  const runTag = randomBytes(2).toString('hex');
  const plans: InstitutionPlan[] = [];
  let personIndex = 1000 + Math.floor(random() * 1000) * 100;
  const NAMES = [
    ['GARCIA', 'LOPEZ', 'ANA'],
    ['PEREZ', 'RUIZ', 'LUIS'],
    ['SOTO', 'MENA', 'EVA'],
    ['LARA', 'VEGA', 'OMAR'],
    ['CRUZ', 'DIAZ', 'IRMA'],
  ] as const;
  const renapoSeed: Array<Parameters<typeof renapo.seedBulk>[0][number]> = [];
  for (let i = 0; i < cfg.institutions; i++) {
    const clave = String(21000 + i * 7 + Math.floor(random() * 5)).padStart(5, '0');
    await database.db
      .insert(institutions)
      .values({ clave, name: `Institución de prueba ${clave}`, rfc: 'MTO850101AB1', kind: 'municipio', contactCurp: 'XEXX010101HNEXXXA4', contactName: 'Enlace', contactEmail: `enlace${clave}@example.mx`, status: 'active' })
      .onConflictDoNothing();
    const username = `nomina-${clave}-${runTag}`;
    const password = `clave-larga-${randomBytes(6).toString('hex')}`;
    await createUser(database.db, { username, password, role: 'institution', institutionClave: clave });
    const lines = ['curp,rfc,primer_apellido,segundo_apellido,nombres,movimiento,fecha_movimiento,sueldo_cotizable,dias_cotizados,ret_prestamo_corto'];
    const curps: string[] = [];
    // Row 2 carries an error (E040) on purpose: the valid rows are accepted, the bad one stays quarantined.
    for (let r = 0; r < cfg.rows; r++) {
      const names = NAMES[r % NAMES.length]!;
      personIndex += 1;
      const keys = personKeys(names[0], names[1], names[2], personIndex, random);
      const sueldo = r === 1 ? 'abc' : `${2000 + Math.floor(random() * 40000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
      const ret = random() < 0.2 ? `${100 + Math.floor(random() * 900)}.00` : '';
      lines.push([keys.curp, keys.rfc, names[0], names[1], names[2], 'A', periodStart, sueldo, '13', ret].join(','));
      if (r !== 1) curps.push(keys.curp);
      renapoSeed.push({
        curp: keys.curp,
        nombres: names[2],
        apellido1: names[0],
        apellido2: names[1],
        sexo: keys.sex,
        fechNac: keys.birthDate,
        cveEntidadNac: keys.curp.slice(11, 13),
        estatusCURP: 'AN',
      });
    }
    const file = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
    const { createHash } = await import('node:crypto');
    plans.push({ clave, period, username, password, token: '', file, sha256: createHash('sha256').update(file).digest('hex'), rows: cfg.rows, validRows: cfg.rows - 1, curps });
  }
  const applicants: ApplicantPlan[] = [];
  for (let j = 0; j < cfg.registrations; j++) {
    personIndex += 1;
    const keys = personKeys('MORALES', 'REYES', 'SOFIA', 500_000 + personIndex, random);
    applicants.push({ curp: keys.curp, email: `aspirante-${runTag}-${j}@example.mx`, password: `aspirante-larga-${randomBytes(6).toString('hex')}` });
    renapoSeed.push({ curp: keys.curp, nombres: 'SOFIA', apellido1: 'MORALES', apellido2: 'REYES', sexo: keys.sex, fechNac: keys.birthDate, cveEntidadNac: keys.curp.slice(11, 13), estatusCURP: 'AN' });
  }
  for (let k = 0; k < renapoSeed.length; k += 5000) await renapo.seedBulk(renapoSeed.slice(k, k + 5000));

  const staff: Record<string, { username: string; password: string; token: string }> = {};
  for (const [username, role] of [
    [`operador-${runTag}`, 'operator'],
    [`revisor-a-${runTag}`, 'reviewer'],
    [`revisor-b-${runTag}`, 'reviewer'],
  ] as Array<[string, Role]>) {
    const password = `staff-larga-${randomBytes(6).toString('hex')}`;
    await createUser(database.db, { username, password, role });
    staff[username] = { username, password, token: '' };
  }
  const login = async (username: string, password: string) => {
    const res = await api.request('POST', '/v1/auth/login', { json: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
    return res.json.accessToken as string;
  };
  for (const s of Object.values(staff)) s.token = await login(s.username, s.password);
  for (const p of plans) p.token = await login(p.username, p.password);
  const operator = staff[`operador-${runTag}`]!;
  const reviewers = [staff[`revisor-a-${runTag}`]!, staff[`revisor-b-${runTag}`]!];
  log(`setup done: ${plans.length} institutions × ${cfg.rows} rows, ${applicants.length} applicants, period ${period}`);

  // ---- the load, spread over the fault window
  loadStart = Date.now();
  const windowMs = cfg.windowS * 1000;
  const deadline = loadStart + windowMs + cfg.recoveryS * 1000;
  let faultsOver = false;
  const paymentDates = new Set<string>();

  async function institutionFlow(p: InstitutionPlan, delayMs: number) {
    await sleep(delayMs);
    const base = `/v1/institutions/${p.clave}/periods/${p.period}`;
    const form = multipartFile(p.file, `nomina-${p.clave}.csv`);
    const up = await api.request('POST', `${base}/files`, { token: p.token, body: form.body, headers: form.headers, budgetMs: 180_000 });
    if (up.status !== 202) throw new Error(`upload ${p.clave}: ${up.status} ${up.text}`);
    ops.uploads += 1;
    if (up.json.duplicate) ops.uploadsDuplicateAnswers += 1;
    const view = () => api.request('GET', base, { token: p.token }).then((r) => r.json);
    await pollUntil(`${p.clave} computed`, view, (v) => v?.versions?.some((x: { status: string }) => ['computed', 'accepted'].includes(x.status)), deadline - Date.now(), 1000);
    const acc = await api.request('POST', `${base}/accept`, { token: p.token });
    if (acc.status !== 202) throw new Error(`accept ${p.clave}: ${acc.status} ${acc.text}`);
    ops.acceptances += 1;
    const withLinea = await pollUntil(`${p.clave} línea`, view, (v) => (v?.lineas ?? []).some((l: { status: string }) => l.status === 'active'), deadline - Date.now(), 1000);
    const linea = (withLinea.lineas as Array<{ linea: string; amount: string; status: string }>).find((l) => l.status === 'active')!;
    // The bank simulator may answer 503 (before recording anything); a lost answer is checked
    // against the bank's own record before paying again, so one payment is one deposit.
    for (let attempt = 1; attempt <= 30; attempt++) {
      const existing = await bank.payments(linea.linea).catch(() => null);
      if (existing && existing.length > 0) break;
      try {
        const d = await bank.pay({ reference: linea.linea, amount: linea.amount });
        paymentDates.add(d.operationDate);
        ops.payments += 1;
        break;
      } catch {
        await sleep(500 * attempt);
      }
      if (attempt === 30) throw new Error(`bank payment for ${p.clave} kept failing`);
    }
    paymentDates.add(todayMx());
    await pollUntil(`${p.clave} dispersed`, view, (v) => v?.stage === 'dispersed', deadline - Date.now(), 1500);
    ops.dispersed += 1;
    log(`  ${p.clave}: dispersed`);
  }

  const notice = await api.request('GET', '/v1/shm/privacy-notice');
  const noticeVersion = notice.json.version as string;
  const pdf = (label: string) =>
    Buffer.from(`%PDF-1.4\n%${randomBytes(6).toString('hex')}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% ${label}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
  const POSITION = { municipality: 'Toluca', ente: 'ayuntamiento', area: 'Tesorería', cargo: 'Subdirector de Ingresos', startDate: '2022-01-01' };
  const LICENCIATURA = { level: 'licenciatura', institution: 'UAEMéx', programme: 'Licenciatura en Contaduría', field: 'contaduria', status: 'titulado', cedulaProfesional: '12345678' };
  const CERT = { issuer: 'IHAEM-COCERTEM', standardCode: 'NICL-HM-01', standardTitle: 'Funciones de la Tesorería Municipal', level: 3, folio: 'COCERTEM-2024-0117', issuedOn: '2024-02-01', expiresOn: '2030-12-31', relevantToHacienda: true };

  async function applicantFlow(a: ApplicantPlan, delayMs: number) {
    await sleep(delayMs);
    const reg = await api.request('POST', '/v1/shm/applicants', { json: { curp: a.curp, email: a.email, password: a.password, privacyNoticeVersion: noticeVersion, talentBankOptIn: true } });
    // 409: an earlier attempt whose answer was lost created the account.
    if (reg.status !== 201 && reg.status !== 409) throw new Error(`applicant ${a.email}: ${reg.status} ${reg.text}`);
    ops.applicantsRegistered += 1;
    a.token = await pollUntil(`login ${a.email}`, () => login(a.email, a.password), (t) => !!t, deadline - Date.now(), 2000);
    const profile = () => api.request('GET', '/v1/shm/profile', { token: a.token }).then((r) => r.json);
    await pollUntil(`${a.email} verified`, profile, (v) => v?.applicant?.status === 'active', deadline - Date.now(), 1000);
    const put = await api.request('PUT', '/v1/shm/profile', { token: a.token, json: { position: POSITION, studies: [LICENCIATURA], certifications: [CERT] } });
    if (put.status !== 200) throw new Error(`profile ${a.email}: ${put.status} ${put.text}`);
    a.profileId = put.json.profileId;
    for (const kind of ['studies', 'certifications'] as const) {
      for (let attempt = 1; attempt <= 10; attempt++) {
        const current = await profile();
        const item = current[kind][0] as { id: string; documents: unknown[] };
        if (item.documents.length > 0) break; // an earlier attempt stored it
        const form = multipartFile(pdf(item.id), `soporte-${kind}.pdf`, 'application/pdf', { itemId: item.id });
        const res = await api.request('POST', '/v1/shm/profile/documents', { token: a.token, body: form.body, headers: form.headers });
        if (res.status === 201) {
          ops.documentsUploaded += 1;
          break;
        }
        if (attempt === 10) throw new Error(`document ${a.email}: ${res.status} ${res.text}`);
      }
    }
    const sub = await api.request('POST', '/v1/shm/profile/submit', { token: a.token, budgetMs: 180_000 });
    if (sub.status !== 202 && sub.status !== 409) throw new Error(`submit ${a.email}: ${sub.status} ${sub.text}`);
    ops.registrationsSubmitted += 1;
    const done = await pollUntil(`${a.email} scored`, profile, (v) => v?.registration?.status === 'scored', deadline - Date.now(), 1500);
    a.registrationId = done.registration.registrationId;
    a.status = done.registration.status;
    ops.scored += 1;
  }

  let applicantsDone = false;
  async function reviewerLoop(r: { token: string }, index: number) {
    for (let round = 0; round < 100_000 && !applicantsDone && Date.now() < deadline; round++) {
      try {
        const mine = await api.request('GET', '/v1/shm/review-tasks?scope=mine&limit=200', { token: r.token });
        const unassigned = await api.request('GET', '/v1/shm/review-tasks?scope=unassigned&limit=200', { token: r.token });
        const open = [...(mine.json?.items ?? []), ...(unassigned.json?.items ?? [])].filter((t: { status: string }) => t.status === 'open');
        for (const t of open as Array<{ id: string; claimedBy: string | null }>) {
          if (!t.claimedBy) {
            const c = await api.request('POST', `/v1/shm/review-tasks/${t.id}/claim`, { token: r.token });
            if (c.status !== 200) continue; // the other reviewer took it (or an earlier attempt did)
          }
          const d = await api.request('POST', `/v1/shm/review-tasks/${t.id}/decision`, { token: r.token, json: { decision: 'approve' } });
          if (d.status === 200) ops.decisions += 1;
        }
      } catch (err) {
        log(`  reviewer ${index}: ${(err as Error).message.slice(0, 160)}`);
      }
      await sleep(1500);
    }
  }

  async function reconcileStatements() {
    // What operators do every day: import the bank's statement. Deposits whose webhooks were
    // lost while the API was down are recorded from it; the rest are duplicates that change nothing.
    for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
      if (!faultsOver) {
        await sleep(2000);
        continue;
      }
      if (ops.dispersed === plans.length) return;
      await sleep(20_000);
      if (ops.dispersed === plans.length) return;
      for (const date of paymentDates) {
        try {
          const csv = Buffer.from(await bank.statement(date));
          const form = multipartFile(csv, `edo-${date}.csv`, 'text/csv');
          const res = await api.request('POST', '/v1/bank/statements?bank=BBVA', { token: operator.token, body: form.body, headers: form.headers });
          ops.statementImports += 1;
          log(`  statement ${date}: ${res.status} ${res.text.slice(0, 160)}`);
        } catch (err) {
          log(`  statement ${date}: ${(err as Error).message.slice(0, 160)}`);
        }
      }
    }
  }

  const track = (what: string, p: Promise<unknown>) =>
    p.catch((err) => {
      failures.push(`${what}: ${(err as Error).message.slice(0, 400)}`);
      log(`  FAILED ${what}: ${(err as Error).message.slice(0, 300)}`);
    });
  const institutionRuns = plans.map((p, i) => track(`institution ${p.clave}`, institutionFlow(p, (i / plans.length) * windowMs * 0.5)));
  const applicantRuns = applicants.map((a, j) => track(`applicant ${a.email}`, applicantFlow(a, (j / Math.max(1, applicants.length)) * windowMs * 0.6)));
  const reviewerRuns = reviewers.map((r, i) => reviewerLoop(r, i));
  const reconciler = reconcileStatements();
  const injector = injectFaults({ bank, renapo, stamping }, windowMs).finally(() => {
    faultsOver = true;
  });

  await injector;
  const recoveryStart = Date.now();
  log('fault window over: simulators clean, every process up; waiting for the work to finish');
  await Promise.all(institutionRuns);
  await Promise.all(applicantRuns);
  applicantsDone = true;
  await Promise.all(reviewerRuns);
  await reconciler;
  const loadSeconds = ((recoveryStart - loadStart) / 1000).toFixed(1);
  const recoverySeconds = ((Date.now() - recoveryStart) / 1000).toFixed(1);
  log(`work finished ${recoverySeconds} s after the last fault; checking invariants`);

  const bankDeposits = new Map<string, number>();
  for (const p of plans) {
    const view = await api.request('GET', `/v1/institutions/${p.clave}/periods/${p.period}`, { token: p.token });
    for (const l of (view.json?.lineas ?? []) as Array<{ linea: string }>) bankDeposits.set(l.linea, (await bank.payments(l.linea)).length);
  }
  const trial = await api.request('GET', '/v1/ledger/trial-balance', { token: operator.token });
  const invariants = await checkInvariants({
    sql: database.sql,
    institutions: plans.map((p) => ({ clave: p.clave, period: p.period, sha256: p.sha256, rows: p.rows, validRows: p.validRows, curps: p.curps })),
    applicants: applicants.map((a) => ({ email: a.email, curp: a.curp })),
    bankPaymentsByLinea: bankDeposits,
    trialBalance: trial.json,
    expectedScore: { stars: 3, total: '42.00' },
  });
  await database.close();
  for (const f of failures) invariants.unshift({ name: 'operation finished', ok: false, detail: f });
  for (const inv of invariants) log(`  ${inv.ok ? 'ok  ' : 'FAIL'} ${inv.name}: ${inv.detail}`);
  return { ok: invariants.every((i) => i.ok), invariants, loadSeconds, recoverySeconds, http: api.stats };
}

// ------------------------------------------------------------------------------------ faults

async function injectFaults(
  sims: { bank: ReturnType<typeof createBankSimulatorClient>; renapo: ReturnType<typeof createRenapoSimulatorClient>; stamping: ReturnType<typeof createStampingSimulatorClient> },
  windowMs: number,
): Promise<void> {
  const rate = () => Math.round(between(0.05, 0.2) * 100) / 100;
  const degrade = async (latency: () => number, label: string) => {
    const settings = {
      renapo: { latencyMs: latency(), errorRate: rate(), duplicateRate: 0 },
      bank: { latencyMs: latency(), errorRate: rate(), duplicateRate: Math.round(between(0.3, 0.8) * 100) / 100 },
      stamping: { latencyMs: latency(), errorRate: rate(), duplicateRate: 0 },
    };
    await sims.renapo.control(settings.renapo);
    await sims.bank.control(settings.bank);
    await sims.stamping.control(settings.stamping);
    recordFault('simulators', 'renapo, bank, stamping', `${label}: ${JSON.stringify(settings)}`);
  };
  await degrade(() => Math.floor(between(50, 300)), 'failing + duplicating');

  // Kills spread over the window: slot i gets one event at a random point of its middle.
  const targets: string[] = [];
  const cycle = ['worker', 'api', 'temporal'];
  for (let i = 0; i < cfg.kills; i++) targets.push(cycle[i % cycle.length]!);
  for (let i = targets.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [targets[i], targets[j]] = [targets[j]!, targets[i]!];
  }
  targets.splice(Math.floor(random() * (targets.length + 1)), 0, 'postgres');
  const slowAt = windowMs * between(0.35, 0.55);
  const slot = windowMs / (targets.length + 1);
  const plan = targets.map((target, i) => ({ target, at: slot * (i + 0.5) + slot * between(0.2, 0.8) }));
  let slowed = false;
  let workerKills = 0;
  for (const step of plan) {
    const wait = loadStart + step.at - Date.now();
    if (!slowed && Date.now() - loadStart + Math.max(0, wait) > slowAt) {
      await sleep(Math.max(0, loadStart + slowAt - Date.now()));
      await degrade(() => Math.floor(between(800, 2000)), 'slow');
      slowed = true;
    }
    await sleep(Math.max(0, loadStart + step.at - Date.now()));
    const down = Math.floor(between(1000, 4000));
    const started = Date.now();
    if (step.target === 'postgres') {
      recordFault('restart', 'postgres', 'pg_ctl restart -m immediate');
      stack.restartPostgresImmediate();
      recordFault('up', 'postgres', `${Date.now() - started} ms`);
      continue;
    }
    if (step.target === 'worker') {
      // Alternately one worker and every worker (nothing polls the task queue for a while).
      workerKills += 1;
      const all = cfg.workers === 1 || workerKills % 2 === 1;
      const victims = all ? Array.from({ length: cfg.workers }, (_, i) => i) : [Math.floor(random() * cfg.workers)];
      for (const v of victims) await stack.kill(`worker-${v}`);
      recordFault('SIGKILL', all ? 'all workers' : `worker-${victims[0]}`, '');
      await sleep(down);
      await Promise.all(victims.map((v) => stack.startWorker(v)));
      recordFault('up', all ? 'all workers' : `worker-${victims[0]}`, `down ${Date.now() - started} ms`);
      continue;
    }
    if (step.target === 'api') {
      await stack.kill('api');
      recordFault('SIGKILL', 'api', '');
      await sleep(down);
      await stack.startApi();
      recordFault('up', 'api', `down ${Date.now() - started} ms`);
      continue;
    }
    await stack.kill('temporal');
    recordFault('SIGKILL', 'temporal', '');
    await sleep(down);
    await stack.restartTemporal();
    recordFault('up', 'temporal', `down ${Date.now() - started} ms`);
  }
  if (!slowed) await degrade(() => Math.floor(between(800, 2000)), 'slow');
  await sleep(Math.max(0, loadStart + windowMs - Date.now()));
  await sims.renapo.control({ latencyMs: 0, errorRate: 0, duplicateRate: 0 });
  await sims.bank.control({ latencyMs: 0, errorRate: 0, duplicateRate: 0 });
  await sims.stamping.control({ latencyMs: 0, errorRate: 0, duplicateRate: 0 });
  recordFault('simulators', 'renapo, bank, stamping', 'clean');
}

// ------------------------------------------------------------------------------------ report

function writeReport(invariants: Invariant[], bootSeconds: string, loadSeconds: string, recoverySeconds: string, http: RetryingClient['stats'] | null) {
  const failed = invariants.filter((i) => !i.ok);
  const count = (pred: (e: FaultEvent) => boolean) => faults.filter(pred).length;
  const ok = failures.length === 0 && failed.length === 0 && invariants.length > 0;
  const md = `
## Fault injection — \`${cfg.name}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC): ${ok ? '**all invariants hold**' : '**FAILED**'}

Command: \`${cfg.name === 'faults-smoke' ? 'make faults-smoke' : 'make faults'}\` — ${cfg.institutions} institutions × ${cfg.rows} rows,
${cfg.registrations} SHM registrations, ${cfg.workers} worker(s), fault window ${cfg.windowS} s, seed ${cfg.seed}.
Stack up in ${bootSeconds} s; faults injected for ${loadSeconds} s; the work finished ${recoverySeconds} s after the last fault;
total ${since()} s on a 2-core machine.

**Faults injected:** ${count((e) => e.kind === 'SIGKILL' && e.target.includes('worker'))} worker kills (SIGKILL of the process group),
${count((e) => e.kind === 'SIGKILL' && e.target === 'api')} API kills, ${count((e) => e.kind === 'SIGKILL' && e.target === 'temporal')} Temporal dev server kills,
${count((e) => e.kind === 'restart' && e.target === 'postgres')} PostgreSQL crash-restart (\`pg_ctl restart -m immediate\`),
${count((e) => e.kind === 'simulators')} simulator fault changes (5–20 % errors, duplicated bank webhooks, latency).

<details><summary>Fault timeline (seconds from the start of the load)</summary>

${table(['t (s)', 'UTC', 'fault', 'target', 'detail'], faults.map((e) => [e.t, e.at.slice(11, 19), e.kind, e.target, e.detail.replace(/\|/g, '/')]))}

</details>

**Operations completed:**

${table(['operation', 'count'], [
    ['payroll files uploaded (answers flagged duplicate on a retry)', `${ops.uploads} (${ops.uploadsDuplicateAnswers})`],
    ['submissions accepted', ops.acceptances],
    ['bank payments (each a deposit at the bank simulator)', ops.payments],
    ['statement imports by the operator', ops.statementImports],
    ['submissions dispersed', ops.dispersed],
    ['SHM applicants registered', ops.applicantsRegistered],
    ['SHM documents uploaded', ops.documentsUploaded],
    ['SHM registrations submitted', ops.registrationsSubmitted],
    ['review decisions', ops.decisions],
    ['registrations scored', ops.scored],
    ['driver HTTP requests (retried / connection errors / 5xx / gave up)', http ? `${http.requests} (${http.retried} / ${http.connectionErrors} / ${http.serverErrors} / ${http.gaveUp})` : '-'],
  ])}

**Invariants after recovery** (lost or duplicated must be zero):

${invariants.length > 0 ? table(['', 'invariant', 'measured'], invariants.map((i) => [i.ok ? 'ok' : '**FAIL**', i.name, i.detail.replace(/\|/g, '/')])) : '_not checked: the suite aborted_'}
${failures.length > 0 ? `\nUnfinished operations:\n\n${failures.map((f) => `- ${f.replace(/\|/g, '/')}`).join('\n')}\n` : ''}`;
  writeSection(cfg.name, md);
}
