import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql, TransactionSql } from 'postgres';
import { z } from 'zod';
import type { ActivityDeps } from '.';
import { createCsvAdministratorFileAdapter, type AdministratorFileAdapter, type AdministratorRecord } from '../integrations/administrator-files';
import { DEFAULT_ADMINISTRATOR, dispersionAccounts, institutionCreditAccount, sciControlAccount, ACCESSORIES_INCOME, BANK_CLEARING, SCI_SUSPENSE } from '../ledger/accounts';
import { ACCESSORY_CONCEPTS, assertColumnName, DEPOSIT_CONCEPT, EXCESS_CONCEPT, INDIVIDUAL_CREDITS, originOf, POOLED_ROW_CREDITS } from '../ledger/concepts';
import { dispersionEntryKey, hasSources, type EntrySources } from '../ledger/entry-key';
import { checkDispersionInvariant, checkSubledgerMatchesControl, LEDGER_INVARIANT_VIOLATION, type IndividualTotal } from '../ledger/invariant';
import { Decimal, toAmountString } from '../domain/money';
import { buildDispersionSummary, type BatchRow, type ConceptTotalRow, type DispersionEntryView, type DispersionSummary } from '../ledger/summary';

export type { DispersionSummary } from '../ledger/summary';

/**
 * Dispersion (contracts §6, docs/ledger.md): after a period is paid, one balanced journal entry
 * places every centavo deposited — individual accounts (per person, at the administrator in force
 * on the payment date), institute funds, loans portfolio, accessories income and the institution's
 * credit balance — then the per-administrator batches and their files. The journal credits each
 * administrator's control account; the per-person credits are the subsidiary ledger
 * `individual_account_credits`, one row per person, whose totals must equal those control credits.
 *
 * One transaction per run, set-based SQL only (INSERT … SELECT over payroll_rows; memory does not
 * grow with the number of people). The entry's natural key plus `journal_entry_sources` (each
 * file, deposit and línea dispersed at most once) make retries, replays and duplicate runs
 * no-ops; a run killed before commit leaves nothing. The invariant is checked on the written
 * postings before commit; a violation rolls everything back and fails non-retryably with type
 * `LedgerInvariantViolation`.
 */

export interface DispersionOptions {
  /** Administrator file layout (default: csv-v1 into deps.storage). */
  fileAdapter?: AdministratorFileAdapter;
  /** Test seam: runs inside the transaction just before commit (a throw simulates a crash there). */
  beforeCommit?: (tx: TransactionSql) => Promise<void>;
}

export const DISPERSION_NOT_READY = 'DispersionNotReady';

const json = (value: unknown) => JSON.stringify(value);

const uuidList = z.array(z.string().uuid());
/**
 * A `uuid[]` parameter's text for `= any($n::uuid[])` in `tx.unsafe` (where postgres.js's
 * `sql.array` helper is not available). The ids are a bound value the planner sees, so a small
 * institution's file is found through the payroll_rows index; an `any(array(select …))` subquery
 * hid them, and the planner, estimating the share of one file id from the table's statistics,
 * read the whole table — ~200 ms per statement per small institution in the statewide bench, and
 * growing with every period stored.
 */
function uuidArrayParam(ids: readonly string[]): string {
  return `{${uuidList.parse(ids).join(',')}}`;
}

export function createDispersionActivities(deps: ActivityDeps, options: DispersionOptions = {}) {
  const adapter = options.fileAdapter ?? createCsvAdministratorFileAdapter(deps.storage);
  return {
    /** Disperses what of the submission is not dispersed yet; returns the submission's dispersion summary. */
    async disperseSubmission({ submissionId }: { submissionId: string }): Promise<DispersionSummary> {
      const { created } = await writeDispersionEntry(deps.sql, submissionId, options.beforeCommit);
      heartbeatSafe({ stage: 'entry-written' });
      await writePendingBatchFiles(deps.sql, adapter, submissionId);
      const summary = await loadDispersionSummary(deps.sql, submissionId);
      if (!summary) {
        throw ApplicationFailure.create({ type: DISPERSION_NOT_READY, message: `La nómina ${submissionId} no tiene nada que dispersar.`, nonRetryable: true });
      }
      return { ...summary, created };
    },
  };
}

