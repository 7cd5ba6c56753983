/**
 * Contributions (contracts §3): rates are effective-dated data; per row and concept
 * amount = round_half_up(sueldo_cotizable × rate, 2); totals are sums of rounded row amounts;
 * retentions are taken as reported; total_due = Σ cuotas + Σ aportaciones + Σ retenciones.
 */
import { compareDates, isValidIsoDate, type IsoDate } from './dates';
import { amountCents, centsToAmountString, Decimal, toAmountString, ZERO } from './money';

export const CONCEPTS = ['salud', 'reparto', 'sci', 'admin', 'riesgo'] as const;
export type Concept = (typeof CONCEPTS)[number];
export const PARTIES = ['servidor', 'institucion'] as const;
export type Party = (typeof PARTIES)[number];

export const CONCEPT_LABELS: Readonly<Record<Concept, string>> = {
  salud: 'Servicios de salud',
  reparto: 'Sistema solidario de reparto',
  sci: 'Sistema de capitalización individual',
  admin: 'Gastos de administración',
  riesgo: 'Riesgo de trabajo',
};

export interface RateRow {
  concept: Concept;
  party: Party;
  /** Decimal fraction as text, e.g. '0.04625' for 4.625 %. */
  rate: string;
  effectiveFrom: IsoDate;
  /** Inclusive last day, or null when open-ended. */
  effectiveTo: IsoDate | null;
  legalSource: string;
  verified: boolean;
}

/** A rate resolved for a period. */
export interface AppliedRate {
  concept: Concept;
  party: Party;
  rate: Decimal;
  verified: boolean;
  legalSource: string;
  effectiveFrom: IsoDate;
}

const LAW_2002 = '2002-07-01';
const CUOTA_SOURCE =
  'LSSSPEMyM 2002 y reformas (cuotas del servidor público); tasas verificadas en nóminas del Gobierno del Estado de México, claves 5540/5541/5542';
const APORTACION_SOURCE =
  'Supuesto: reparto por concepto no publicado; solo el total de 19 % es público (domain-reference §1.3). Cargue tasas verificadas con nueva fecha de vigencia';

/** Default table (contracts §3): servidor rates verified, institución split unverified. */
export const DEFAULT_RATE_TABLE: readonly RateRow[] = [
  { concept: 'salud', party: 'servidor', rate: '0.04625', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: CUOTA_SOURCE, verified: true },
  { concept: 'reparto', party: 'servidor', rate: '0.061', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: CUOTA_SOURCE, verified: true },
  { concept: 'sci', party: 'servidor', rate: '0.014', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: CUOTA_SOURCE, verified: true },
  { concept: 'salud', party: 'institucion', rate: '0.10', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: APORTACION_SOURCE, verified: false },
  { concept: 'reparto', party: 'institucion', rate: '0.06', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: APORTACION_SOURCE, verified: false },
  { concept: 'sci', party: 'institucion', rate: '0.015', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: APORTACION_SOURCE, verified: false },
  { concept: 'admin', party: 'institucion', rate: '0.01', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: APORTACION_SOURCE, verified: false },
  { concept: 'riesgo', party: 'institucion', rate: '0.005', effectiveFrom: LAW_2002, effectiveTo: null, legalSource: APORTACION_SOURCE, verified: false },
];

/**
 * Rates in force on `periodStartDate` (the first day of the period). For each (concept, party)
 * the row with the latest effectiveFrom that covers the date wins, so loading a new rate with a
 * later effective date supersedes the old one even if the old row was left open-ended. Two
 * covering rows with the same effectiveFrom are a data error and throw.
 */
export function ratesInForce(table: readonly RateRow[], periodStartDate: IsoDate): AppliedRate[] {
  if (!isValidIsoDate(periodStartDate)) throw new RangeError(`invalid date: ${periodStartDate}`);
  const chosen = new Map<string, RateRow>();
  for (const row of table) {
    if (compareDates(row.effectiveFrom, periodStartDate) > 0) continue;
    if (row.effectiveTo !== null && compareDates(row.effectiveTo, periodStartDate) < 0) continue;
    const key = `${row.party}.${row.concept}`;
    const current = chosen.get(key);
    if (current && current.effectiveFrom === row.effectiveFrom) {
      throw new RangeError(`ambiguous rate rows for ${key} effective ${row.effectiveFrom}`);
    }
    if (!current || row.effectiveFrom > current.effectiveFrom) chosen.set(key, row);
  }
  const result: AppliedRate[] = [];
  for (const party of PARTIES) {
    for (const concept of CONCEPTS) {
      const row = chosen.get(`${party}.${concept}`);
      if (!row) continue;
      const rate = new Decimal(row.rate);
      if (!rate.isFinite() || rate.isNegative()) throw new RangeError(`invalid rate for ${party}.${concept}: ${row.rate}`);
      result.push({ concept, party, rate, verified: row.verified, legalSource: row.legalSource, effectiveFrom: row.effectiveFrom });
    }
  }
  return result;
}

