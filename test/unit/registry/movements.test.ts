import { describe, expect, it } from 'vitest';
import { rfcCheckDigit } from '../../../domain/identifiers/rfc';
import { decideMovement, namesAgree, validateMovementFields, type MovementCode } from '../../../domain/registry/movements';

const CURP = 'BEML920313HMCLNS09';
const RFC = 'BEML920313AB' + rfcCheckDigit('BEML920313AB');
const base = { movimiento: 'A', curp: CURP, rfc: RFC, fechaMovimiento: '2026-03-02', sueldoCotizable: '12500.50' };
const codes = (f: { code: string }[]) => f.map((x) => x.code);

describe('validateMovementFields (contracts §2 codes on a single movement)', () => {
  it('accepts a well-formed alta with no findings', () => {
    expect(validateMovementFields(base, { today: '2026-03-10' })).toEqual([]);
  });

  it('reports a malformed CURP as E010 and a wrong check digit as E011', () => {
    expect(codes(validateMovementFields({ ...base, curp: 'BEML920313' }))).toContain('E010');
    const f = validateMovementFields({ ...base, curp: 'BEML920313HMCLNS08' });
    expect(f).toEqual([expect.objectContaining({ code: 'E011', severity: 'error', field: 'curp' })]);
    expect(f[0]!.message).toMatch(/dígito verificador/);
  });

  it('treats a malformed RFC as E020 (error) but a wrong RFC check digit only as W021 (warning)', () => {
    expect(validateMovementFields({ ...base, rfc: 'BEML92' })).toEqual([expect.objectContaining({ code: 'E020', severity: 'error' })]);
    const wrongDigit = RFC.slice(0, 12) + (RFC.endsWith('1') ? '2' : '1');
    expect(validateMovementFields({ ...base, rfc: wrongDigit })).toEqual([expect.objectContaining({ code: 'W021', severity: 'warning' })]);
  });

  it('warns W022 when RFC and CURP disagree on initials or birth date', () => {
    const other = 'BEML920314AB' + rfcCheckDigit('BEML920314AB');
    expect(codes(validateMovementFields({ ...base, rfc: other }))).toEqual(['W022']);
  });

  it('requires a real fecha_movimiento (E031), inside the period when a file gives one', () => {
    expect(codes(validateMovementFields({ ...base, fechaMovimiento: null }))).toEqual(['E031']);
    expect(codes(validateMovementFields({ ...base, fechaMovimiento: '2026-02-30' }))).toEqual(['E031']);
    expect(codes(validateMovementFields(base, { period: '202605' }))).toEqual([]);
    const outside = validateMovementFields(base, { period: '202606' });
    expect(outside).toEqual([expect.objectContaining({ code: 'E031', field: 'fecha_movimiento' })]);
    expect(outside[0]!.message).toContain('202606');
  });

  it('refuses a notice dated too far in the future (E031) but accepts retroactive ones', () => {
    expect(codes(validateMovementFields({ ...base, fechaMovimiento: '2026-06-01' }, { today: '2026-03-10' }))).toEqual(['E031']);
    expect(codes(validateMovementFields({ ...base, fechaMovimiento: '2019-01-16' }, { today: '2026-03-10' }))).toEqual([]);
  });

  it('requires a positive salary except on a baja (E040), and rejects amounts with commas or 3 decimals', () => {
    expect(codes(validateMovementFields({ ...base, sueldoCotizable: '0' }))).toEqual(['E040']);
    expect(codes(validateMovementFields({ ...base, sueldoCotizable: '12,500.00' }))).toEqual(['E040']);
    expect(codes(validateMovementFields({ ...base, sueldoCotizable: '1.005' }))).toEqual(['E040']);
    expect(codes(validateMovementFields({ ...base, sueldoCotizable: null }))).toEqual(['E040']);
    expect(codes(validateMovementFields({ ...base, movimiento: 'B', sueldoCotizable: '0' }))).toEqual([]);
    expect(codes(validateMovementFields({ ...base, movimiento: 'B', sueldoCotizable: null }))).toEqual([]);
  });

  it('accepts N only inside files (E030 otherwise)', () => {
    expect(codes(validateMovementFields({ ...base, movimiento: 'N' }))).toEqual(['E030']);
    expect(codes(validateMovementFields({ ...base, movimiento: 'N', fechaMovimiento: null }, { allowNoMovement: true }))).toEqual([]);
    expect(codes(validateMovementFields({ ...base, movimiento: 'X' }))).toEqual(['E030']);
  });
});

describe('decideMovement (E032/E033 semantics of contracts §2)', () => {
  const inactive = { open: null, lastEnd: null };
  const active = { open: { start: '2025-01-01' }, lastEnd: null };
  const after = { open: null, lastEnd: '2025-06-30' };

  it.each<[MovementCode, string]>([
    ['A', 'E032'],
    ['R', 'E032'],
  ])('refuses %s for a person already active at the institution with %s', (code, expected) => {
    const d = decideMovement(code, '2026-01-16', active);
    expect(d).toEqual({ ok: false, finding: expect.objectContaining({ code: expected, severity: 'error' }) });
    if (!d.ok) expect(d.finding.message).toMatch(/ya está activa en esta institución desde el 2025-01-01/);
  });

  it.each<MovementCode>(['B', 'M', 'N'])('refuses %s for a person not active at the institution with E033', (code) => {
    const d = decideMovement(code, '2026-01-16', after);
    expect(d).toEqual({ ok: false, finding: expect.objectContaining({ code: 'E033' }) });
    if (!d.ok) expect(d.finding.message).toMatch(/última baja fue el 2025-06-30/);
  });

  it('opens a plaza on A/R, closes it on B, updates it on M/N', () => {
    expect(decideMovement('A', '2026-01-16', inactive)).toEqual({ ok: true, effect: 'open' });
    expect(decideMovement('R', '2025-07-01', after)).toEqual({ ok: true, effect: 'open' });
    expect(decideMovement('B', '2026-01-31', active)).toEqual({ ok: true, effect: 'close' });
    expect(decideMovement('M', '2026-01-16', active)).toEqual({ ok: true, effect: 'update' });
    expect(decideMovement('N', null, active)).toEqual({ ok: true, effect: 'update' });
  });

  it('keeps dates in order (E031): re-entry after the last baja, baja not before the start', () => {
    expect(decideMovement('R', '2025-06-30', after)).toEqual({ ok: false, finding: expect.objectContaining({ code: 'E031' }) });
    expect(decideMovement('B', '2024-12-31', active)).toEqual({ ok: false, finding: expect.objectContaining({ code: 'E031' }) });
    expect(decideMovement('B', '2025-01-01', active)).toEqual({ ok: true, effect: 'close' });
  });
});

describe('namesAgree (W061)', () => {
  it('ignores accents, case and spacing, but not different names', () => {
    const renapo = { firstSurname: 'PÉREZ', secondSurname: 'LÓPEZ', givenNames: 'JOSÉ MARÍA' };
    expect(namesAgree({ primerApellido: 'perez', segundoApellido: 'Lopez', nombres: ' Jose  Maria ' }, renapo)).toBe(true);
    expect(namesAgree({ primerApellido: 'Perez', segundoApellido: null, nombres: 'Jose Maria' }, renapo)).toBe(false);
    expect(namesAgree({ primerApellido: 'Pérez', segundoApellido: 'López', nombres: 'Juan' }, renapo)).toBe(false);
  });
});
