import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispersionActivities } from '../../activities/dispersion';
import type { ActivityDeps } from '../../activities';
import { Decimal, toAmountString } from '../../domain/money';
import { createUser } from '../../identity/users';
import { createActivityDeps } from '../../worker/activity-deps';
import { loginAs, makeCurp, makeInstitutionClave } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';

/**
 * Dispersion (contracts §6) on a real database: the preconditions of a fully paid period are
 * written directly (institution, people with administrator assignments, an accepted file with
 * hand-chosen amounts, a paid línea with accessories, two applied deposits one with excess), then
 * `disperseSubmission` runs as the worker would run it.
 */

let world: TestWorld;
let deps: ActivityDeps;
let operator: { headers: { authorization: string } };
beforeAll(async () => {
  world = await startTestWorld();
  deps = createActivityDeps(world.config, world.database);
  operator = await loginAs(world, 'operator');
});
afterAll(async () => {
  await world?.stop();
});

const PERIOD = '202606';
const PAYMENT_DATE = '2026-03-20';
// Row amounts: cuota salud, reparto, sci | aportación salud, reparto, sci, admin, riesgo | ret. corto, hipotecario, otros.
type Amounts = [string, string, string, string, string, string, string, string, string, string, string];
const R1: Amounts = ['462.50', '610.00', '140.00', '1000.00', '600.00', '150.00', '100.00', '50.00', '250.00', '0.00', '10.00'];
const R2: Amounts = ['46.25', '61.00', '14.00', '100.00', '60.00', '15.00', '10.00', '5.00', '0.00', '0.00', '0.00'];
const R3: Amounts = ['231.27', '305.03', '70.01', '500.05', '300.03', '75.01', '50.01', '25.01', '0.00', '1200.00', '0.00'];
const R4: Amounts = ['92.50', '122.00', '28.00', '200.00', '120.00', '30.00', '20.00', '10.00', '0.00', '0.00', '5.55'];
const R_UNLOCATED: Amounts = ['10.00', '11.00', '1.23', '20.00', '12.00', '1.37', '2.00', '1.00', '0.00', '0.00', '0.00'];
const R_REJECTED: Amounts = ['999.99', '999.99', '999.99', '999.99', '999.99', '999.99', '999.99', '999.99', '999.99', '999.99', '999.99'];
// Σ non-rejected rows = 7126.82; accessories 12.34 + 56.78 = 69.12; excess 100.00 → deposits 7295.94.
const DEPOSIT_1 = '4000.00';
const DEPOSIT_2 = '3295.94';
const EXCESS = '100.00';

let claveSeq = 0;
function clave8(): string {
  claveSeq += 1;
  return String(90_000_000 - Math.floor(Math.random() * 1_000_000) * 10 - claveSeq).padStart(8, '0');
}

interface Scenario {
  institutionClave: string;
  submissionId: string;
  fileId: string;
  people: { p1: { id: string; curp: string; oldCurp: string }; p2: { id: string; curp: string }; p3: { id: string; curp: string } };
  depositIds: string[];
}

async function insertPerson(curp: string, extraCurps: string[] = []): Promise<string> {
  const sql = world.database.sql;
  const [row] = (await sql`
    insert into people (curp, clave_issemym, first_surname, second_surname, given_names)
    values (${curp}, ${clave8()}, 'PÉREZ', 'LÓPEZ', 'JUAN') returning id`) as unknown as { id: string }[];
  for (const c of [curp, ...extraCurps]) {
    const current = c === curp;
    await sql`insert into curp_history (curp, person_id, reason, replaced_at)
              values (${c}, ${row!.id}, ${current ? 'alta' : 'renapo-change'}, case when ${current}::boolean then null else now() end)`;
  }
  return row!.id;
}

async function insertRow(fileId: string, rowNumber: number, personId: string | null, curp: string, a: Amounts, rejected = false) {
  await world.database.sql`
    insert into payroll_rows (file_id, row_number, curp, movimiento, sueldo_cotizable, rejected, person_id,
                              cuota_salud, cuota_reparto, cuota_sci, aport_salud, aport_reparto, aport_sci, aport_admin, aport_riesgo,
                              ret_prestamo_corto, ret_prestamo_hipotecario, ret_otros)
    values (${fileId}, ${rowNumber}, ${curp}, 'N', '10000.00', ${rejected}, ${personId},
            ${a[0]}, ${a[1]}, ${a[2]}, ${a[3]}, ${a[4]}, ${a[5]}, ${a[6]}, ${a[7]}, ${a[8]}, ${a[9]}, ${a[10]})`;
}

