/**
 * The dispersion invariant (contracts §6): Σ credits = Σ deposits = Σ debits of the bank clearing
 * account, and the bank clearing account is the only one debited. Checked on the entry's postings
 * inside the writing transaction, before commit. Pure and exact (decimal strings in, no floats).
 */
import { Decimal, toAmountString } from '../domain/money';

export const LEDGER_INVARIANT_VIOLATION = 'LedgerInvariantViolation';

export interface EntryTotals {
  /** Σ amount of the deposits the entry disperses (excess included). */
  deposits: string;
  /** Σ debits of the entry's postings to the bank clearing account. */
  bankClearingDebits: string;
  /** Σ debits of all the entry's postings. */
  totalDebits: string;
  /** Σ credits of all the entry's postings. */
  totalCredits: string;
}

export type InvariantCheck = { ok: true; amount: string } | { ok: false; message: string; totals: EntryTotals };

export function checkDispersionInvariant(totals: EntryTotals): InvariantCheck {
  const deposits = new Decimal(totals.deposits);
  const bank = new Decimal(totals.bankClearingDebits);
  const debits = new Decimal(totals.totalDebits);
  const credits = new Decimal(totals.totalCredits);
  const problems: string[] = [];
  if (!credits.equals(deposits)) {
    const diff = credits.minus(deposits);
    problems.push(
      `Σ créditos ${toAmountString(credits)} ≠ Σ depósitos ${toAmountString(deposits)} (diferencia ${toAmountString(diff)}: ` +
        (diff.isPositive() ? 'lo determinado excede lo depositado; ¿el periodo está pagado por completo?' : 'hay depósitos sin destino') +
        ')',
    );
  }
  if (!bank.equals(deposits)) problems.push(`Σ cargos a bancos ${toAmountString(bank)} ≠ Σ depósitos ${toAmountString(deposits)}`);
  if (!debits.equals(bank)) problems.push(`hay cargos a cuentas distintas de bancos (${toAmountString(debits.minus(bank))})`);
  if (deposits.isZero() && credits.isZero()) problems.push('la póliza no tiene importes');
  if (problems.length > 0) return { ok: false, message: `La dispersión no cuadra: ${problems.join('; ')}.`, totals };
  return { ok: true, amount: toAmountString(deposits) };
}

/** Σ of one (administrator, concept) of the individual accounts, as decimal strings. */
export interface IndividualTotal {
  administrator: string;
  concept: string;
  amount: string;
}

/**
 * The subsidiary ledger agrees with the journal: for every administrator and concept, the
 * per-person credits written to `individual_account_credits` add up to exactly the entry's credit
 * to that administrator's control account (zero totals are not posted, so they are skipped).
 */
export function checkSubledgerMatchesControl(detail: IndividualTotal[], control: IndividualTotal[]): { ok: true } | { ok: false; message: string } {
  const sums = (rows: IndividualTotal[]) => {
    const byKey = new Map<string, Decimal>();
    for (const r of rows) {
      const key = `${r.administrator} ${r.concept}`;
      byKey.set(key, (byKey.get(key) ?? new Decimal(0)).plus(r.amount));
    }
    return byKey;
  };
  const d = sums(detail);
  const c = sums(control);
  const problems: string[] = [];
  for (const key of new Set([...d.keys(), ...c.keys()])) {
    const inDetail = d.get(key) ?? new Decimal(0);
    const inControl = c.get(key) ?? new Decimal(0);
    if (!inDetail.equals(inControl)) {
      problems.push(`${key}: auxiliar por persona ${toAmountString(inDetail)} ≠ cuenta de control ${toAmountString(inControl)}`);
    }
  }
  if (problems.length > 0) return { ok: false, message: `Las cuentas individuales no cuadran con su cuenta de control: ${problems.join('; ')}.` };
  return { ok: true };
}
