import { describe, expect, it } from 'vitest';
import { scoreProfile, type AcademicLevel } from '../../../domain/shm/rubric';

const AS_OF = '2026-02-01';
const base = { experienceYears: 0, highestAcademic: null, relatedDegree: false, certifications: [] } as const;

describe('scoreProfile (rubric v1)', () => {
  it('empty profile scores 0 and 1 star', () => {
    const r = scoreProfile(base, AS_OF);
    expect(r).toMatchObject({ total: '0.00', stars: 1, rubricVersion: 'v1' });
    expect(r.breakdown.academico.explanation).toMatch(/Sin grado/);
  });

  it('worked example: 5 years, licenciatura afín, one current relevant level-3 certification', () => {
    // experiencia 5 × 10 = 50 × 0.40 = 20.00; académico 70 × 0.35 = 24.50; certificación 70 × 0.25 = 17.50
    // total 62.00 → 4 stars (60 ≤ 62 < 80)
    const r = scoreProfile(
      {
        experienceYears: 5,
        highestAcademic: 'licenciatura',
        relatedDegree: true,
        certifications: [{ level: 3, expiresOn: '2027-01-01', relevant: true }],
      },
      AS_OF,
    );
    expect(r.total).toBe('62.00');
    expect(r.stars).toBe(4);
    expect(r.breakdown.experiencia).toMatchObject({ score: '50.00', weight: '0.40', weighted: '20.00' });
    expect(r.breakdown.academico).toMatchObject({ score: '70.00', weight: '0.35', weighted: '24.50' });
    expect(r.breakdown.certificacion).toMatchObject({ score: '70.00', weight: '0.25', weighted: '17.50' });
    expect(r.breakdown.academico.explanation).toMatch(/afín/);
  });

  it('maximum: experience capped at 10 years, doctorado, two certifications → 100.00, 5 stars', () => {
    // 12 years → capped 10 → 100 × 0.40 = 40; 100 × 0.35 = 35; 100 × 0.25 = 25 → 100.00
    const r = scoreProfile(
      {
        experienceYears: 12,
        highestAcademic: 'doctorado',
        relatedDegree: false,
        certifications: [
          { level: 2, expiresOn: null, relevant: true },
          { level: 1, expiresOn: null, relevant: true },
        ],
      },
      AS_OF,
    );
    expect(r.total).toBe('100.00');
    expect(r.stars).toBe(5);
    expect(r.breakdown.experiencia.explanation).toMatch(/máximo 10 años/);
  });

  it('academic levels; "afín" only upgrades a licenciatura', () => {
    const score = (level: AcademicLevel, related = false) =>
      scoreProfile({ ...base, highestAcademic: level, relatedDegree: related }, AS_OF).breakdown.academico.score;
    expect(score('bachillerato')).toBe('20.00');
    expect(score('tecnico')).toBe('35.00');
    expect(score('licenciatura')).toBe('60.00');
    expect(score('licenciatura', true)).toBe('70.00');
    expect(score('especialidad')).toBe('80.00');
    expect(score('maestria', true)).toBe('90.00');
    expect(score('doctorado')).toBe('100.00');
  });

  it('certifications: expired and irrelevant ones count 0; one at level ≥ 4 counts 100', () => {
    const cert = (certifications: { level: number; expiresOn: string | null; relevant: boolean }[]) =>
      scoreProfile({ ...base, certifications }, AS_OF).breakdown.certificacion;
    expect(cert([{ level: 3, expiresOn: '2026-01-31', relevant: true }]).score).toBe('0.00');
    expect(cert([{ level: 3, expiresOn: '2026-01-31', relevant: true }]).explanation).toMatch(/vencida/);
    expect(cert([{ level: 3, expiresOn: '2026-02-01', relevant: true }]).score).toBe('70.00'); // valid through asOf
    expect(cert([{ level: 5, expiresOn: null, relevant: false }]).score).toBe('0.00');
    expect(cert([{ level: 4, expiresOn: null, relevant: true }]).score).toBe('100.00');
    expect(
      cert([
        { level: 2, expiresOn: null, relevant: true },
        { level: 2, expiresOn: '2020-01-01', relevant: true },
      ]).score,
    ).toBe('70.00');
  });

  it('star thresholds at the boundaries', () => {
    const stars = (years: number, extra: Partial<typeof base> = {}) => scoreProfile({ ...base, ...extra, experienceYears: years }, AS_OF);
    // 4.9975 years → 49.975 × 0.40 = 19.99 → 1 star
    expect(stars(4.9975)).toMatchObject({ total: '19.99', stars: 1 });
    // 5 years → 20.00 → 2 stars
    expect(stars(5)).toMatchObject({ total: '20.00', stars: 2 });
    // 10 years → 40.00 → 3 stars
    expect(stars(10)).toMatchObject({ total: '40.00', stars: 3 });
    // 6.875 years → 68.75 × 0.40 = 27.50; doctorado 35.00; one certification 17.50 → 80.00 → 5 stars
    const r = scoreProfile(
      { experienceYears: 6.875, highestAcademic: 'doctorado', relatedDegree: false, certifications: [{ level: 1, expiresOn: null, relevant: true }] },
      AS_OF,
    );
    expect(r).toMatchObject({ total: '80.00', stars: 5 });
    // 4.99875 years → 19.995 → shown as 20.00, so it gets the 2 stars that 20.00 implies.
    expect(stars(4.99875)).toMatchObject({ total: '20.00', stars: 2 });
  });

  it('negative experience counts as 0; non-finite is rejected', () => {
    expect(scoreProfile({ ...base, experienceYears: -3 }, AS_OF).total).toBe('0.00');
    expect(() => scoreProfile({ ...base, experienceYears: Number.NaN }, AS_OF)).toThrow(RangeError);
    expect(() => scoreProfile(base, '2026-02-30')).toThrow(RangeError);
  });
});
