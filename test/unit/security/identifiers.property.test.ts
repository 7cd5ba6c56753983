/**
 * Property tests of the identifier validators against the contract (shared/contracts.md §1, §4):
 * generated valid keys pass, and a changed check character is caught with the contract's
 * severity — an error for CURP (E011/E010), clave ISSEMyM, línea de captura and CLABE; only a
 * warning for RFC (W021: SAT issued RFCs that fail the algorithm). Complements the example and
 * digit-substitution properties in test/unit/domain/identifiers.*.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clabeCheckDigit, isValidClabe } from '../../../domain/identifiers/clabe';
import { claveFromSequence, isValidClaveIssemym } from '../../../domain/identifiers/clave-issemym';
import { CURP_STATE_CODES, curpCheckDigit, validateCurp } from '../../../domain/identifiers/curp';
import { isValidInstitutionClave } from '../../../domain/identifiers/institution';
import { buildLineaCaptura, isValidLineaCaptura, mod97CheckDigits, parseLineaCaptura } from '../../../domain/identifiers/linea-captura';
import { rfcCheckDigit, validateRfc, validateRfcPersonaFisica } from '../../../domain/identifiers/rfc';
import { validateRow } from '../../../domain/payroll/row-validation';
import { generatePayrollRows } from '../../../synthetic/payroll-files';

const RUNS = { numRuns: 500 };
const chars = (s: string) => fc.constantFrom(...s.split(''));
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** Anything a clerk or a broken export could put in a key's last position. */
const anyChar = fc.oneof(chars(UPPER + DIGITS), chars('abcxyzÑñ &-_./ #*?\u00a0'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));

const yymmdd = (d: Date) => d.toISOString().slice(2, 10).replace(/-/g, '');
const birth = fc.date({ min: new Date(Date.UTC(1930, 0, 1)), max: new Date(Date.UTC(2024, 11, 31)), noInvalidDate: true });

/** A well-formed CURP with its computed check digit. */
const curpArb = fc
  .tuple(chars(UPPER), chars('AEIOUX'), chars(UPPER), chars(UPPER), birth, chars('HMX'), fc.constantFrom(...Object.keys(CURP_STATE_CODES)), fc.tuple(chars('BCDFGHJKLMNPQRSTVWXYZ'), chars('BCDFGHJKLMNPQRSTVWXYZ'), chars('BCDFGHJKLMNPQRSTVWXYZ')), chars(DIGITS), chars(UPPER))
  .map(([a, b, c, d, dt, sex, st, [x, y, z], digit, letter]) => {
    const first17 = `${a}${b}${c}${d}${yymmdd(dt)}${sex}${st}${x}${y}${z}${dt.getUTCFullYear() >= 2000 ? letter : digit}`;
    return { curp: first17 + curpCheckDigit(first17), birthDate: dt.toISOString().slice(0, 10) };
  });

describe('CURP', () => {
  it('every generated CURP validates (also lower-case and padded), with its birth date', () => {
    fc.assert(
      fc.property(curpArb, ({ curp, birthDate }) => {
        expect(validateCurp(curp)).toMatchObject({ ok: true, curp, birthDate });
        expect(validateCurp(`  ${curp.toLowerCase()} `)).toMatchObject({ ok: true, curp });
      }),
      RUNS,
    );
  });

  it('any other character in the check position is an error: E011 for a digit, E010 otherwise', () => {
    fc.assert(
      fc.property(curpArb, anyChar, ({ curp }, replacement) => {
        const mutated = curp.slice(0, 17) + replacement;
        fc.pre(mutated.trim().toUpperCase() !== curp);
        const r = validateCurp(mutated);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.code).toBe(/^\d$/.test(replacement) ? 'E011' : 'E010');
      }),
      RUNS,
    );
  });
});

const rfcFisicaArb = fc
  .tuple(fc.stringMatching(/^[A-ZÑ&]{4}$/), birth, fc.stringMatching(/^[A-Z0-9]{2}$/))
  .map(([letters, dt, homo]) => {
    const first12 = `${letters}${yymmdd(dt)}${homo}`;
    return first12 + rfcCheckDigit(first12);
  });
const rfcMoralArb = fc
  .tuple(fc.stringMatching(/^[A-ZÑ&]{3}$/), birth, fc.stringMatching(/^[A-Z0-9]{2}$/))
  .map(([letters, dt, homo]) => {
    const first11 = `${letters}${yymmdd(dt)}${homo}`;
    return first11 + rfcCheckDigit(first11);
  });

