/**
 * Shapes of what the dispersion reports: the summary of a submission's dispersion (per destination
 * kind and per administrator, with control totals), the trial balance and a person's individual
 * account statement. Pure: inputs are aggregated rows with decimal strings.
 */
import { Decimal, toAmountString, ZERO } from '../domain/money';
import { ACCOUNT_KINDS, DEFAULT_ADMINISTRATOR, FUNDS, type AccountKind, type Fund } from './accounts';

export interface DispersionEntryView {
  entryKey: string;
  paymentDate: string;
  createdAt: string;
  totalDebit: string;
  totalCredit: string;
  postingCount: number;
}

export interface AdministratorBatchView {
  administrator: string;
  personCount: number;
  recordCount: number;
  totalCuota: string;
  totalAportacion: string;
  total: string;
  /** `internal`: ISSEMYM keeps the account (no file); `pending`/`ready`: the administrator's file. */
  file: 'internal' | 'pending' | 'ready';
  fileSha256: string | null;
}

export interface DispersionSummary {
  submissionId: string;
  institutionClave: string;
  period: string;
  /** True when this call wrote a new journal entry; false when everything was already dispersed. */
  created: boolean;
  /** Payment date of the latest entry (decides each person's administrator). */
  paymentDate: string;
  entries: DispersionEntryView[];
  /** Σ debits of the bank clearing account = Σ deposits dispersed. */
  deposits: string;
  totalDebits: string;
  totalCredits: string;
  balanced: boolean;
  /** How many individual accounts were credited (Σ batch person counts). */
  individualAccounts: number;
  destinations: {
    /** Σ credits to individual accounts (all administrators). */
    individual: string;
    funds: Record<Fund, string>;
    loansPortfolio: string;
    accessoriesIncome: string;
    institutionCredit: string;
    /** SCI of rows without an identified person, held until located. */
    suspense: string;
  };
  /** Every (account kind, concept) with its amount (credits; deposits for bank clearing). */
  byConcept: { accountKind: AccountKind; concept: string; amount: string }[];
  /** One line per administrator (several entries of a submission are added up). */
  administrators: AdministratorBatchView[];
}

export interface ConceptTotalRow {
  kind: string;
  concept: string;
  debit: string;
  credit: string;
}

export interface BatchRow {
  administrator: string;
  personCount: number;
  recordCount: number;
  totalCuota: string;
  totalAportacion: string;
  total: string;
  status: string;
  fileSha256: string | null;
}

const amount = (d: Decimal) => toAmountString(d);

/**
 * Builds the summary from: the entries, the non-individual postings aggregated by (kind, concept),
 * and the administrator batches (whose totals are the individual credits, computed with them).
 */
export function buildDispersionSummary(input: {
  submission: { id: string; institutionClave: string; period: string };
  entries: DispersionEntryView[];
  pooled: ConceptTotalRow[];
  batches: BatchRow[];
}): DispersionSummary {
  const byKind = new Map<string, Decimal>();
  const byConcept: DispersionSummary['byConcept'] = [];
  let debits = ZERO;
  let credits = ZERO;
  let bank = ZERO;
  const funds = Object.fromEntries(FUNDS.map((f) => [f, ZERO])) as Record<Fund, Decimal>;
  for (const row of input.pooled) {
    const d = new Decimal(row.debit);
    const c = new Decimal(row.credit);
    debits = debits.plus(d);
    credits = credits.plus(c);
    if (row.kind === 'bank-clearing') bank = bank.plus(d).minus(c);
    else byKind.set(row.kind, (byKind.get(row.kind) ?? ZERO).plus(c).minus(d));
    if (row.kind === 'fund') {
      const fund = row.concept.split('-')[0] as Fund;
      if (fund in funds) funds[fund] = funds[fund].plus(c).minus(d);
    }
    byConcept.push({ accountKind: row.kind as AccountKind, concept: row.concept, amount: amount(row.kind === 'bank-clearing' ? d.minus(c) : c.minus(d)) });
  }

  const perAdmin = new Map<string, { personCount: number; recordCount: number; cuota: Decimal; aport: Decimal; total: Decimal; statuses: Set<string>; sha: string | null }>();
  for (const b of input.batches) {
    const agg = perAdmin.get(b.administrator) ?? { personCount: 0, recordCount: 0, cuota: ZERO, aport: ZERO, total: ZERO, statuses: new Set<string>(), sha: null };
    agg.personCount += b.personCount;
    agg.recordCount += b.recordCount;
    agg.cuota = agg.cuota.plus(b.totalCuota);
    agg.aport = agg.aport.plus(b.totalAportacion);
    agg.total = agg.total.plus(b.total);
    agg.statuses.add(b.status);
    agg.sha = b.fileSha256 ?? agg.sha;
    perAdmin.set(b.administrator, agg);
  }
  let individual = ZERO;
  const individualCuota = [...perAdmin.values()].reduce((s, a) => s.plus(a.cuota), ZERO);
  const individualAport = [...perAdmin.values()].reduce((s, a) => s.plus(a.aport), ZERO);
  const administrators: AdministratorBatchView[] = [...perAdmin.entries()]
    .sort(([a], [b]) => (a === DEFAULT_ADMINISTRATOR ? -1 : b === DEFAULT_ADMINISTRATOR ? 1 : a.localeCompare(b)))
    .map(([administrator, a]) => {
      individual = individual.plus(a.total);
      const file: AdministratorBatchView['file'] = a.statuses.has('file-pending') ? 'pending' : a.statuses.has('file-ready') ? 'ready' : 'internal';
      return {
        administrator,
        personCount: a.personCount,
        recordCount: a.recordCount,
        totalCuota: amount(a.cuota),
        totalAportacion: amount(a.aport),
        total: amount(a.total),
        file,
        fileSha256: file === 'internal' ? null : a.sha,
      };
    });
  credits = credits.plus(individual);
  if (individualCuota.gt(0)) byConcept.push({ accountKind: 'individual', concept: 'sci-cuota', amount: amount(individualCuota) });
  if (individualAport.gt(0)) byConcept.push({ accountKind: 'individual', concept: 'sci-aportacion', amount: amount(individualAport) });
  byConcept.sort((a, b) => ACCOUNT_KINDS.indexOf(a.accountKind) - ACCOUNT_KINDS.indexOf(b.accountKind) || a.concept.localeCompare(b.concept));

  const entries = [...input.entries].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const kind = (k: AccountKind) => amount(byKind.get(k) ?? ZERO);
  return {
    submissionId: input.submission.id,
    institutionClave: input.submission.institutionClave,
    period: input.submission.period,
    created: false,
    paymentDate: entries.at(-1)?.paymentDate ?? '',
    entries,
    deposits: amount(bank),
    totalDebits: amount(debits),
    totalCredits: amount(credits),
    balanced: debits.equals(credits) && bank.equals(credits),
    individualAccounts: administrators.reduce((n, a) => n + a.personCount, 0),
    destinations: {
      individual: amount(individual),
      funds: Object.fromEntries(FUNDS.map((f) => [f, amount(funds[f])])) as Record<Fund, string>,
      loansPortfolio: kind('loans-portfolio'),
      accessoriesIncome: kind('accessories-income'),
      institutionCredit: kind('institution-credit'),
      suspense: kind('suspense'),
    },
    byConcept,
    administrators,
  };
}