async function insertFile(submissionId: string, version: number, status: string, kind = 'full'): Promise<string> {
  const [file] = (await world.database.sql`
    insert into payroll_files (submission_id, version, kind, storage_key, sha256, size_bytes, original_name, uploaded_by, status)
    values (${submissionId}, ${version}, ${kind}, ${'payroll/' + randomUUID().replace(/-/g, '')}, ${randomUUID()}, 100, 'nomina.csv', 'test', ${status})
    returning id`) as unknown as { id: string }[];
  return file!.id;
}

async function insertDeposit(s: { submissionId: string; institutionClave: string }, amount: string, applied: string, excess: string, date: string, status = 'applied', submissionId: string | null = s.submissionId) {
  const [d] = (await world.database.sql`
    insert into bank_deposits (bank, tracking_key, operation_date, value_date, amount, reference, source, raw, status, submission_id, applied_amount, excess_amount, match_result, applied_at)
    values ('BANCO-SIM', ${randomUUID()}, ${date}, ${date}, ${amount}, ${'REF' + s.institutionClave}, 'webhook', '{}'::jsonb, ${status}, ${submissionId},
            ${applied}, ${excess}, ${excess === '0.00' ? 'exact' : 'excess'}, now())
    returning id`) as unknown as { id: string }[];
  return d!.id;
}

/** A fully paid period: institution, 3 people, accepted file (+ superseded one), paid línea, 2 applied deposits. */
async function seedPaidPeriod(options: { deposit2?: string } = {}): Promise<Scenario> {
  const sql = world.database.sql;
  const institutionClave = makeInstitutionClave();
  await sql`
    insert into institutions (clave, name, rfc, kind, contact_curp, contact_name, contact_email, status)
    values (${institutionClave}, ${'Municipio ' + institutionClave}, 'MTO850101AB1', 'municipio', ${makeCurp()}, 'Enlace', 'enlace@example.mx', 'active')`;

  const p1 = { curp: makeCurp(), oldCurp: makeCurp(), id: '' };
  p1.id = await insertPerson(p1.curp, [p1.oldCurp]);
  const p2 = { curp: makeCurp(), id: '' };
  p2.id = await insertPerson(p2.curp);
  const p3 = { curp: makeCurp(), id: '' };
  p3.id = await insertPerson(p3.curp);
  // p1: AFORE-X since before the payment date; p2: AFORE-X only from after it (ISSEMYM on the payment date); p3: none (default ISSEMYM).
  await sql`
    insert into administrator_assignments (person_id, administrator_code, effective_from, effective_to) values
      (${p1.id}, 'ISSEMYM', '2020-01-01', '2026-02-28'), (${p1.id}, 'AFORE-X', '2026-03-01', null),
      (${p2.id}, 'ISSEMYM', '2020-01-01', '2026-03-31'), (${p2.id}, 'AFORE-X', '2026-04-01', null)`;

  const [submission] = (await sql`
    insert into payroll_submissions (institution_clave, period, workflow_id, stage)
    values (${institutionClave}, ${PERIOD}, ${'payroll/' + institutionClave + '/' + PERIOD}, 'invoiced') returning id`) as unknown as { id: string }[];
  const submissionId = submission!.id;
  const superseded = await insertFile(submissionId, 1, 'superseded');
  await insertRow(superseded, 1, p1.id, p1.curp, R_REJECTED);
  const fileId = await insertFile(submissionId, 2, 'accepted');
  await sql`update payroll_submissions set accepted_file_id = ${fileId} where id = ${submissionId}`;
  await insertRow(fileId, 1, p1.id, p1.curp, R1);
  await insertRow(fileId, 2, p1.id, p1.curp, R2); // a second plaza of the same person
  await insertRow(fileId, 3, p2.id, p2.curp, R3);
  await insertRow(fileId, 4, p3.id, p3.curp, R4);
  await insertRow(fileId, 5, null, makeCurp(), R_UNLOCATED);
  await insertRow(fileId, 6, p3.id, p3.curp, R_REJECTED, true);

  await sql`
    insert into lineas_captura (linea, submission_id, institution_clave, period, sequence, amount, principal, actualizacion, recargos, late_months, due_date, valid_until, status, issue_key)
    values (${randomUUID()}, ${submissionId}, ${institutionClave}, ${PERIOD}, 1, '7130.15', '7126.82', '1.11', '2.22', 1, '2026-03-05', '2026-03-05', 'superseded', ${randomUUID()}),
           (${randomUUID()}, ${submissionId}, ${institutionClave}, ${PERIOD}, 2, '7195.94', '7126.82', '12.34', '56.78', 1, '2026-03-05', '2026-03-31', 'paid', ${randomUUID()})`;
  const s = { submissionId, institutionClave };
  const deposit2 = options.deposit2 ?? DEPOSIT_2;
  const depositIds = [
    await insertDeposit(s, DEPOSIT_1, DEPOSIT_1, '0.00', '2026-03-18'),
    await insertDeposit(s, deposit2, toAmountString(new Decimal(deposit2).minus(EXCESS)), EXCESS, PAYMENT_DATE),
  ];
  // Not this period's money: a deposit still in the operators' queue.
  await insertDeposit(s, '555.55', '0.00', '0.00', '2026-03-19', 'queued');
  return { institutionClave, submissionId, fileId, people: { p1, p2, p3 }, depositIds };
}

