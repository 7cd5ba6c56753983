/**
 * The contract bound of a payroll file: what the work contracts.md makes mandatory costs on this
 * machine when each piece runs alone, with no workflow, no registry, no set checks and no RENAPO.
 * It answers "how close to the floor could a design that keeps these rules get?", which the floor
 * alone cannot.
 *
 * Measured, each in isolation, on the same file as the floor:
 * - row work: the staging's own per-row code (`stageRow`: the reader, the layout rules, the
 *   contributions) plus its COPY encoding, in this process with no database: CPU seconds of one
 *   thread. A design could at best split it over both cores (half of it), beside the COPY;
 * - SCI credits: the dispersion's mandatory write, two credits per person (sci cuota and sci
 *   aportación, §6), with the contract's uniqueness (person, institution, period, concept) as the
 *   only index, written with one COPY (cheaper than any INSERT … SELECT the pipeline could use).
 *
 * bound = max(row work / 2, floor) + SCI credits + the pipeline's fixed stages of the same run
 * (upload, compute, línea, bank → paid, CFDI: each one round of the contract's external steps).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { AppliedRate } from '../../domain/contributions';
import { parsePeriod } from '../../domain/periods';
import type { Sql } from '../../db/client';
import { INDIVIDUAL_CREDITS } from '../../ledger/concepts';
import { copyLine, copyLines } from '../../payroll/copy';
import { readPayrollFile } from '../../payroll/file-reader';
import { ROW_COLUMNS, rowStagingContext, stageRow } from '../../payroll/row-staging';

export interface ContractBoundResult {
  rows: number;
  /** CPU seconds (one thread) of reading, validating, computing and COPY-encoding every row. */
  rowWorkCpuSeconds: number;
  /** Wall seconds of COPYing the file's SCI credits into a table with only the uniqueness index. */
  creditsSeconds: number;
  credits: number;
}

/** The pipeline stages that run once per submission whatever the file size (see `contractBoundSeconds`). */
export const FIXED_STAGES = ['upload', 'compute', 'reference', 'reconcile', 'cfdi'] as const;

export function contractBoundSeconds(bound: ContractBoundResult, floorSeconds: number, stages: Record<string, number | null>): number {
  const fixed = FIXED_STAGES.reduce((sum, k) => sum + (stages[k] ?? 0), 0);
  return Math.max(bound.rowWorkCpuSeconds / 2, floorSeconds) + bound.creditsSeconds + fixed;
}

export async function measureContractBound(sql: Sql, file: string, input: { period: string; rates: readonly AppliedRate[]; institutionClave: string }): Promise<ContractBoundResult> {
  const period = parsePeriod(input.period);
  if (!period) throw new Error(`invalid period ${input.period}`);
  const ctx = rowStagingContext(randomUUID(), period, input.rates, null);
  const rejectedCell = ROW_COLUMNS.indexOf('rejected');
  const creditCells = INDIVIDUAL_CREDITS.map((c) => ROW_COLUMNS.indexOf(c.column));

  // Row work, no database. The SCI amounts are kept (two short strings per row) for the credits.
  const sci: string[] = [];
  const cpu0 = process.cpuUsage();
  const opened = await readPayrollFile(async () => createReadStream(file, { highWaterMark: 256 * 1024 }));
  if (!opened.ok) throw new Error(`contract bound: ${file} is not readable as a payroll file`);
  let rows = 0;
  let encodedBytes = 0;
  for await (const batch of opened.batches) {
    for (const raw of batch) {
      const { cells } = stageRow(raw, ctx);
      encodedBytes += copyLine(cells).length; // the encoding is part of the work; the sum keeps it from being optimised away
      rows++;
      if (cells[rejectedCell] === false) for (const c of creditCells) sci.push(String(cells[c]));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  if (encodedBytes === 0) throw new Error('contract bound: nothing was encoded');

  // SCI credits, one COPY, only the contract's uniqueness index.
  await sql`drop table if exists bench_bound_credits`;
  await sql`
    create table bench_bound_credits (
      entry_id uuid not null, person_id uuid not null, institution_clave text not null, period text not null,
      concept text not null, credit numeric(16, 2) not null)`;
  await sql`create unique index bench_bound_credits_unique on bench_bound_credits (person_id, institution_clave, period, concept)`;
  const entryId = randomUUID();
  const t0 = performance.now();
  let credits = 0;
  function* lines(): Generator<string> {
    for (let i = 0; i < sci.length; i += INDIVIDUAL_CREDITS.length) {
      const person = randomUUID(); // people's ids are random UUIDs in the registry too
      for (const [k, { concept }] of INDIVIDUAL_CREDITS.entries()) {
        const amount = sci[i + k]!;
        if (!(Number(amount) > 0)) continue; // the pipeline posts only positive credits
        credits++;
        yield `${entryId}\t${person}\t${input.institutionClave}\t${input.period}\t${concept}\t${amount}\n`;
      }
    }
  }
  await sql.begin((tx) => copyLines(tx, 'copy bench_bound_credits (entry_id, person_id, institution_clave, period, concept, credit) from stdin', lines()));
  const creditsSeconds = (performance.now() - t0) / 1000;
  await sql`drop table bench_bound_credits`;
  return { rows, rowWorkCpuSeconds: (cpu.user + cpu.system) / 1e6, creditsSeconds, credits };
}
