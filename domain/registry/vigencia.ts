/**
 * Vigencia de derechos: whether a person (and so their beneficiaries) is entitled to the
 * institute's services on a date. Pure: computed from the plazas and the RENAPO suspension.
 *
 * - Vigente on `date` when some plaza covers it (start ≤ date ≤ end, an open plaza has no end).
 * - A RENAPO baja por defunción (BD) suspends rights from the day it was learnt (`suspendedFrom`).
 * - No conservación de derechos after a baja is applied (not in the contracts); a grace period
 *   would be an extra parameter here.
 */
import type { IsoDate } from '../dates';

export interface EmploymentSpan {
  institutionClave: string;
  start: IsoDate;
  /** Last day of service (inclusive); null while active. */
  end: IsoDate | null;
}

export interface VigenciaInput {
  employments: readonly EmploymentSpan[];
  suspendedFrom: IsoDate | null;
  suspensionReason?: string | null;
}

export interface Vigencia {
  vigente: boolean;
  date: IsoDate;
  /** Institutions whose plaza covers the date, with the plaza's start. */
  institutions: { institutionClave: string; since: IsoDate; until: IsoDate | null }[];
  /** Spanish explanation for the person or the operator. */
  reason: string;
  suspendedFrom: IsoDate | null;
}

export function covers(span: EmploymentSpan, date: IsoDate): boolean {
  return span.start <= date && (span.end === null || date <= span.end);
}

export function vigenciaOn(input: VigenciaInput, date: IsoDate): Vigencia {
  const covering = input.employments
    .filter((e) => covers(e, date))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.institutionClave.localeCompare(b.institutionClave)))
    .map((e) => ({ institutionClave: e.institutionClave, since: e.start, until: e.end }));
  if (input.suspendedFrom && date >= input.suspendedFrom) {
    return {
      vigente: false,
      date,
      institutions: covering,
      reason: `Derechos suspendidos desde el ${input.suspendedFrom}: ${input.suspensionReason ?? 'suspensión registrada por el Instituto'}.`,
      suspendedFrom: input.suspendedFrom,
    };
  }
  if (covering.length > 0) {
    const list = covering.map((c) => c.institutionClave).join(', ');
    return {
      vigente: true,
      date,
      institutions: covering,
      reason: `Tiene plaza vigente en ${covering.length === 1 ? 'la institución' : 'las instituciones'} ${list}.`,
      suspendedFrom: input.suspendedFrom,
    };
  }
  const past = input.employments.filter((e) => e.end !== null && e.end < date).map((e) => e.end as string);
  const future = input.employments.filter((e) => e.start > date).map((e) => e.start);
  let reason = 'No tiene plazas registradas en el Instituto en esa fecha.';
  if (future.length > 0 && past.length === 0) {
    reason = `Sin plaza vigente en esa fecha: su alta surte efecto a partir del ${future.sort()[0]}.`;
  } else if (past.length > 0) {
    reason = `Sin plaza vigente en esa fecha: su última baja fue el ${past.sort()[past.length - 1]}.`;
  }
  return { vigente: false, date, institutions: [], reason, suspendedFrom: input.suspendedFrom };
}
