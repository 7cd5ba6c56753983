import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidClabe, clabeCheckDigit } from '../../../domain/identifiers/clabe';
import {
  claveFromSequence,
  isLuhnValid,
  isValidClaveIssemym,
  luhnCheckDigit,
  sequenceFromClave,
} from '../../../domain/identifiers/clave-issemym';
import { isValidInstitutionClave } from '../../../domain/identifiers/institution';
import {
  buildLineaCaptura,
  isValidLineaCaptura,
  mod97CheckDigits,
  parseLineaCaptura,
} from '../../../domain/identifiers/linea-captura';

describe('Luhn / clave ISSEMyM', () => {
  it('classic Luhn vector: 7992739871 → 3', () => {
    // From the right, double every second digit starting with the rightmost payload digit:
    // 1→2, 7, 8→16→7, 9, 3→6, 7, 2→4, 9, 9→18→9, 7 → 2+7+7+9+6+7+4+9+9+7 = 67 → (10 − 7) = 3.
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('79927398710')).toBe(false);
  });

  it('claveFromSequence pads to 7 digits and appends the Luhn digit', () => {
    // 0000001: rightmost 1 doubled = 2 → sum 2 → check 8.
    expect(claveFromSequence(1)).toBe('00000018');
    // 0125175: 5→10→1, 7, 1→2, 5, 2→4, 1, 0→0 → 20 → check 0.
    expect(claveFromSequence(125175)).toBe('01251750');
    // 9999999: four 9s doubled → 18→9 each (36) + three 9s (27) = 63 → check 7.
    expect(claveFromSequence(9_999_999)).toBe('99999997');
  });

  it('throws outside 1..9,999,999 or for non-integers', () => {
    for (const bad of [0, -1, 10_000_000, 1.5, Number.NaN]) expect(() => claveFromSequence(bad)).toThrow(RangeError);
  });

  it('isValidClaveIssemym checks length, digits, non-zero sequence and Luhn', () => {
    expect(isValidClaveIssemym('00000018')).toBe(true);
    expect(isValidClaveIssemym('00000017')).toBe(false);
    expect(isValidClaveIssemym('0000018')).toBe(false);
    expect(isValidClaveIssemym('0000001A')).toBe(false);
    expect(isValidClaveIssemym('00000000')).toBe(false);
    expect(sequenceFromClave('01251750')).toBe(125175);
    expect(sequenceFromClave('01251758')).toBeNull();
  });

  it('property: claves round-trip and validate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), (seq) => {
        const clave = claveFromSequence(seq);
        return clave.length === 8 && isValidClaveIssemym(clave) && sequenceFromClave(clave) === seq;
      }),
    );
  });

  it('property: any single-digit substitution is detected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 9 }), (seq, pos, delta) => {
        const clave = claveFromSequence(seq);
        const digit = (Number(clave.charAt(pos)) + delta) % 10;
        const mutated = clave.slice(0, pos) + String(digit) + clave.slice(pos + 1);
        return !isValidClaveIssemym(mutated);
      }),
    );
  });
});

