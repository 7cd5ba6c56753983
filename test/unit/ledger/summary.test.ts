import { describe, expect, it } from 'vitest';
import { buildAccountStatement, buildDispersionSummary, buildTrialBalance } from '../../../ledger/summary';

describe('dispersion summary', () => {
  const summary = buildDispersionSummary({
    submission: { id: 's-1', institutionClave: '20511', period: '202606' },
    entries: [{ entryKey: 'dispersion:s-1:f-1', paymentDate: '2026-03-20', createdAt: '2026-03-21T10:00:00.000Z', totalDebit: '1300.00', totalCredit: '1300.00', postingCount: 9 }],
    pooled: [
      { kind: 'bank-clearing', concept: 'deposito', debit: '1300.00', credit: '0' },
      { kind: 'fund', concept: 'salud-cuota', debit: '0', credit: '100.00' },
      { kind: 'fund', concept: 'salud-aportacion', debit: '0', credit: '200.00' },
      { kind: 'fund', concept: 'riesgo-aportacion', debit: '0', credit: '50.00' },
      { kind: 'loans-portfolio', concept: 'retencion-prestamo-corto', debit: '0', credit: '300.00' },
      { kind: 'accessories-income', concept: 'recargos', debit: '0', credit: '25.50' },
      { kind: 'accessories-income', concept: 'actualizacion', debit: '0', credit: '4.50' },
      { kind: 'institution-credit', concept: 'excedente', debit: '0', credit: '120.00' },
    ],
    batches: [
      { administrator: 'AFORE-X', personCount: 1, recordCount: 2, totalCuota: '100.00', totalAportacion: '100.00', total: '200.00', status: 'file-ready', fileSha256: 'abc' },
      { administrator: 'ISSEMYM', personCount: 2, recordCount: 4, totalCuota: '150.00', totalAportacion: '150.00', total: '300.00', status: 'internal', fileSha256: null },
    ],
  });

  it('adds up per destination kind, to the centavo, and checks the balance', () => {
    expect(summary.deposits).toBe('1300.00');
    expect(summary.totalDebits).toBe('1300.00');
    expect(summary.totalCredits).toBe('1300.00');
    expect(summary.balanced).toBe(true);
    expect(summary.destinations).toEqual({
      individual: '500.00',
      funds: { salud: '300.00', reparto: '0.00', admin: '0.00', riesgo: '50.00' },
      loansPortfolio: '300.00',
      accessoriesIncome: '30.00',
      institutionCredit: '120.00',
      suspense: '0.00',
    });
    expect(summary.individualAccounts).toBe(3);
    expect(summary.paymentDate).toBe('2026-03-20');
  });

  it('lists administrators ISSEMYM first with their control totals and file state', () => {
    expect(summary.administrators.map((a) => [a.administrator, a.personCount, a.total, a.file, a.fileSha256])).toEqual([
      ['ISSEMYM', 2, '300.00', 'internal', null],
      ['AFORE-X', 1, '200.00', 'ready', 'abc'],
    ]);
  });

  it('reports every concept, individual ones included', () => {
    expect(summary.byConcept).toContainEqual({ accountKind: 'individual', concept: 'sci-cuota', amount: '250.00' });
    expect(summary.byConcept).toContainEqual({ accountKind: 'bank-clearing', concept: 'deposito', amount: '1300.00' });
    expect(summary.byConcept[0]!.accountKind).toBe('bank-clearing');
  });

  it('is not balanced when a centavo is missing', () => {
    const broken = buildDispersionSummary({
      submission: { id: 's', institutionClave: '1', period: '202601' },
      entries: [],
      pooled: [{ kind: 'bank-clearing', concept: 'deposito', debit: '10.00', credit: '0' }, { kind: 'fund', concept: 'salud-cuota', debit: '0', credit: '9.99' }],
      batches: [],
    });
    expect(broken.balanced).toBe(false);
  });
});

describe('trial balance', () => {
  it('sums debits and credits overall and per kind, with every kind listed', () => {
    const tb = buildTrialBalance([
      { kind: 'bank-clearing', debits: '1000.10', credits: '0', postings: 2 },
      { kind: 'fund', debits: '0', credits: '700.05', postings: 4 },
      { kind: 'individual', debits: '0', credits: '300.05', postings: 6 },
    ]);
    expect(tb.totalDebits).toBe('1000.10');
    expect(tb.totalCredits).toBe('1000.10');
    expect(tb.balanced).toBe(true);
    expect(tb.byKind.map((k) => k.kind)).toEqual(['bank-clearing', 'fund', 'individual', 'loans-portfolio', 'accessories-income', 'institution-credit', 'suspense']);
    expect(tb.byKind[0]).toEqual({ kind: 'bank-clearing', debits: '1000.10', credits: '0.00', balance: '-1000.10', postings: 2 });
    expect(buildTrialBalance([{ kind: 'fund', debits: '0', credits: '1', postings: 1 }]).balanced).toBe(false);
  });
});

describe('individual account statement', () => {
  it('gives the balance per administrator and the movements per period, newest period first', () => {
    const st = buildAccountStatement([
      { administrator: 'ISSEMYM', institutionClave: '20511', period: '202605', concept: 'sci-cuota', debit: '0', credit: '17.50', paymentDate: '2026-03-06', postedAt: 'a' },
      { administrator: 'ISSEMYM', institutionClave: '20511', period: '202605', concept: 'sci-aportacion', debit: '0', credit: '18.75', paymentDate: '2026-03-06', postedAt: 'a' },
      { administrator: 'AFORE-X', institutionClave: '20511', period: '202606', concept: 'sci-cuota', debit: '0', credit: '17.50', paymentDate: '2026-03-20', postedAt: 'b' },
      { administrator: 'AFORE-X', institutionClave: '30100', period: '202606', concept: 'sci-cuota', debit: '0', credit: '0.01', paymentDate: '2026-03-21', postedAt: 'c' },
    ]);
    expect(st.balance).toBe('53.76');
    expect(st.accounts).toEqual([
      { administrator: 'AFORE-X', balance: '17.51', credits: '17.51', debits: '0.00' },
      { administrator: 'ISSEMYM', balance: '36.25', credits: '36.25', debits: '0.00' },
    ]);
    expect(st.periods.map((p) => [p.period, p.total, p.movements.length])).toEqual([
      ['202606', '17.51', 2],
      ['202605', '36.25', 2],
    ]);
    expect(st.periods[1]!.movements[0]).toEqual({ institutionClave: '20511', period: '202605', concept: 'sci-aportacion', administrator: 'ISSEMYM', amount: '18.75', date: '2026-03-06', postedAt: 'a' });
  });

  it('is empty (balance 0.00) for a person never credited', () => {
    expect(buildAccountStatement([])).toEqual({ balance: '0.00', accounts: [], periods: [] });
  });
});