interface SubmissionRow {
  id: string;
  institution_clave: string;
  period: string;
}

/** Writes the entry (or finds that nothing is left to disperse). Exported for tests and scripts. */
export async function writeDispersionEntry(sql: Sql, submissionId: string, beforeCommit?: DispersionOptions['beforeCommit']): Promise<{ created: boolean; entryKey: string | null }> {
  try {
    return await sql.begin(async (tx) => {
      // Serialises runs of the same submission without locking the submission row itself.
      await tx`select pg_advisory_xact_lock(hashtextextended(${`dispersion:${submissionId}`}, 0))`;
      const [submission] = (await tx`select id, institution_clave, period from payroll_submissions where id = ${submissionId}`) as unknown as SubmissionRow[];
      if (!submission) throw ApplicationFailure.create({ type: DISPERSION_NOT_READY, message: `No existe la nómina ${submissionId}.`, nonRetryable: true });
      const { institution_clave: clave, period } = submission;

      const sources = await newSources(tx, submissionId);
      if (!hasSources(sources.keys)) return { created: false, entryKey: null };

      const paymentDate = sources.paymentDate ?? (await latestPaymentDate(tx, submissionId));
      if (!paymentDate) {
        throw ApplicationFailure.create({
          type: DISPERSION_NOT_READY,
          message: `La nómina ${clave}/${period} no tiene depósitos aplicados: no se puede dispersar antes del pago.`,
          nonRetryable: true,
        });
      }

      const entryKey = dispersionEntryKey(submissionId, sources.keys);
      const [entry] = (await tx`
        insert into journal_entries (entry_key, kind, submission_id, institution_clave, period, payment_date)
        values (${entryKey}, 'dispersion', ${submissionId}, ${clave}, ${period}, ${paymentDate}::date)
        on conflict (entry_key) do nothing
        returning id`) as unknown as { id: string }[];
      if (!entry) return { created: false, entryKey };
      const entryId = entry.id;

      const fileIds = sources.keys.files.map((f) => f.id);
      const sourceRows = [
        ...fileIds.map((id) => ({ kind: 'file', id })),
        ...sources.keys.depositIds.map((id) => ({ kind: 'deposit', id })),
        ...sources.keys.lineaIds.map((id) => ({ kind: 'linea', id })),
      ];
      await tx`
        insert into journal_entry_sources (source_kind, source_id, entry_id)
        select x.kind, x.id::uuid, ${entryId}::uuid from jsonb_to_recordset(${json(sourceRows)}::jsonb) as x(kind text, id text)`;

      // Fixed accounts (idempotent upsert by code).
      const fixed = dispersionAccounts(clave).map((a) => ({ code: a.code, kind: a.kind, name: a.name, inst: a.institutionClave ?? null }));
      await tx`
        insert into ledger_accounts (code, kind, name, institution_clave)
        select x.code, x.kind, x.name, x.inst from jsonb_to_recordset(${json(fixed)}::jsonb) as x(code text, kind text, name text, inst text)
        order by x.code
        on conflict (code) do nothing`;

      // The individual accounts' subsidiary ledger, per person (identified rows of the new files):
      // the SCI amounts and the administrator in force on the payment date, one row each; the
      // batches per administrator with their control totals are aggregated in the same statement
      // from what the INSERT returns (what was written), without reading 100,000 rows back.
      const [cuota, aport] = INDIVIDUAL_CREDITS.map((c) => assertColumnName(c.column));
      const batches = (await tx.unsafe(
        `with credited as (
           insert into individual_account_credits (institution_clave, period, person_id, administrator, entry_id, cuota, aportacion)
           select $4, $5, p.person_id, coalesce(a.administrator_code, $2), $6::uuid, p.cuota, p.aport
             from (select r.person_id, coalesce(sum(r.${cuota}), 0) as cuota, coalesce(sum(r.${aport}), 0) as aport
                     from payroll_rows r
                    where r.file_id = any($1::uuid[]) and not r.rejected and r.person_id is not null
                    group by r.person_id) p
             left join lateral (
                   select aa.administrator_code from administrator_assignments aa
                    where aa.person_id = p.person_id and aa.effective_from <= $3::date and (aa.effective_to is null or aa.effective_to >= $3::date)
                    order by aa.effective_from desc limit 1) a on true
            where p.cuota > 0 or p.aport > 0
           returning administrator, cuota, aportacion)
         insert into dispersion_batches (entry_id, submission_id, institution_clave, period, administrator, person_count, record_count,
                                         total_cuota, total_aportacion, total, status)
         select $6::uuid, $7::uuid, $4, $5, c.administrator, count(*)::int,
                (count(*) filter (where c.cuota > 0) + count(*) filter (where c.aportacion > 0))::int,
                sum(c.cuota), sum(c.aportacion), sum(c.cuota) + sum(c.aportacion),
                case when c.administrator = $2 then 'internal' else 'file-pending' end
           from credited c
          group by c.administrator
         returning administrator, total_cuota::text as total_cuota, total_aportacion::text as total_aportacion`,
        [uuidArrayParam(fileIds), DEFAULT_ADMINISTRATOR, paymentDate, clave, period, entryId, submissionId],
      )) as unknown as { administrator: string; total_cuota: string; total_aportacion: string }[];
      const detailTotals: IndividualTotal[] = batches.flatMap((b) => [
        { administrator: b.administrator, concept: INDIVIDUAL_CREDITS[0].concept, amount: b.total_cuota },
        { administrator: b.administrator, concept: INDIVIDUAL_CREDITS[1].concept, amount: b.total_aportacion },
      ]);

      // The journal's side of the individual accounts: one credit per administrator and concept to
      // the administrator's control account, from the batches just written.
      const controls = batches.map((b) => sciControlAccount(b.administrator));
      await tx`
        insert into ledger_accounts (code, kind, name, administrator)
        select x.code, x.kind, x.name, x.administrator from jsonb_to_recordset(${json(controls)}::jsonb) as x(code text, kind text, name text, administrator text)
         order by x.code
        on conflict (code) do nothing`;
      await tx`
        insert into ledger_postings (entry_id, account_id, debit, credit, concept, institution_clave, period)
        select ${entryId}::uuid, a.id, 0, v.amount, v.concept, ${clave}, ${period}
          from dispersion_batches b
          join ledger_accounts a on a.code = 'sci:' || b.administrator
         cross join lateral (values (${INDIVIDUAL_CREDITS[0].concept}::text, b.total_cuota), (${INDIVIDUAL_CREDITS[1].concept}::text, b.total_aportacion)) as v(concept, amount)
         where b.entry_id = ${entryId}::uuid and v.amount > 0`;

      // Pooled credits: funds, loans portfolio, SCI of unidentified rows, accessories and excess.
      // Aggregated in SQL; the one resulting row (a dozen exact decimal strings) is posted from a recordset.
      const pooledColumns = POOLED_ROW_CREDITS.map((c) => assertColumnName(c.column));
      const [rowSums] = (await tx.unsafe(
        `select ${pooledColumns.map((c) => `coalesce(sum(${c}), 0)::text as ${c}`).join(', ')},
                coalesce(sum(${cuota}) filter (where person_id is null), 0)::text as suspense_cuota,
                coalesce(sum(${aport}) filter (where person_id is null), 0)::text as suspense_aport
           from payroll_rows
          where file_id = any($1::uuid[]) and not rejected`,
        [uuidArrayParam(fileIds)],
      )) as unknown as Record<string, string>[];
      const lineaIds = tx.array([...sources.keys.lineaIds]);
      const depositIds = tx.array([...sources.keys.depositIds]);
      const [money] = (await tx`
        select (select coalesce(sum(actualizacion), 0)::text from lineas_captura where id = any(${lineaIds}::uuid[])) as actualizacion,
               (select coalesce(sum(recargos), 0)::text from lineas_captura where id = any(${lineaIds}::uuid[])) as recargos,
               (select coalesce(sum(excess_amount), 0)::text from bank_deposits where id = any(${depositIds}::uuid[])) as excess,
               (select coalesce(sum(amount), 0)::text from bank_deposits where id = any(${depositIds}::uuid[])) as deposits`) as unknown as {
        actualizacion: string;
        recargos: string;
        excess: string;
        deposits: string;
      }[];
      const pooled = [
        ...POOLED_ROW_CREDITS.map((c) => ({ code: c.accountCode, concept: c.concept, amount: rowSums![c.column]! })),
        { code: SCI_SUSPENSE.code, concept: INDIVIDUAL_CREDITS[0].concept, amount: rowSums!.suspense_cuota! },
        { code: SCI_SUSPENSE.code, concept: INDIVIDUAL_CREDITS[1].concept, amount: rowSums!.suspense_aport! },
        { code: ACCESSORIES_INCOME.code, concept: ACCESSORY_CONCEPTS.actualizacion, amount: money!.actualizacion },
        { code: ACCESSORIES_INCOME.code, concept: ACCESSORY_CONCEPTS.recargos, amount: money!.recargos },
        { code: institutionCreditAccount(clave).code, concept: EXCESS_CONCEPT, amount: money!.excess },
      ];
      await tx`
        insert into ledger_postings (entry_id, account_id, debit, credit, concept, institution_clave, period)
        select ${entryId}::uuid, a.id, 0, v.amount, v.concept, ${clave}, ${period}
          from jsonb_to_recordset(${json(pooled)}::jsonb) as v(code text, concept text, amount numeric)
          join ledger_accounts a on a.code = v.code
         where v.amount > 0`;

      // Debit: the bank clearing account, one posting per deposit (excess included).
      await tx`
        insert into ledger_postings (entry_id, account_id, debit, credit, concept, institution_clave, period, deposit_id)
        select ${entryId}::uuid, (select id from ledger_accounts where code = ${BANK_CLEARING.code}), d.amount, 0, ${DEPOSIT_CONCEPT}, ${clave}, ${period}, d.id
          from bank_deposits d
         where d.id = any(${depositIds}::uuid[]) and d.amount > 0`;

      // The invariants, on what was actually written: the entry's postings read back (a handful,
      // by the entry index) against the deposits, and the individual accounts' control postings
      // against the subsidiary ledger's totals as its INSERT returned them.
      const written = (await tx`
        select a.kind, a.administrator, p.concept, p.debit::text as debit, p.credit::text as credit
          from ledger_postings p join ledger_accounts a on a.id = p.account_id
         where p.entry_id = ${entryId}`) as unknown as { kind: string; administrator: string | null; concept: string; debit: string; credit: string }[];
      const sum = (rows: typeof written, side: 'debit' | 'credit') => toAmountString(rows.reduce((total, r) => total.plus(r[side]), new Decimal(0)));
      const totals = {
        debits: sum(written, 'debit'),
        credits: sum(written, 'credit'),
        bank: sum(written.filter((r) => r.kind === 'bank-clearing'), 'debit'),
        postings: written.length,
      };
      const controlTotals: IndividualTotal[] = written
        .filter((r) => r.kind === 'individual')
        .map((r) => ({ administrator: r.administrator ?? '', concept: r.concept, amount: r.credit }));
      const subledger = checkSubledgerMatchesControl(detailTotals, controlTotals);
      const check = checkDispersionInvariant({ deposits: money!.deposits, bankClearingDebits: totals.bank, totalDebits: totals.debits, totalCredits: totals.credits });
      if (!subledger.ok || !check.ok) {
        throw ApplicationFailure.create({
          type: LEDGER_INVARIANT_VIOLATION,
          message: `${[subledger, check].map((c) => (c.ok ? '' : c.message)).filter(Boolean).join(' ')} Nómina ${clave}/${period} (${entryKey}); no se escribió nada.`,
          nonRetryable: true,
          details: [check.ok ? null : check.totals],
        });
      }
      await tx`
        update journal_entries set total_debit = ${totals.debits}::numeric, total_credit = ${totals.credits}::numeric, posting_count = ${totals.postings}
         where id = ${entryId}`;

      if (beforeCommit) await beforeCommit(tx);
      return { created: true, entryKey };
    });
  } catch (err) {
    const pg = err as { code?: string; constraint_name?: string };
    if (pg.code === '23505' && pg.constraint_name === 'individual_account_credits_pkey') {
      throw ApplicationFailure.create({
        type: LEDGER_INVARIANT_VIOLATION,
        message: `La nómina ${submissionId} abonaría de nuevo la cuenta individual de una persona ya abonada para la misma institución y periodo; no se escribió nada.`,
        nonRetryable: true,
      });
    }
    throw err;
  }
}

