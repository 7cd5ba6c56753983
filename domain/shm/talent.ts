/**
 * Talent bank and job board rules. Recruiters only ever see applicants who opted in to the
 * talent bank (a consent separate from the privacy notice), whose profile is not blocked (ARCO
 * cancellation/opposition) and that have a score; and of them only what the privacy notice
 * allows to share: name, current position, academic level, certifications and score — never
 * CURP, RFC, contact data, birth date or documents.
 */
import { compareDates, type IsoDate } from '../dates';

export interface TalentCandidate {
  profileId: string;
  talentBankOptIn: boolean;
  blocked: boolean;
  stars: number | null;
  total: string | null;
  municipality: string | null;
  area: string | null;
  certifications: readonly { standardCode: string; standardTitle: string; level: number; expiresOn: IsoDate | null }[];
}

export function isVisibleToRecruiters(c: Pick<TalentCandidate, 'talentBankOptIn' | 'blocked' | 'stars'>): boolean {
  return c.talentBankOptIn && !c.blocked && c.stars !== null;
}

export interface TalentFilter {
  municipality?: string;
  area?: string;
  minStars?: number;
  /** Matches a certification's standard code or title (case- and accent-insensitive). */
  certification?: string;
  /** Only certifications in force on `asOf` match. */
  currentOnly?: boolean;
}

export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

export function isCurrent(expiresOn: IsoDate | null, asOf: IsoDate): boolean {
  return expiresOn === null || compareDates(expiresOn, asOf) >= 0;
}

export function hasCertification(c: Pick<TalentCandidate, 'certifications'>, wanted: string, asOf: IsoDate, currentOnly = true): boolean {
  const w = normalizeText(wanted);
  return c.certifications.some(
    (cert) => (!currentOnly || isCurrent(cert.expiresOn, asOf)) && (normalizeText(cert.standardCode) === w || normalizeText(cert.standardTitle).includes(w)),
  );
}

/**
 * The part of a filter that needs only the score and the position (no certifications), so a
 * search can drop most profiles before loading their reviewed certifications.
 */
export function matchesPositionAndStars(c: Pick<TalentCandidate, 'municipality' | 'area' | 'stars'>, filter: Pick<TalentFilter, 'municipality' | 'area' | 'minStars'>): boolean {
  if (filter.municipality && normalizeText(c.municipality ?? '') !== normalizeText(filter.municipality)) return false;
  if (filter.area && !normalizeText(c.area ?? '').includes(normalizeText(filter.area))) return false;
  if (filter.minStars !== undefined && (c.stars ?? 0) < filter.minStars) return false;
  return true;
}

export function matchesFilter(c: TalentCandidate, filter: TalentFilter, asOf: IsoDate): boolean {
  if (!isVisibleToRecruiters(c)) return false;
  if (!matchesPositionAndStars(c, filter)) return false;
  if (filter.certification && !hasCertification(c, filter.certification, asOf, filter.currentOnly ?? true)) return false;
  if (filter.currentOnly && !filter.certification && c.certifications.length > 0 && !c.certifications.some((x) => isCurrent(x.expiresOn, asOf))) return false;
  return true;
}

export interface VacancyRequirements {
  minStars: number;
  certification?: string | null;
  area?: string | null;
}

export type Eligibility = { ok: true; areaMatch: boolean } | { ok: false; message: string };

/** Hard requirements: minimum stars and (if set) a current matching certification; area is a ranking bonus. */
export function checkEligibility(c: TalentCandidate, req: VacancyRequirements, asOf: IsoDate): Eligibility {
  if (c.stars === null) return { ok: false, message: 'Su perfil aún no tiene calificación; postúlese cuando termine la revisión de sus documentos.' };
  if (c.stars < req.minStars) return { ok: false, message: `La vacante pide al menos ${req.minStars} estrellas y su perfil tiene ${c.stars}.` };
  if (req.certification && !hasCertification(c, req.certification, asOf, true)) {
    return { ok: false, message: `La vacante pide una certificación vigente «${req.certification}» aprobada en su perfil.` };
  }
  const areaMatch = req.area ? normalizeText(c.area ?? '').includes(normalizeText(req.area)) : false;
  return { ok: true, areaMatch };
}

/** Ranking of applicants: area match first, then stars, then total score (descending), then earliest application. */
export function rankApplicants<T extends { areaMatch: boolean; stars: number; total: string; appliedAt: number }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => Number(b.areaMatch) - Number(a.areaMatch) || b.stars - a.stars || Number(b.total) - Number(a.total) || a.appliedAt - b.appliedAt);
}
