import { describe, expect, it } from 'vitest';
import { interpretRenapoChain, replacementOf, type RenapoSummary } from '../../../domain/registry/renapo';

const check = (curp: string, status: string | null, extra: Partial<RenapoSummary> = {}): RenapoSummary => ({
  curp,
  found: status !== null,
  status,
  statusDescription: status === 'BD' ? 'Baja por defunción' : status === 'BDA' ? 'Baja por duplicidad' : null,
  newCurp: null,
  ...extra,
});

describe('interpretRenapoChain', () => {
  it.each(['AN', 'AH', 'CRA', 'RCN', 'RCC'])('accepts status %s as in force', (status) => {
    const r = interpretRenapoChain([check('AAAA', status)], 'A');
    expect(r).toMatchObject({ effectiveCurp: 'AAAA', active: true, findings: [] });
  });

  it('rejects an alta of a CURP RENAPO reports as BD, naming the status in Spanish (E013), and marks death', () => {
    const r = interpretRenapoChain([check('AAAA', 'BD')], 'A');
    expect(r.effectiveCurp).toBeNull();
    expect(r.deceased).toBe(true);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'E013', severity: 'error' })]);
    expect(r.findings[0]!.message).toMatch(/defunción/);
    expect(r.findings[0]!.message).toMatch(/BD: Baja por defunción/);
  });

  it('names other inactive statuses too (BDA)', () => {
    const r = interpretRenapoChain([check('AAAA', 'BDA')], 'M');
    expect(r.findings[0]!.message).toMatch(/no está vigente en RENAPO \(estatus BDA: Baja por duplicidad\)/);
  });

  it('reports an unknown CURP as E012', () => {
    expect(interpretRenapoChain([check('AAAA', null)], 'R').findings).toEqual([expect.objectContaining({ code: 'E012' })]);
  });

  it('never blocks a baja (death is a reason for one) but still reports the death', () => {
    const r = interpretRenapoChain([check('AAAA', 'BD')], 'B');
    expect(r).toMatchObject({ effectiveCurp: 'AAAA', deceased: true, findings: [] });
    expect(interpretRenapoChain([check('AAAA', null)], 'B').findings).toEqual([]);
  });

  it('follows RCC/BCC to the new CURP: the movement applies to it (W070) and the old one is kept', () => {
    const r = interpretRenapoChain([check('OLD', 'BCC', { newCurp: 'NEW' }), check('NEW', 'AN')], 'A');
    expect(r).toMatchObject({ effectiveCurp: 'NEW', replacedCurps: ['OLD'], active: true });
    expect(r.findings).toEqual([expect.objectContaining({ code: 'W070', severity: 'warning' })]);
  });

  it('refuses when the new CURP is not at RENAPO (E012) or could not be followed (E013)', () => {
    expect(interpretRenapoChain([check('OLD', 'RCC', { newCurp: 'NEW' }), check('NEW', null)], 'A').findings[0]!.code).toBe('E012');
    expect(interpretRenapoChain([check('OLD', 'RCC', { newCurp: 'NEW' })], 'A').findings[0]!.code).toBe('E013');
  });

  it('replacementOf only follows change statuses with a different CURP', () => {
    expect(replacementOf(check('A', 'RCC', { newCurp: 'B' }))).toBe('B');
    expect(replacementOf(check('A', 'RCC', { newCurp: 'A' }))).toBeNull();
    expect(replacementOf(check('A', 'AN', { newCurp: 'B' }))).toBeNull();
  });
});
