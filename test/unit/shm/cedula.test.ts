import { describe, expect, it } from 'vitest';
import { checkCompleteness, experienceYears, scoreInputFromItems, type CedulaItem, type ScoredItem } from '../../../domain/shm/cedula';
import { scoreProfile } from '../../../domain/shm/rubric';

const position = { municipality: 'Toluca', ente: 'ayuntamiento', area: 'Tesorería', cargo: 'Tesorero municipal', startDate: '2022-01-01' } as const;
const study = { level: 'licenciatura', institution: 'UAEMéx', programme: 'Contaduría', field: 'contaduria', status: 'titulado', cedulaProfesional: '1234567' } as const;
const cert = {
  issuer: 'IHAEM-COCERTEM',
  standardCode: 'NICL-HM-01',
  standardTitle: 'Funciones de la Tesorería Municipal',
  level: 3,
  folio: 'F-001',
  issuedOn: '2024-01-10',
  expiresOn: '2027-01-09',
  relevantToHacienda: true,
} as const;
const job = (from: string, to: string | null, haciendaMunicipal = true) =>
  ({ employer: 'Ayuntamiento de Toluca', sector: 'municipal', cargo: 'Analista', area: 'Ingresos', from, to, haciendaMunicipal }) as const;

describe('years of experience', () => {
  it('counts whole calendar years exactly: 1 Jan 2016 – 31 Dec 2020 is 5 years', () => {
    expect(experienceYears([{ from: '2016-01-01', to: '2020-12-31' }], '2026-01-01')).toBe(5);
  });
  it('counts overlapping jobs once and runs an open job to the as-of date', () => {
    expect(experienceYears([{ from: '2016-01-01', to: '2018-12-31' }, { from: '2018-01-01', to: '2020-12-31' }], '2026-01-01')).toBe(5);
    expect(experienceYears([{ from: '2024-01-01', to: null }], '2025-12-31')).toBe(2);
    expect(experienceYears([{ from: '2024-01-01', to: '2030-12-31' }], '2025-12-31')).toBe(2); // the future does not count
  });
  it('counts part months as a fraction and adjacent ranges as one', () => {
    expect(experienceYears([{ from: '2020-01-15', to: '2020-02-14' }], '2026-01-01')).toBeCloseTo(1 / 12, 4);
    expect(experienceYears([{ from: '2016-01-01', to: '2016-06-30' }, { from: '2016-07-01', to: '2016-12-31' }], '2026-01-01')).toBe(1);
  });
});

describe('completeness checks before review', () => {
  const item = (over: Partial<CedulaItem> = {}): CedulaItem => ({ id: 'i1', kind: 'study', data: study, documentCount: 1, ...over });

  it('a complete cédula has no findings', () => {
    expect(checkCompleteness({ personal: { rfc: 'GODE561231GR8' }, position, items: [item()] }, '2026-03-13')).toEqual([]);
  });

  it('asks for the position, at least one item and a document per item, in Spanish', () => {
    const findings = checkCompleteness({ personal: {}, position: null, items: [] }, '2026-03-13');
    expect(findings.map((f) => f.code)).toEqual(['POSITION_REQUIRED', 'NO_ITEMS']);
    const noDoc = checkCompleteness({ personal: {}, position, items: [item({ documentCount: 0 })] }, '2026-03-13');
    expect(noDoc).toEqual([expect.objectContaining({ code: 'DOCUMENT_REQUIRED', message: expect.stringMatching(/Adjunte al menos un documento probatorio .* «Contaduría»/) })]);
  });

  it('checks dates and identifiers', () => {
    const findings = checkCompleteness(
      {
        personal: { rfc: 'XYZ' },
        position: { ...position, startDate: '2030-01-01' },
        items: [
          item({ id: 'e1', kind: 'experience', data: job('2020-01-01', '2019-01-01') }),
          item({ id: 'c1', kind: 'certification', data: { ...cert, expiresOn: '2020-01-01' } }),
        ],
      },
      '2026-03-13',
    );
    expect(findings.map((f) => f.code).sort()).toEqual(['DATE_RANGE', 'DATE_RANGE', 'FUTURE_DATE', 'RFC_INVALID']);
  });
});

describe('rubric input from approved items only', () => {
  const items: ScoredItem[] = [
    { kind: 'experience', data: job('2015-01-01', '2021-12-31'), approved: true },
    { kind: 'experience', data: { ...job('2022-01-01', null, false), sector: 'privado' }, approved: true }, // not municipal hacienda
    { kind: 'experience', data: job('2005-01-01', '2009-12-31'), approved: false }, // rejected document
    { kind: 'study', data: study, approved: true },
    { kind: 'study', data: { ...study, level: 'maestria', field: 'otra', programme: 'Maestría en Finanzas' }, approved: false },
    { kind: 'study', data: { ...study, level: 'doctorado', status: 'trunco' }, approved: true }, // not completed
    { kind: 'certification', data: cert, approved: true },
    { kind: 'certification', data: { ...cert, level: 4, standardCode: 'EC0001' }, approved: false },
    { kind: 'course', data: { name: 'Ley de Ingresos', institution: 'IHAEM', hours: 20, completedOn: '2024-05-01' }, approved: true },
  ];

  it('builds the input: 7 years, licenciatura afín, one current relevant level-3 certification', () => {
    const input = scoreInputFromItems(items, '2026-03-13');
    expect(input).toEqual({
      experienceYears: 7,
      highestAcademic: 'licenciatura',
      relatedDegree: true,
      certifications: [{ level: 3, expiresOn: '2027-01-09', relevant: true }],
    });
    // 7 × 10 = 70 × 0.40 = 28.00; 70 × 0.35 = 24.50; 70 × 0.25 = 17.50 → 70.00, 4 stars.
    const score = scoreProfile(input, '2026-03-13');
    expect(score).toMatchObject({ total: '70.00', stars: 4, rubricVersion: 'v1' });
  });

  it('an expired certificate stops counting: the same profile drops to 52.50 and 3 stars after 9 Jan 2027', () => {
    const score = scoreProfile(scoreInputFromItems(items, '2027-01-10'), '2027-01-10');
    expect(score.breakdown.certificacion).toMatchObject({ score: '0.00', explanation: expect.stringMatching(/vencida/) });
    expect(score).toMatchObject({ total: '52.50', stars: 3 });
  });
});
