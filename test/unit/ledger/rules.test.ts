import fc from 'fast-check';
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { payrollRows } from '../../../db/schema';
import { Decimal, toAmountString } from '../../../domain/money';
import { dispersionAccounts, FUNDS, institutionCreditAccount, sciControlAccount } from '../../../ledger/accounts';
import { INDIVIDUAL_CREDITS, originOf, placedRowColumns, POOLED_ROW_CREDITS } from '../../../ledger/concepts';
import { dispersionEntryKey } from '../../../ledger/entry-key';
import { checkDispersionInvariant, checkSubledgerMatchesControl } from '../../../ledger/invariant';

describe('where every amount of a payroll row goes', () => {
  it('places every money column of payroll_rows (except the salary) exactly once', () => {
    const moneyColumns = Object.values(getTableColumns(payrollRows))
      .filter((c) => c.columnType === 'PgNumeric' && c.name !== 'sueldo_cotizable')
      .map((c) => c.name)
      .sort();
    expect(moneyColumns.length).toBeGreaterThanOrEqual(11);
    const placed = placedRowColumns();
    expect(new Set(placed).size).toBe(placed.length);
    expect([...placed].sort()).toEqual(moneyColumns);
  });

  it('credits the sci cuota and aportación to the individual account and everything else to funds and the loans portfolio', () => {
    expect(INDIVIDUAL_CREDITS.map((c) => [c.column, c.concept])).toEqual([
      ['cuota_sci', 'sci-cuota'],
      ['aport_sci', 'sci-aportacion'],
    ]);
    const byAccount = (code: string) => POOLED_ROW_CREDITS.filter((c) => c.accountCode === code).map((c) => c.column);
    expect(byAccount('fund:salud')).toEqual(['cuota_salud', 'aport_salud']);
    expect(byAccount('fund:reparto')).toEqual(['cuota_reparto', 'aport_reparto']);
    expect(byAccount('fund:admin')).toEqual(['aport_admin']);
    expect(byAccount('fund:riesgo')).toEqual(['aport_riesgo']);
    expect(byAccount('loans-portfolio')).toEqual(['ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros']);
  });

  it('posts only to accounts the dispersion creates', () => {
    const codes = new Set(dispersionAccounts('20511').map((a) => a.code));
    for (const c of POOLED_ROW_CREDITS) expect(codes.has(c.accountCode), c.accountCode).toBe(true);
    expect(codes.has('bank-clearing')).toBe(true);
    expect(codes.has(institutionCreditAccount('20511').code)).toBe(true);
    for (const f of FUNDS) expect(codes.has(`fund:${f}`)).toBe(true);
    expect(dispersionAccounts('20511').find((a) => a.kind === 'institution-credit')?.institutionClave).toBe('20511');
  });

  it('keeps one individual-account control account per administrator, and maps concepts to AFORE file origins', () => {
    expect(sciControlAccount('AFORE-X')).toMatchObject({ code: 'sci:AFORE-X', kind: 'individual', administrator: 'AFORE-X' });
    expect(sciControlAccount('ISSEMYM').code).not.toBe(sciControlAccount('AFORE-X').code);
    expect(originOf('sci-cuota')).toEqual({ origin: 'cuota', subAccount: 'SCI' });
    expect(originOf('sci-aportacion')).toEqual({ origin: 'aportacion', subAccount: 'SCI' });
    expect(() => originOf('salud-cuota')).toThrow();
  });
});

describe('the individual accounts agree with their control accounts', () => {
  const detail = [
    { administrator: 'ISSEMYM', concept: 'sci-cuota', amount: '70.01' },
    { administrator: 'ISSEMYM', concept: 'sci-cuota', amount: '28.00' },
    { administrator: 'AFORE-X', concept: 'sci-aportacion', amount: '165.00' },
  ];

  it('holds when every (administrator, concept) adds up exactly, whatever the order', () => {
    const control = [
      { administrator: 'AFORE-X', concept: 'sci-aportacion', amount: '165.00' },
      { administrator: 'ISSEMYM', concept: 'sci-cuota', amount: '98.01' },
    ];
    expect(checkSubledgerMatchesControl(detail, control)).toEqual({ ok: true });
  });

  it('names the administrator and concept that differ by a centavo, or that one side lacks', () => {
    const short = checkSubledgerMatchesControl(detail, [
      { administrator: 'AFORE-X', concept: 'sci-aportacion', amount: '165.00' },
      { administrator: 'ISSEMYM', concept: 'sci-cuota', amount: '98.00' },
    ]);
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.message).toContain('ISSEMYM sci-cuota: auxiliar por persona 98.01 ≠ cuenta de control 98.00');
    const missing = checkSubledgerMatchesControl(detail, [{ administrator: 'ISSEMYM', concept: 'sci-cuota', amount: '98.01' }]);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.message).toContain('AFORE-X sci-aportacion: auxiliar por persona 165.00 ≠ cuenta de control 0.00');
  });
});

