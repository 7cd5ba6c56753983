/**
 * Checks of a staged file that need more than one row: duplicates in the file, the registry
 * (who is active at the institution), the previous period and RENAPO. Each check is one
 * set-based statement that replaces its own findings (`pass`), so a retry or a re-run after
 * a crash gives the same result. Texts come from the catalogue in domain/payroll/findings.ts.
 */
import type { ActivityDeps } from '../activities';
import { createRegistryService } from '../activities/registry';
import { ACTIVE_RENAPO_STATUSES } from '../integrations/renapo';
import { FINDING_CATALOGUE, type FindingCode } from '../domain/payroll/findings';
import { parsePeriod, previousPeriod } from '../domain/periods';
import { settleAll } from '../platform/concurrency';
import type { Sql } from '../db/client';
import type { TransactionSql } from 'postgres';

const fix = (code: FindingCode) => FINDING_CATALOGUE[code].fix;
const severity = (code: FindingCode) => FINDING_CATALOGUE[code].severity;

export interface SetCheckInput {
  fileId: string;
  institutionClave: string;
  period: string;
  kind: 'full' | 'complementary';
  /** Progress callback (heartbeats) for the long RENAPO pass. */
  onProgress?: (detail: { pass: string; done?: number }) => void;
}

/** Names compared as RENAPO writes them: upper case, no accents, single spaces. */
const namesKey = (expr: string) =>
  `regexp_replace(translate(upper(trim(coalesce(${expr}, ''))), 'ÁÉÍÓÚÜÀÈÌÒÙ', 'AEIOUUAEIOU'), '\\s+', ' ', 'g')`;

/**
 * Whether two names differ once normalised. Names sent exactly as RENAPO writes them (nearly all)
 * are settled by the plain comparison, without the regular expressions.
 */
const namesDiffer = (sent: string, renapo: string) => `(${sent} is distinct from ${renapo} and ${namesKey(sent)} <> ${namesKey(renapo)})`;

/**
 * Person of each row: staging wrote it from curp_history (so an old CURP, RCC/BCC, finds the same
 * person); a CURP registered since then (another file's alta) is looked up here with a
 * primary-key probe (the lateral with `limit 1` is never turned into a hash join: a hash join read
 * the whole registry's CURP history for every file, however small).
 */
const ROW_PEOPLE = `
  select r.row_number, r.curp, r.movimiento, r.clave_issemym, r.sueldo_cotizable, h.person_id
    from payroll_rows r
    left join lateral (select coalesce(r.person_id, (select c.person_id from curp_history c where c.curp = r.curp limit 1)) as person_id) h on true
   where r.file_id = $1 and r.curp is not null and ${withoutRowFindings(['E005', 'E010', 'E011'])}`;

/**
 * Rows whose row-level findings already explain a problem are not checked again for the
 * consequences of the same problem (e.g. an empty name is E044, not also W061).
 */
function withoutRowFindings(codes: readonly FindingCode[], alias = 'r'): string {
  return `not exists (select 1 from payroll_findings f where f.file_id = ${alias}.file_id and f.row_number = ${alias}.row_number and f.code in (${codes.map((c) => `'${c}'`).join(', ')}))`;
}

export async function runSetBasedChecks(deps: ActivityDeps, input: SetCheckInput): Promise<void> {
  const { sql } = deps;
  const { fileId } = input;
  if (!parsePeriod(input.period)) throw new Error(`invalid period ${input.period}`);

  const replace = async (...[pass, insertSql, params]: PassStatement) => {
    await withFileScopedPlans(sql, async (tx) => {
      await tx`delete from payroll_findings where file_id = ${fileId} and pass = ${pass}`;
      await tx.unsafe(insertSql, params as never[]);
    });
    input.onProgress?.({ pass });
  };

  // The passes read only the row pass's findings, never each other's, so they run side by side,
  // each on its own connection (PostgreSQL gives each its own core). RENAPO: only CURPs without a
  // recent answer are asked (batched, rate-limited; the rest reuse renapo_checks), while the
  // other passes run; its statement derives E012/E013/W061 once the answers are in. Every pass
  // settles before the row state is computed or an error is thrown, so nothing keeps writing
  // behind a failed attempt.
  await settleAll([
    ...registryPasses(input).map((statement) => replace(...statement)),
    askRenapoForNewCurps(deps, input).then(() => replace(...renapoPass(fileId))),
  ]);

  const [, rowState, rowStateParams] = rowStateStatement(fileId);
  await withFileScopedPlans(sql, (tx) => tx.unsafe(rowState, rowStateParams as never[]));
}

