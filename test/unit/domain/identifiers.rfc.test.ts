import { describe, expect, it } from 'vitest';
import { rfcAgreesWithCurp, rfcCheckDigit, validateRfc, validateRfcPersonaFisica } from '../../../domain/identifiers/rfc';

describe('rfcCheckDigit', () => {
  it('persona física COSC8001137NA → A (hand-worked)', () => {
    // Alphabet 0-9, A=10 … N=23, &=24, O=25 … Z=36, space=37, Ñ=38; weights 13..2:
    // C12×13=156, O25×12=300, S29×11=319, C12×10=120, 8×9=72, 0×8=0, 0×7=0, 1×6=6, 1×5=5,
    // 3×4=12, 7×3=21, N23×2=46 → sum 1057; 1057 mod 11 = 1; 11 − 1 = 10 → 'A'.
    expect(rfcCheckDigit('COSC8001137N')).toBe('A');
  });

  it('persona moral EKU9003173C9 (SAT test RFC) → 9 (hand-worked, left-padded with a space)', () => {
    // ' '37×13=481, E14×12=168, K20×11=220, U31×10=310, 9×9=81, 0×8=0, 0×7=0, 3×6=18, 1×5=5,
    // 7×4=28, 3×3=9, C12×2=24 → sum 1344; 1344 mod 11 = 2; 11 − 2 = 9.
    expect(rfcCheckDigit('EKU9003173C')).toBe('9');
  });

  it('rejects lengths other than 11 or 12', () => {
    expect(() => rfcCheckDigit('ABC')).toThrow(RangeError);
  });
});

describe('validateRfcPersonaFisica', () => {
  it('accepts COSC8001137NA with a valid check digit and birth date 1980-01-13', () => {
    expect(validateRfcPersonaFisica('COSC8001137NA')).toEqual({
      ok: true,
      rfc: 'COSC8001137NA',
      checkDigitValid: true,
      birthDate: '1980-01-13',
    });
  });

  it('a wrong check digit is not an error (warning W021 is the caller’s), only checkDigitValid=false', () => {
    expect(validateRfcPersonaFisica('COSC8001137N1')).toMatchObject({ ok: true, checkDigitValid: false });
    // Real RFC reported in python-stdnum #32 that fails the algorithm.
    expect(validateRfcPersonaFisica('MAHM670102NJA')).toMatchObject({ ok: true, checkDigitValid: false, birthDate: '1967-01-02' });
  });

  it('accepts Ñ and & among the 4 letters and normalises case', () => {
    const r = validateRfcPersonaFisica(' peña800113ab1 ');
    expect(r).toMatchObject({ ok: true, rfc: 'PEÑA800113AB1' });
    expect(validateRfcPersonaFisica('&AMA800113AB1').ok).toBe(true);
  });

  it('resolves the century with the reference year or the default pivot', () => {
    expect(validateRfcPersonaFisica('GOPE050607AB1')).toMatchObject({ ok: true, birthDate: '2005-06-07' });
    expect(validateRfcPersonaFisica('GOPE050607AB1', { referenceYear: 2004 })).toMatchObject({ birthDate: '1905-06-07' });
    expect(validateRfcPersonaFisica('GOPE450607AB1')).toMatchObject({ birthDate: '1945-06-07' });
  });

  it.each([
    ['COSC8001137N', '12 chars'],
    ['COSC8001137NAX', '14 chars'],
    ['', 'empty'],
    ['C0SC8001137NA', 'digit among the letters'],
    ['COSC8013137NA', 'month 13'],
    ['COSC8002307NA', '30 February'],
    ['COSC800113-NA', 'dash in homoclave'],
  ])('rejects %j (%s) with E020 and a Spanish fix', (value) => {
    const r = validateRfcPersonaFisica(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('E020');
      expect(r.message).toMatch(/RFC/);
    }
  });
});

describe('validateRfc (física or moral)', () => {
  it('accepts the SAT test moral RFC EKU9003173C9', () => {
    expect(validateRfc('EKU9003173C9')).toEqual({
      ok: true,
      rfc: 'EKU9003173C9',
      kind: 'moral',
      checkDigitValid: true,
      date: '1990-03-17',
      generic: false,
    });
  });

  it('moral RFC that fails the algorithm but exists at SAT stays valid with a flag', () => {
    expect(validateRfc('ACE900319JT9')).toMatchObject({ ok: true, kind: 'moral', checkDigitValid: false });
  });

  it('persona física through the generic entry point, flags generic RFCs', () => {
    expect(validateRfc('COSC8001137NA')).toMatchObject({ ok: true, kind: 'fisica', date: '1980-01-13', generic: false });
    expect(validateRfc('XAXX010101000')).toMatchObject({ ok: true, generic: true });
  });

  it('rejects other lengths and bad moral structure', () => {
    expect(validateRfc('EKU900317')).toMatchObject({ ok: false, code: 'E020' });
    expect(validateRfc('EK19003173C9')).toMatchObject({ ok: false, code: 'E020' });
    expect(validateRfc('EKU9013173C9')).toMatchObject({ ok: false, code: 'E020' });
  });
});

describe('rfcAgreesWithCurp (W022)', () => {
  it('agrees when initials and YYMMDD match', () => {
    expect(rfcAgreesWithCurp('COSC8001137NA', 'COSC800113HDFRRR09')).toBe(true);
  });

  it('disagrees on a different birth date or initials', () => {
    expect(rfcAgreesWithCurp('COSC8001137NA', 'COSC800114HDFRRR09')).toBe(false);
    expect(rfcAgreesWithCurp('COSC8001137NA', 'COSA800113HDFRRR09')).toBe(false);
    expect(rfcAgreesWithCurp('COSC8001137NA', 'CASC800113HDFRRR09')).toBe(false);
  });

  it('tolerates the X substitutions both keys use (Ñ in CURP, inconvenient words)', () => {
    // CURP writes Ñ as X; inconvenient words put X in position 2 (CURP) or 4 (RFC).
    expect(rfcAgreesWithCurp('ÑUPE800113AB1', 'XUPE800113HMCXRR09')).toBe(true);
    expect(rfcAgreesWithCurp('BUEX800113AB1', 'BXEI800113HMCXRR09')).toBe(true);
  });

  it('is false for inputs too short to compare', () => {
    expect(rfcAgreesWithCurp('COSC', 'COSC800113HDFRRR09')).toBe(false);
  });
});
