/**
 * Where every amount of an accepted payroll row goes (contracts §6). Pure data: the activity turns
 * it into one set-based INSERT … SELECT. Every money column of `payroll_rows` except the salary
 * must appear exactly once (unit-tested), so no centavo of the determinación is left unplaced.
 */
import { fundAccount, LOANS_PORTFOLIO, type Fund } from './accounts';

/** Credits to each person's individual account (their row's `sci` cuota and aportación). */
export const INDIVIDUAL_CREDITS = [
  { column: 'cuota_sci', concept: 'sci-cuota', origin: 'cuota' },
  { column: 'aport_sci', concept: 'sci-aportacion', origin: 'aportacion' },
] as const;
export type IndividualConcept = (typeof INDIVIDUAL_CREDITS)[number]['concept'];

/** Sub-account of the individual account the SCI credits land in (administrator files). */
export const SCI_SUB_ACCOUNT = 'SCI';

export interface RowCredit {
  /** payroll_rows column summed over the entry's accepted, non-rejected rows. */
  column: string;
  accountCode: string;
  concept: string;
}

const fund = (f: Fund, party: 'cuota' | 'aportacion', column: string): RowCredit => ({ column, accountCode: fundAccount(f).code, concept: `${f}-${party}` });

/** Credits to institute funds and the loans portfolio (aggregated per entry, not per person). */
export const POOLED_ROW_CREDITS: readonly RowCredit[] = [
  fund('salud', 'cuota', 'cuota_salud'),
  fund('salud', 'aportacion', 'aport_salud'),
  fund('reparto', 'cuota', 'cuota_reparto'),
  fund('reparto', 'aportacion', 'aport_reparto'),
  fund('admin', 'aportacion', 'aport_admin'),
  fund('riesgo', 'aportacion', 'aport_riesgo'),
  { column: 'ret_prestamo_corto', accountCode: LOANS_PORTFOLIO.code, concept: 'retencion-prestamo-corto' },
  { column: 'ret_prestamo_hipotecario', accountCode: LOANS_PORTFOLIO.code, concept: 'retencion-prestamo-hipotecario' },
  { column: 'ret_otros', accountCode: LOANS_PORTFOLIO.code, concept: 'retencion-otros' },
];

export const ACCESSORY_CONCEPTS = { actualizacion: 'actualizacion', recargos: 'recargos' } as const;
export const EXCESS_CONCEPT = 'excedente';
export const DEPOSIT_CONCEPT = 'deposito';

/** Every payroll_rows column the dispersion places (for the completeness check). */
export function placedRowColumns(): string[] {
  return [...INDIVIDUAL_CREDITS.map((c) => c.column), ...POOLED_ROW_CREDITS.map((c) => c.column)];
}

/** Origin and sub-account of an individual credit, for administrator files. */
export function originOf(concept: string): { origin: string; subAccount: string } {
  const found = INDIVIDUAL_CREDITS.find((c) => c.concept === concept);
  if (!found) throw new Error(`not an individual-account concept: ${concept}`);
  return { origin: found.origin, subAccount: SCI_SUB_ACCOUNT };
}

/** SQL identifiers are interpolated from this module only; still, refuse anything that is not one. */
export function assertColumnName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${name}`);
  return name;
}
