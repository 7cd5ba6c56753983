/**
 * Issue 8 (reliability) in CI size. The cheapest meaningful slices of the fault suite
 * (`make faults-smoke` runs the whole quincena under faults):
 * - a real worker process is SIGKILLed while it stages a 20,000-row file; another one takes
 *   over and every row is staged exactly once, resumed from the committed row;
 * - a deposit the API recorded but could not route before it died (the kill lands between the
 *   insert and the routing) is routed when the bank repeats the notification, not absorbed as a
 *   "duplicate";
 * - an SHM applicant whose account was committed but whose CURP check never started (the API or
 *   Temporal went down in between) is verified when the registration request is repeated.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bankDeposits, paymentReviewQueue, shmApplicants, shmProfiles } from '../../db/schema';
import { PAYROLL_COLUMNS } from '../../domain/payroll/layout';
import { parsePeriod } from '../../domain/periods';
import { BANK_SIGNATURE_HEADER, signBankPayload } from '../../integrations/bank-signature';
import { startWorkerProcess as spawnWorkerProcess, type ManagedProcess } from '../../scripts/lib/processes';
import { eq } from 'drizzle-orm';
import { createUser } from '../../identity/users';
import { shmApplicantWorkflowId } from '../../workflows/shm-applicant';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { createActiveInstitution, expectStatus, uploadPayroll } from '../support/payroll';
import { csvRecord, generatePayrollRows, recordValues } from '../../synthetic/payroll-files';
import { startTestWorld, TEST_JWT_SECRET, TEST_STORAGE_KEY, type TestWorld } from '../support/world';

const ROWS = 20_000;
const PERIOD = '202604';
const taskQueue = `resilience-${randomBytes(4).toString('hex')}`;
let world: TestWorld;
const workers: ManagedProcess[] = [];
const logDir = mkdtempSync(path.join(os.tmpdir(), 'resilience-'));

/** worker/main.ts as a separate process group on this world's database, storage and task queue. */
async function startWorkerProcess(name: string): Promise<ManagedProcess> {
  const proc = spawnWorkerProcess(name, {
    logDir,
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: world.config.DATABASE_URL!,
      DATABASE_KIND: '',
      DATABASE_POOL_MAX: '4',
      TEMPORAL_ADDRESS: world.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      STORAGE_DIR: world.config.STORAGE_DIR,
      STORAGE_ENCRYPTION_KEY: TEST_STORAGE_KEY,
      JWT_SECRET: TEST_JWT_SECRET,
      BANK_WEBHOOK_SECRET: inject('bankWebhookSecret'),
      RENAPO_URL: inject('renapoUrl'),
      BANK_SIM_URL: inject('bankSimUrl'),
      STAMPING_URL: inject('stampingUrl'),
      // The RENAPO pass after staging is not what this test is about: keep it slow and cheap.
      RENAPO_RATE_PER_SECOND: '5',
      LOG_LEVEL: 'warn',
    },
  });
  workers.push(proc);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${name} exited: ${readFileSync(proc.logFile, 'utf8').slice(-2000)}`);
    try {
      if (readFileSync(proc.logFile, 'utf8').includes('worker polling task queue')) return proc;
    } catch {
      // log not written yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not start polling`);
}

beforeAll(async () => {
  // The API of this world starts its workflows on `taskQueue`, which only the child processes poll.
  world = await startTestWorld({ TEMPORAL_TASK_QUEUE: taskQueue });
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await world?.stop();
});

