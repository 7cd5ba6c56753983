/**
 * Validation of one payroll row on its own (contracts §2, layout v1): every row-level finding
 * that needs neither the database, RENAPO nor other rows. Set-based codes (E012, E013, E014,
 * E032, E033, W050, W051, E060, W061) are computed later from staged rows with the texts of
 * `findings.ts`.
 *
 * Decisions (payroll/README.md):
 * - Cells are trimmed; names are NFC-normalised, inner whitespace collapsed and upper-cased
 *   (RENAPO's convention), keeping accents and Ñ.
 * - `fecha_movimiento` is required and checked on A, B, M and R rows; on N rows it is ignored
 *   (normalised to null). With an invalid `movimiento` (E030) a present date is still checked.
 * - Amounts accept 0–2 decimals ("1234", "1234.5", "1234.50") and are normalised to 2 decimals.
 *   Empty retention cells are 0.00.
 * - `dias_cotizados` accepts an integer, optionally followed by ".0…" (Excel exports "15.00").
 * - `clave_issemym` is only checked for its form (8 digits, E045); whether it belongs to the
 *   CURP (E060) is the registry's call. The Luhn digit is not checked here: legacy keys
 *   imported as-is may not carry one.
 *
 * Pure: no I/O, no clock. Never throws on any cell text.
 */
import { parseIsoDate, type IsoDate } from '../dates';
import { validateCurp, type CurpSex } from '../identifiers/curp';
import { rfcAgreesWithCurp, validateRfcPersonaFisica } from '../identifiers/rfc';
import { canonicalAmount, compareCanonicalAmounts, type Decimal, toAmountString } from '../money';
import { parsePeriod, type PeriodInfo } from '../periods';
import { hasErrors, makeFinding, type Finding, type FindingCode } from './findings';
import { TEXT_LIMITS, type PayrollCells, type PayrollColumn } from './layout';

export const MOVIMIENTOS = ['N', 'A', 'B', 'M', 'R'] as const;
export type Movimiento = (typeof MOVIMIENTOS)[number];

export const MOVIMIENTO_LABELS: Readonly<Record<Movimiento, string>> = {
  N: 'sin movimiento',
  A: 'alta',
  B: 'baja',
  M: 'modificación',
  R: 'reingreso',
};

/** Largest `dias_cotizados` of any period (contracts §2). */
export const MAX_DIAS_COTIZADOS = 16;

export interface RowValidationContext {
  /** 1-based data row number, copied into every finding. */
  row: number;
  /** The file's period `YYYYQQ` (or its parsed form, to avoid re-parsing per row). */
  period: string | PeriodInfo;
  /** Configured cap of `sueldo_cotizable` for the period (E041); absent or null: no cap. */
  salaryCap?: Decimal | string | null;
}

/** A row that passed every row-level check (warnings allowed). Amounts are 2-decimal strings. */
export interface NormalizedRow {
  row: number;
  curp: string;
  /** Birth date and sex read from the CURP. */
  curpBirthDate: IsoDate;
  curpSex: CurpSex;
  claveIssemym: string | null;
  rfc: string;
  primerApellido: string;
  segundoApellido: string | null;
  nombres: string;
  movimiento: Movimiento;
  /** Present on A, B, M and R rows; null on N rows. */
  fechaMovimiento: IsoDate | null;
  sueldoCotizable: string;
  diasCotizados: number;
  puesto: string | null;
  retPrestamoCorto: string;
  retPrestamoHipotecario: string;
  retOtros: string;
  afore: string | null;
}

export interface RowValidationResult {
  findings: Finding[];
  /** Present when no finding is an error. */
  row?: NormalizedRow;
}

const RETENTION_COLUMNS = ['ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros'] as const;

/** Characters that cannot be in a name: controls, line breaks and U+FFFD (undecodable bytes). */
const INVALID_TEXT_CHARS = /[\u0000-\u001F\u007F-\u009F\uFFFD]/;

/**
 * UTF-8 text decoded as Windows-1252 ("mojibake"): Ã or Â followed by what the second byte of a
 * UTF-8 accent becomes in Windows-1252 (Ñ → "Ã‘", Ó → "Ã“", ° → "Â°"). Never a real name.
 */
