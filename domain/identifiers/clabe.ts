/**
 * CLABE (domain-reference §2.3): 18 digits = bank (3) + plaza (3) + account (11) + check (1).
 * Check digit: weights 3,7,1 repeated over the first 17 digits, each product mod 10,
 * digit = (10 − sum mod 10) mod 10.
 */
const WEIGHTS = [3, 7, 1] as const;

export function clabeCheckDigit(first17: string): number {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('clabeCheckDigit expects 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const weight = WEIGHTS[i % 3] ?? 0;
    sum += ((first17.charCodeAt(i) - 48) * weight) % 10;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidClabe(value: string): boolean {
  return /^\d{18}$/.test(value) && clabeCheckDigit(value.slice(0, 17)) === Number(value.charAt(17));
}
