import { Context } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import type { ActivityDeps } from '.';
import { contributionRates, determinaciones, notifications, payrollFiles, payrollSubmissions, submissionEvents } from '../db/schema';
import { ratesInForce, type AppliedRate, type RateRow, CONCEPTS } from '../domain/contributions';
import { dueDateForPeriod } from '../domain/due-dates';
import { Decimal, toAmountString, ZERO } from '../domain/money';
import { parsePeriod } from '../domain/periods';
import { loadBusinessCalendar } from './calendar';
import { stagePayrollFileRows } from '../payroll/staging';
import { validateCurp } from '../domain/identifiers/curp';
import type { MovementCode } from '../domain/registry/movements';
import { createRegistryService, type MovementItem } from './registry';
import { runSetBasedChecks } from '../payroll/set-checks';
import { startRenapoPrefetch } from '../payroll/renapo-prefetch';
import { runInLanes } from '../platform/concurrency';

/** Row columns holding each (party, concept) amount; `payroll_rows` keeps one column per pair. */
export const AMOUNT_COLUMNS = {
  servidor: { salud: 'cuota_salud', reparto: 'cuota_reparto', sci: 'cuota_sci' },
  institucion: { salud: 'aport_salud', reparto: 'aport_reparto', sci: 'aport_sci', admin: 'aport_admin', riesgo: 'aport_riesgo' },
} as const;

export interface FileCheckSummary {
  fileRejected: boolean;
  rowCount: number;
  validRows: number;
  rejectedRows: number;
  warningRows: number;
}

export async function loadRatesForPeriod(db: ActivityDeps['db'], period: string): Promise<AppliedRate[]> {
  const parsed = parsePeriod(period);
  if (!parsed) throw new Error(`invalid period ${period}`);
  const rows = await db.select().from(contributionRates);
  const table: RateRow[] = rows.map((r) => ({
    concept: r.concept as RateRow['concept'],
    party: r.party as RateRow['party'],
    rate: r.rate,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    legalSource: r.legalSource,
    verified: r.verified,
  }));
  return ratesInForce(table, parsed.start);
}