const MOJIBAKE =
  /[\u00C3\u00C2][\u0080-\u00BF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013\u2014\u2018-\u201A\u201C-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]/;

let cachedPeriodText: string | null = null;
let cachedPeriod: PeriodInfo | null = null;

function resolvePeriod(period: string | PeriodInfo): PeriodInfo {
  if (typeof period !== 'string') return period;
  if (period === cachedPeriodText && cachedPeriod) return cachedPeriod;
  const info = parsePeriod(period);
  if (!info) throw new RangeError(`validateRow: invalid period ${JSON.stringify(period)}`);
  cachedPeriodText = period;
  cachedPeriod = info;
  return info;
}

/** The cap as canonical amount text (compared exactly with `compareCanonicalAmounts`). */
function resolveCap(cap: Decimal | string | null | undefined): string | null {
  if (cap === null || cap === undefined) return null;
  const canonical = typeof cap === 'string' ? canonicalAmount(cap) : cap.isNegative() || cap.decimalPlaces() > 2 ? null : toAmountString(cap);
  if (!canonical) throw new RangeError(`validateRow: invalid salary cap ${JSON.stringify(String(cap))}`);
  return canonical;
}

function quote(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return `"${shown}"`;
}

function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** Why a text is not a valid amount, in Spanish (to complete "El <columna> …"). */
function amountProblem(text: string): string {
  if (text === '') return 'está vacío';
  if (/^-\s*\d/.test(text)) return 'es negativo';
  if (text.includes('$')) return 'incluye el signo de pesos';
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) return 'usa coma como separador de miles';
  if (/^\d+,\d+$/.test(text)) return 'usa coma decimal en lugar de punto';
  if (/^\d+\.\d{3,}$/.test(text)) return 'tiene más de 2 decimales';
  if (/^[\d.]+e[+-]?\d+$/i.test(text)) return 'está en notación científica';
  if (/^\+/.test(text)) return 'lleva signo +';
  if (/\s/.test(text)) return 'contiene espacios';
  return 'no es un número';
}

// The per-row helpers are module functions, not closures inside validateRow: the dev runner
// (tsx, keepNames) wraps every closure creation in a `__name` defineProperty, three per row
// (~0.1–0.17 s per 100k rows in a staging CPU profile).

function rawCell(cells: PayrollCells, column: PayrollColumn): string {
  return cells[column] ?? '';
}

function addFinding(findings: Finding[], rowNumber: number, cells: PayrollCells, code: FindingCode, column: PayrollColumn, detail: string, message?: string): void {
  findings.push(makeFinding(code, { row: rowNumber, column, value: rawCell(cells, column), ...(message ? { message } : { detail }) }));
}

/** A name or text column (E044): cleaned and length-checked; null when empty or invalid. */
function checkText(cells: PayrollCells, findings: Finding[], rowNumber: number, column: keyof typeof TEXT_LIMITS, required: boolean, upper: boolean): string | null {
  const value = rawCell(cells, column);
  if (INVALID_TEXT_CHARS.test(value)) {
    addFinding(
      findings, rowNumber, cells, 'E044', column,
      `La columna ${column} contiene saltos de línea, tabuladores o caracteres que no se pudieron leer (posiblemente el archivo mezcla codificaciones o se copió de otro sistema).`,
    );
    return null;
  }
  if (MOJIBAKE.test(value)) {
    addFinding(
      findings, rowNumber, cells, 'E044', column,
      `La columna ${column} contiene acentos mal convertidos (por ejemplo "Ã‘" en lugar de "Ñ"): esta fila se guardó en otra codificación que el resto del archivo. Guarde todo el archivo como "CSV UTF-8".`,
    );
    return null;
  }
  const cleaned = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (cleaned === '') {
    if (required) addFinding(findings, rowNumber, cells, 'E044', column, `La columna ${column} es obligatoria y está vacía.`);
    return null;
  }
  const length = charLength(cleaned);
  const limit = TEXT_LIMITS[column];
  if (length > limit) {
    addFinding(findings, rowNumber, cells, 'E044', column, `La columna ${column} tiene ${length} caracteres; el máximo es ${limit}.`);
    return null;
  }
  return upper ? cleaned.toUpperCase() : cleaned;
}

