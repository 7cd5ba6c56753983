/**
 * The row work of staging, with no database and no I/O: the layout rules, the contributions and
 * the COPY encoding of each row (staging.ts commits the result chunk by chunk).
 */
import { compileRowContributions, type AppliedRate } from '../domain/contributions';
import { type Finding } from '../domain/payroll/findings';
import { PAYROLL_COLUMNS, TEXT_LIMITS, type PayrollCells } from '../domain/payroll/layout';
import { validateRow, type NormalizedRow } from '../domain/payroll/row-validation';
import { type PeriodInfo } from '../domain/periods';
import { copyFields } from './copy';
import type { RawPayrollRow } from './file-reader';

// The layout's columns in layout order, framed by the row's key and its computed state.
export const ROW_COLUMNS = [
  'file_id',
  'row_number',
  ...PAYROLL_COLUMNS,
  'rejected',
  'has_warnings',
  'cuota_salud',
  'cuota_reparto',
  'cuota_sci',
  'aport_salud',
  'aport_reparto',
  'aport_sci',
  'aport_admin',
  'aport_riesgo',
  'person_id',
] as const;
const CURP_CELL = ROW_COLUMNS.indexOf('curp');
const REJECTED_CELL = ROW_COLUMNS.indexOf('rejected');
/** person_id is the last column: it is known only when a chunk commits (see `StagedBatch`). */
const ENCODED_COLUMNS = ROW_COLUMNS.length - 1;
const AMOUNT_ORDER = [
  ['servidor', 'salud'],
  ['servidor', 'reparto'],
  ['servidor', 'sci'],
  ['institucion', 'salud'],
  ['institucion', 'reparto'],
  ['institucion', 'sci'],
  ['institucion', 'admin'],
  ['institucion', 'riesgo'],
] as const;
export const FINDING_COLUMNS = ['file_id', 'row_number', 'column', 'code', 'severity', 'value', 'message', 'pass'] as const;

export type Cell = string | number | boolean | null;

/** Raw text kept for a rejected row (clipped to the layout's limits) so reports and diffs show it. */
function clip(text: string | undefined, max: number): string | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (t === '') return null;
  return t.length > max ? t.slice(0, max) : t;
}

function rejectedRowCells(fileId: string, rowNumber: number, cells: PayrollCells, hasWarnings: boolean): Cell[] {
  return [
    fileId,
    rowNumber,
    clip(cells.curp, 18)?.toUpperCase() ?? null,
    clip(cells.clave_issemym, 8),
    clip(cells.rfc, 13)?.toUpperCase() ?? null,
    clip(cells.primer_apellido, TEXT_LIMITS.primer_apellido),
    clip(cells.segundo_apellido, TEXT_LIMITS.segundo_apellido),
    clip(cells.nombres, TEXT_LIMITS.nombres),
    clip(cells.movimiento, 1)?.toUpperCase() ?? null,
    null,
    null,
    null,
    clip(cells.puesto, TEXT_LIMITS.puesto),
    null,
    null,
    null,
    clip(cells.afore, TEXT_LIMITS.afore),
    true,
    hasWarnings,
    ...AMOUNT_ORDER.map(() => null),
    null,
  ];
}

function validRowCells(fileId: string, row: NormalizedRow, ctx: RowStagingContext, hasWarnings: boolean): Cell[] {
  return [
    fileId,
    row.row,
    row.curp,
    row.claveIssemym,
    row.rfc,
    row.primerApellido,
    row.segundoApellido,
    row.nombres,
    row.movimiento,
    row.fechaMovimiento,
    row.sueldoCotizable,
    row.diasCotizados,
    row.puesto,
    row.retPrestamoCorto,
    row.retPrestamoHipotecario,
    row.retOtros,
    row.afore,
    false,
    hasWarnings,
    ...ctx.contributions(row.sueldoCotizable),
    null,
  ];
}

/** What every row of one file is staged with (build it with `rowStagingContext`). */
export interface RowStagingContext {
  fileId: string;
  period: PeriodInfo;
  /** Configured cap of sueldo_cotizable per quincena (E041); null: no cap. */
  salaryCap: string | null;
  /** The rates compiled once per file: a row's sueldo → its amounts in AMOUNT_ORDER. */
  contributions: (sueldo: string) => string[];
}

export function rowStagingContext(fileId: string, period: PeriodInfo, rates: readonly AppliedRate[], salaryCap: string | null): RowStagingContext {
  return { fileId, period, salaryCap, contributions: compileRowContributions(rates, AMOUNT_ORDER) };
}

/**
 * The row work of staging, with no database: the reader's findings plus the layout rules, and the
 * staged cells (contributions included for a valid row; the raw text, clipped, for a rejected one).
 * The benchmark's contract bound times exactly this.
 */
export function stageRow(raw: StagingRow, ctx: RowStagingContext): { cells: Cell[]; findings: Finding[] } {
  let findings = raw.findings;
  let normalized: NormalizedRow | undefined;
  if (!findings.some((f) => f.severity === 'error')) {
    const result = validateRow(raw.cells, { row: raw.rowNumber, period: ctx.period, salaryCap: ctx.salaryCap });
    findings = findings.length > 0 ? [...findings, ...result.findings] : result.findings;
    normalized = result.row;
  }
  const hasWarnings = findings.some((f) => f.severity === 'warning');
  const cells = normalized
    ? validRowCells(ctx.fileId, normalized, ctx, hasWarnings)
    : rejectedRowCells(ctx.fileId, raw.rowNumber, raw.cells, hasWarnings);
  return { cells, findings };
}

export function findingCells(fileId: string, f: Finding, pass: string): Cell[] {
  return [fileId, f.row, f.column, f.code, f.severity, f.value, f.message, pass];
}

/** A row as the reader gave it, with only what staging reads. */
export type StagingRow = Pick<RawPayrollRow, 'rowNumber' | 'cells' | 'findings'>;

/**
 * A batch of staged rows, ready to COPY once each row's registered person is known: the person
 * is looked up in the committing transaction, so it is the one column the row work leaves out.
 */
export interface StagedBatch {
  /** Each row's COPY text of every column but the last (person_id), without the newline. */
  lines: string[];
  /** Each row's CURP as staged (upper-cased; clipped on a rejected row), null when absent. */
  curps: (string | null)[];
  /** Whether each row passed the row rules (a valid row with an unregistered CURP is an alta). */
  valid: boolean[];
  /** The row findings, as `payroll_findings` cells. */
  findings: Cell[][];
}

export function emptyStagedBatch(): StagedBatch {
  return { lines: [], curps: [], valid: [], findings: [] };
}

/** Stages one row into `into` (appending): its COPY text, CURP, validity and findings. */
export function stageRowInto(into: StagedBatch, raw: StagingRow, ctx: RowStagingContext): void {
  const { cells, findings } = stageRow(raw, ctx);
  into.lines.push(copyFields(cells, ENCODED_COLUMNS));
  const curp = cells[CURP_CELL];
  into.curps.push(typeof curp === 'string' ? curp : null);
  into.valid.push(cells[REJECTED_CELL] === false);
  for (const f of findings) into.findings.push(findingCells(ctx.fileId, f, 'row'));
}
