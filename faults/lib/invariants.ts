/**
 * What must hold after the faults, checked in SQL against the run's own database (and the
 * API's trial balance): terminal states, a balanced ledger, nothing twice, nothing lost.
 */
import type postgres from 'postgres';
import { INDIVIDUAL_CREDITS } from '../../ledger/concepts';

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface InvariantInput {
  sql: postgres.Sql;
  institutions: Array<{ clave: string; period: string; sha256: string; rows: number; validRows: number; curps: string[] }>;
  applicants: Array<{ email: string; curp: string }>;
  /** Deposits the bank simulator holds per línea (what was really paid). */
  bankPaymentsByLinea: Map<string, number>;
  trialBalance: { balanced?: boolean; totalDebits?: string; totalCredits?: string } | null;
  expectedScore: { stars: number; total: string };
}

export async function checkInvariants(input: InvariantInput): Promise<Invariant[]> {
  const { sql } = input;
  const out: Invariant[] = [];
  const check = (name: string, ok: boolean, detail: string) => out.push({ name, ok, detail });
  const claves = input.institutions.map((i) => i.clave);
  const one = async <T>(q: Promise<T[]>) => (await q)[0]!;

  // ---- terminal states
  const stages = await sql<{ institution_clave: string; stage: string }[]>`
    select institution_clave, stage from payroll_submissions where institution_clave in ${sql(claves)}`;
  const notDispersed = input.institutions.filter((i) => stages.find((s) => s.institution_clave === i.clave)?.stage !== 'dispersed');
  check('every submission reached `dispersed`', notDispersed.length === 0, `${input.institutions.length - notDispersed.length}/${input.institutions.length} dispersed${notDispersed.length ? `; not: ${notDispersed.map((i) => `${i.clave}=${stages.find((s) => s.institution_clave === i.clave)?.stage ?? 'missing'}`).join(', ')}` : ''}`);

  const emails = input.applicants.map((a) => a.email);
  const regs = emails.length
    ? await sql<{ email: string; status: string | null; stars: number | null; total: string | null; scores: number }[]>`
        select a.email, r.status, s.stars, s.total::text as total,
               (select count(*)::int from shm_scores x where x.registration_id = r.id) as scores
          from shm_applicants a
          join shm_profiles p on p.applicant_id = a.id
          left join lateral (select * from shm_registrations r where r.profile_id = p.id order by version desc limit 1) r on true
          left join lateral (select * from shm_scores s where s.registration_id = r.id order by computed_at desc limit 1) s on true
         where a.email in ${sql(emails)}`
    : [];
  const scored = regs.filter((r) => r.status === 'scored');
  check('every registration reached `scored`', scored.length === input.applicants.length, `${scored.length}/${input.applicants.length} scored${regs.length < input.applicants.length ? `; ${input.applicants.length - regs.length} applicants missing` : ''}${scored.length < regs.length ? `; others: ${regs.filter((r) => r.status !== 'scored').map((r) => r.status ?? 'not submitted').join(', ')}` : ''}`);
  const wrongScore = scored.filter((r) => r.stars !== input.expectedScore.stars || r.total !== input.expectedScore.total || r.scores !== 1);
  check('each score is the rubric result, computed once', wrongScore.length === 0, `${scored.length - wrongScore.length}/${scored.length} with ${input.expectedScore.total} → ${input.expectedScore.stars} stars and exactly one score row${wrongScore.length ? `; wrong: ${JSON.stringify(wrongScore.slice(0, 3))}` : ''}`);

  // ---- ledger
  const totals = await one(sql<{ debits: string; credits: string; postings: number }[]>`
    select coalesce(sum(debit), 0)::text as debits, coalesce(sum(credit), 0)::text as credits, count(*)::int as postings from ledger_postings`);
  check('ledger balances: Σ debits = Σ credits', totals.debits === totals.credits && totals.postings > 0, `${totals.debits} = ${totals.credits} over ${totals.postings} postings`);
  check('API trial balance says balanced', input.trialBalance?.balanced === true, `GET /v1/ledger/trial-balance → balanced=${String(input.trialBalance?.balanced)}`);
  const unbalancedEntries = await sql<{ entry_key: string }[]>`
    select e.entry_key from journal_entries e
      left join ledger_postings p on p.entry_id = e.id
     group by e.id
    having coalesce(sum(p.debit), 0) <> coalesce(sum(p.credit), 0) or coalesce(sum(p.debit), 0) <> e.total_debit or e.total_debit <> e.total_credit`;
  check('every journal entry balances and matches its totals', unbalancedEntries.length === 0, unbalancedEntries.length ? unbalancedEntries.map((e) => e.entry_key).join(', ') : 'all entries');
  const perSubmission = await sql<{ clave: string; credits: string; deposits: string; linea: string; due: string; entries: number }[]>`
    select s.institution_clave as clave,
           coalesce((select sum(p.credit) from ledger_postings p join journal_entries e on e.id = p.entry_id where e.submission_id = s.id), 0)::text as credits,
           coalesce((select sum(d.amount) from bank_deposits d where d.submission_id = s.id and d.status = 'applied'), 0)::text as deposits,
           coalesce((select sum(l.amount) from lineas_captura l where l.submission_id = s.id and l.status = 'paid'), 0)::text as linea,
           coalesce((select d.total_due from determinaciones d where d.file_id = s.accepted_file_id), 0)::text as due,
           (select count(*)::int from journal_entries e where e.submission_id = s.id) as entries
      from payroll_submissions s where s.institution_clave in ${sql(claves)}`;
  const badSubmissions = perSubmission.filter((s) => s.credits !== s.deposits || s.deposits !== s.due || s.entries !== 1);
  check(
    'per submission: Σ credits = Σ deposits = determinación, one journal entry',
    badSubmissions.length === 0 && perSubmission.length === input.institutions.length,
    badSubmissions.length ? JSON.stringify(badSubmissions) : `${perSubmission.length} submissions, Σ credits ${sumText(perSubmission.map((s) => s.credits))}`,
  );

  // ---- nothing twice
  const dup = async (name: string, q: Promise<Array<{ n: number }>>, what: string) => {
    const { n } = (await q)[0]!;
    check(name, n === 0, `${n} ${what}`);
  };
  await dup('no person twice (CURP)', sql`select count(*)::int as n from (select curp from people group by curp having count(*) > 1) x`, 'duplicated CURPs');
  await dup('no clave ISSEMyM twice', sql`select count(*)::int as n from (select clave_issemym from people group by clave_issemym having count(*) > 1) x`, 'duplicated claves');
  const allCurps = input.institutions.flatMap((i) => i.curps);
  const people = await one(sql<{ n: number; distinct_people: number }[]>`
    select count(*)::int as n, count(distinct person_id)::int as distinct_people from curp_history where curp in ${sql(allCurps)}`);
  check('every accepted person registered exactly once', people.n === allCurps.length && people.distinct_people === allCurps.length, `${people.distinct_people} people for ${allCurps.length} valid rows`);
  const plazas = await one(sql<{ n: number }[]>`select count(*)::int as n from employments where institution_clave in ${sql(claves)}`);
  check('one plaza per accepted alta', plazas.n === allCurps.length, `${plazas.n} plazas for ${allCurps.length} altas`);
  await dup('no deposit twice (bank, tracking key)', sql`select count(*)::int as n from (select 1 from bank_deposits group by bank, tracking_key having count(*) > 1) x`, 'duplicated deposits');
  const deposits = await sql<{ reference: string; n: number; statuses: string }[]>`
    select d.reference, count(*)::int as n, string_agg(d.status, ',') as statuses from bank_deposits d group by d.reference`;
  const bankTotal = [...input.bankPaymentsByLinea.values()].reduce((a, b) => a + b, 0);
  const mismatched = [...input.bankPaymentsByLinea.entries()].filter(([linea, n]) => (deposits.find((d) => d.reference === linea)?.n ?? 0) !== n);
  check('every bank payment is one deposit (none lost, none extra)', mismatched.length === 0 && bankTotal === input.institutions.length, `${bankTotal} payments at the bank, ${deposits.reduce((a, d) => a + d.n, 0)} deposits recorded${mismatched.length ? `; mismatched: ${JSON.stringify(mismatched)}` : ''}`);
  const stuck = await one(sql<{ n: number }[]>`select count(*)::int as n from bank_deposits where status not in ('applied')`);
  check('no deposit left unrouted or queued', stuck.n === 0, `${stuck.n} deposits not applied`);
  const credited = await one(sql<{ n: number }[]>`select count(*)::int as n from individual_account_credits where institution_clave in ${sql(claves)}`);
  check('every accepted person credited once in their individual account', credited.n === allCurps.length, `${credited.n} individual-account credits for ${allCurps.length} people`);
  await dup(
    'individual accounts add up to their control accounts',
    sql`
      with detail as (
        select c.entry_id, c.administrator, v.concept, sum(v.amount) as amount
          from individual_account_credits c
         cross join lateral (values (${INDIVIDUAL_CREDITS[0].concept}::text, c.cuota), (${INDIVIDUAL_CREDITS[1].concept}::text, c.aportacion)) as v(concept, amount)
         where v.amount > 0
         group by 1, 2, 3),
      control as (
        select p.entry_id, a.administrator, p.concept, sum(p.credit) - sum(p.debit) as amount
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where a.kind = 'individual'
         group by 1, 2, 3)
      select count(*)::int as n from detail d full join control c using (entry_id, administrator, concept)
       where d.amount is distinct from c.amount`,
    '(entry, administrator, concept) whose per-person credits differ from the control posting',
  );
  await dup('no deposit debited twice', sql`select count(*)::int as n from (select 1 from ledger_postings where deposit_id is not null group by deposit_id having count(*) > 1) x`, 'deposits debited twice');
  await dup('no CFDI twice per submission', sql`select count(*)::int as n from (select 1 from cfdis group by submission_id having count(*) > 1) x`, 'submissions with two CFDIs');
  await dup('no review decision twice', sql`select count(*)::int as n from (select 1 from shm_review_events where action like 'decision:%' group by task_id having count(*) > 1) x`, 'tasks decided twice');
  await dup('no review task twice', sql`select count(*)::int as n from (select 1 from shm_review_tasks group by registration_id, round, document_id having count(*) > 1) x`, 'duplicated tasks');
  await dup('no SHM applicant twice', sql`select count(*)::int as n from (select 1 from shm_applicants group by curp having count(*) > 1) x`, 'duplicated applicants');
  await dup('no timeline event twice', sql`select count(*)::int as n from (select 1 from submission_events group by submission_id, event_key having count(*) > 1) x`, 'duplicated events');

  // ---- no upload lost, every row staged exactly once
  const files = await sql<{ sha256: string; status: string; staged_rows: number; staging_done: boolean; rows: number; distinct_rows: number; max_row: number; dup_findings: number; e040: number }[]>`
    select f.sha256, f.status, f.staged_rows, f.staging_done,
           (select count(*)::int from payroll_rows r where r.file_id = f.id) as rows,
           (select count(distinct r.row_number)::int from payroll_rows r where r.file_id = f.id) as distinct_rows,
           (select coalesce(max(r.row_number), 0)::int from payroll_rows r where r.file_id = f.id) as max_row,
           (select count(*)::int from (select 1 from payroll_findings x where x.file_id = f.id group by x.row_number, x.code, x."column", x.pass having count(*) > 1) d) as dup_findings,
           (select count(*)::int from payroll_findings x where x.file_id = f.id and x.code = 'E040') as e040
      from payroll_files f where f.sha256 in ${sql(input.institutions.map((i) => i.sha256))}`;
  const lost = input.institutions.filter((i) => !files.some((f) => f.sha256 === i.sha256));
  check('no upload lost', lost.length === 0 && files.length === input.institutions.length, `${files.length}/${input.institutions.length} files recorded (one per upload)`);
  const badFiles = input.institutions.filter((i) => {
    const f = files.find((x) => x.sha256 === i.sha256);
    return !f || f.status !== 'accepted' || !f.staging_done || f.staged_rows !== i.rows || f.rows !== i.rows || f.distinct_rows !== i.rows || f.max_row !== i.rows;
  });
  check('every accepted upload staged exactly once (rows = file rows, distinct row numbers)', badFiles.length === 0, badFiles.length ? JSON.stringify(files) : `${files.reduce((a, f) => a + f.rows, 0)} rows in ${files.length} files`);
  const findingDups = files.reduce((a, f) => a + f.dup_findings, 0);
  const e040 = files.map((f) => f.e040);
  check('no finding twice', findingDups === 0 && e040.every((n) => n === 1), `${findingDups} duplicated findings; the planted E040 found ${e040.join('/')} time(s)`);
  return out;
}

function sumText(values: string[]): string {
  let cents = 0n;
  for (const v of values) {
    const [a, b = '0'] = v.split('.');
    cents += BigInt(a!) * 100n + BigInt(b.padEnd(2, '0').slice(0, 2));
  }
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}