/**
 * Runs `work` in one transaction whose plans cannot go quadratic on a file the planner has no
 * statistics for. A file's rows have none when it is checked: payroll_rows was last analysed
 * before the file was staged, so the planner believes `file_id = $1` matches one row and nests
 * set against set — an 8,000-row file's duplicates check, re-aggregating the file for each of its
 * rows, took 152 s (statewide bench, 2026-11-23); the registry and RENAPO passes degraded the same
 * way. So nested loops are disabled, and every statement run here is written so that no plan
 * depends on those estimates: sets of the file's rows and findings are hashed against each other,
 * and every look-up in a registry-wide table (people, employments, salary_history, curp_history,
 * renapo_checks) is a LATERAL or scalar subquery with `limit 1` — an index probe per row (a nested
 * loop by construction), which cannot be flattened into a hash join over the whole table (that
 * would read the registry for a file of ten rows).
 */
export async function withFileScopedPlans<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await sql.begin(async (tx) => {
    await tx`set local enable_nestloop = off`;
    result = await work(tx);
  });
  return result as T;
}

/** Every statement of the set checks for a file, named, with its parameters (the plan test reads them). */
export function setCheckStatements(input: SetCheckInput, renapoCacheTtlSeconds: number): PassStatement[] {
  return [...registryPasses(input), renapoPass(input.fileId), uncheckedCurpsStatement(input.fileId, renapoCacheTtlSeconds), rowStateStatement(input.fileId)];
}

/**
 * Row state follows its findings: any error blocks the row; warnings only flag it. Only rows
 * whose state changes are written (staging already set it from the row findings), so a file
 * with few set-level findings does not rewrite every row.
 */
function rowStateStatement(fileId: string): PassStatement {
  return [
    'row-state',
    `with state as (
       select r.row_number,
              exists (select 1 from payroll_findings f where f.file_id = r.file_id and f.row_number = r.row_number and f.severity = 'error') as rejected,
              exists (select 1 from payroll_findings f where f.file_id = r.file_id and f.row_number = r.row_number and f.severity = 'warning') as has_warnings
         from payroll_rows r
        where r.file_id = $1)
     update payroll_rows r set rejected = s.rejected, has_warnings = s.has_warnings
       from state s
      where r.file_id = $1 and r.row_number = s.row_number
        and (r.rejected is distinct from s.rejected or r.has_warnings is distinct from s.has_warnings)`,
    [fileId],
  ];
}

/** The file's CURPs without a RENAPO answer younger than the cache's time to live. */
function uncheckedCurpsStatement(fileId: string, ttlSeconds: number): PassStatement {
  return [
    'renapo-unchecked',
    `select distinct r.curp from payroll_rows r
      where r.file_id = $1 and r.curp is not null and ${withoutRowFindings(['E005', 'E010', 'E011'])}
        and coalesce((select c.checked_at from renapo_checks c where c.curp = r.curp order by c.checked_at desc limit 1)
                       <= now() - make_interval(secs => $2), true)`,
    [fileId, ttlSeconds],
  ];
}

/** Asks RENAPO (following RCC/BCC chains) for the file's CURPs without a recent stored answer. */
async function askRenapoForNewCurps(deps: ActivityDeps, input: SetCheckInput): Promise<void> {
  const { sql } = deps;
  const { fileId } = input;
  const [, uncheckedSql, params] = uncheckedCurpsStatement(fileId, deps.config.RENAPO_CACHE_TTL_SECONDS);
  const unchecked = (await withFileScopedPlans(sql, (tx) => tx.unsafe(uncheckedSql, params as never[]))) as unknown as Array<{ curp: string }>;
  if (unchecked.length > 0) {
    const registry = createRegistryService({ db: deps.db, renapo: deps.renapo, config: deps.config });
    // Each batch is two database round trips per hop plus one INSERT per 200 answers
    // (resolveRenapoChains); calls overlap up to the concurrency, within the rate limit.
    const BATCH = 2000;
    for (let i = 0; i < unchecked.length; i += BATCH) {
      await registry.resolveRenapoChains(unchecked.slice(i, i + BATCH).map((r) => r.curp), { concurrency: 16 });
      input.onProgress?.({ pass: 'renapo', done: Math.min(i + BATCH, unchecked.length) });
    }
  }
}