/** True when any applied rate is unverified: documents must say so (contracts §3). */
export function hasUnverifiedRates(rates: readonly AppliedRate[]): boolean {
  return rates.some((r) => !r.verified);
}

export interface ContributionLine {
  concept: Concept;
  party: Party;
  amount: Decimal;
}

/** Per (concept, party) amounts for one payroll row, each rounded half-up to cents. */
export function computeRowContributions(sueldo: Decimal, rates: readonly AppliedRate[]): ContributionLine[] {
  if (sueldo.isNegative()) throw new RangeError('sueldo_cotizable must not be negative');
  // One copy of `sueldo` puts every product in the domain's Decimal configuration, so each line is
  // rounded directly instead of through `roundHalfUp2`'s copy (8 lines per payroll row, hot path).
  const base = new Decimal(sueldo);
  return rates.map((r) => ({ concept: r.concept, party: r.party, amount: base.times(r.rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP) }));
}

/** A rate as the exact fraction numerator / scale (scale a power of ten), for integer arithmetic. */
interface ScaledRate {
  numerator: number;
  scale: number;
}

function scaledRate(rate: Decimal): ScaledRate | null {
  if (rate.isNegative()) return null; // the integer rounding below is half-up for non-negative products only
  const decimals = rate.decimalPlaces();
  if (decimals > 15) return null; // 10^decimals must be an exact double
  const numerator = rate.times(new Decimal(10).pow(decimals)).toNumber();
  return Number.isSafeInteger(numerator) ? { numerator, scale: 10 ** decimals } : null;
}

/**
 * round_half_up(sueldo × rate, 2) in integer centavos: sueldo (centavos) × the rate's numerator is
 * the line in 1/scale centavos, divided and rounded half up. Exact whenever the product is a safe
 * integer; null otherwise (then the Decimal reference, `computeRowContributions`, applies).
 */
function lineCents(sueldoCents: number, rate: ScaledRate): number | null {
  const product = sueldoCents * rate.numerator;
  if (!Number.isSafeInteger(product)) return null;
  const remainder = product % rate.scale;
  const quotient = (product - remainder) / rate.scale;
  return remainder * 2 >= rate.scale ? quotient + 1 : quotient;
}

/**
 * A file's rates compiled for its rows (the staging hot path): given a row's canonical
 * sueldo_cotizable text, the amounts of the requested (party, concept) lines in that order, as
 * canonical amount text, '0.00' where no rate is in force. Same results as `computeRowContributions`
 * (property-tested against it and an integer oracle), computed in integer centavos when exact.
 */
export function compileRowContributions(
  rates: readonly AppliedRate[],
  order: readonly (readonly [Party, Concept])[],
): (sueldo: string) => string[] {
  const positions = order.map(([party, concept]) => rates.findIndex((r) => r.party === party && r.concept === concept));
  const scaled = positions.map((i) => (i >= 0 ? scaledRate(rates[i]!.rate) : null));
  const exact = positions.every((i, k) => i < 0 || scaled[k] !== null);
  const viaDecimal = (sueldo: string): string[] => {
    const lines = computeRowContributions(new Decimal(sueldo), rates);
    return positions.map((i) => (i >= 0 ? toAmountString(lines[i]!.amount) : '0.00'));
  };
  return (sueldo) => {
    const cents = exact ? amountCents(sueldo) : null;
    if (cents === null) return viaDecimal(sueldo);
    const amounts: string[] = new Array(positions.length);
    for (let k = 0; k < positions.length; k++) {
      if (positions[k]! < 0) {
        amounts[k] = '0.00';
        continue;
      }
      const line = lineCents(cents, scaled[k]!);
      if (line === null) return viaDecimal(sueldo);
      amounts[k] = centsToAmountString(line);
    }
    return amounts;
  };
}

export interface Retentions {
  prestamoCorto: Decimal;
  prestamoHipotecario: Decimal;
  otros: Decimal;
}

/** Running totals for a period, foldable row by row (streaming) and mergeable (chunks). */
export interface ContributionTotals {
  /** Rows folded in. */
  rows: number;
  /** Cuotas (party servidor) per concept. */
  servidor: Record<Concept, Decimal>;
  /** Aportaciones (party institucion) per concept. */
  institucion: Record<Concept, Decimal>;
  retenciones: Retentions;
}

function zeroByConcept(): Record<Concept, Decimal> {
  return { salud: ZERO, reparto: ZERO, sci: ZERO, admin: ZERO, riesgo: ZERO };
}