describe('línea de captura', () => {
  it('builds the contract example: 01 + 20511 + 202604 + 00001 + 95', () => {
    // n = 012051120260400001; n × 100 mod 97 = 3 (checked independently with Python's big ints);
    // check = 98 − 3 = 95; 01205112026040000195 mod 97 = 1.
    expect(buildLineaCaptura({ institutionClave: '20511', period: '202604', sequence: 1 })).toBe('01205112026040000195');
  });

  it('pads the check to 2 digits and handles larger sequences', () => {
    // n = 012051120262400123; n × 100 mod 97 = 46 → check 52 (independent Python check).
    expect(buildLineaCaptura({ institutionClave: '20511', period: '202624', sequence: 123 })).toBe('01205112026240012352');
    // 1 × 100 = 100; 100 mod 97 = 3 → 95; and 195 mod 97 = 1.
    expect(mod97CheckDigits('1')).toBe('95');
    // 30 × 100 = 3000; 3000 − 97 × 30 = 90 → 98 − 90 = 8 → zero-padded '08'; 3008 = 97 × 31 + 1.
    expect(mod97CheckDigits('30')).toBe('08');
  });

  it('rejects invalid inputs', () => {
    expect(() => buildLineaCaptura({ institutionClave: '2051', period: '202604', sequence: 1 })).toThrow(RangeError);
    expect(() => buildLineaCaptura({ institutionClave: '20511', period: '202625', sequence: 1 })).toThrow(RangeError);
    expect(() => buildLineaCaptura({ institutionClave: '20511', period: '202604', sequence: 0 })).toThrow(RangeError);
    expect(() => buildLineaCaptura({ institutionClave: '20511', period: '202604', sequence: 100_000 })).toThrow(RangeError);
  });

  it('parses a valid línea into its parts and rejects altered ones', () => {
    expect(parseLineaCaptura('01205112026040000195')).toEqual({
      concept: '01',
      institutionClave: '20511',
      period: '202604',
      sequence: 1,
      checkDigits: '95',
    });
    expect(isValidLineaCaptura('01205112026040000195')).toBe(true);
    expect(isValidLineaCaptura('01205112026040000194')).toBe(false);
    expect(isValidLineaCaptura('01205112026040000295')).toBe(false);
    expect(isValidLineaCaptura('0120511202604000019')).toBe(false);
    expect(isValidLineaCaptura('0120511202604000019X')).toBe(false);
  });

  const lineaInput = fc.record({
    institutionClave: fc.integer({ min: 0, max: 99_999 }).map((n) => String(n).padStart(5, '0')),
    period: fc
      .tuple(fc.integer({ min: 1990, max: 2999 }), fc.integer({ min: 1, max: 24 }))
      .map(([y, q]) => `${y}${String(q).padStart(2, '0')}`),
    sequence: fc.integer({ min: 1, max: 99_999 }),
  });

  it('property: every built línea is 20 digits, ≡ 1 mod 97, and parses back', () => {
    fc.assert(
      fc.property(lineaInput, (input) => {
        const linea = buildLineaCaptura(input);
        const parts = parseLineaCaptura(linea);
        return (
          /^\d{20}$/.test(linea) &&
          BigInt(linea) % 97n === 1n &&
          parts !== null &&
          parts.institutionClave === input.institutionClave &&
          parts.period === input.period &&
          parts.sequence === input.sequence
        );
      }),
    );
  });

  it('property: any single-digit substitution or adjacent transposition is detected', () => {
    fc.assert(
      fc.property(lineaInput, fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 9 }), (input, pos, delta) => {
        const linea = buildLineaCaptura(input);
        const digit = (Number(linea.charAt(pos)) + delta) % 10;
        const substituted = linea.slice(0, pos) + String(digit) + linea.slice(pos + 1);
        if (isValidLineaCaptura(substituted)) return false;
        if (pos < 19 && linea.charAt(pos) !== linea.charAt(pos + 1)) {
          const swapped = linea.slice(0, pos) + linea.charAt(pos + 1) + linea.charAt(pos) + linea.slice(pos + 2);
          if (isValidLineaCaptura(swapped)) return false;
        }
        return true;
      }),
    );
  });
});

describe('CLABE', () => {
  it('validates 002010077777777771 (hand-worked)', () => {
    // digits 0 0 2 0 1 0 0 7 7 7 7 7 7 7 7 7 7 × weights 3 7 1 …, each mod 10:
    // 0 0 2 0 7 0 0 9 7 1 9 7 1 9 7 1 9 → sum 69 → (10 − 9) mod 10 = 1.
    expect(clabeCheckDigit('00201007777777777')).toBe(1);
    expect(isValidClabe('002010077777777771')).toBe(true);
    expect(isValidClabe('002010077777777772')).toBe(false);
    expect(isValidClabe('00201007777777777')).toBe(false);
    expect(isValidClabe('00201007777777777a')).toBe(false);
  });
});

describe('clave de institución', () => {
  it('is exactly 5 digits', () => {
    expect(isValidInstitutionClave('20511')).toBe(true);
    expect(isValidInstitutionClave('00001')).toBe(true);
    expect(isValidInstitutionClave('2051')).toBe(false);
    expect(isValidInstitutionClave('205110')).toBe(false);
    expect(isValidInstitutionClave('2051a')).toBe(false);
    expect(isValidInstitutionClave(' 20511')).toBe(false);
  });
});