/** Accepted files, applied deposits and paid líneas of the submission that no entry consumed yet. */
async function newSources(tx: TransactionSql, submissionId: string): Promise<{ keys: EntrySources; paymentDate: string | null }> {
  const files = (await tx`
    select f.id, f.version from payroll_files f
     where f.submission_id = ${submissionId} and f.status = 'accepted'
       and not exists (select 1 from journal_entry_sources s where s.source_kind = 'file' and s.source_id = f.id)
     order by f.version`) as unknown as { id: string; version: number }[];
  const deposits = (await tx`
    select d.id, d.operation_date::text as operation_date from bank_deposits d
     where d.submission_id = ${submissionId} and d.status = 'applied'
       and not exists (select 1 from journal_entry_sources s where s.source_kind = 'deposit' and s.source_id = d.id)
     order by d.operation_date, d.id`) as unknown as { id: string; operation_date: string }[];
  const lineas = (await tx`
    select l.id from lineas_captura l
     where l.submission_id = ${submissionId} and l.status = 'paid'
       and not exists (select 1 from journal_entry_sources s where s.source_kind = 'linea' and s.source_id = l.id)
     order by l.sequence`) as unknown as { id: string }[];
  return {
    keys: { files: files.map((f) => ({ id: f.id, version: f.version })), depositIds: deposits.map((d) => d.id), lineaIds: lineas.map((l) => l.id) },
    paymentDate: deposits.at(-1)?.operation_date ?? null,
  };
}