const activities = (options: Parameters<typeof createDispersionActivities>[1] = {}) => createDispersionActivities(deps, options);

async function credits(submissionId: string) {
  return (await world.database.sql`
    select a.kind, a.code, a.administrator, p.concept, p.debit::text as debit, p.credit::text as credit, p.deposit_id
      from ledger_postings p join ledger_accounts a on a.id = p.account_id join journal_entries e on e.id = p.entry_id
     where e.submission_id = ${submissionId}
     order by a.code, p.concept, p.deposit_id`) as unknown as { kind: string; code: string; administrator: string | null; concept: string; debit: string; credit: string; deposit_id: string | null }[];
}

/** The individual accounts' subsidiary ledger rows of a submission's entries. */
async function individualCredits(submissionId: string) {
  return (await world.database.sql`
    select c.person_id, c.administrator, c.cuota::text as cuota, c.aportacion::text as aportacion
      from individual_account_credits c join journal_entries e on e.id = c.entry_id
     where e.submission_id = ${submissionId}
     order by c.person_id`) as unknown as { person_id: string; administrator: string; cuota: string; aportacion: string }[];
}

/** Everything the dispersion wrote for a submission, in a stable order (ids of generated rows excluded). */
async function ledgerSnapshot(s: Scenario) {
  const sql = world.database.sql;
  return {
    entries: await sql`select entry_key, payment_date::text, total_debit::text, total_credit::text, posting_count from journal_entries where submission_id = ${s.submissionId} order by entry_key`,
    sources: await sql`select s.source_kind, s.source_id from journal_entry_sources s join journal_entries e on e.id = s.entry_id where e.submission_id = ${s.submissionId} order by 1, 2`,
    postings: await credits(s.submissionId),
    batches: await sql`select administrator, person_count, record_count, total::text, status, file_sha256 from dispersion_batches where submission_id = ${s.submissionId} order by administrator`,
    individualCredits: await sql`select person_id, period, administrator, cuota::text, aportacion::text from individual_account_credits where person_id in ${sql([s.people.p1.id, s.people.p2.id, s.people.p3.id])} order by person_id`,
  };
}

function amountOf(rows: Awaited<ReturnType<typeof credits>>, code: string, concept: string): string | undefined {
  return rows.find((r) => r.code === code && r.concept === concept)?.credit;
}

