/**
 * The floor of the hardware for a payroll file: read the same CSV (csv-parse, streaming) and
 * write the same per-person rows into PostgreSQL with one plain COPY, into a table shaped and
 * indexed exactly like payroll_rows, with no validation, no contributions, no workflow. What the
 * pipeline costs beyond this is our software.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Sql } from '../../db/client';
import { copyLines, copyValue } from '../../payroll/copy';

const TARGET_COLUMNS = [
  'curp', 'clave_issemym', 'rfc', 'primer_apellido', 'segundo_apellido', 'nombres', 'movimiento', 'fecha_movimiento',
  'sueldo_cotizable', 'dias_cotizados', 'puesto', 'ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros', 'afore',
] as const;
const NUMERIC = new Set(['sueldo_cotizable', 'ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros']);

export interface FloorResult {
  rows: number;
  seconds: number;
  /** CPU seconds of this process (reading, encoding) during the floor run. */
  clientCpuSeconds: number;
}

export async function measureFloor(sql: Sql, file: string): Promise<FloorResult> {
  await sql`create table if not exists bench_floor_rows (like payroll_rows including all)`;
  await sql`truncate bench_floor_rows`;
  const fileId = randomUUID();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  // Yields the COPY text in ~64 KB pieces, not per row: the floor pays no per-row generator step.
  async function* lines(): AsyncGenerator<string> {
    let piece = '';
    const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ bom: true, relax_column_count: true }));
    let header: string[] | null = null;
    let index: number[] = [];
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((h) => h.trim().toLowerCase());
        index = TARGET_COLUMNS.map((c) => header!.indexOf(c));
        continue;
      }
      rows++;
      const cells = index.map((i, k) => {
        const v = i >= 0 ? (record[i] ?? '') : '';
        if (v === '') return '\\N';
        // Not validation: a value PostgreSQL cannot store in the typed column is stored as null.
        if (NUMERIC.has(TARGET_COLUMNS[k]!) && !/^\d+(\.\d+)?$/.test(v)) return '\\N';
        return copyValue(v);
      });
      piece += `${fileId}\t${rows}\t${cells.join('\t')}\n`;
      if (piece.length > 64 * 1024) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
  }
  await sql.begin((tx) => copyLines(tx, `copy bench_floor_rows (file_id, row_number, ${TARGET_COLUMNS.map((c) => `"${c}"`).join(', ')}) from stdin`, lines()));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await sql`truncate bench_floor_rows`;
  return { rows, seconds, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
