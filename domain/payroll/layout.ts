/**
 * Payroll file layout v1 (contracts §2): the columns and how a header row is matched to them.
 *
 * Header names are matched case-insensitively, trimmed and with accents ignored (contract).
 * Project decision (payroll/README.md): spaces, hyphens, dots and underscores are equivalent
 * separators, so `Primer_Apellido`, `PRIMER APELLIDO`, `primer-apellido` and `Primer  Apellido`
 * are all `primer_apellido`. A column that appears twice after this normalisation is E004.
 *
 * Pure: no I/O.
 */
import { makeFinding, type Finding } from './findings';

export const PAYROLL_COLUMNS = [
  'curp',
  'clave_issemym',
  'rfc',
  'primer_apellido',
  'segundo_apellido',
  'nombres',
  'movimiento',
  'fecha_movimiento',
  'sueldo_cotizable',
  'dias_cotizados',
  'puesto',
  'ret_prestamo_corto',
  'ret_prestamo_hipotecario',
  'ret_otros',
  'afore',
] as const;

export type PayrollColumn = (typeof PAYROLL_COLUMNS)[number];

/** Raw text of one row by layout column; an absent column reads as empty. */
export type PayrollCells = Partial<Record<PayrollColumn, string>>;

/**
 * Columns whose absence from the header is E001. `fecha_movimiento` is required only on A, B, M
 * and R rows, so a file of N rows may omit the column; those rows get E031 instead.
 */
export const REQUIRED_COLUMNS: readonly PayrollColumn[] = [
  'curp',
  'rfc',
  'primer_apellido',
  'nombres',
  'movimiento',
  'sueldo_cotizable',
  'dias_cotizados',
];

/** Maximum length in characters of the free-text columns (contracts §2). */
export const TEXT_LIMITS = {
  primer_apellido: 50,
  segundo_apellido: 50,
  nombres: 80,
  puesto: 80,
  afore: 12,
} as const satisfies Partial<Record<PayrollColumn, number>>;

const COLUMN_SET: ReadonlySet<string> = new Set(PAYROLL_COLUMNS);

export function isPayrollColumn(name: string): name is PayrollColumn {
  return COLUMN_SET.has(name);
}

/**
 * Canonical form of a header name: accents removed (NFD without combining marks, so Ñ → N),
 * lower case, BOM and zero-width characters removed, trimmed, and every run of spaces,
 * hyphens, dots or underscores turned into one underscore.
 */
export function normalizeHeaderName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\uFEFF\u200B-\u200D\u2060]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s._-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export interface UnknownHeader {
  /** 1-based position in the header. */
  position: number;
  /** The name as written in the file. */
  name: string;
}

export interface DuplicateHeader {
  column: PayrollColumn;
  positions: number[];
  names: string[];
}

export interface HeaderMatch {
  /** Layout column of each header position (0-based index), or null for an ignored column. */
  columns: (PayrollColumn | null)[];
  /** Layout columns found, in layout order. */
  found: PayrollColumn[];
  /** Unknown columns (W003). */
  unknown: UnknownHeader[];
  /** Required columns not found (E001). */
  missingRequired: PayrollColumn[];
  /** Columns present more than once (E004). */
  duplicates: DuplicateHeader[];
  /** E001, E004 and W003 findings, all on row 0 (the header). */
  findings: Finding[];
}

/** Matches the names of a header row to the layout. Pure; never throws. */
export function matchHeader(names: readonly string[]): HeaderMatch {
  const columns: (PayrollColumn | null)[] = [];
  const positionsByColumn = new Map<PayrollColumn, number[]>();
  const unknown: UnknownHeader[] = [];
  names.forEach((name, index) => {
    const canonical = normalizeHeaderName(name);
    if (isPayrollColumn(canonical)) {
      const list = positionsByColumn.get(canonical);
      if (list) {
        list.push(index + 1);
        columns.push(null); // only the first occurrence is mapped; the file is rejected anyway (E004)
      } else {
        positionsByColumn.set(canonical, [index + 1]);
        columns.push(canonical);
      }
    } else {
      unknown.push({ position: index + 1, name });
      columns.push(null);
    }
  });

  const found = PAYROLL_COLUMNS.filter((c) => positionsByColumn.has(c));
  const missingRequired = REQUIRED_COLUMNS.filter((c) => !positionsByColumn.has(c));
  const duplicates: DuplicateHeader[] = [];
  for (const [column, positions] of positionsByColumn) {
    if (positions.length > 1) {
      duplicates.push({ column, positions, names: positions.map((p) => names[p - 1] ?? '') });
    }
  }

  const findings: Finding[] = [];
  for (const column of missingRequired) {
    findings.push(
      makeFinding('E001', {
        row: 0,
        column,
        value: null,
        detail: `Falta la columna obligatoria "${column}" en el encabezado.`,
      }),
    );
  }
  for (const d of duplicates) {
    findings.push(
      makeFinding('E004', {
        row: 0,
        column: d.column,
        value: d.names.join(' | '),
        detail: `La columna "${d.column}" aparece ${d.positions.length} veces en el encabezado (posiciones ${d.positions.join(', ')}).`,
      }),
    );
  }
  for (const u of unknown) {
    const shown = u.name.trim();
    findings.push(
      makeFinding('W003', {
        row: 0,
        column: shown === '' ? null : shown,
        value: u.name,
        detail:
          shown === ''
            ? `La columna ${u.position} del encabezado no tiene nombre y se ignora.`
            : `La columna "${shown}" (posición ${u.position}) no es del layout v1 y se ignora.`,
      }),
    );
  }
  return { columns, found, unknown, missingRequired, duplicates, findings };
}
