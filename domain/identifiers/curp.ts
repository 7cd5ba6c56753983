/**
 * CURP validation (domain-reference §2.1, contracts §1). Structure problems → E010,
 * wrong check digit → E011 (an error, unlike RFC). This only checks the key is well formed;
 * whether it exists and is active is RENAPO's call (E012/E013).
 */
import { formatIsoDate, isValidDateParts } from '../dates';

export const CURP_STATE_CODES: Readonly<Record<string, string>> = {
  AS: 'Aguascalientes',
  BC: 'Baja California',
  BS: 'Baja California Sur',
  CC: 'Campeche',
  CL: 'Coahuila',
  CM: 'Colima',
  CS: 'Chiapas',
  CH: 'Chihuahua',
  DF: 'Ciudad de México',
  DG: 'Durango',
  GT: 'Guanajuato',
  GR: 'Guerrero',
  HG: 'Hidalgo',
  JC: 'Jalisco',
  MC: 'Estado de México',
  MN: 'Michoacán',
  MS: 'Morelos',
  NT: 'Nayarit',
  NL: 'Nuevo León',
  OC: 'Oaxaca',
  PL: 'Puebla',
  QT: 'Querétaro',
  QR: 'Quintana Roo',
  SP: 'San Luis Potosí',
  SL: 'Sinaloa',
  SR: 'Sonora',
  TC: 'Tabasco',
  TS: 'Tamaulipas',
  TL: 'Tlaxcala',
  VZ: 'Veracruz',
  YN: 'Yucatán',
  ZS: 'Zacatecas',
  NE: 'Nacido en el extranjero',
};

const STATES = Object.keys(CURP_STATE_CODES).join('|');
/** §2.1 regex with sex H, M or X. */
export const CURP_PATTERN = new RegExp(
  `^[A-Z][AEIOUX][A-Z]{2}\\d{6}[HMX](?:${STATES})[B-DF-HJ-NP-TV-Z]{3}[A-Z\\d]\\d$`,
);

const CHECK_ALPHABET = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ';

export type CurpSex = 'H' | 'M' | 'X';

export type CurpValidation =
  | { ok: true; curp: string; birthDate: string; sex: CurpSex; stateCode: string }
  | { ok: false; code: 'E010' | 'E011'; message: string };

/** Check digit (position 18) for the first 17 characters of a CURP. */
export function curpCheckDigit(first17: string): string {
  if (first17.length !== 17) throw new RangeError('curpCheckDigit expects exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CHECK_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`invalid CURP character at position ${i + 1}`);
    sum += value * (18 - i);
  }
  return String((10 - (sum % 10)) % 10);
}

function malformed(message: string): CurpValidation {
  return { ok: false, code: 'E010', message };
}

const FIX_HINT = 'Cópiela tal como aparece en la constancia CURP emitida por RENAPO (gob.mx/curp).';

/**
 * Validates a CURP. Surrounding spaces are removed and letters upper-cased; the normalised
 * value is returned as `curp`.
 */
export function validateCurp(value: string): CurpValidation {
  const curp = value.trim().toUpperCase();
  if (curp.length === 0) {
    return malformed(`La CURP está vacía. Capture las 18 posiciones de la CURP. ${FIX_HINT}`);
  }
  if (curp.length !== 18) {
    return malformed(
      `La CURP tiene ${curp.length} caracteres y debe tener exactamente 18 (letras y números, sin espacios ni guiones). ${FIX_HINT}`,
    );
  }
  if (!/^[A-Z0-9]{18}$/.test(curp)) {
    return malformed(
      `La CURP contiene caracteres no permitidos (espacios, guiones, acentos o Ñ). Solo se admiten letras A-Z y números. ${FIX_HINT}`,
    );
  }
  const sex = curp.charAt(10);
  if (sex !== 'H' && sex !== 'M' && sex !== 'X') {
    return malformed(
      `La posición 11 de la CURP (sexo) es "${sex}" y debe ser H, M o X. Verifique que no se hayan recorrido los caracteres. ${FIX_HINT}`,
    );
  }
  const stateCode = curp.slice(11, 13);
  if (!(stateCode in CURP_STATE_CODES)) {
    return malformed(
      `Las posiciones 12 y 13 de la CURP ("${stateCode}") no son una clave de entidad de nacimiento válida (por ejemplo MC para Estado de México o NE para nacidos en el extranjero). ${FIX_HINT}`,
    );
  }
  if (!CURP_PATTERN.test(curp)) {
    return malformed(
      `La CURP no tiene la estructura oficial: 4 letras, 6 dígitos de fecha de nacimiento, sexo, entidad, 3 consonantes, 1 carácter diferenciador y 1 dígito verificador. ${FIX_HINT}`,
    );
  }
  const yy = Number(curp.slice(4, 6));
  const month = Number(curp.slice(6, 8));
  const day = Number(curp.slice(8, 10));
  // Position 17: a digit for people born up to 1999, a letter for those born from 2000.
  const century = /\d/.test(curp.charAt(16)) ? 1900 : 2000;
  const year = century + yy;
  if (!isValidDateParts(year, month, day)) {
    return malformed(
      `La fecha de nacimiento de la CURP (posiciones 5 a 10: "${curp.slice(4, 10)}", formato AAMMDD) no es una fecha válida. ${FIX_HINT}`,
    );
  }
  const expected = curpCheckDigit(curp.slice(0, 17));
  if (curp.charAt(17) !== expected) {
    return {
      ok: false,
      code: 'E011',
      message: `El dígito verificador de la CURP (último carácter) no corresponde con los demás caracteres: probablemente hay un error de captura en alguna posición. Revise la CURP carácter por carácter contra la constancia de RENAPO y corríjala; no cambie solo el último dígito.`,
    };
  }
  return { ok: true, curp, birthDate: formatIsoDate(year, month, day), sex, stateCode };
}