async function latestPaymentDate(tx: TransactionSql, submissionId: string): Promise<string | null> {
  const [row] = (await tx`
    select max(operation_date)::text as d from bank_deposits where submission_id = ${submissionId} and status = 'applied'`) as unknown as { d: string | null }[];
  return row?.d ?? null;
}

/**
 * Writes the file of every batch still `file-pending` (non-ISSEMYM administrators), streaming the
 * records with a cursor. The stored file's counted totals must equal the batch's control totals.
 * Content-addressed storage makes a rewrite after a crash produce the same key.
 */
export async function writePendingBatchFiles(sql: Sql, adapter: AdministratorFileAdapter, submissionId: string): Promise<number> {
  const pending = (await sql`
    select b.id, b.entry_id, b.administrator, b.institution_clave, b.period, b.record_count, b.total::text as total, e.entry_key
      from dispersion_batches b join journal_entries e on e.id = b.entry_id
     where b.submission_id = ${submissionId} and b.status = 'file-pending'
     order by b.created_at, b.administrator`) as unknown as {
    id: string;
    entry_id: string;
    administrator: string;
    institution_clave: string;
    period: string;
    record_count: number;
    total: string;
    entry_key: string;
  }[];
  for (const batch of pending) {
    async function* records(): AsyncGenerator<AdministratorRecord> {
      // The batch's rows of the subsidiary ledger (through the entry index), one record per
      // person and non-zero concept, by CURP and concept.
      const cursor = sql`
        select pe.curp, pe.clave_issemym, c.cuota::text as cuota, c.aportacion::text as aportacion
          from individual_account_credits c
          join people pe on pe.id = c.person_id
         where c.institution_clave = ${batch.institution_clave} and c.period = ${batch.period}
           and c.entry_id = ${batch.entry_id} and c.administrator = ${batch.administrator}
         order by pe.curp`.cursor(2000);
      for await (const rows of cursor) {
        for (const r of rows as unknown as { curp: string; clave_issemym: string; cuota: string; aportacion: string }[]) {
          // By concept within a person, as the file layout has always listed them (sci-aportacion, sci-cuota).
          const perConcept = [
            [INDIVIDUAL_CREDITS[1].concept, r.aportacion],
            [INDIVIDUAL_CREDITS[0].concept, r.cuota],
          ] as const;
          for (const [concept, amount] of perConcept) {
            if (new Decimal(amount).isZero()) continue;
            const { origin, subAccount } = originOf(concept);
            yield { curp: r.curp, claveIssemym: r.clave_issemym, subAccount, amount, origin, period: batch.period };
          }
        }
        heartbeatSafe({ stage: 'batch-file', administrator: batch.administrator });
      }
    }
    const written = await adapter.write(
      { administrator: batch.administrator, institutionClave: batch.institution_clave, period: batch.period, entryKey: batch.entry_key },
      records(),
    );
    if (written.recordCount !== batch.record_count || written.total !== batch.total) {
      throw new Error(
        `administrator file for batch ${batch.id} does not match its control totals: ${written.recordCount} records / ${written.total} vs ${batch.record_count} / ${batch.total}`,
      );
    }
    await sql`
      update dispersion_batches
         set status = 'file-ready', file_format = ${written.format}, storage_key = ${written.storageKey}, file_sha256 = ${written.sha256}, file_stored_at = now()
       where id = ${batch.id} and status = 'file-pending'`;
  }
  return pending.length;
}

