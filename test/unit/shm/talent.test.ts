import { describe, expect, it } from 'vitest';
import { certificationEvents } from '../../../domain/shm/certifications';
import { checkEligibility, isVisibleToRecruiters, matchesFilter, rankApplicants, type TalentCandidate } from '../../../domain/shm/talent';

const base: TalentCandidate = {
  profileId: 'p1',
  talentBankOptIn: true,
  blocked: false,
  stars: 4,
  total: '70.00',
  municipality: 'Toluca',
  area: 'Tesorería',
  certifications: [{ standardCode: 'NICL-HM-01', standardTitle: 'Funciones de la Tesorería Municipal', level: 3, expiresOn: '2027-01-09' }],
};

describe('talent bank visibility', () => {
  it('shows only opted-in, unblocked, scored profiles', () => {
    expect(isVisibleToRecruiters(base)).toBe(true);
    expect(isVisibleToRecruiters({ ...base, talentBankOptIn: false })).toBe(false);
    expect(isVisibleToRecruiters({ ...base, blocked: true })).toBe(false);
    expect(isVisibleToRecruiters({ ...base, stars: null })).toBe(false);
    // No filter can bring back a profile without the opt-in.
    expect(matchesFilter({ ...base, talentBankOptIn: false }, {}, '2026-03-13')).toBe(false);
  });

  it('filters by municipality (accents and case ignored), area, stars and current certification', () => {
    const asOf = '2026-03-13';
    expect(matchesFilter(base, { municipality: 'TOLUCA', area: 'tesoreria', minStars: 4, certification: 'nicl-hm-01' }, asOf)).toBe(true);
    expect(matchesFilter(base, { municipality: 'Metepec' }, asOf)).toBe(false);
    expect(matchesFilter(base, { minStars: 5 }, asOf)).toBe(false);
    expect(matchesFilter(base, { certification: 'tesorería municipal' }, asOf)).toBe(true);
    expect(matchesFilter(base, { certification: 'NICL-HM-01', currentOnly: true }, '2027-01-10')).toBe(false);
    expect(matchesFilter(base, { certification: 'NICL-HM-01', currentOnly: false }, '2027-01-10')).toBe(true);
  });
});

describe('job board', () => {
  it('requires the minimum stars and a current certification; area only ranks', () => {
    expect(checkEligibility(base, { minStars: 3, certification: 'NICL-HM-01', area: 'Catastro' }, '2026-03-13')).toEqual({ ok: true, areaMatch: false });
    expect(checkEligibility(base, { minStars: 5 }, '2026-03-13')).toMatchObject({ ok: false, message: expect.stringMatching(/al menos 5 estrellas/) });
    expect(checkEligibility(base, { minStars: 1, certification: 'EC0217' }, '2026-03-13')).toMatchObject({ ok: false });
  });

  it('ranks area matches first, then stars, total and earliest application', () => {
    const ranked = rankApplicants([
      { id: 'a', areaMatch: false, stars: 5, total: '90.00', appliedAt: 1 },
      { id: 'b', areaMatch: true, stars: 3, total: '50.00', appliedAt: 2 },
      { id: 'c', areaMatch: false, stars: 5, total: '95.00', appliedAt: 3 },
      { id: 'd', areaMatch: false, stars: 5, total: '95.00', appliedAt: 0 },
    ]);
    expect(ranked.map((r) => r.id)).toEqual(['b', 'd', 'c', 'a']);
  });
});

describe('certification expiry events', () => {
  it('reminds 30 and 7 days before and expires the day after the last valid day', () => {
    const events = certificationEvents([{ itemId: 'c1', expiresOn: '2027-01-09' }, { itemId: 'c2', expiresOn: null }], '2026-03-13');
    expect(events.map((e) => [e.kind, e.on])).toEqual([
      ['reminder', '2026-12-10'],
      ['reminder', '2027-01-02'],
      ['expired', '2027-01-10'],
    ]);
    expect(new Set(events.map((e) => e.key)).size).toBe(3);
  });

  it('drops what the score already reflects', () => {
    const events = certificationEvents([{ itemId: 'c1', expiresOn: '2027-01-09' }], '2027-01-05');
    expect(events.map((e) => e.kind)).toEqual(['expired']);
  });
});
