/**
 * RFC validation (domain-reference §2.2, contracts §1). A malformed RFC is an error (E020);
 * a wrong check digit is only ever a warning (W021): about 1.5 % of RFCs issued by SAT fail it.
 */
import { formatIsoDate, isValidDateParts } from '../dates';

const CHECK_ALPHABET = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ';

export const RFC_FISICA_PATTERN = /^[A-ZÑ&]{4}\d{6}[A-Z\d]{3}$/;
export const RFC_MORAL_PATTERN = /^[A-ZÑ&]{3}\d{6}[A-Z\d]{3}$/;

/** Generic RFCs: público en general and foreign residents. Not valid for a public institution. */
export const GENERIC_RFCS: readonly string[] = ['XAXX010101000', 'XEXX010101000'];

/**
 * Two-digit years below this pivot are read as 20YY, the rest as 19YY, when no reference year
 * is given. The RFC does not carry the century; pass `referenceYear` (e.g. the period's year)
 * for an exact reading.
 */
export const RFC_DEFAULT_CENTURY_PIVOT = 30;

export interface RfcOptions {
  /** A 2-digit year YY is read as 20YY if 2000 + YY ≤ referenceYear, else as 19YY. */
  referenceYear?: number;
}

export type RfcFisicaValidation =
  | { ok: true; rfc: string; checkDigitValid: boolean; birthDate: string }
  | { ok: false; code: 'E020'; message: string };

export type RfcValidation =
  | {
      ok: true;
      rfc: string;
      kind: 'fisica' | 'moral';
      checkDigitValid: boolean;
      /** Birth date (persona física) or incorporation date (persona moral). */
      date: string;
      generic: boolean;
    }
  | { ok: false; code: 'E020'; message: string };

/**
 * Check digit for an RFC without its last character: 12 characters (física) or 11 (moral).
 * Returns '0'–'9' or 'A'.
 */
export function rfcCheckDigit(withoutCheck: string): string {
  if (withoutCheck.length !== 11 && withoutCheck.length !== 12) {
    throw new RangeError('rfcCheckDigit expects 11 (moral) or 12 (física) characters');
  }
  const padded = withoutCheck.padStart(12, ' ');
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const value = CHECK_ALPHABET.indexOf(padded.charAt(i));
    if (value < 0) throw new RangeError(`invalid RFC character at position ${i + 1}`);
    sum += value * (13 - i);
  }
  const r = sum % 11;
  if (r === 0) return '0';
  const digit = 11 - r;
  return digit === 10 ? 'A' : String(digit);
}

function resolveYear(yy: number, options: RfcOptions | undefined): number {
  if (options?.referenceYear !== undefined) {
    return 2000 + yy <= options.referenceYear ? 2000 + yy : 1900 + yy;
  }
  return yy < RFC_DEFAULT_CENTURY_PIVOT ? 2000 + yy : 1900 + yy;
}

function datePart(rfc: string, start: number, options: RfcOptions | undefined): string | null {
  const yy = Number(rfc.slice(start, start + 2));
  const month = Number(rfc.slice(start + 2, start + 4));
  const day = Number(rfc.slice(start + 4, start + 6));
  const year = resolveYear(yy, options);
  if (!isValidDateParts(year, month, day)) return null;
  return formatIsoDate(year, month, day);
}

function normalize(value: string): string {
  return value.trim().toUpperCase();
}

const FISICA_SHAPE =
  'El RFC de una persona física tiene 13 caracteres: 4 letras, la fecha de nacimiento AAMMDD y 3 caracteres de homoclave, sin espacios ni guiones.';
const FIX_HINT = 'Cópielo tal como aparece en la constancia de situación fiscal del SAT.';

/** Validates the RFC of a persona física (13 characters). */
export function validateRfcPersonaFisica(value: string, options?: RfcOptions): RfcFisicaValidation {
  const rfc = normalize(value);
  if (rfc.length === 0) {
    return { ok: false, code: 'E020', message: `El RFC está vacío. ${FISICA_SHAPE} ${FIX_HINT}` };
  }
  if (rfc.length !== 13) {
    return {
      ok: false,
      code: 'E020',
      message: `El RFC tiene ${rfc.length} caracteres y debe tener 13 (incluida la homoclave). ${FISICA_SHAPE} ${FIX_HINT}`,
    };
  }
  if (!RFC_FISICA_PATTERN.test(rfc)) {
    return { ok: false, code: 'E020', message: `El RFC no tiene la estructura correcta. ${FISICA_SHAPE} ${FIX_HINT}` };
  }
  const birthDate = datePart(rfc, 4, options);
  if (birthDate === null) {
    return {
      ok: false,
      code: 'E020',
      message: `La fecha del RFC (posiciones 5 a 10: "${rfc.slice(4, 10)}", formato AAMMDD) no es una fecha válida. ${FIX_HINT}`,
    };
  }
  return { ok: true, rfc, checkDigitValid: rfcCheckDigit(rfc.slice(0, 12)) === rfc.charAt(12), birthDate };
}

/** Validates an RFC of either kind: persona física (13) or persona moral (12, e.g. institutions). */
export function validateRfc(value: string, options?: RfcOptions): RfcValidation {
  const rfc = normalize(value);
  if (rfc.length === 13) {
    const fisica = validateRfcPersonaFisica(rfc, options);
    if (!fisica.ok) return fisica;
    return {
      ok: true,
      rfc,
      kind: 'fisica',
      checkDigitValid: fisica.checkDigitValid,
      date: fisica.birthDate,
      generic: GENERIC_RFCS.includes(rfc),
    };
  }
  if (rfc.length !== 12) {
    return {
      ok: false,
      code: 'E020',
      message: `El RFC tiene ${rfc.length} caracteres: debe tener 12 (persona moral, por ejemplo una institución) o 13 (persona física). ${FIX_HINT}`,
    };
  }
  if (!RFC_MORAL_PATTERN.test(rfc)) {
    return {
      ok: false,
      code: 'E020',
      message: `El RFC de persona moral no tiene la estructura correcta: 3 letras, la fecha de constitución AAMMDD y 3 caracteres de homoclave. ${FIX_HINT}`,
    };
  }
  const date = datePart(rfc, 3, options);
  if (date === null) {
    return {
      ok: false,
      code: 'E020',
      message: `La fecha del RFC (posiciones 4 a 9: "${rfc.slice(3, 9)}", formato AAMMDD) no es una fecha válida. ${FIX_HINT}`,
    };
  }
  return {
    ok: true,
    rfc,
    kind: 'moral',
    checkDigitValid: rfcCheckDigit(rfc.slice(0, 11)) === rfc.charAt(11),
    date,
    generic: false,
  };
}

/**
 * Whether an RFC (persona física) and a CURP agree on the 4 initials and the YYMMDD birth date
 * (contracts W022). Both keys substitute X for letters they cannot use (CURP writes Ñ as X and
 * both replace a letter of an "inconvenient word" with X), so an X on either side matches any
 * letter in positions 1–4; everything else must be equal. Inputs are trimmed and upper-cased.
 */
export function rfcAgreesWithCurp(rfc: string, curp: string): boolean {
  const r = normalize(rfc);
  const c = normalize(curp);
  if (r.length < 10 || c.length < 10) return false;
  for (let i = 0; i < 4; i++) {
    const a = r.charAt(i);
    const b = c.charAt(i);
    if (a !== b && a !== 'X' && b !== 'X') return false;
  }
  return r.slice(4, 10) === c.slice(4, 10);
}