/** Validates one row of layout v1. Never throws on cell text (only on an invalid context). */
export function validateRow(cells: PayrollCells, context: RowValidationContext): RowValidationResult {
  const rowNumber = context.row;
  const period = resolvePeriod(context.period);
  const cap = resolveCap(context.salaryCap);
  const findings: Finding[] = [];
  // --- CURP (E010, E011) ---
  const curpResult = validateCurp(rawCell(cells, 'curp'));
  if (!curpResult.ok) addFinding(findings, rowNumber, cells, curpResult.code, 'curp', '', curpResult.message);

  // --- clave ISSEMyM (E045), optional ---
  const clave = rawCell(cells, 'clave_issemym').trim();
  if (clave !== '' && !/^\d{8}$/.test(clave)) {
    addFinding(
      findings, rowNumber, cells, 'E045', 'clave_issemym',
      /^\d+$/.test(clave)
        ? `La clave_issemym ${quote(clave)} tiene ${clave.length} dígitos; debe tener 8 (con ceros a la izquierda si hace falta).`
        : `La clave_issemym ${quote(clave)} contiene caracteres que no son dígitos.`,
    );
  }

  // --- RFC (E020, W021, W022) ---
  const rfcResult = validateRfcPersonaFisica(rawCell(cells, 'rfc'), { referenceYear: period.year });
  if (!rfcResult.ok) {
    addFinding(findings, rowNumber, cells, 'E020', 'rfc', '', rfcResult.message);
  } else {
    if (!rfcResult.checkDigitValid) {
      addFinding(findings, rowNumber, cells, 'W021', 'rfc', `El dígito verificador del RFC ${quote(rfcResult.rfc)} (último carácter) no corresponde con los demás caracteres.`);
    }
    if (curpResult.ok && !rfcAgreesWithCurp(rfcResult.rfc, curpResult.curp)) {
      addFinding(
        findings, rowNumber, cells,
        'W022',
        'rfc',
        `El RFC ${quote(rfcResult.rfc)} y la CURP ${quote(curpResult.curp)} no coinciden en las iniciales (posiciones 1 a 4: ${rfcResult.rfc.slice(0, 4)} y ${curpResult.curp.slice(0, 4)}) o en la fecha de nacimiento (posiciones 5 a 10: ${rfcResult.rfc.slice(4, 10)} y ${curpResult.curp.slice(4, 10)}).`,
      );
    }
  }

  // --- names and texts (E044) ---
  const primerApellido = checkText(cells, findings, rowNumber, 'primer_apellido', true, true);
  const segundoApellido = checkText(cells, findings, rowNumber, 'segundo_apellido', false, true);
  const nombres = checkText(cells, findings, rowNumber, 'nombres', true, true);
  const puesto = checkText(cells, findings, rowNumber, 'puesto', false, false);
  const afore = checkText(cells, findings, rowNumber, 'afore', false, true);

  // --- movimiento (E030) ---
  const movText = rawCell(cells, 'movimiento').trim().toUpperCase();
  const movimiento = (MOVIMIENTOS as readonly string[]).includes(movText) ? (movText as Movimiento) : null;
  if (!movimiento) {
    addFinding(
      findings, rowNumber, cells, 'E030', 'movimiento',
      movText === ''
        ? 'La columna movimiento está vacía.'
        : `El movimiento ${quote(rawCell(cells, 'movimiento').trim())} no es uno de N, A, B, M o R.`,
    );
  }

  // --- fecha_movimiento (E031) ---
  let fechaMovimiento: IsoDate | null = null;
  const fechaText = rawCell(cells, 'fecha_movimiento').trim();
  const periodRange = `del ${period.start} al ${period.end}`;
  if (movimiento !== 'N' && !(movimiento === null && fechaText === '')) {
    if (fechaText === '') {
      addFinding(
        findings, rowNumber, cells, 'E031', 'fecha_movimiento',
        `El movimiento ${movimiento} (${MOVIMIENTO_LABELS[movimiento as Movimiento]}) requiere fecha_movimiento y la celda está vacía. La quincena ${period.period} va ${periodRange}.`,
      );
    } else if (!parseIsoDate(fechaText)) {
      addFinding(
        findings, rowNumber, cells, 'E031', 'fecha_movimiento',
        `La fecha_movimiento ${quote(fechaText)} no es una fecha válida con formato AAAA-MM-DD. La quincena ${period.period} va ${periodRange}.`,
      );
    } else if (fechaText < period.start || fechaText > period.end) {
      addFinding(
        findings, rowNumber, cells, 'E031', 'fecha_movimiento',
        `La fecha_movimiento ${fechaText} está fuera de la quincena ${period.period}, que va ${periodRange}.`,
      );
    } else {
      fechaMovimiento = fechaText;
    }
  }

  // --- sueldo_cotizable (E040, E041) ---
  const sueldoText = rawCell(cells, 'sueldo_cotizable').trim();
  // Canonical text ("1234.50"), compared exactly without a Decimal per row (domain/money.ts).
  const sueldo = canonicalAmount(sueldoText);
  let sueldoCotizable: string | null = null;
  if (!sueldo) {
    addFinding(findings, rowNumber, cells, 'E040', 'sueldo_cotizable', `El sueldo_cotizable ${quote(sueldoText)} ${amountProblem(sueldoText)}.`);
  } else if (sueldo === '0.00' && movimiento !== null && movimiento !== 'B') {
    addFinding(
      findings, rowNumber, cells, 'E040', 'sueldo_cotizable',
      `El sueldo_cotizable es cero en un movimiento ${movimiento} (${MOVIMIENTO_LABELS[movimiento]}); solo las bajas (B) pueden llevar sueldo cero.`,
    );
  } else if (cap && compareCanonicalAmounts(sueldo, cap) > 0) {
    addFinding(findings, rowNumber, cells, 'E041', 'sueldo_cotizable', `El sueldo_cotizable ${sueldo} es mayor que el tope de la quincena ${period.period} (${cap}).`);
  } else {
    sueldoCotizable = sueldo;
  }

  // --- dias_cotizados (E042) ---
  const diasText = rawCell(cells, 'dias_cotizados').trim();
  let diasCotizados: number | null = null;
  const diasMatch = /^(\d{1,6})(?:\.0+)?$/.exec(diasText);
  if (!diasMatch) {
    addFinding(
      findings, rowNumber, cells, 'E042', 'dias_cotizados',
      diasText === ''
        ? 'La columna dias_cotizados está vacía.'
        : `Los dias_cotizados ${quote(diasText)} no son un número entero de días.`,
    );
  } else {
    const dias = Number(diasMatch[1]);
    if (dias > MAX_DIAS_COTIZADOS) {
      addFinding(findings, rowNumber, cells, 'E042', 'dias_cotizados', `Los dias_cotizados son ${dias}; el máximo de una quincena es ${MAX_DIAS_COTIZADOS}.`);
    } else if (dias > period.days) {
      addFinding(
        findings, rowNumber, cells, 'E042', 'dias_cotizados',
        `Los dias_cotizados son ${dias}, pero la quincena ${period.period} solo tiene ${period.days} días (${periodRange}).`,
      );
    } else {
      diasCotizados = dias;
    }
  }

  // --- retentions (E043), optional: empty = 0.00 ---
  const retentions: string[] = [];
  for (const column of RETENTION_COLUMNS) {
    const t = rawCell(cells, column).trim();
    if (t === '') {
      retentions.push('0.00');
      continue;
    }
    const amount = canonicalAmount(t);
    if (!amount) {
      addFinding(findings, rowNumber, cells, 'E043', column, `La retención ${column} ${quote(t)} ${amountProblem(t)}.`);
      retentions.push('');
    } else {
      retentions.push(amount);
    }
  }

  if (hasErrors(findings) || !curpResult.ok || !rfcResult.ok || !movimiento || primerApellido === null || nombres === null) {
    return { findings };
  }
  return {
    findings,
    row: {
      row: rowNumber,
      curp: curpResult.curp,
      curpBirthDate: curpResult.birthDate,
      curpSex: curpResult.sex,
      claveIssemym: clave === '' ? null : clave,
      rfc: rfcResult.rfc,
      primerApellido,
      segundoApellido,
      nombres,
      movimiento,
      fechaMovimiento,
      sueldoCotizable: sueldoCotizable as string,
      diasCotizados: diasCotizados as number,
      puesto,
      retPrestamoCorto: retentions[0] as string,
      retPrestamoHipotecario: retentions[1] as string,
      retOtros: retentions[2] as string,
      afore,
    },
  };
}
