/**
 * The SHM cédula (domain-reference §8 [ASSUMPTION] model): personal data, current position and
 * items (studies, experience, certifications, courses), each backed by supporting documents.
 * Pure rules: completeness checks before review, years of experience, and the rubric input
 * built from approved items only (contracts §7).
 */
import { validateRfc } from '../identifiers/rfc';
import { addDays, compareDates, daysInMonth, isValidIsoDate, parseIsoDate, type IsoDate } from '../dates';
import { ACADEMIC_LEVELS, type AcademicLevel, type ProfileScoreInput } from './rubric';

export const ITEM_KINDS = ['study', 'experience', 'certification', 'course'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const ITEM_KIND_NAMES: Readonly<Record<ItemKind, string>> = {
  study: 'estudio',
  experience: 'experiencia',
  certification: 'certificación',
  course: 'curso',
};

/** Fields of study that make a licenciatura "afín" (contracts §7). */
export const RELATED_FIELDS = ['contaduria', 'economia', 'administracion', 'finanzas', 'derecho'] as const;
export const STUDY_FIELDS = [...RELATED_FIELDS, 'otra'] as const;
export type StudyField = (typeof STUDY_FIELDS)[number];
export const STUDY_STATUSES = ['titulado', 'concluido', 'pasante', 'trunco'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];
export const SECTORS = ['municipal', 'estatal', 'federal', 'privado'] as const;
export const CERT_ISSUERS = ['IHAEM-COCERTEM', 'CONOCER', 'otro'] as const;
export const ENTES = ['ayuntamiento', 'organismo', 'dif', 'otro'] as const;

export interface StudyData {
  level: AcademicLevel;
  institution: string;
  programme: string;
  field: StudyField;
  status: StudyStatus;
  /** SEP cédula profesional, 7–8 digits. */
  cedulaProfesional?: string | null;
  completedOn?: IsoDate | null;
}

export interface ExperienceData {
  employer: string;
  sector: (typeof SECTORS)[number];
  cargo: string;
  area: string;
  from: IsoDate;
  /** null: current job. */
  to: IsoDate | null;
  functions?: string | null;
  /** The job was in a municipal treasury (hacienda municipal); only those years score. */
  haciendaMunicipal: boolean;
}

export interface CertificationData {
  issuer: (typeof CERT_ISSUERS)[number];
  standardCode: string;
  standardTitle: string;
  level: number;
  folio: string;
  issuedOn: IsoDate;
  /** Inclusive last day of validity; null if it does not expire. */
  expiresOn: IsoDate | null;
  /** The competence standard covers municipal treasury functions. */
  relevantToHacienda: boolean;
}

export interface CourseData {
  name: string;
  institution: string;
  hours: number;
  completedOn: IsoDate;
}

export type ItemData = StudyData | ExperienceData | CertificationData | CourseData;

export interface PersonalData {
  rfc?: string | null;
  phone?: string | null;
  municipalityOfResidence?: string | null;
}

export interface PositionData {
  municipality: string;
  ente: (typeof ENTES)[number];
  area: string;
  cargo: string;
  startDate: IsoDate;
}

export interface CedulaItem {
  id: string;
  kind: ItemKind;
  data: ItemData;
  documentCount: number;
}

export interface Finding {
  code: string;
  field: string;
  message: string;
}

/** A short human label of an item, for messages (no personal data beyond the applicant's own). */
export function itemLabel(kind: ItemKind, data: ItemData): string {
  switch (kind) {
    case 'study': {
      const d = data as StudyData;
      return `${ITEM_KIND_NAMES.study} «${d.programme}»`;
    }
    case 'experience': {
      const d = data as ExperienceData;
      return `${ITEM_KIND_NAMES.experience} «${d.cargo} en ${d.employer}»`;
    }
    case 'certification': {
      const d = data as CertificationData;
      return `${ITEM_KIND_NAMES.certification} «${d.standardCode} ${d.standardTitle}»`;
    }
    case 'course': {
      const d = data as CourseData;
      return `${ITEM_KIND_NAMES.course} «${d.name}»`;
    }
  }
}

/**
 * Automatic checks before a cédula goes to reviewers: the current position is filled in,
 * there is at least one item, every item has a supporting document, dates are coherent and
 * identifiers are well formed. `today` bounds dates that cannot be in the future.
 */
export function checkCompleteness(input: { personal: PersonalData; position: PositionData | null; items: readonly CedulaItem[] }, today: IsoDate): Finding[] {
  const findings: Finding[] = [];
  if (!input.position) {
    findings.push({ code: 'POSITION_REQUIRED', field: 'position', message: 'Capture su cargo actual (municipio, ente, área, cargo y fecha de inicio).' });
  } else if (compareDates(input.position.startDate, today) > 0) {
    findings.push({ code: 'FUTURE_DATE', field: 'position.startDate', message: 'La fecha de inicio del cargo actual no puede ser futura.' });
  }
  const rfc = input.personal.rfc?.trim();
  if (rfc) {
    const r = validateRfc(rfc.toUpperCase());
    if (!r.ok || r.kind !== 'fisica') {
      findings.push({ code: 'RFC_INVALID', field: 'personal.rfc', message: 'El RFC no es válido: una persona física tiene 13 caracteres (4 letras, fecha AAMMDD y homoclave).' });
    }
  }
  if (input.items.length === 0) {
    findings.push({ code: 'NO_ITEMS', field: 'items', message: 'Agregue al menos un estudio, experiencia, certificación o curso con su documento probatorio.' });
  }
  for (const item of input.items) {
    const label = itemLabel(item.kind, item.data);
    const field = `items.${item.id}`;
    if (item.documentCount === 0) {
      findings.push({ code: 'DOCUMENT_REQUIRED', field, message: `Adjunte al menos un documento probatorio (PDF, JPEG o PNG) a ${label}.` });
    }
    if (item.kind === 'experience') {
      const d = item.data as ExperienceData;
      if (compareDates(d.from, today) > 0) findings.push({ code: 'FUTURE_DATE', field: `${field}.from`, message: `La fecha de inicio de ${label} no puede ser futura.` });
      if (d.to && compareDates(d.to, d.from) < 0) findings.push({ code: 'DATE_RANGE', field: `${field}.to`, message: `En ${label} la fecha de término es anterior a la de inicio.` });
    } else if (item.kind === 'certification') {
      const d = item.data as CertificationData;
      if (compareDates(d.issuedOn, today) > 0) findings.push({ code: 'FUTURE_DATE', field: `${field}.issuedOn`, message: `La fecha de emisión de ${label} no puede ser futura.` });
      if (d.expiresOn && compareDates(d.expiresOn, d.issuedOn) < 0) findings.push({ code: 'DATE_RANGE', field: `${field}.expiresOn`, message: `En ${label} la vigencia termina antes de la emisión.` });
      if (!Number.isInteger(d.level) || d.level < 1 || d.level > 5) findings.push({ code: 'LEVEL_INVALID', field: `${field}.level`, message: `El nivel de competencia de ${label} va de 1 a 5.` });
    } else if (item.kind === 'study') {
      const d = item.data as StudyData;
      if (d.cedulaProfesional && !/^\d{7,8}$/.test(d.cedulaProfesional)) {
        findings.push({ code: 'CEDULA_PROFESIONAL_INVALID', field: `${field}.cedulaProfesional`, message: `La cédula profesional de ${label} tiene 7 u 8 dígitos (Registro Nacional de Profesionistas).` });
      }
      if (!ACADEMIC_LEVELS.includes(d.level)) findings.push({ code: 'LEVEL_INVALID', field: `${field}.level`, message: `Nivel académico desconocido en ${label}.` });
    } else if (item.kind === 'course') {
      const d = item.data as CourseData;
      if (compareDates(d.completedOn, today) > 0) findings.push({ code: 'FUTURE_DATE', field: `${field}.completedOn`, message: `La fecha de conclusión de ${label} no puede ser futura.` });
    }
  }
  return findings;
}

/** Months (with fraction) from `from` (inclusive) to `endExclusive`. */
function monthsBetween(from: IsoDate, endExclusive: IsoDate): number {
  const a = parseIsoDate(from)!;
  const b = parseIsoDate(endExclusive)!;
  let whole = (b.year - a.year) * 12 + (b.month - a.month);
  let dayDiff = b.day - a.day;
  if (dayDiff < 0) {
    whole -= 1;
    // days from the same day-of-month in the previous month up to b
    const prevMonth = b.month === 1 ? 12 : b.month - 1;
    const prevYear = b.month === 1 ? b.year - 1 : b.year;
    const dim = daysInMonth(prevYear, prevMonth);
    dayDiff = dim - Math.min(a.day, dim) + b.day;
    return whole + dayDiff / dim;
  }
  return whole + dayDiff / daysInMonth(b.year, b.month);
}

/**
 * Years covered by date ranges (inclusive), overlaps counted once; an open range runs to
 * `asOf`; parts after `asOf` do not count. 1 Jan 2016 – 31 Dec 2020 is exactly 5 years.
 * Rounded to 4 decimals.
 */
export function experienceYears(ranges: readonly { from: IsoDate; to: IsoDate | null }[], asOf: IsoDate): number {
  const clipped = ranges
    .map((r) => ({ from: r.from, to: r.to === null || compareDates(r.to, asOf) > 0 ? asOf : r.to }))
    .filter((r) => isValidIsoDate(r.from) && compareDates(r.from, r.to) <= 0)
    .sort((x, y) => compareDates(x.from, y.from));
  const merged: { from: IsoDate; to: IsoDate }[] = [];
  for (const r of clipped) {
    const last = merged[merged.length - 1];
    if (last && compareDates(r.from, addDays(last.to, 1)) <= 0) {
      if (compareDates(r.to, last.to) > 0) last.to = r.to;
    } else {
      merged.push({ ...r });
    }
  }
  const months = merged.reduce((sum, r) => sum + monthsBetween(r.from, addDays(r.to, 1)), 0);
  return Math.round((months / 12) * 10_000) / 10_000;
}

export interface ScoredItem {
  kind: ItemKind;
  data: ItemData;
  /** At least one of its supporting documents is approved (contracts §7: only approved documents count). */
  approved: boolean;
}

const LEVEL_RANK: Readonly<Record<AcademicLevel, number>> = Object.fromEntries(ACADEMIC_LEVELS.map((l, i) => [l, i])) as Record<AcademicLevel, number>;

/**
 * The rubric input from approved items: municipal hacienda experience years, the highest
 * completed academic level (titulado or concluido), whether a licenciatura is afín, and the
 * certifications. Courses do not score in rubric v1.
 */
export function scoreInputFromItems(items: readonly ScoredItem[], asOf: IsoDate): ProfileScoreInput {
  const approved = items.filter((i) => i.approved);
  const ranges = approved
    .filter((i) => i.kind === 'experience' && (i.data as ExperienceData).haciendaMunicipal)
    .map((i) => ({ from: (i.data as ExperienceData).from, to: (i.data as ExperienceData).to }));
  const studies = approved.filter((i) => i.kind === 'study').map((i) => i.data as StudyData).filter((s) => s.status === 'titulado' || s.status === 'concluido');
  let highest: AcademicLevel | null = null;
  for (const s of studies) if (highest === null || LEVEL_RANK[s.level] > LEVEL_RANK[highest]) highest = s.level;
  const relatedDegree = studies.some((s) => s.level === 'licenciatura' && (RELATED_FIELDS as readonly string[]).includes(s.field));
  const certifications = approved
    .filter((i) => i.kind === 'certification')
    .map((i) => i.data as CertificationData)
    .map((c) => ({ level: c.level, expiresOn: c.expiresOn, relevant: c.relevantToHacienda }));
  return { experienceYears: experienceYears(ranges, asOf), highestAcademic: highest, relatedDegree, certifications };
}