export function createPayrollActivities(deps: ActivityDeps) {
  const { db, storage } = deps;

  async function fileContext(fileId: string) {
    const [row] = await db
      .select({ file: payrollFiles, submission: payrollSubmissions })
      .from(payrollFiles)
      .innerJoin(payrollSubmissions, eq(payrollSubmissions.id, payrollFiles.submissionId))
      .where(eq(payrollFiles.id, fileId));
    if (!row) throw new Error(`payroll file ${fileId} not found`);
    return row;
  }

  return {
    /**
     * Streams the stored file through the layout reader and the row rules into payroll_rows,
     * chunk by chunk. Each chunk commits its rows, findings and the new resume point together,
     * so a crash or retry continues after the last committed row: every row exactly once.
     */
    async stagePayrollFile({ fileId }: { fileId: string }): Promise<FileCheckSummary> {
      const { file, submission } = await fileContext(fileId);
      const rates = await loadRatesForPeriod(db, submission.period);
      let progress: unknown = { stagedRows: file.stagedRows };
      const heartbeat = (stagedRows: number) => {
        progress = { stagedRows };
        heartbeatSafe(progress);
      };
      // RENAPO is asked about the CURPs of people not in the registry while the rest of the file
      // is read (best effort; the checks ask for whatever is still missing).
      const registry = createRegistryService({ db, renapo: deps.renapo, config: deps.config });
      // Batches of 128 with 32 calls in flight: with 32 / 16 the prefetch kept up with staging only
      // while staging was slow; at ~5 s per 100k rows it had asked about half of ~2,100 new CURPs
      // when staging ended (the checks then asked the rest, +0.8 s). Every answer it waits for at
      // the end is one the checks would otherwise ask for.
      const prefetch = startRenapoPrefetch((curps) => registry.resolveRenapoChains(curps, { concurrency: 32 }), { batchSize: 128 });
      try {
        await stagePayrollFileRows({
          sql: deps.sql,
          file: { id: file.id, storageKey: file.storageKey, stagedRows: file.stagedRows, stagingDone: file.stagingDone },
          period: submission.period,
          rates,
          salaryCap: deps.config.PAYROLL_SALARY_CAP ?? null,
          open: () => storage.get(file.storageKey),
          onChunkCommitted: heartbeat,
          onNewCurps: (curps) => prefetch.add(curps),
        });
      } finally {
        const beat = setInterval(() => heartbeatSafe(progress), 10_000);
        await prefetch.stop();
        clearInterval(beat);
      }
      return summarizeFile(deps, fileId);
    },

    /** Checks that need the whole file, the registry, RENAPO or the previous period. */
    async checkPayrollFile({ fileId }: { fileId: string }): Promise<FileCheckSummary> {
      const { file, submission } = await fileContext(fileId);
      // One check is one statement: on a large file it can outlast the heartbeat timeout, so the
      // activity keeps heartbeating while it runs (with the last pass finished as the detail).
      let progress: unknown = { pass: 'start' };
      const beat = setInterval(() => heartbeatSafe(progress), 10_000);
      try {
        await runSetBasedChecks(deps, {
          fileId,
          institutionClave: submission.institutionClave,
          period: submission.period,
          kind: file.kind as 'full' | 'complementary',
          onProgress: (detail) => {
            progress = detail;
            heartbeatSafe(detail);
          },
        });
      } finally {
        clearInterval(beat);
      }
      const summary = await summarizeFile(deps, fileId);
      await db
        .update(payrollFiles)
        .set({ status: 'validated', validatedAt: new Date(), rowCount: summary.rowCount, validRows: summary.validRows, rejectedRows: summary.rejectedRows, warningRows: summary.warningRows })
        .where(and(eq(payrollFiles.id, fileId), eq(payrollFiles.status, 'received')));
      return summary;
    },

    /** Σ of the rounded row amounts of the rows that are not rejected (contracts §3). */
    async computeDeterminacion({ fileId }: { fileId: string }): Promise<{ totalDue: string; rows: number; usesUnverifiedRates: boolean }> {
      const { file, submission } = await fileContext(fileId);
      const rates = await loadRatesForPeriod(db, submission.period);
      const sums = (await deps.sql.unsafe(
        `select count(*)::int as rows,
                ${Object.values(AMOUNT_COLUMNS)
                  .flatMap((m) => Object.values(m))
                  .map((c) => `coalesce(sum(${c}), 0)::text as ${c}`)
                  .join(', ')},
                coalesce(sum(ret_prestamo_corto), 0)::text as ret_prestamo_corto,
                coalesce(sum(ret_prestamo_hipotecario), 0)::text as ret_prestamo_hipotecario,
                coalesce(sum(ret_otros), 0)::text as ret_otros
           from payroll_rows where file_id = $1 and not rejected`,
        [fileId],
      )) as unknown as Array<Record<string, string | number>>;
      const s = sums[0]!;
      const totals: Record<string, Record<string, string>> = { servidor: {}, institucion: {}, retenciones: {} };
      let cuotas = ZERO;
      let aportaciones = ZERO;
      for (const concept of CONCEPTS) {
        const c = (AMOUNT_COLUMNS.servidor as Record<string, string>)[concept];
        if (c) {
          totals.servidor![concept] = toAmountString(new Decimal(String(s[c])));
          cuotas = cuotas.plus(String(s[c]));
        }
        const a = (AMOUNT_COLUMNS.institucion as Record<string, string>)[concept];
        if (a) {
          totals.institucion![concept] = toAmountString(new Decimal(String(s[a])));
          aportaciones = aportaciones.plus(String(s[a]));
        }
      }
      const retentionParts = { prestamo_corto: s.ret_prestamo_corto, prestamo_hipotecario: s.ret_prestamo_hipotecario, otros: s.ret_otros };
      let retenciones = ZERO;
      for (const [k, v] of Object.entries(retentionParts)) {
        totals.retenciones![k] = toAmountString(new Decimal(String(v)));
        retenciones = retenciones.plus(String(v));
      }
      const totalDue = cuotas.plus(aportaciones).plus(retenciones);
      const usesUnverifiedRates = rates.some((r) => !r.verified);
      await db
        .insert(determinaciones)
        .values({
          fileId,
          submissionId: submission.id,
          period: submission.period,
          ratesApplied: rates.map((r) => ({ concept: r.concept, party: r.party, rate: r.rate.toString(), verified: r.verified, effectiveFrom: r.effectiveFrom, legalSource: r.legalSource })),
          usesUnverifiedRates,
          totals,
          totalCuotas: toAmountString(cuotas),
          totalAportaciones: toAmountString(aportaciones),
          totalRetenciones: toAmountString(retenciones),
          totalDue: toAmountString(totalDue),
          rowsComputed: Number(s.rows),
        })
        .onConflictDoNothing();
      await db.update(payrollFiles).set({ status: 'computed', computedAt: new Date() }).where(and(eq(payrollFiles.id, file.id), eq(payrollFiles.status, 'validated')));
      const [stored] = await db.select().from(determinaciones).where(eq(determinaciones.fileId, fileId));
      return { totalDue: stored!.totalDue, rows: stored!.rowsComputed, usesUnverifiedRates: stored!.usesUnverifiedRates };
    },

    async recordSubmissionStage(input: { submissionId: string; stage: string; eventKey: string; detail: Record<string, unknown> }): Promise<void> {
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(submissionEvents)
          .values({ submissionId: input.submissionId, eventKey: input.eventKey, stage: input.stage, detail: input.detail })
          .onConflictDoNothing()
          .returning({ id: submissionEvents.id });
        if (inserted.length > 0) {
          await tx.update(payrollSubmissions).set({ stage: input.stage, updatedAt: new Date() }).where(eq(payrollSubmissions.id, input.submissionId));
        }
      });
    },

    async markFileStatus({ fileId, status }: { fileId: string; status: 'superseded' | 'withdrawn' | 'accepted' }): Promise<void> {
      await db.update(payrollFiles).set({ status }).where(eq(payrollFiles.id, fileId));
    },

    async submissionDueDate({ period }: { period: string }): Promise<string> {
      const parsed = parsePeriod(period);
      if (!parsed) throw new Error(`invalid period ${period}`);
      const calendar = await loadBusinessCalendar(db, [parsed.year, parsed.year + 1]);
      return dueDateForPeriod(period, calendar);
    },

    async sendSubmissionReminder(input: { submissionId: string; reminderIndex: number; dueDate: string }): Promise<void> {
      const [submission] = await db.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, input.submissionId));
      if (!submission) return;
      await db
        .insert(notifications)
        .values({
          dedupeKey: `payroll-reminder:${input.submissionId}:${input.reminderIndex}`,
          recipientType: 'institution',
          recipientId: submission.institutionClave,
          kind: 'payroll-reminder',
          subject: `Recordatorio: nómina del periodo ${submission.period} pendiente de aceptar`,
          body: `La nómina del periodo ${submission.period} aún no ha sido aceptada. La fecha límite de pago es ${input.dueDate}. Revise los hallazgos, corrija o acepte las filas válidas para emitir su línea de captura.`,
          data: { period: submission.period, dueDate: input.dueDate },
        })
        .onConflictDoNothing();
    },

    /**
     * Applies the accepted rows to the registry with the same code as single notices
     * (registry.applyMovements), keyed `payroll:{file}:{row}` so a retry applies nothing twice.
     * Pages by row number: memory stays flat for any file size.
     */
    async applyAcceptedMovements({ fileId }: { fileId: string }): Promise<{ movementsApplied: number }> {
      const { submission } = await fileContext(fileId);
      const registry = createRegistryService({ db, renapo: deps.renapo, config: deps.config });
      const [{ last }] = (await deps.sql`select coalesce(max(row_number), 0)::int as last from payroll_rows where file_id = ${fileId}`) as unknown as [{ last: number }];

      // Pages are windows of row numbers (an index range scan whatever the statistics say): with
      // `row_number > after … limit n` and the RENAPO join in one query, stale statistics right
      // after staging (the planner expects a handful of rows) made PostgreSQL read and join every
      // remaining row of the file for each page — quadratic in the file size.
      const applyWindow = async (after: number, until: number): Promise<number> => {
        // Most rows are "sin movimiento" reports of active plazas: applied inside PostgreSQL in one
        // statement; only the rest (altas, bajas, modificaciones, reingresos, odd N rows) are read
        // here and go through the keyed path.
        const steady = await registry.applySteadyStateFileRows({ fileId, institutionClave: submission.institutionClave, period: submission.period, afterRow: after, throughRow: until });
        if (steady.remaining.length === 0) return steady.applied;
        const page = (await deps.sql`
          select r.row_number, r.curp, r.rfc, r.primer_apellido, r.segundo_apellido, r.nombres, r.movimiento,
                 r.fecha_movimiento::text as fecha, r.sueldo_cotizable::text as sueldo, r.dias_cotizados, r.puesto,
                 l.new_curp, l.status as renapo_status, l.record
            from payroll_rows r
            left join lateral (select c.new_curp, c.status, c.record from renapo_checks c where c.curp = r.curp order by c.checked_at desc limit 1) l on true
           where r.file_id = ${fileId} and not r.rejected and r.row_number = any(${deps.sql.array(steady.remaining)}::int[])
           order by r.row_number`) as unknown as AcceptedRow[];
        if (page.length === 0) return steady.applied;
        const items: MovementItem[] = page.map((r) => toMovementItem(fileId, submission.institutionClave, submission.period, r));
        const outcomes = await registry.applyMovements(items);
        const personByRow = outcomes.map((o, i) => [page[i]!.row_number, o.personId] as const).filter(([, p]) => p !== null);
        if (personByRow.length > 0) {
          await deps.sql`
            update payroll_rows r set person_id = v.person_id::uuid
              from (select unnest(${deps.sql.array(personByRow.map(([n]) => n))}::int[]) as row_number,
                           unnest(${deps.sql.array(personByRow.map(([, p]) => p as string))}::text[]) as person_id) v
             where r.file_id = ${fileId} and r.row_number > ${after} and r.row_number <= ${until} and r.row_number = v.row_number
               and r.person_id is distinct from v.person_id::uuid`;
        }
        return steady.applied + outcomes.filter((o) => o.status === 'applied').length;
      };

      // Windows are applied MOVEMENT_LANES at a time, each on its own connection, so PostgreSQL
      // works on both cores. They do not depend on each other: a CURP repeated in the file is
      // rejected (E014), so a person has at most one accepted row — the one exception, a person
      // reported under an old and a new CURP, is serialised by the registry's row locks exactly
      // as two institutions' files touching the same person are. Every movement is keyed, so a
      // retry after a failure in any lane applies nothing twice.
      const windows = Math.ceil(last / MOVEMENT_PAGE_ROWS);
      let applied = 0;
      let windowsDone = 0;
      await runInLanes(windows, MOVEMENT_LANES, async (window) => {
        const after = window * MOVEMENT_PAGE_ROWS;
        const windowApplied = await applyWindow(after, after + MOVEMENT_PAGE_ROWS);
        applied += windowApplied; // not `applied += await …`: that adds to a total read before the wait
        heartbeatSafe({ windowsDone: ++windowsDone, windows });
      });
      await db.update(payrollFiles).set({ status: 'accepted' }).where(eq(payrollFiles.id, fileId));
      return { movementsApplied: applied };
    },
  };
}