export function emptyRetentions(): Retentions {
  return { prestamoCorto: ZERO, prestamoHipotecario: ZERO, otros: ZERO };
}

export function emptyTotals(): ContributionTotals {
  return { rows: 0, servidor: zeroByConcept(), institucion: zeroByConcept(), retenciones: emptyRetentions() };
}

/** Returns new totals with one row's lines and (optional) reported retentions added. */
export function addToTotals(
  totals: ContributionTotals,
  lines: readonly ContributionLine[],
  retentions: Partial<Retentions> = {},
): ContributionTotals {
  const servidor = { ...totals.servidor };
  const institucion = { ...totals.institucion };
  for (const line of lines) {
    const target = line.party === 'servidor' ? servidor : institucion;
    target[line.concept] = target[line.concept].plus(line.amount);
  }
  return {
    rows: totals.rows + 1,
    servidor,
    institucion,
    retenciones: {
      prestamoCorto: totals.retenciones.prestamoCorto.plus(retentions.prestamoCorto ?? ZERO),
      prestamoHipotecario: totals.retenciones.prestamoHipotecario.plus(retentions.prestamoHipotecario ?? ZERO),
      otros: totals.retenciones.otros.plus(retentions.otros ?? ZERO),
    },
  };
}

export function mergeTotals(a: ContributionTotals, b: ContributionTotals): ContributionTotals {
  const servidor = zeroByConcept();
  const institucion = zeroByConcept();
  for (const c of CONCEPTS) {
    servidor[c] = a.servidor[c].plus(b.servidor[c]);
    institucion[c] = a.institucion[c].plus(b.institucion[c]);
  }
  return {
    rows: a.rows + b.rows,
    servidor,
    institucion,
    retenciones: {
      prestamoCorto: a.retenciones.prestamoCorto.plus(b.retenciones.prestamoCorto),
      prestamoHipotecario: a.retenciones.prestamoHipotecario.plus(b.retenciones.prestamoHipotecario),
      otros: a.retenciones.otros.plus(b.retenciones.otros),
    },
  };
}

function sumRecord(r: Readonly<Record<string, Decimal>>): Decimal {
  return Object.values(r).reduce<Decimal>((acc, d) => acc.plus(d), ZERO);
}

/** total_due = Σ cuotas + Σ aportaciones + Σ retenciones. */
export function totalDue(parts: { cuotas: Decimal; aportaciones: Decimal; retenciones: Decimal }): Decimal {
  return parts.cuotas.plus(parts.aportaciones).plus(parts.retenciones);
}

export interface TotalsSummary {
  cuotas: Decimal;
  aportaciones: Decimal;
  retenciones: Decimal;
  totalDue: Decimal;
}

export function summarizeTotals(t: ContributionTotals): TotalsSummary {
  const cuotas = sumRecord(t.servidor);
  const aportaciones = sumRecord(t.institucion);
  const retenciones = sumRecord({ ...t.retenciones });
  return { cuotas, aportaciones, retenciones, totalDue: totalDue({ cuotas, aportaciones, retenciones }) };
}

/** JSON-safe form (decimal strings with 2 places) for workflow payloads and storage. */
export interface ContributionTotalsJson {
  rows: number;
  servidor: Record<Concept, string>;
  institucion: Record<Concept, string>;
  retenciones: { prestamoCorto: string; prestamoHipotecario: string; otros: string };
}

function mapConcepts<A, B>(r: Record<Concept, A>, f: (a: A) => B): Record<Concept, B> {
  return { salud: f(r.salud), reparto: f(r.reparto), sci: f(r.sci), admin: f(r.admin), riesgo: f(r.riesgo) };
}

export function totalsToJson(t: ContributionTotals): ContributionTotalsJson {
  return {
    rows: t.rows,
    servidor: mapConcepts(t.servidor, toAmountString),
    institucion: mapConcepts(t.institucion, toAmountString),
    retenciones: {
      prestamoCorto: toAmountString(t.retenciones.prestamoCorto),
      prestamoHipotecario: toAmountString(t.retenciones.prestamoHipotecario),
      otros: toAmountString(t.retenciones.otros),
    },
  };
}

export function totalsFromJson(j: ContributionTotalsJson): ContributionTotals {
  const d = (s: string): Decimal => new Decimal(s);
  return {
    rows: j.rows,
    servidor: mapConcepts(j.servidor, d),
    institucion: mapConcepts(j.institucion, d),
    retenciones: {
      prestamoCorto: d(j.retenciones.prestamoCorto),
      prestamoHipotecario: d(j.retenciones.prestamoHipotecario),
      otros: d(j.retenciones.otros),
    },
  };
}