describe('the dispersion invariant (Σ credits = Σ deposits = Σ debits of bank clearing)', () => {
  it('holds when everything deposited is placed, with exact decimals', () => {
    // 0.1 + 0.2 is not 0.3 in binary floating point; in the ledger it is.
    expect(checkDispersionInvariant({ deposits: '0.30', bankClearingDebits: '0.30', totalDebits: '0.30', totalCredits: '0.3' })).toEqual({ ok: true, amount: '0.30' });
  });

  it('fails when the determinación exceeds the deposits (not fully paid) and says so', () => {
    const r = checkDispersionInvariant({ deposits: '1000.00', bankClearingDebits: '1000.00', totalDebits: '1000.00', totalCredits: '1000.01' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('1000.01');
      expect(r.message).toContain('diferencia 0.01');
      expect(r.message).toContain('pagado por completo');
    }
  });

  it('fails when a deposit is left without destination, when bank debits differ, or when another account is debited', () => {
    expect(checkDispersionInvariant({ deposits: '10.00', bankClearingDebits: '10.00', totalDebits: '10.00', totalCredits: '9.99' }).ok).toBe(false);
    expect(checkDispersionInvariant({ deposits: '10.00', bankClearingDebits: '9.00', totalDebits: '10.00', totalCredits: '10.00' }).ok).toBe(false);
    expect(checkDispersionInvariant({ deposits: '10.00', bankClearingDebits: '10.00', totalDebits: '11.00', totalCredits: '10.00' }).ok).toBe(false);
    expect(checkDispersionInvariant({ deposits: '0', bankClearingDebits: '0', totalDebits: '0', totalCredits: '0' }).ok).toBe(false);
  });

  it('holds for any split of the deposits into credits, and breaks for any centavo off (property)', () => {
    const cents = fc.array(fc.integer({ min: 1, max: 10_000_000_00 }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(cents, fc.integer({ min: 1, max: 100 }), (parts, off) => {
        const credits = parts.reduce((s, c) => s.plus(new Decimal(c).div(100)), new Decimal(0));
        const deposits = toAmountString(credits);
        expect(checkDispersionInvariant({ deposits, bankClearingDebits: deposits, totalDebits: deposits, totalCredits: toAmountString(credits) }).ok).toBe(true);
        const wrong = toAmountString(credits.plus(new Decimal(off).div(100)));
        expect(checkDispersionInvariant({ deposits, bankClearingDebits: deposits, totalDebits: deposits, totalCredits: wrong }).ok).toBe(false);
      }),
    );
  });
});

describe('the journal entry natural key', () => {
  const sub = '11111111-1111-1111-1111-111111111111';
  it('is dispersion:{submission}:{newest accepted file}', () => {
    const key = dispersionEntryKey(sub, { files: [{ id: 'f2', version: 2 }, { id: 'f1', version: 1 }], depositIds: ['d1'], lineaIds: [] });
    expect(key).toBe(`dispersion:${sub}:f2`);
  });

  it('without a new file, depends only on the set of sources (order-independent)', () => {
    const a = dispersionEntryKey(sub, { files: [], depositIds: ['d2', 'd1'], lineaIds: ['l1'] });
    const b = dispersionEntryKey(sub, { files: [], depositIds: ['d1', 'd2'], lineaIds: ['l1'] });
    const c = dispersionEntryKey(sub, { files: [], depositIds: ['d1'], lineaIds: ['l1'] });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(new RegExp(`^dispersion:${sub}:sources-[0-9a-f]{16}$`));
  });
});
