/**
 * Glue between the file reader and the pure row rules: reader findings (E005) first, then
 * `validateRow` for rows the reader could map to columns. Streaming: one row in, one out.
 */
import type { Finding } from '../domain/payroll/findings';
import { validateRow, type NormalizedRow } from '../domain/payroll/row-validation';
import type { Decimal } from '../domain/money';
import type { PeriodInfo } from '../domain/periods';
import { parsePeriod } from '../domain/periods';
import type { RawPayrollRow } from './file-reader';

export interface ValidatedPayrollRow {
  rowNumber: number;
  sourceLine: number;
  rawCells: string[];
  /** Reader and row-level findings of this row. */
  findings: Finding[];
  /** Present when the row has no error. */
  row?: NormalizedRow;
}

export interface PayrollRowsContext {
  period: string | PeriodInfo;
  salaryCap?: Decimal | string | null;
}

export async function* validatePayrollRows(
  rows: AsyncIterable<RawPayrollRow>,
  context: PayrollRowsContext,
): AsyncGenerator<ValidatedPayrollRow> {
  const period = typeof context.period === 'string' ? parsePeriod(context.period) : context.period;
  if (!period) throw new RangeError(`validatePayrollRows: invalid period ${JSON.stringify(context.period)}`);
  for await (const raw of rows) {
    const base = { rowNumber: raw.rowNumber, sourceLine: raw.sourceLine, rawCells: raw.rawCells };
    if (raw.findings.some((f) => f.severity === 'error')) {
      yield { ...base, findings: raw.findings };
      continue;
    }
    const result = validateRow(raw.cells, { row: raw.rowNumber, period, salaryCap: context.salaryCap ?? null });
    const findings = raw.findings.length > 0 ? [...raw.findings, ...result.findings] : result.findings;
    yield result.row ? { ...base, findings, row: result.row } : { ...base, findings };
  }
}
