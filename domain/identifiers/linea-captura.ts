/**
 * Línea de captura (contracts §4): 20 digits =
 *   concept "01" (2) + clave de institución (5) + period YYYYQQ (6) + sequence (5)
 *   + 2 check digits, ISO 7064 MOD 97-10 over the first 18 digits:
 *   check = 98 − (n × 100 mod 97), so the whole 20-digit number mod 97 = 1.
 */
import { isValidPeriod } from '../periods';
import { isValidInstitutionClave } from './institution';

export const LINEA_CONCEPT_CUOTAS = '01';
export const LINEA_MAX_SEQUENCE = 99_999;

export interface LineaCapturaInput {
  institutionClave: string;
  period: string;
  /** 1..99,999: incremented each time a new línea is issued for that institution and period. */
  sequence: number;
}

export interface LineaCapturaParts {
  concept: string;
  institutionClave: string;
  period: string;
  sequence: number;
  checkDigits: string;
}

/** The 2 ISO 7064 MOD 97-10 check digits for a string of digits. */
export function mod97CheckDigits(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('mod97CheckDigits expects a string of digits');
  const remainder = (BigInt(digits) * 100n) % 97n;
  return String(98n - remainder).padStart(2, '0');
}

export function buildLineaCaptura(input: LineaCapturaInput): string {
  if (!isValidInstitutionClave(input.institutionClave)) {
    throw new RangeError(`invalid institution clave: ${input.institutionClave}`);
  }
  if (!isValidPeriod(input.period)) throw new RangeError(`invalid period: ${input.period}`);
  if (!Number.isInteger(input.sequence) || input.sequence < 1 || input.sequence > LINEA_MAX_SEQUENCE) {
    throw new RangeError(`línea sequence out of range 1..${LINEA_MAX_SEQUENCE}: ${input.sequence}`);
  }
  const body = `${LINEA_CONCEPT_CUOTAS}${input.institutionClave}${input.period}${String(input.sequence).padStart(5, '0')}`;
  return `${body}${mod97CheckDigits(body)}`;
}

/**
 * Splits a línea into its parts; null unless it is 20 digits, concept 01, valid period,
 * sequence ≥ 1 and its check digits are the ones issued for its first 18 (so the whole is ≡ 1
 * mod 97). Comparing the digits, not only the remainder: for two remainders a second pair also
 * gives 1 mod 97 (98 ↔ 01, 02 ↔ 99), a línea the system never issues.
 */
export function parseLineaCaptura(value: string): LineaCapturaParts | null {
  if (!/^\d{20}$/.test(value)) return null;
  if (BigInt(value) % 97n !== 1n || value.slice(18) !== mod97CheckDigits(value.slice(0, 18))) return null;
  const concept = value.slice(0, 2);
  const institutionClave = value.slice(2, 7);
  const period = value.slice(7, 13);
  const sequence = Number(value.slice(13, 18));
  if (concept !== LINEA_CONCEPT_CUOTAS || !isValidPeriod(period) || sequence < 1) return null;
  return { concept, institutionClave, period, sequence, checkDigits: value.slice(18) };
}

export function isValidLineaCaptura(value: string): boolean {
  return parseLineaCaptura(value) !== null;
}