/** A statement's name (a pass's findings are replaced under it) and its SQL with parameters. */
export type PassStatement = [pass: string, insertSql: string, params: unknown[]];

/** Duplicates (E014), the registry (E032/E033/E060) and the previous period (W050/W051). */
function registryPasses(input: SetCheckInput): PassStatement[] {
  const { fileId, institutionClave } = input;
  const previous = parsePeriod(previousPeriod(input.period));
  const passes: PassStatement[] = [];
  // E014: every occurrence of a repeated CURP is blocked: which row is right cannot be known.
  passes.push([
    'duplicates',
    `insert into payroll_findings (file_id, row_number, "column", code, severity, value, message, pass)
     select r.file_id, r.row_number, 'curp', 'E014', $2, r.curp,
            'La CURP aparece en las filas ' || d.rows_list || '. ' || $3, 'duplicates'
       from payroll_rows r
       join (select curp, string_agg(row_number::text, ', ' order by row_number) as rows_list
               from payroll_rows r where file_id = $1 and curp is not null and ${withoutRowFindings(['E005'])} group by curp having count(*) > 1) d
         on d.curp = r.curp
      where r.file_id = $1 and ${withoutRowFindings(['E005'])}`,
    [fileId, severity('E014'), fix('E014')],
  ]);

  // E032 / E033: movement against the person's state at this institution before this file.
  // Anti-joins, never NOT IN (or NOT EXISTS under an OR) over a subquery: PostgreSQL then rescans
  // the subquery for every row once it does not fit in work_mem (a 400,000-row file never
  // finished). Equivalent here: `active` holds distinct, non-null person ids, and a row without a
  // person finds no active plaza either.
  passes.push([
    'registry',
    `with rp as (${ROW_PEOPLE}),
          active as (select distinct e.person_id from employments e
                      where e.institution_clave = $2 and e.end_date is null)
     insert into payroll_findings (file_id, row_number, "column", code, severity, value, message, pass)
     select $1, rp.row_number, 'movimiento', 'E032', $3, rp.movimiento,
            'La persona ya está activa en la institución; un ' || case rp.movimiento when 'A' then 'alta' else 'reingreso' end || ' no procede. ' || $4, 'registry'
       from rp where rp.movimiento in ('A', 'R') and rp.person_id in (select person_id from active)
     union all
     select $1, rp.row_number, 'movimiento', 'E033', $5, rp.movimiento,
            'La persona no está activa en la institución (no tiene alta vigente). ' || $6, 'registry'
       from rp left join active a on a.person_id = rp.person_id
      where rp.movimiento in ('N', 'B', 'M') and a.person_id is null
     union all
     select $1, rp.row_number, 'clave_issemym', 'E060', $7, rp.clave_issemym,
            'La clave ISSEMyM ' || rp.clave_issemym || ' no corresponde a esta CURP en el registro. ' || $8, 'registry'
       from rp where rp.clave_issemym is not null
        and not exists (select 1 from payroll_findings f where f.file_id = $1 and f.row_number = rp.row_number and f.code = 'E045')
        and (select p.clave_issemym from people p where p.id = rp.person_id limit 1) is distinct from rp.clave_issemym`,
    [fileId, institutionClave, severity('E032'), fix('E032'), severity('E033'), fix('E033'), severity('E060'), fix('E060')],
  ]);

  // W050 / W051: against the previous period (full files only; a complement adds rows).
  // W051 looks at N rows only: M declares the change, A/R start a plaza and B ends it.
  if (input.kind === 'full' && previous) {
    passes.push([
      'previous-period',
      `with rp as (${ROW_PEOPLE}),
            missing as (
              select distinct on (e.person_id) e.person_id, p.curp, p.clave_issemym
                from employments e
                join lateral (select p.curp, p.clave_issemym from people p where p.id = e.person_id limit 1) p on true
               where e.institution_clave = $2 and e.start_date <= $3::date and (e.end_date is null or e.end_date >= $4::date)
                 and not exists (select 1 from rp where rp.person_id = e.person_id)
               order by e.person_id)
       insert into payroll_findings (file_id, row_number, "column", code, severity, value, message, pass)
       select $1, null, 'curp', 'W050', $5, m.curp,
              'La persona con CURP ' || m.curp || ' (clave ISSEMyM ' || m.clave_issemym || ') estaba activa en la quincena anterior y no aparece en este archivo. ' || $6,
              'previous-period'
         from missing m
       union all
       select $1, rp.row_number, 'sueldo_cotizable', 'W051', $7, rp.sueldo_cotizable::text,
              'El sueldo cotizable pasó de ' || s.sueldo_cotizable::text || ' a ' || rp.sueldo_cotizable::text || ' (' ||
                round((rp.sueldo_cotizable - s.sueldo_cotizable) * 100 / s.sueldo_cotizable, 1)::text || ' %). ' || $8,
              'previous-period'
         from rp
         join lateral (select e.id from employments e
                        where e.person_id = rp.person_id and e.institution_clave = $2 and e.end_date is null limit 1) e on true
         join lateral (select s.sueldo_cotizable from salary_history s where s.employment_id = e.id and s.period = $9 limit 1) s on true
        where rp.movimiento = 'N' and s.sueldo_cotizable > 0 and rp.sueldo_cotizable is not null
          and abs(rp.sueldo_cotizable - s.sueldo_cotizable) > s.sueldo_cotizable * 0.30`,
      [fileId, institutionClave, previous.end, previous.start, severity('W050'), fix('W050'), severity('W051'), fix('W051'), previous.period],
    ]);
  }
  return passes;
}