export interface TrialBalance {
  totalDebits: string;
  totalCredits: string;
  balanced: boolean;
  byKind: { kind: AccountKind; debits: string; credits: string; balance: string; postings: number }[];
}

/** Σ debits and Σ credits overall and per account kind; `balance` is credits − debits. */
export function buildTrialBalance(rows: { kind: string; debits: string; credits: string; postings: number }[]): TrialBalance {
  let debits = ZERO;
  let credits = ZERO;
  const byKind = ACCOUNT_KINDS.map((kind) => {
    const row = rows.find((r) => r.kind === kind);
    const d = new Decimal(row?.debits ?? '0');
    const c = new Decimal(row?.credits ?? '0');
    debits = debits.plus(d);
    credits = credits.plus(c);
    return { kind, debits: amount(d), credits: amount(c), balance: amount(c.minus(d)), postings: row?.postings ?? 0 };
  });
  return { totalDebits: amount(debits), totalCredits: amount(credits), balanced: debits.equals(credits), byKind };
}

export interface StatementPostingRow {
  administrator: string;
  institutionClave: string;
  period: string;
  concept: string;
  debit: string;
  credit: string;
  paymentDate: string;
  postedAt: string;
}

export interface AccountStatement {
  balance: string;
  accounts: { administrator: string; balance: string; credits: string; debits: string }[];
  periods: {
    period: string;
    total: string;
    movements: { institutionClave: string; period: string; concept: string; administrator: string; amount: string; date: string; postedAt: string }[];
  }[];
}

/**
 * A person's individual account statement: balance per administrator (credits − debits) and the
 * movements grouped per period (newest period first), each with institution, concept, signed
 * amount and payment date.
 */
export function buildAccountStatement(rows: StatementPostingRow[]): AccountStatement {
  const accounts = new Map<string, { credits: Decimal; debits: Decimal }>();
  const periods = new Map<string, AccountStatement['periods'][number] & { sum: Decimal }>();
  let balance = ZERO;
  for (const r of rows) {
    const c = new Decimal(r.credit);
    const d = new Decimal(r.debit);
    const acc = accounts.get(r.administrator) ?? { credits: ZERO, debits: ZERO };
    acc.credits = acc.credits.plus(c);
    acc.debits = acc.debits.plus(d);
    accounts.set(r.administrator, acc);
    balance = balance.plus(c).minus(d);
    const p = periods.get(r.period) ?? { period: r.period, total: '0.00', movements: [], sum: ZERO };
    p.sum = p.sum.plus(c).minus(d);
    p.movements.push({
      institutionClave: r.institutionClave,
      period: r.period,
      concept: r.concept,
      administrator: r.administrator,
      amount: amount(c.minus(d)),
      date: r.paymentDate,
      postedAt: r.postedAt,
    });
    periods.set(r.period, p);
  }
  return {
    balance: amount(balance),
    accounts: [...accounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([administrator, a]) => ({ administrator, balance: amount(a.credits.minus(a.debits)), credits: amount(a.credits), debits: amount(a.debits) })),
    periods: [...periods.values()]
      .sort((a, b) => b.period.localeCompare(a.period))
      .map(({ sum, ...p }) => ({
        ...p,
        total: amount(sum),
        movements: p.movements.sort((a, b) => a.institutionClave.localeCompare(b.institutionClave) || a.concept.localeCompare(b.concept)),
      })),
  };
}
