/**
 * Chart of accounts of the dispersion ledger (contracts §6). Pure: no I/O. Account codes are the
 * natural keys the activity upserts (`ON CONFLICT (code) DO NOTHING`), so the same account is
 * found by every run.
 */

export const ACCOUNT_KINDS = ['bank-clearing', 'fund', 'individual', 'loans-portfolio', 'accessories-income', 'institution-credit', 'suspense'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Administrator of an individual account when a person has no assignment in force. */
export const DEFAULT_ADMINISTRATOR = 'ISSEMYM';

export const FUNDS = ['salud', 'reparto', 'admin', 'riesgo'] as const;
export type Fund = (typeof FUNDS)[number];

export interface AccountSpec {
  code: string;
  kind: AccountKind;
  name: string;
  institutionClave?: string;
  /** `individual` control accounts: the administrator keeping the accounts. */
  administrator?: string;
}

export const BANK_CLEARING: AccountSpec = { code: 'bank-clearing', kind: 'bank-clearing', name: 'Bancos: cuenta concentradora (depósitos por dispersar)' };
export const LOANS_PORTFOLIO: AccountSpec = { code: 'loans-portfolio', kind: 'loans-portfolio', name: 'Cartera de préstamos (retenciones)' };
export const ACCESSORIES_INCOME: AccountSpec = { code: 'accessories-income', kind: 'accessories-income', name: 'Ingresos por accesorios (actualización y recargos)' };
/** SCI of rows whose person could not be identified: held until the account is located (domain-reference §10.2). */
export const SCI_SUSPENSE: AccountSpec = { code: 'suspense:sci', kind: 'suspense', name: 'SCI por individualizar (cuentas no localizadas)' };

const FUND_NAMES: Readonly<Record<Fund, string>> = {
  salud: 'Fondo de servicios de salud',
  reparto: 'Fondo del sistema solidario de reparto',
  admin: 'Fondo de gastos de administración',
  riesgo: 'Fondo de riesgo de trabajo',
};

export function fundAccount(fund: Fund): AccountSpec {
  return { code: `fund:${fund}`, kind: 'fund', name: FUND_NAMES[fund] };
}

export function institutionCreditAccount(institutionClave: string): AccountSpec {
  return {
    code: `institution-credit:${institutionClave}`,
    kind: 'institution-credit',
    name: `Saldo a favor de la institución ${institutionClave}`,
    institutionClave,
  };
}

/** The fixed accounts every dispersion may post to (plus the `sci:` control account of each administrator it credits). */
export function dispersionAccounts(institutionClave: string): AccountSpec[] {
  return [BANK_CLEARING, ...FUNDS.map(fundAccount), LOANS_PORTFOLIO, ACCESSORIES_INCOME, SCI_SUSPENSE, institutionCreditAccount(institutionClave)];
}

/**
 * The control account of the individual (SCI) accounts an administrator keeps (`sci:{ADMINISTRATOR}`).
 * The journal credits it; the per-person detail is the subsidiary ledger `individual_account_credits`.
 */
export function sciControlAccount(administrator: string): AccountSpec {
  return { code: `sci:${administrator}`, kind: 'individual', name: `Cuentas individuales SCI en ${administrator} (control del auxiliar por persona)`, administrator };
}