/** E012 / E013 / W061 from the latest stored RENAPO answer of each row's CURP. */
function renapoPass(fileId: string): PassStatement {
  return [
    'renapo',
    `with rows as (
         select r.row_number, r.curp, r.primer_apellido, r.segundo_apellido, r.nombres, l.found, l.status, l.new_curp, l.record
           from payroll_rows r
           join lateral (select c.found, c.status, c.new_curp, c.record from renapo_checks c
                          where c.curp = r.curp order by c.checked_at desc limit 1) l on true
          where r.file_id = $1 and ${withoutRowFindings(['E005', 'E010', 'E011'])}),
            named as (select * from rows x where not exists (select 1 from payroll_findings f where f.file_id = $1 and f.row_number = x.row_number and f.code = 'E044'))
       insert into payroll_findings (file_id, row_number, "column", code, severity, value, message, pass)
       select $1, row_number, 'curp', 'E012', $2, curp, 'RENAPO no encontró la CURP ' || curp || '. ' || $3, 'renapo'
         from rows where not found
       union all
       select $1, row_number, 'curp', 'E013', $4, curp,
              'RENAPO reporta la CURP con estatus ' || status || coalesce(' (' || (record->>'statusDescription') || ')', '') ||
              coalesce('; la CURP vigente de la persona es ' || new_curp, '') || '. ' || $5, 'renapo'
         from rows where found and not (status = any($6::text[]))
       union all
       select $1, row_number, 'nombres', 'W061', $7, concat_ws(' ', primer_apellido, segundo_apellido, nombres),
              'RENAPO registra a la persona como ' || concat_ws(' ', record->>'firstSurname', record->>'secondSurname', record->>'givenNames') || '. ' || $8, 'renapo'
         from named where found and status = any($6::text[])
          and (${namesDiffer('primer_apellido', "record->>'firstSurname'")}
            or ${namesDiffer('segundo_apellido', "record->>'secondSurname'")}
            or ${namesDiffer('nombres', "record->>'givenNames'")})`,
    [fileId, severity('E012'), fix('E012'), severity('E013'), fix('E013'), [...ACTIVE_RENAPO_STATUSES], severity('W061'), fix('W061')],
  ];
}