/**
 * The dispersion summary of a submission (null before its first entry): per destination kind,
 * per concept and per administrator with control totals. Cheap: reads the entries, the pooled
 * (non-individual) postings and the batches, never the per-person postings. Used by the activity,
 * `GET …/periods/{period}/dispersion` and the period timeline.
 */
export async function loadDispersionSummary(sql: Sql, submissionId: string): Promise<DispersionSummary | null> {
  const [submission] = (await sql`select id, institution_clave, period from payroll_submissions where id = ${submissionId}`) as unknown as SubmissionRow[];
  if (!submission) return null;
  const entries = (await sql`
    select entry_key, payment_date::text as payment_date, created_at, total_debit::text as total_debit, total_credit::text as total_credit, posting_count
      from journal_entries where submission_id = ${submissionId} and kind = 'dispersion'
     order by created_at`) as unknown as { entry_key: string; payment_date: string; created_at: Date; total_debit: string; total_credit: string; posting_count: number }[];
  if (entries.length === 0) return null;
  // The individual accounts come from the batches (per administrator, with person counts); the
  // journal's control postings carry the same totals, so they are left out here.
  const pooled = (await sql`
    select a.kind, p.concept, sum(p.debit)::text as debit, sum(p.credit)::text as credit
      from journal_entries e
      join ledger_postings p on p.entry_id = e.id
      join ledger_accounts a on a.id = p.account_id
     where e.submission_id = ${submissionId} and a.kind <> 'individual'
     group by a.kind, p.concept`) as unknown as ConceptTotalRow[];
  const batches = (await sql`
    select administrator, person_count, record_count, total_cuota::text as total_cuota, total_aportacion::text as total_aportacion,
           total::text as total, status, file_sha256
      from dispersion_batches where submission_id = ${submissionId}`) as unknown as {
    administrator: string;
    person_count: number;
    record_count: number;
    total_cuota: string;
    total_aportacion: string;
    total: string;
    status: string;
    file_sha256: string | null;
  }[];
  const entryViews: DispersionEntryView[] = entries.map((e) => ({
    entryKey: e.entry_key,
    paymentDate: e.payment_date,
    createdAt: new Date(e.created_at).toISOString(),
    totalDebit: e.total_debit,
    totalCredit: e.total_credit,
    postingCount: e.posting_count,
  }));
  const batchRows: BatchRow[] = batches.map((b) => ({
    administrator: b.administrator,
    personCount: b.person_count,
    recordCount: b.record_count,
    totalCuota: b.total_cuota,
    totalAportacion: b.total_aportacion,
    total: b.total,
    status: b.status,
    fileSha256: b.file_sha256,
  }));
  return buildDispersionSummary({
    submission: { id: submission.id, institutionClave: submission.institution_clave, period: submission.period },
    entries: entryViews,
    pooled,
    batches: batchRows,
  });
}

function heartbeatSafe(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity (tests, scripts)
  }
}