const MOVEMENT_PAGE_ROWS = 5000;
/** Windows applied at once: one per core of the 2-core target machine. */
const MOVEMENT_LANES = 2;

interface AcceptedRow {
  row_number: number;
  curp: string;
  rfc: string | null;
  primer_apellido: string;
  segundo_apellido: string | null;
  nombres: string;
  movimiento: MovementCode;
  fecha: string | null;
  sueldo: string | null;
  dias_cotizados: number | null;
  puesto: string | null;
  new_curp: string | null;
  renapo_status: string | null;
  record: { firstSurname?: string; secondSurname?: string | null; givenNames?: string; sex?: string; birthDate?: string; stateCode?: string } | null;
}

/** A staged row as a registry movement; the person's identity comes from RENAPO when known. */
function toMovementItem(fileId: string, institutionClave: string, period: string, r: AcceptedRow): MovementItem {
  const curpInfo = validateCurp(r.curp);
  const record = r.record;
  return {
    key: `payroll:${fileId}:${r.row_number}`,
    institutionClave,
    movimiento: r.movimiento,
    // RCC: RENAPO confirmed the person under a new CURP; the old one stays in the history.
    curp: r.new_curp ?? r.curp,
    replacedCurps: r.new_curp ? [r.curp] : [],
    fechaMovimiento: r.fecha,
    period,
    sueldoCotizable: r.sueldo,
    diasCotizados: r.dias_cotizados,
    puesto: r.puesto,
    source: 'payroll',
    person: {
      firstSurname: record?.firstSurname ?? r.primer_apellido,
      secondSurname: record ? (record.secondSurname ?? null) : r.segundo_apellido,
      givenNames: record?.givenNames ?? r.nombres,
      sex: record?.sex ?? (curpInfo.ok ? curpInfo.sex : null),
      birthDate: record?.birthDate ?? (curpInfo.ok ? curpInfo.birthDate : null),
      birthState: record?.stateCode ?? (curpInfo.ok ? curpInfo.stateCode : null),
      rfc: r.rfc,
      renapoStatus: r.renapo_status,
    },
  };
}

function heartbeatSafe(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity (benchmarks, scripts)
  }
}

async function summarizeFile(deps: ActivityDeps, fileId: string): Promise<FileCheckSummary> {
  const [file] = await deps.db.select({ fileRejected: payrollFiles.fileRejected }).from(payrollFiles).where(eq(payrollFiles.id, fileId));
  const [counts] = (await deps.sql`
    select count(*)::int as total,
           count(*) filter (where not rejected)::int as valid,
           count(*) filter (where rejected)::int as rejected,
           count(*) filter (where has_warnings and not rejected)::int as warnings
      from payroll_rows where file_id = ${fileId}`) as unknown as [{ total: number; valid: number; rejected: number; warnings: number }];
  return { fileRejected: file?.fileRejected ?? false, rowCount: counts.total, validRows: counts.valid, rejectedRows: counts.rejected, warningRows: counts.warnings };
}
