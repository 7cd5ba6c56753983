import { describe, expect, it } from 'vitest';
import { serviceRecord } from '../../../domain/registry/constancia';
import { vigenciaOn } from '../../../domain/registry/vigencia';

describe('vigenciaOn', () => {
  const plazas = [
    { institutionClave: '20511', start: '2020-01-01', end: '2022-12-31' },
    { institutionClave: '30001', start: '2024-02-16', end: null },
  ];

  it('is vigente on every day a plaza covers, baja day included, and names the institutions', () => {
    expect(vigenciaOn({ employments: plazas, suspendedFrom: null }, '2022-12-31')).toMatchObject({ vigente: true, institutions: [{ institutionClave: '20511' }] });
    expect(vigenciaOn({ employments: plazas, suspendedFrom: null }, '2026-01-01')).toMatchObject({ vigente: true, institutions: [{ institutionClave: '30001', since: '2024-02-16' }] });
  });

  it('is not vigente between plazas and says when the last baja was', () => {
    const v = vigenciaOn({ employments: plazas, suspendedFrom: null }, '2023-06-01');
    expect(v.vigente).toBe(false);
    expect(v.reason).toMatch(/última baja fue el 2022-12-31/);
    expect(vigenciaOn({ employments: plazas, suspendedFrom: null }, '2019-12-31').vigente).toBe(false);
  });

  it('stops from the suspension date (RENAPO BD) even with an active plaza', () => {
    const input = { employments: plazas, suspendedFrom: '2026-03-01', suspensionReason: 'RENAPO reporta baja por defunción (BD)' };
    expect(vigenciaOn(input, '2026-02-28').vigente).toBe(true);
    const v = vigenciaOn(input, '2026-03-01');
    expect(v.vigente).toBe(false);
    expect(v.reason).toMatch(/defunción/);
  });
});

describe('serviceRecord (constancia de servicios, domain-reference §10.1)', () => {
  it('counts inclusive days, weeks, years and the fraction, with 52 weeks per year', () => {
    const r = serviceRecord([{ institutionClave: '20511', start: '2020-01-01', end: '2022-12-31' }], '2026-01-01');
    expect(r.daysCotizados).toBe(1096); // 366 + 365 + 365
    expect(r.weeks).toBe(156);
    expect(r.years).toBe(3);
    expect(r.fractionWeeks).toBe(0);
    expect(r.fractionDays).toBe(4);
    expect(r.yearsRecognized).toBe(3);
    expect(r.weeksEquivalent).toBe(156);
  });

  it('does not accumulate simultaneous periods and counts an open plaza up to the date', () => {
    const r = serviceRecord(
      [
        { institutionClave: '20511', start: '2025-01-01', end: '2025-12-31' },
        { institutionClave: '30001', start: '2025-07-01', end: null },
      ],
      '2026-06-30',
    );
    expect(r.grossDays).toBe(365 + 365);
    expect(r.daysCotizados).toBe(546); // 2025-01-01 .. 2026-06-30
    expect(r.simultaneousDays).toBe(184);
    expect(r.byInstitution).toEqual([
      { institutionClave: '20511', days: 365, periods: 1 },
      { institutionClave: '30001', days: 365, periods: 1 },
    ]);
    expect(r.periods.find((p) => p.institutionClave === '30001')).toMatchObject({ end: '2026-06-30', active: true });
  });

  it('recognises a fraction above 26 weeks as a full year, not one of exactly 26', () => {
    const of = (days: number) => serviceRecord([{ institutionClave: '1', start: '2000-01-01', end: null }], new Date(Date.UTC(2000, 0, days)).toISOString().slice(0, 10));
    expect(of(52 * 7 + 26 * 7)).toMatchObject({ years: 1, fractionWeeks: 26, yearsRecognized: 1 });
    expect(of(52 * 7 + 27 * 7)).toMatchObject({ years: 1, fractionWeeks: 27, yearsRecognized: 2 });
  });

  it('ignores plazas that start after the date', () => {
    expect(serviceRecord([{ institutionClave: '1', start: '2030-01-01', end: null }], '2026-01-01')).toMatchObject({ daysCotizados: 0, periods: [] });
  });
});
