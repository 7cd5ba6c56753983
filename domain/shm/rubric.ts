/**
 * SHM profile score, rubric v1 (contracts §7). The rubric is versioned data: a stored score
 * keeps its rubric version and breakdown, and a new rubric gets a new version instead of
 * changing v1. Only approved documents count; the caller filters them before scoring.
 */
import { compareDates, isValidIsoDate, type IsoDate } from '../dates';
import { Decimal, toAmountString } from '../money';

export const ACADEMIC_LEVELS = ['bachillerato', 'tecnico', 'licenciatura', 'especialidad', 'maestria', 'doctorado'] as const;
export type AcademicLevel = (typeof ACADEMIC_LEVELS)[number];
export type Criterion = 'experiencia' | 'academico' | 'certificacion';

export interface Rubric {
  version: string;
  /** Weights as decimal fractions; they add up to 1. */
  weights: Readonly<Record<Criterion, string>>;
  experience: { pointsPerYear: number; capYears: number };
  academic: Readonly<Record<AcademicLevel, number>>;
  /** Score of a licenciatura afín (contaduría, economía, administración, finanzas, derecho). */
  relatedLicenciatura: number;
  certification: { none: number; oneCurrent: number; twoOrMore: number; highLevel: number; highLevelThreshold: number };
  /** Star thresholds: total < thresholds[i] → i + 1 stars; otherwise thresholds.length + 1. */
  starThresholds: readonly number[];
}

export const RUBRIC_V1: Readonly<Rubric> = Object.freeze({
  version: 'v1',
  weights: { experiencia: '0.40', academico: '0.35', certificacion: '0.25' },
  experience: { pointsPerYear: 10, capYears: 10 },
  academic: { bachillerato: 20, tecnico: 35, licenciatura: 60, especialidad: 80, maestria: 90, doctorado: 100 },
  relatedLicenciatura: 70,
  certification: { none: 0, oneCurrent: 70, twoOrMore: 100, highLevel: 100, highLevelThreshold: 4 },
  starThresholds: [20, 40, 60, 80],
});

export interface CertificationInput {
  level: number;
  /** Inclusive last day of validity, or null if it does not expire. */
  expiresOn: IsoDate | null;
  /** Relevant to municipal treasury functions. */
  relevant: boolean;
}

export interface ProfileScoreInput {
  /** Years of municipal hacienda experience backed by approved documents (may be fractional). */
  experienceYears: number;
  highestAcademic: AcademicLevel | null;
  /** The licenciatura is in contaduría, economía, administración, finanzas or derecho. */
  relatedDegree: boolean;
  certifications: readonly CertificationInput[];
}

export interface CriterionScore {
  /** Sub-score 0–100, 2 decimals. */
  score: string;
  /** Weight as a decimal fraction, e.g. "0.40". */
  weight: string;
  /** score × weight, 2 decimals. */
  weighted: string;
  explanation: string;
}

export interface ProfileScore {
  /** Weighted total 0–100, 2 decimals. */
  total: string;
  stars: 1 | 2 | 3 | 4 | 5;
  breakdown: Record<Criterion, CriterionScore>;
  rubricVersion: string;
}

const ACADEMIC_NAMES: Readonly<Record<AcademicLevel, string>> = {
  bachillerato: 'bachillerato',
  tecnico: 'carrera técnica',
  licenciatura: 'licenciatura',
  especialidad: 'especialidad',
  maestria: 'maestría',
  doctorado: 'doctorado',
};

function formatYears(years: Decimal): string {
  const text = years.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString();
  return `${text} ${years.equals(1) ? 'año' : 'años'}`;
}

function experienceScore(years: number, rubric: Rubric): { score: Decimal; explanation: string } {
  if (!Number.isFinite(years)) throw new RangeError('experienceYears must be a finite number');
  const y = Decimal.max(new Decimal(years), 0);
  const cap = rubric.experience.capYears;
  const counted = Decimal.min(y, cap);
  const score = counted.times(rubric.experience.pointsPerYear);
  const explanation = y.greaterThan(cap)
    ? `${formatYears(y)} de experiencia en hacienda municipal con documentos aprobados; se cuentan como máximo ${cap} años (${rubric.experience.pointsPerYear} puntos por año).`
    : `${formatYears(y)} de experiencia en hacienda municipal con documentos aprobados × ${rubric.experience.pointsPerYear} puntos por año.`;
  return { score, explanation };
}