describe('worker killed during staging', () => {
  it('stages every row of a 20,000-row file exactly once after a SIGKILL, resuming from the committed row', async () => {
    const first = await startWorkerProcess('worker-a');
    const clave = makeInstitutionClave();
    await createActiveInstitution(world, clave);
    const user = await loginAs(world, 'institution', { institutionClave: clave });
    const period = parsePeriod(PERIOD)!;
    let n = 0;
    const lines = [csvRecord(PAYROLL_COLUMNS, { delimiter: ',' })];
    for (const r of generatePayrollRows({ rows: ROWS, seed: 808, period: PERIOD })) {
      n += 1;
      // One planted error (E040, decimal comma) every 5,000 rows: four findings, each exactly once.
      const sueldo = n % 5000 === 2500 ? '1234,50' : r.sueldo_cotizable === '0.00' ? '2500.00' : r.sueldo_cotizable;
      lines.push(csvRecord(recordValues({ ...r, movimiento: 'A', clave_issemym: '', fecha_movimiento: period.start, dias_cotizados: String(period.days), sueldo_cotizable: sueldo }), { delimiter: ',' }));
    }
    const upload = await uploadPayroll(world, user.headers, clave, PERIOD, Buffer.from(lines.join(''), 'utf8'));
    expectStatus(upload, 202);
    const { sql } = world.database;
    const staged = async () =>
      ((await sql`select f.id, f.staged_rows, f.staging_done from payroll_files f where f.submission_id = ${upload.json().submissionId}`) as unknown as Array<{ id: string; staged_rows: number; staging_done: boolean }>)[0];

    // Kill when at least one 5,000-row chunk is committed and at most 80 % of the file.
    let atKill: { id: string; staged_rows: number; staging_done: boolean } | undefined;
    for (let i = 0; i < 3000; i++) {
      const s = await staged();
      if (s && s.staged_rows >= 5000) {
        first.kill('SIGKILL');
        atKill = await staged();
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(atKill, 'the worker was killed mid-staging').toBeDefined();
    expect(atKill!.staged_rows).toBeGreaterThanOrEqual(5000);
    expect(atKill!.staged_rows).toBeLessThanOrEqual(ROWS * 0.8);
    expect(atKill!.staging_done).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await staged())!.staged_rows, 'nothing moves while no worker runs').toBe(atKill!.staged_rows);

    // A new worker process: Temporal retries the activity after its heartbeat timeout (30 s).
    await startWorkerProcess('worker-b');
    let resumedFrom: number | null = null;
    let previous = atKill!.staged_rows;
    for (let i = 0; i < 900; i++) {
      const s = (await staged())!;
      if (resumedFrom === null && s.staged_rows !== previous) resumedFrom = previous;
      previous = s.staged_rows;
      if (s.staging_done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumedFrom, 'staging resumed where the dead worker committed').toBe(atKill!.staged_rows);
    const [counts] = (await sql`
      select count(*)::int as rows, count(distinct row_number)::int as distinct_rows, min(row_number)::int as first, max(row_number)::int as last
        from payroll_rows where file_id = ${atKill!.id}`) as unknown as Array<{ rows: number; distinct_rows: number; first: number; last: number }>;
    expect(counts).toEqual({ rows: ROWS, distinct_rows: ROWS, first: 1, last: ROWS });
    const [file] = (await sql`select staged_rows, staging_done from payroll_files where id = ${atKill!.id}`) as unknown as Array<{ staged_rows: number; staging_done: boolean }>;
    expect(file).toEqual({ staged_rows: ROWS, staging_done: true });
    const findings = (await sql`select row_number, code from payroll_findings where file_id = ${atKill!.id} and pass = 'row' order by row_number`) as unknown as Array<{ row_number: number; code: string }>;
    expect(findings.map((f) => `${f.row_number}:${f.code}`)).toEqual(['2500:E040', '7500:E040', '12500:E040', '17500:E040']);
    // Two worker starts (each bundles the workflows) and Temporal's 30 s heartbeat timeout: ≈70 s.
  }, 180_000);
});

describe('deposit recorded but not routed before a crash', () => {
  it('is routed when the bank repeats the notification instead of being absorbed as a duplicate', async () => {
    const trackingKey = `RASTREO${randomBytes(5).toString('hex').toUpperCase()}`;
    const body = {
      bank: 'BBVA',
      account: '012180001183597211',
      operationDate: '2026-03-02',
      valueDate: '2026-03-02',
      amount: '1500.00',
      reference: '01999992026050000199',
      trackingKey,
      payerName: 'MUNICIPIO',
      payerAccount: '',
    };
    // What a killed API leaves behind: the deposit row, still `received`, routed nowhere.
    await world.database.db.insert(bankDeposits).values({
      bank: body.bank,
      trackingKey,
      account: body.account,
      operationDate: body.operationDate,
      valueDate: body.valueDate,
      amount: body.amount,
      reference: body.reference,
      source: 'webhook',
      raw: body,
    });
    const raw = JSON.stringify(body);
    const res = await world.app.inject({
      method: 'POST',
      url: '/v1/bank/notifications',
      headers: { 'content-type': 'application/json', [BANK_SIGNATURE_HEADER]: signBankPayload(raw, inject('bankWebhookSecret')) },
      payload: raw,
    });
    expectStatus(res, 200);
    // The reference is unknown: it goes to the operators' queue, where someone will see it.
    expect(res.json()).toMatchObject({ outcome: 'queued', reason: 'unknown-reference' });
    const [deposit] = await world.database.db.select().from(bankDeposits).where(eq(bankDeposits.trackingKey, trackingKey));
    expect(deposit!.status).toBe('queued');
    const queued = await world.database.db.select().from(paymentReviewQueue).where(eq(paymentReviewQueue.depositId, deposit!.id));
    expect(queued).toHaveLength(1);
    // A further repeat is a plain duplicate.
    const again = await world.app.inject({
      method: 'POST',
      url: '/v1/bank/notifications',
      headers: { 'content-type': 'application/json', [BANK_SIGNATURE_HEADER]: signBankPayload(raw, inject('bankWebhookSecret')) },
      payload: raw,
    });
    expect(again.json()).toMatchObject({ outcome: 'duplicate', depositId: deposit!.id });
  });
});

describe('SHM applicant committed but never verified', () => {
  it('starts the CURP check when the registration is repeated, still answering 409', async () => {
    if (!workers.some((w) => w.child.exitCode === null && w.child.signalCode === null)) await startWorkerProcess('worker-c');
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN', nombres: 'ANA', apellido1: 'GARCIA', apellido2: 'LOPEZ' });
    const email = `aspirante-${randomBytes(4).toString('hex')}@example.mx`;
    const password = 'una-contraseña-de-aspirante-larga';
    // What a crash between the commit and the workflow start leaves: the account, verifying, no workflow.
    const { id: userId } = await createUser(world.database.db, { username: email, password, role: 'applicant' });
    const [applicant] = await world.database.db.insert(shmApplicants).values({ userId, curp, email, talentBankOptIn: false }).returning({ id: shmApplicants.id });
    await world.database.db.update(shmApplicants).set({ verificationWorkflowId: shmApplicantWorkflowId(applicant!.id) }).where(eq(shmApplicants.id, applicant!.id));
    await world.database.db.insert(shmProfiles).values({ applicantId: applicant!.id });

    const notice = (await world.app.inject({ method: 'GET', url: '/v1/shm/privacy-notice' })).json();
    const again = await world.app.inject({ method: 'POST', url: '/v1/shm/applicants', payload: { curp, email, password, privacyNoticeVersion: notice.version, talentBankOptIn: false } });
    expect(again.statusCode, again.body).toBe(409);
    let status = 'verifying';
    for (let i = 0; i < 300 && status === 'verifying'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      [{ status }] = (await world.database.db.select({ status: shmApplicants.status }).from(shmApplicants).where(eq(shmApplicants.id, applicant!.id))) as [{ status: string }];
    }
    expect(status).toBe('active');
  });
});
