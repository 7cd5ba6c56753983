/** Clave de institución pública (contracts §1): exactly 5 digits, zero-padded, e.g. "20511". */
export function isValidInstitutionClave(value: string): boolean {
  return /^\d{5}$/.test(value);
}