describe('RFC', () => {
  it('every generated RFC (física and moral) validates with a correct check digit', () => {
    fc.assert(
      fc.property(rfcFisicaArb, rfcMoralArb, (fisica, moral) => {
        expect(validateRfcPersonaFisica(fisica, { referenceYear: 2026 })).toMatchObject({ ok: true, checkDigitValid: true });
        expect(validateRfc(moral, { referenceYear: 2026 })).toMatchObject({ ok: true, kind: 'moral', checkDigitValid: true });
      }),
      RUNS,
    );
  });

  it('another letter or digit in the check position is only flagged (W021 per contract); anything else is E020', () => {
    fc.assert(
      fc.property(fc.oneof(rfcFisicaArb, rfcMoralArb), anyChar, (rfc, replacement) => {
        const mutated = rfc.slice(0, -1) + replacement;
        fc.pre(mutated.trim().toUpperCase() !== rfc);
        const r = validateRfc(mutated, { referenceYear: 2026 });
        if (/^[A-Za-z0-9]$/.test(replacement)) expect(r).toMatchObject({ ok: true, checkDigitValid: false });
        else expect(r).toMatchObject({ ok: false, code: 'E020' });
      }),
      RUNS,
    );
  });

  it('in a payroll row a wrong RFC check digit is the warning W021 and the row stays valid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), chars(DIGITS + UPPER), (seed, replacement) => {
        const [cells] = [...generatePayrollRows({ rows: 1, seed, period: '202604' })];
        const rfc = cells!.rfc;
        fc.pre(rfc.charAt(12) !== replacement);
        const result = validateRow({ ...cells!, rfc: rfc.slice(0, 12) + replacement }, { row: 1, period: '202604' });
        expect(result.findings.map((f) => f.code)).toEqual(['W021']);
        expect(result.row).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('clave ISSEMyM, CLABE, línea de captura, clave de institución', () => {
  it('clave ISSEMyM: any other character in the Luhn position is invalid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), anyChar, (seq, replacement) => {
        const clave = claveFromSequence(seq);
        fc.pre(replacement !== clave.charAt(7));
        expect(isValidClaveIssemym(clave)).toBe(true);
        expect(isValidClaveIssemym(clave.slice(0, 7) + replacement)).toBe(false);
      }),
      RUNS,
    );
  });

  const clabeArb = fc.stringMatching(/^\d{17}$/).map((first17) => first17 + String(clabeCheckDigit(first17)));

  it('CLABE: generated CLABEs validate; any single changed character anywhere is invalid', () => {
    fc.assert(
      fc.property(clabeArb, fc.integer({ min: 0, max: 17 }), anyChar, (clabe, pos, replacement) => {
        expect(isValidClabe(clabe)).toBe(true);
        fc.pre(replacement !== clabe.charAt(pos));
        expect(isValidClabe(clabe.slice(0, pos) + replacement + clabe.slice(pos + 1))).toBe(false);
      }),
      RUNS,
    );
  });

  const lineaArb = fc.record({
    institutionClave: fc.integer({ min: 0, max: 99_999 }).map((n) => String(n).padStart(5, '0')),
    period: fc.tuple(fc.integer({ min: 1990, max: 2999 }), fc.integer({ min: 1, max: 24 })).map(([y, q]) => `${y}${String(q).padStart(2, '0')}`),
    sequence: fc.integer({ min: 1, max: 99_999 }),
  });

  it('línea: any other character in either check position is invalid', () => {
    fc.assert(
      fc.property(lineaArb, fc.constantFrom(18, 19), anyChar, (input, pos, replacement) => {
        const linea = buildLineaCaptura(input);
        fc.pre(replacement !== linea.charAt(pos));
        expect(isValidLineaCaptura(linea.slice(0, pos) + replacement + linea.slice(pos + 1))).toBe(false);
      }),
      RUNS,
    );
  });

  it('línea: only the check digits the system issues validate (no second check ≡ 1 mod 97 is accepted)', () => {
    fc.assert(
      fc.property(lineaArb, fc.integer({ min: 0, max: 99 }), (input, check) => {
        const linea = buildLineaCaptura(input);
        const body = linea.slice(0, 18);
        const candidate = body + String(check).padStart(2, '0');
        expect(isValidLineaCaptura(candidate)).toBe(candidate === linea);
        expect(parseLineaCaptura(linea)).toMatchObject({ checkDigits: mod97CheckDigits(body) });
      }),
      { numRuns: 2000 },
    );
    // The two bodies whose remainder lets a second pair pass mod 97 (98 ↔ 01 and 02 ↔ 99).
    for (let sequence = 1; sequence < 2000; sequence++) {
      const linea = buildLineaCaptura({ institutionClave: '20511', period: '202604', sequence });
      const check = Number(linea.slice(18));
      if (check === 98) expect(isValidLineaCaptura(`${linea.slice(0, 18)}01`)).toBe(false);
      if (check === 2) expect(isValidLineaCaptura(`${linea.slice(0, 18)}99`)).toBe(false);
    }
  });

  it('clave de institución: exactly five ASCII digits, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (text) => {
        expect(isValidInstitutionClave(text)).toBe(/^[0-9]{5}$/.test(text));
      }),
      RUNS,
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 99_999 }), (n) => isValidInstitutionClave(String(n).padStart(5, '0'))));
  });
});