function academicScore(input: ProfileScoreInput, rubric: Rubric): { score: Decimal; explanation: string } {
  const level = input.highestAcademic;
  if (level === null) {
    return { score: new Decimal(0), explanation: 'Sin grado académico aprobado: 0 puntos.' };
  }
  if (level === 'licenciatura' && input.relatedDegree) {
    return {
      score: new Decimal(rubric.relatedLicenciatura),
      explanation: `Licenciatura afín (contaduría, economía, administración, finanzas o derecho): ${rubric.relatedLicenciatura} puntos.`,
    };
  }
  const points = rubric.academic[level];
  return { score: new Decimal(points), explanation: `Grado máximo aprobado: ${ACADEMIC_NAMES[level]}, ${points} puntos.` };
}

function certificationScore(
  certs: readonly CertificationInput[],
  asOf: IsoDate,
  rubric: Rubric,
): { score: Decimal; explanation: string } {
  const current = certs.filter((c) => c.expiresOn === null || compareDates(c.expiresOn, asOf) >= 0);
  const counted = current.filter((c) => c.relevant);
  const expired = certs.length - current.length;
  const notes: string[] = [];
  if (expired > 0) notes.push(`${expired} vencida(s) no cuenta(n)`);
  const irrelevant = current.length - counted.length;
  if (irrelevant > 0) notes.push(`${irrelevant} no relacionada(s) con la hacienda municipal no cuenta(n)`);
  const suffix = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  const c = rubric.certification;
  if (counted.length === 0) {
    return { score: new Decimal(c.none), explanation: `Sin certificaciones vigentes y relacionadas: ${c.none} puntos${suffix}.` };
  }
  if (counted.length >= 2) {
    return {
      score: new Decimal(c.twoOrMore),
      explanation: `${counted.length} certificaciones vigentes y relacionadas: ${c.twoOrMore} puntos${suffix}.`,
    };
  }
  const only = counted[0];
  if (only && only.level >= c.highLevelThreshold) {
    return {
      score: new Decimal(c.highLevel),
      explanation: `Una certificación vigente y relacionada de nivel ${only.level} (nivel ${c.highLevelThreshold} o superior): ${c.highLevel} puntos${suffix}.`,
    };
  }
  return {
    score: new Decimal(c.oneCurrent),
    explanation: `Una certificación vigente y relacionada: ${c.oneCurrent} puntos${suffix}.`,
  };
}

export function starsFor(total: Decimal, rubric: Rubric = RUBRIC_V1): 1 | 2 | 3 | 4 | 5 {
  let stars = rubric.starThresholds.length + 1;
  for (let i = 0; i < rubric.starThresholds.length; i++) {
    const threshold = rubric.starThresholds[i];
    if (threshold !== undefined && total.lessThan(threshold)) {
      stars = i + 1;
      break;
    }
  }
  return Math.min(Math.max(stars, 1), 5) as 1 | 2 | 3 | 4 | 5;
}

/**
 * Scores a profile. `asOf` decides which certificates are current (expiresOn ≥ asOf). Stars
 * come from the total rounded to 2 decimals, the same figure that is shown.
 */
export function scoreProfile(input: ProfileScoreInput, asOf: IsoDate, rubric: Rubric = RUBRIC_V1): ProfileScore {
  if (!isValidIsoDate(asOf)) throw new RangeError(`invalid asOf date: ${asOf}`);
  const parts: Record<Criterion, { score: Decimal; explanation: string }> = {
    experiencia: experienceScore(input.experienceYears, rubric),
    academico: academicScore(input, rubric),
    certificacion: certificationScore(input.certifications, asOf, rubric),
  };
  let total = new Decimal(0);
  const breakdown = {} as Record<Criterion, CriterionScore>;
  for (const criterion of ['experiencia', 'academico', 'certificacion'] as const) {
    const { score, explanation } = parts[criterion];
    const weight = new Decimal(rubric.weights[criterion]);
    const weighted = score.times(weight);
    total = total.plus(weighted);
    breakdown[criterion] = {
      score: toAmountString(score),
      weight: rubric.weights[criterion],
      weighted: toAmountString(weighted),
      explanation,
    };
  }
  const roundedTotal = total.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return { total: toAmountString(roundedTotal), stars: starsFor(roundedTotal, rubric), breakdown, rubricVersion: rubric.version };
}
