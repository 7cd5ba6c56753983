/**
 * Clave ISSEMyM (contracts §1, domain-reference §4): 8 digits = 7-digit sequence assigned by
 * the system + 1 Luhn (mod 10) check digit. Legacy keys imported as-is are not checked here.
 */

export const CLAVE_ISSEMYM_MAX_SEQUENCE = 9_999_999;

/** Luhn check digit (0–9) to append to a string of decimal digits. */
export function luhnCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new RangeError('luhnCheckDigit expects a non-empty string of digits');
  let sum = 0;
  // The rightmost payload digit is doubled, since the check digit will be appended after it.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether a digit string (payload + check digit) passes the Luhn check. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.charAt(digits.length - 1));
}

/** Builds the clave for a sequence number 1..9,999,999 (e.g. 1 → "00000018"). */
export function claveFromSequence(seq: number): string {
  if (!Number.isInteger(seq) || seq < 1 || seq > CLAVE_ISSEMYM_MAX_SEQUENCE) {
    throw new RangeError(`clave ISSEMyM sequence out of range 1..${CLAVE_ISSEMYM_MAX_SEQUENCE}: ${seq}`);
  }
  const payload = String(seq).padStart(7, '0');
  return `${payload}${luhnCheckDigit(payload)}`;
}

/** Sequence number of a valid system-assigned clave, or null. */
export function sequenceFromClave(value: string): number | null {
  return isValidClaveIssemym(value) ? Number(value.slice(0, 7)) : null;
}

/** 8 digits, sequence ≥ 1 and a correct Luhn check digit. */
export function isValidClaveIssemym(value: string): boolean {
  return /^\d{8}$/.test(value) && value.slice(0, 7) !== '0000000' && isLuhnValid(value);
}