describe('dispersion of a fully paid period', () => {
  let s: Scenario;
  let first: Awaited<ReturnType<ReturnType<typeof activities>['disperseSubmission']>>;

  beforeAll(async () => {
    s = await seedPaidPeriod();
    // Run inside a real activity context (heartbeats), as the worker runs it.
    first = await new MockActivityEnvironment().run(activities().disperseSubmission, { submissionId: s.submissionId });
  });

  it('credits each person at the administrator in force on the payment date, to the centavo', async () => {
    const detail = await individualCredits(s.submissionId);
    const { p1, p2, p3 } = s.people;
    const of = (personId: string) => detail.find((r) => r.person_id === personId);
    // p1: two rows (two plazas) → one credit per concept, at AFORE-X (assigned 2026-03-01 ≤ 2026-03-20).
    expect(of(p1.id)).toEqual({ person_id: p1.id, administrator: 'AFORE-X', cuota: '154.00', aportacion: '165.00' });
    // p2: AFORE-X only from 2026-04-01 → ISSEMYM on the payment date.
    expect(of(p2.id)).toEqual({ person_id: p2.id, administrator: 'ISSEMYM', cuota: '70.01', aportacion: '75.01' });
    // p3: no assignment → ISSEMYM; the rejected row adds nothing.
    expect(of(p3.id)).toEqual({ person_id: p3.id, administrator: 'ISSEMYM', cuota: '28.00', aportacion: '30.00' });
    expect(detail).toHaveLength(3);
  });

  it("credits each administrator's control account in the journal with exactly the sum of its people's credits", async () => {
    const rows = await credits(s.submissionId);
    expect(amountOf(rows, 'sci:AFORE-X', 'sci-cuota')).toBe('154.00');
    expect(amountOf(rows, 'sci:AFORE-X', 'sci-aportacion')).toBe('165.00');
    expect(amountOf(rows, 'sci:ISSEMYM', 'sci-cuota')).toBe('98.01'); // 70.01 + 28.00
    expect(amountOf(rows, 'sci:ISSEMYM', 'sci-aportacion')).toBe('105.01'); // 75.01 + 30.00
    const individual = rows.filter((r) => r.kind === 'individual');
    expect(individual).toHaveLength(4);
    expect(individual.every((r) => r.debit === '0.00')).toBe(true);
  });

  it('credits the funds, the loans portfolio, accessories income, the SCI suspense and the institution credit', async () => {
    const rows = await credits(s.submissionId);
    expect(amountOf(rows, 'fund:salud', 'salud-cuota')).toBe('842.52');
    expect(amountOf(rows, 'fund:salud', 'salud-aportacion')).toBe('1820.05');
    expect(amountOf(rows, 'fund:reparto', 'reparto-cuota')).toBe('1109.03');
    expect(amountOf(rows, 'fund:reparto', 'reparto-aportacion')).toBe('1092.03');
    expect(amountOf(rows, 'fund:admin', 'admin-aportacion')).toBe('182.01');
    expect(amountOf(rows, 'fund:riesgo', 'riesgo-aportacion')).toBe('91.01');
    expect(amountOf(rows, 'loans-portfolio', 'retencion-prestamo-corto')).toBe('250.00');
    expect(amountOf(rows, 'loans-portfolio', 'retencion-prestamo-hipotecario')).toBe('1200.00');
    expect(amountOf(rows, 'loans-portfolio', 'retencion-otros')).toBe('15.55');
    expect(amountOf(rows, 'accessories-income', 'actualizacion')).toBe('12.34');
    expect(amountOf(rows, 'accessories-income', 'recargos')).toBe('56.78');
    expect(amountOf(rows, 'suspense:sci', 'sci-cuota')).toBe('1.23');
    expect(amountOf(rows, 'suspense:sci', 'sci-aportacion')).toBe('1.37');
    expect(amountOf(rows, `institution-credit:${s.institutionClave}`, 'excedente')).toBe('100.00');
    // Bank clearing: one debit per applied deposit of this submission (the queued one is not there).
    const bank = rows.filter((r) => r.kind === 'bank-clearing');
    expect(bank.map((r) => [r.deposit_id, r.debit]).sort()).toEqual(
      [
        [s.depositIds[0], DEPOSIT_1],
        [s.depositIds[1], DEPOSIT_2],
      ].sort(),
    );
  });

  it('balances: Σ credits = Σ deposits = Σ debits of bank clearing, and reports it per destination and administrator', async () => {
    expect(first.created).toBe(true);
    expect(first).toMatchObject({
      submissionId: s.submissionId,
      institutionClave: s.institutionClave,
      period: PERIOD,
      paymentDate: PAYMENT_DATE,
      deposits: '7295.94',
      totalDebits: '7295.94',
      totalCredits: '7295.94',
      balanced: true,
      individualAccounts: 3,
      destinations: {
        individual: '522.02',
        funds: { salud: '2662.57', reparto: '2201.06', admin: '182.01', riesgo: '91.01' },
        loansPortfolio: '1465.55',
        accessoriesIncome: '69.12',
        institutionCredit: '100.00',
        suspense: '2.60',
      },
    });
    expect(first.entries).toEqual([
      expect.objectContaining({ entryKey: `dispersion:${s.submissionId}:${s.fileId}`, paymentDate: PAYMENT_DATE, totalDebit: '7295.94', totalCredit: '7295.94' }),
    ]);
    expect(first.administrators).toEqual([
      { administrator: 'ISSEMYM', personCount: 2, recordCount: 4, totalCuota: '98.01', totalAportacion: '105.01', total: '203.02', file: 'internal', fileSha256: null },
      { administrator: 'AFORE-X', personCount: 1, recordCount: 2, totalCuota: '154.00', totalAportacion: '165.00', total: '319.00', file: 'ready', fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const rows = await credits(s.submissionId);
    const sum = (f: (r: (typeof rows)[number]) => string) => toAmountString(rows.reduce((t, r) => t.plus(f(r)), new Decimal(0)));
    expect(sum((r) => r.credit)).toBe('7295.94');
    expect(sum((r) => r.debit)).toBe('7295.94');
  });

  it("writes the AFORE-X batch file with each person's CURP, clave, sub-account, amount, origin and period", async () => {
    const [batch] = (await world.database.sql`
      select storage_key, file_sha256, file_format, record_count, total::text from dispersion_batches
       where submission_id = ${s.submissionId} and administrator = 'AFORE-X'`) as unknown as { storage_key: string; file_sha256: string; file_format: string }[];
    expect(batch!.file_format).toBe('csv-v1');
    const [p1] = (await world.database.sql`select curp, clave_issemym from people where id = ${s.people.p1.id}`) as unknown as { curp: string; clave_issemym: string }[];
    const text = (await deps.storage.getBuffer(batch!.storage_key)).toString('utf8');
    expect(text).toBe(
      'curp,clave_issemym,subcuenta,importe,origen,periodo\n' +
        `${p1!.curp},${p1!.clave_issemym},SCI,165.00,aportacion,${PERIOD}\n` +
        `${p1!.curp},${p1!.clave_issemym},SCI,154.00,cuota,${PERIOD}\n`,
    );
    // ISSEMYM keeps its accounts: no file.
    const [issemym] = (await world.database.sql`
      select storage_key, status from dispersion_batches where submission_id = ${s.submissionId} and administrator = 'ISSEMYM'`) as unknown as { storage_key: string | null; status: string }[];
    expect(issemym).toEqual({ storage_key: null, status: 'internal' });
  });

  it('running it again changes nothing (retry / replay / duplicate run)', async () => {
    const before = await ledgerSnapshot(s);
    const again = await activities().disperseSubmission({ submissionId: s.submissionId });
    expect(again.created).toBe(false);
    expect({ ...again, created: true }).toEqual(first);
    expect(await ledgerSnapshot(s)).toEqual(before);
  });

  it('shows the summary to the institution (its own only), and the trial balance to operators', async () => {
    const institution = await loginAs(world, 'institution', { institutionClave: s.institutionClave });
    const own = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.institutionClave}/periods/${PERIOD}/dispersion`, headers: institution.headers });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ totalCredits: '7295.94', balanced: true, destinations: { individual: '522.02', institutionCredit: '100.00' } });
    const other = await loginAs(world, 'institution', { institutionClave: makeInstitutionClave() });
    expect((await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.institutionClave}/periods/${PERIOD}/dispersion`, headers: other.headers })).statusCode).toBe(403);
    const notYet = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.institutionClave}/periods/202607/dispersion`, headers: operator.headers });
    expect(notYet.statusCode).toBe(404);

    const tb = await world.app.inject({ method: 'GET', url: `/v1/ledger/trial-balance?institutionClave=${s.institutionClave}`, headers: operator.headers });
    expect(tb.statusCode, tb.body).toBe(200);
    const body = tb.json();
    expect(body).toMatchObject({ totalDebits: '7295.94', totalCredits: '7295.94', balanced: true });
    expect(body.byKind).toContainEqual({ kind: 'bank-clearing', debits: '7295.94', credits: '0.00', balance: '-7295.94', postings: 2 });
    // The individual accounts as the journal holds them: two administrators' control accounts × two concepts.
    expect(body.byKind).toContainEqual({ kind: 'individual', debits: '0.00', credits: '522.02', balance: '522.02', postings: 4 });
    expect(body.byKind).toContainEqual({ kind: 'fund', debits: '0.00', credits: '5136.65', balance: '5136.65', postings: 6 });
    const all = await world.app.inject({ method: 'GET', url: '/v1/ledger/trial-balance', headers: operator.headers });
    expect(all.json().balanced).toBe(true);
    expect((await world.app.inject({ method: 'GET', url: '/v1/ledger/trial-balance', headers: institution.headers })).statusCode).toBe(403);
  });

  it("gives a servant their own account statement (also by a former CURP), refuses another's, and audits both", async () => {
    const { p1, p2 } = s.people;
    const username = `servant-${p1.id}`;
    await createUser(world.database.db, { username, password: 'una-contraseña-larga-de-prueba', role: 'servant', personId: p1.id });
    const login = await world.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: 'una-contraseña-larga-de-prueba' } });
    const servant = { authorization: `Bearer ${login.json().accessToken}` };

    for (const key of [p1.curp, p1.oldCurp]) {
      const res = await world.app.inject({ method: 'GET', url: `/v1/people/${key}/account`, headers: servant });
      expect(res.statusCode, res.body).toBe(200);
      const st = res.json();
      expect(st).toMatchObject({ personId: p1.id, curp: p1.curp, balance: '319.00', accounts: [{ administrator: 'AFORE-X', balance: '319.00', credits: '319.00', debits: '0.00' }] });
      expect(st.periods).toEqual([
        {
          period: PERIOD,
          total: '319.00',
          movements: [
            expect.objectContaining({ institutionClave: s.institutionClave, period: PERIOD, concept: 'sci-aportacion', administrator: 'AFORE-X', amount: '165.00', date: PAYMENT_DATE }),
            expect.objectContaining({ institutionClave: s.institutionClave, period: PERIOD, concept: 'sci-cuota', administrator: 'AFORE-X', amount: '154.00', date: PAYMENT_DATE }),
          ],
        },
      ]);
    }
    const denied = await world.app.inject({ method: 'GET', url: `/v1/people/${p2.curp}/account`, headers: servant });
    expect(denied.statusCode).toBe(404); // as for an unknown CURP: existence is not revealed
    const unknown = await world.app.inject({ method: 'GET', url: `/v1/people/${makeCurp()}/account`, headers: servant });
    expect(unknown.statusCode).toBe(404);

    const byOperator = await world.app.inject({ method: 'GET', url: `/v1/people/${p2.curp}/account`, headers: operator.headers });
    expect(byOperator.statusCode).toBe(200);
    expect(byOperator.json()).toMatchObject({ balance: '145.02', accounts: [{ administrator: 'ISSEMYM', balance: '145.02' }] });
    const institution = await loginAs(world, 'institution', { institutionClave: s.institutionClave });
    expect((await world.app.inject({ method: 'GET', url: `/v1/people/${p2.curp}/account`, headers: institution.headers })).statusCode).toBe(403);

    const audit = (await world.database.sql`
      select actor_role, subject_id, outcome from audit_log where subject_type = 'person-account' and subject_id in ${world.database.sql([p1.id, p2.id])}`) as unknown as {
      actor_role: string;
      subject_id: string;
      outcome: string;
    }[];
    expect(audit).toEqual(
      expect.arrayContaining([
        { actor_role: 'servant', subject_id: p1.id, outcome: 'allowed' },
        { actor_role: 'servant', subject_id: p2.id, outcome: 'denied' },
        { actor_role: 'operator', subject_id: p2.id, outcome: 'allowed' },
      ]),
    );
  });

  it('disperses a later complement and a late excess deposit in their own entries, never touching the first', async () => {
    const sql = world.database.sql;
    const p4 = makeCurp();
    const p4Id = await insertPerson(p4);
    const complement = await insertFile(s.submissionId, 3, 'accepted', 'complementary');
    await insertRow(complement, 1, p4Id, p4, ['10.00', '20.00', '3.00', '40.00', '50.00', '6.00', '7.00', '8.00', '0.00', '0.00', '0.00']);
    await sql`
      insert into lineas_captura (linea, submission_id, institution_clave, period, sequence, amount, principal, due_date, valid_until, status, issue_key)
      values (${randomUUID()}, ${s.submissionId}, ${s.institutionClave}, ${PERIOD}, 3, '144.00', '144.00', '2026-04-05', '2026-04-05', 'paid', ${randomUUID()})`;
    const d3 = await insertDeposit(s, '144.00', '144.00', '0.00', '2026-04-02');
    const before = await credits(s.submissionId);
    const detailBefore = await individualCredits(s.submissionId);

    const second = await activities().disperseSubmission({ submissionId: s.submissionId });
    expect(second.created).toBe(true);
    expect(second.entries.map((e) => e.entryKey)).toEqual([`dispersion:${s.submissionId}:${s.fileId}`, `dispersion:${s.submissionId}:${complement}`]);
    expect(second.entries[1]).toMatchObject({ paymentDate: '2026-04-02', totalDebit: '144.00', totalCredit: '144.00' });
    const after = await credits(s.submissionId);
    const detailAfter = await individualCredits(s.submissionId);
    expect(detailAfter.find((r) => r.person_id === p4Id)).toEqual({ person_id: p4Id, administrator: 'ISSEMYM', cuota: '3.00', aportacion: '6.00' });
    expect(detailAfter.filter((r) => r.person_id !== p4Id)).toEqual(detailBefore);
    expect(after.filter((r) => r.deposit_id === d3).map((r) => r.debit)).toEqual(['144.00']);
    expect(after.length).toBe(before.length + 9); // 2 control (ISSEMYM) + 6 fund credits (no retentions, no accessories) + 1 deposit debit
    expect(second).toMatchObject({ totalCredits: '7439.94', deposits: '7439.94', balanced: true });

    // An excess-only deposit after dispersion: its own entry, credit balance for the institution.
    await insertDeposit(s, '50.00', '0.00', '50.00', '2026-04-10');
    const third = await activities().disperseSubmission({ submissionId: s.submissionId });
    expect(third.created).toBe(true);
    expect(third.entries).toHaveLength(3);
    expect(third.entries[2]!.entryKey).toMatch(new RegExp(`^dispersion:${s.submissionId}:sources-[0-9a-f]{16}$`));
    expect(third).toMatchObject({ totalCredits: '7489.94', deposits: '7489.94', balanced: true, destinations: { institutionCredit: '150.00' } });
    expect((await activities().disperseSubmission({ submissionId: s.submissionId })).created).toBe(false);
  });
});

describe('dispersion under failures and races', () => {
  it('two concurrent runs write the ledger exactly once', async () => {
    const s = await seedPaidPeriod();
    const [a, b] = await Promise.all([activities().disperseSubmission({ submissionId: s.submissionId }), activities().disperseSubmission({ submissionId: s.submissionId })]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect({ ...a, created: true }).toEqual({ ...b, created: true });
    const snapshot = await ledgerSnapshot(s);
    expect(snapshot.entries).toHaveLength(1);
    expect(snapshot.postings.filter((p) => p.kind === 'individual')).toHaveLength(4);
    expect(snapshot.individualCredits).toHaveLength(3);
    expect(snapshot.batches).toHaveLength(2);
    expect(a.totalCredits).toBe('7295.94');
  });

  it('a worker killed before commit leaves nothing, and the next run writes what a clean run writes', async () => {
    const s = await seedPaidPeriod();
    const crashing = activities({
      beforeCommit: async () => {
        throw new Error('worker killed');
      },
    });
    await expect(crashing.disperseSubmission({ submissionId: s.submissionId })).rejects.toThrow('worker killed');
    const empty = await ledgerSnapshot(s);
    expect(empty).toEqual({ entries: [], sources: [], postings: [], batches: [], individualCredits: [] });

    const clean = await activities().disperseSubmission({ submissionId: s.submissionId });
    expect(clean).toMatchObject({ created: true, totalCredits: '7295.94', deposits: '7295.94', balanced: true, individualAccounts: 3 });
    const snapshot = await ledgerSnapshot(s);
    // 4 control (2 administrators × 2 concepts) + 2 suspense + 6 fund + 3 loans + 2 accessories + 1 excess credits, 2 deposit debits.
    expect(snapshot.postings).toHaveLength(20);
    expect(snapshot.individualCredits).toHaveLength(3);
  });

  it("reads only its own institution's payroll rows, however many other institutions' rows are stored", async () => {
    // Another institution's 20,000 rows, with the statistics autovacuum would give them.
    const sql = world.database.sql;
    await sql`
      insert into payroll_rows (file_id, row_number, curp, movimiento, sueldo_cotizable, cuota_sci)
      select ${randomUUID()}::uuid, g, 'XAXX' || lpad(g::text, 14, '0'), 'N', 10000, 1 from generate_series(1, 20000) g`;
    await sql`analyze payroll_rows`;
    const s = await seedPaidPeriod();
    let readBySequentialScans = -1;
    await activities({
      beforeCommit: async (tx) => {
        const [stats] = (await tx`select seq_tup_read::int as n from pg_stat_xact_user_tables where relname = 'payroll_rows'`) as unknown as { n: number }[];
        readBySequentialScans = stats?.n ?? 0;
      },
    }).disperseSubmission({ submissionId: s.submissionId });
    expect(await individualCredits(s.submissionId)).toHaveLength(3);
    expect(readBySequentialScans).toBe(0);
  });

  it('refuses to credit a person twice for the same institution and period: a complement repeating someone writes nothing', async () => {
    const sql = world.database.sql;
    const s = await seedPaidPeriod();
    await activities().disperseSubmission({ submissionId: s.submissionId });
    const before = await ledgerSnapshot(s);
    const complement = await insertFile(s.submissionId, 3, 'accepted', 'complementary');
    await insertRow(complement, 1, s.people.p3.id, s.people.p3.curp, ['10.00', '20.00', '3.00', '40.00', '50.00', '6.00', '7.00', '8.00', '0.00', '0.00', '0.00']);
    await sql`
      insert into lineas_captura (linea, submission_id, institution_clave, period, sequence, amount, principal, due_date, valid_until, status, issue_key)
      values (${randomUUID()}, ${s.submissionId}, ${s.institutionClave}, ${PERIOD}, 3, '144.00', '144.00', '2026-04-05', '2026-04-05', 'paid', ${randomUUID()})`;
    await insertDeposit(s, '144.00', '144.00', '0.00', '2026-04-02');
    const error = (await activities()
      .disperseSubmission({ submissionId: s.submissionId })
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error.type).toBe('LedgerInvariantViolation');
    expect(error.nonRetryable).toBe(true);
    expect(error.message).toContain('abonaría de nuevo la cuenta individual');
    expect(await ledgerSnapshot(s)).toEqual(before);
  });

  it('deposits that do not match the determinación break the invariant: nothing is written and the failure says why', async () => {
    const s = await seedPaidPeriod({ deposit2: '3295.93' }); // one centavo short
    const error = await activities()
      .disperseSubmission({ submissionId: s.submissionId })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe('LedgerInvariantViolation');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('7295.94'); // Σ credits
    expect(failure.message).toContain('7295.93'); // Σ deposits
    expect(await ledgerSnapshot(s)).toEqual({ entries: [], sources: [], postings: [], batches: [], individualCredits: [] });
  });

  it('refuses to disperse a period without applied deposits', async () => {
    const s = await seedPaidPeriod();
    await world.database.sql`update bank_deposits set status = 'queued' where submission_id = ${s.submissionId}`;
    const error = (await activities()
      .disperseSubmission({ submissionId: s.submissionId })
      .catch((e: unknown) => e)) as ApplicationFailure;
    expect(error.type).toBe('DispersionNotReady');
    expect(error.nonRetryable).toBe(true);
  });
});
