import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curpCheckDigit, validateCurp } from '../../../domain/identifiers/curp';

// Verified CURPs of domain-reference §2.1.
const VERIFIED = ['LOOA531113HTCPBN07', 'BEML920313HMCLNS09', 'AAMR780430MGRBRN00', 'AUHC350422HPLBRL08'];

describe('curpCheckDigit', () => {
  it('reproduces the check digit of the verified CURPs', () => {
    for (const curp of VERIFIED) expect(curpCheckDigit(curp.slice(0, 17))).toBe(curp.charAt(17));
  });

  it('matches a hand-worked sum for BEML920313HMCLNS0', () => {
    // Values (0-9 = digit, A=10 … N=23, Ñ=24, O=25 … Z=36) × weights 18..2:
    // B 11×18=198, E 14×17=238, M 22×16=352, L 21×15=315, 9×14=126, 2×13=26, 0×12=0, 3×11=33,
    // 1×10=10, 3×9=27, H 17×8=136, M 22×7=154, C 12×6=72, L 21×5=105, N 23×4=92, S 29×3=87, 0×2=0
    // sum = 1971; 1971 mod 10 = 1; (10 − 1) mod 10 = 9.
    expect(curpCheckDigit('BEML920313HMCLNS0')).toBe('9');
  });

  it('gives Ñ the value 24 (between N and O)', () => {
    // 'Ñ' never appears in a valid CURP, but the alphabet defines it. Replacing the N (23) at
    // position 15 (weight 4) of BEML920313HMCLNS0 by Ñ (24) adds 4: 1975 → (10 − 5) mod 10 = 5.
    expect(curpCheckDigit('BEML920313HMCLÑS0')).toBe('5');
  });

  it('rejects input that is not 17 valid characters', () => {
    expect(() => curpCheckDigit('ABC')).toThrow(RangeError);
    expect(() => curpCheckDigit('BEML920313HMCLNS-')).toThrow(RangeError);
  });
});

describe('validateCurp', () => {
  it('accepts the verified CURPs and extracts birth date, sex and state', () => {
    expect(validateCurp('BEML920313HMCLNS09')).toEqual({
      ok: true,
      curp: 'BEML920313HMCLNS09',
      birthDate: '1992-03-13',
      sex: 'H',
      stateCode: 'MC',
    });
    const aamr = validateCurp('AAMR780430MGRBRN00');
    expect(aamr.ok && aamr.birthDate).toBe('1978-04-30');
    expect(aamr.ok && aamr.sex).toBe('M');
    expect(aamr.ok && aamr.stateCode).toBe('GR');
    for (const curp of VERIFIED) expect(validateCurp(curp).ok).toBe(true);
  });

  it('normalises spaces and lower case', () => {
    const r = validateCurp('  looa531113htcpbn07 ');
    expect(r.ok && r.curp).toBe('LOOA531113HTCPBN07');
  });

  it('reads the century from position 17 (letter → 20xx) and accepts sex X', () => {
    // 2005-01-10, sex X, born in Estado de México, differentiator A (born ≥ 2000).
    const first17 = 'GAXX050110XMCRRRA';
    const curp = first17 + curpCheckDigit(first17);
    const r = validateCurp(curp);
    expect(r).toMatchObject({ ok: true, birthDate: '2005-01-10', sex: 'X', stateCode: 'MC' });
  });

  it('rejects a wrong check digit with E011', () => {
    const r = validateCurp('BEML920313HMCLNS08');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('E011');
      expect(r.message).toMatch(/dígito verificador/);
    }
  });

  it.each([
    ['BEML920313HMCLNS0', 'too short'],
    ['BEML920313HMCLNS090', 'too long'],
    ['', 'empty'],
    ['BEML-920313HMCLNS0', 'dash'],
    ['BEML920313ZMCLNS09', 'sex Z'],
    ['BEML920313HXXLNS09', 'state XX'],
    ['BEML921313HMCLNS09', 'month 13'],
    ['BEML920230HMCLNS09', '30 February'],
    ['BAML920313HMCLNS09', 'position 2 changed, check digit no longer matches'],
    ['B1ML920313HMCLNS09', 'digit in position 2'],
    ['BEML920313HMCANS09', 'vowel in consonant position 14'],
    ['BEML920313HMCLNS0A', 'letter as check digit'],
  ])('rejects %j (%s)', (value) => {
    const r = validateCurp(value);
    expect(r.ok).toBe(false);
  });

  it('uses E010 for structure problems and says what to fix', () => {
    const cases = ['BEML920313HMCLNS0', 'BEML921313HMCLNS09', 'BEML920313HXXLNS09', 'BEML920313ZMCLNS09'];
    for (const value of cases) {
      const r = validateCurp(value);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('E010');
        expect(r.message).toMatch(/RENAPO/);
      }
    }
  });

  it('rejects 29 February of a non-leap year derived from the century digit', () => {
    // 00-02-29 with a digit in position 17 → 1900-02-29, which does not exist (1900 is not leap).
    const first17 = 'GAXX000229HMCRRR0';
    const r = validateCurp(first17 + curpCheckDigit(first17));
    expect(r.ok === false && r.code).toBe('E010');
    // The same date with a letter → 2000-02-29, which exists.
    const first17b = 'GAXX000229HMCRRRA';
    expect(validateCurp(first17b + curpCheckDigit(first17b))).toMatchObject({ ok: true, birthDate: '2000-02-29' });
  });

  it('property: any different digit in position 18 is caught as E011', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VERIFIED), fc.integer({ min: 0, max: 9 }), (curp, digit) => {
        fc.pre(String(digit) !== curp.charAt(17));
        const r = validateCurp(curp.slice(0, 17) + String(digit));
        return r.ok === false && r.code === 'E011';
      }),
    );
  });

  it('property: for generated well-formed keys only the computed check digit validates', () => {
    const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
    const vowel = fc.constantFrom(...'AEIOUX'.split(''));
    const consonant = fc.constantFrom(...'BCDFGHJKLMNPQRSTVWXYZ'.split(''));
    const state = fc.constantFrom('AS', 'MC', 'DF', 'NE', 'YN', 'CH');
    const date = fc.date({ min: new Date(Date.UTC(1930, 0, 1)), max: new Date(Date.UTC(2024, 11, 31)), noInvalidDate: true });
    fc.assert(
      fc.property(upper, vowel, upper, upper, date, fc.constantFrom('H', 'M', 'X'), state, consonant, consonant, consonant, fc.integer({ min: 0, max: 9 }), (a, b, c, d, dt, sex, st, x, y, z, replacement) => {
        const iso = dt.toISOString().slice(0, 10);
        const yymmdd = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
        const differentiator = dt.getUTCFullYear() >= 2000 ? 'A' : '0';
        const first17 = `${a}${b}${c}${d}${yymmdd}${sex}${st}${x}${y}${z}${differentiator}`;
        const check = curpCheckDigit(first17);
        const good = validateCurp(first17 + check);
        if (!good.ok || good.birthDate !== iso) return false;
        if (String(replacement) === check) return true;
        const bad = validateCurp(first17 + String(replacement));
        return bad.ok === false && bad.code === 'E011';
      }),
    );
  });
});
