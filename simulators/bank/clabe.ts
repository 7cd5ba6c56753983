/**
 * CLABE (18 digits) = bank (3) + plaza (3) + account (11) + check digit (1); the check digit uses
 * weights 3,7,1 repeated over the first 17 digits, each product mod 10,
 * digit = (10 − sum mod 10) mod 10 (domain-reference §2.3).
 */
const WEIGHTS = [3, 7, 1] as const;

export function clabeCheckDigit(first17: string): number {
  if (!/^\d{17}$/.test(first17)) throw new Error(`CLABE body must be 17 digits, got ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (Number(first17[i]) * WEIGHTS[i % 3]!) % 10;
  return (10 - (sum % 10)) % 10;
}

export function withClabeCheckDigit(first17: string): string {
  return `${first17}${clabeCheckDigit(first17)}`;
}

export function isValidClabe(clabe: string): boolean {
  return /^\d{18}$/.test(clabe) && clabeCheckDigit(clabe.slice(0, 17)) === Number(clabe[17]);
}

/** Default collection account of the institute: BBVA (012), plaza 180, an invented account. */
export const DEFAULT_COLLECTION_CLABE = withClabeCheckDigit('01218000118359721');
/** Default payer account used when a simulated payment does not name one: Banorte (072). */
export const DEFAULT_PAYER_CLABE = withClabeCheckDigit('07218000204461375');
