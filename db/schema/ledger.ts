import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Double-entry ledger of the dispersion (contracts §6, docs/ledger.md). Every centavo deposited
 * for a period is debited to the bank clearing account and credited to where it belongs:
 * individual accounts (per person and administrator), institute funds, the loans portfolio,
 * accessories income and the institution's credit balance. Rules: ledger/; effects:
 * activities/dispersion.ts.
 */

const money = (name: string) => numeric(name, { precision: 16, scale: 2 });

/**
 * Accounts, created on demand by the dispersion. `code` is the natural key:
 * `bank-clearing`, `fund:salud|reparto|admin|riesgo`, `loans-portfolio`, `accessories-income`,
 * `suspense:sci`, `institution-credit:{clave}`, `individual:{personId}:{administrator}`.
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    /** bank-clearing | fund | individual | loans-portfolio | accessories-income | institution-credit | suspense. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** Individual accounts: the person and the administrator (AFORE code or ISSEMYM) holding it. */
    personId: uuid('person_id'),
    administrator: text('administrator'),
    /** Institution-credit accounts: whose credit balance. */
    institutionClave: text('institution_clave'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'ledger_accounts_kind',
      sql`${t.kind} in ('bank-clearing', 'fund', 'individual', 'loans-portfolio', 'accessories-income', 'institution-credit', 'suspense')`,
    ),
    check('ledger_accounts_individual', sql`(${t.kind} = 'individual') = (${t.personId} is not null and ${t.administrator} is not null)`),
    check('ledger_accounts_institution', sql`(${t.kind} = 'institution-credit') = (${t.institutionClave} is not null)`),
    index('ledger_accounts_person_idx').on(t.personId),
  ],
);

/**
 * One balanced journal entry per dispersion run. `entry_key` is its natural key
 * (`dispersion:{submissionId}:{fileId}`): a retried, replayed or duplicated run finds it and writes
 * nothing. Totals are filled in the same transaction as the postings.
 */
export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryKey: text('entry_key').notNull().unique(),
    /** `dispersion` (the only kind so far). */
    kind: text('kind').notNull(),
    submissionId: uuid('submission_id').notNull(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    /** Date of the payment (latest deposit operation date): decides each person's administrator. */
    paymentDate: date('payment_date').notNull(),
    totalDebit: money('total_debit').notNull().default('0'),
    totalCredit: money('total_credit').notNull().default('0'),
    postingCount: integer('posting_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('journal_entries_submission_idx').on(t.submissionId), index('journal_entries_period_idx').on(t.institutionClave, t.period)],
);

/**
 * What each entry consumed: accepted payroll files, applied deposits and paid líneas. The primary
 * key makes every source dispersed at most once, ever (a complement or a late deposit gets its own
 * entry later; nothing is counted twice).
 */
export const journalEntrySources = pgTable(
  'journal_entry_sources',
  {
    /** `file` | `deposit` | `linea`. */
    sourceKind: text('source_kind').notNull(),
    sourceId: uuid('source_id').notNull(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => journalEntries.id),
  },
  (t) => [primaryKey({ columns: [t.sourceKind, t.sourceId] }), index('journal_entry_sources_entry_idx').on(t.entryId)],
);

/**
 * Postings: one side each (exactly one of debit/credit is positive). `person_id` is set only on
 * individual-account postings, which are unique per (person, institution, period, concept)
 * (contracts §6): nothing can credit an individual account twice for the same period.
 */
export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign keys here (like payroll_rows): one dispersion inserts ~2 postings per person and
    // per-row FK triggers doubled the time; the only writer joins to the entry and accounts it uses.
    entryId: uuid('entry_id').notNull(),
    accountId: uuid('account_id').notNull(),
    debit: money('debit').notNull().default('0'),
    credit: money('credit').notNull().default('0'),
    /** e.g. `deposito`, `sci-cuota`, `sci-aportacion`, `salud-cuota`, `riesgo-aportacion`, `recargos`, `excedente`. */
    concept: text('concept').notNull(),
    personId: uuid('person_id'),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    /** The bank deposit behind a bank-clearing debit. */
    depositId: uuid('deposit_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('ledger_postings_one_side', sql`${t.debit} >= 0 and ${t.credit} >= 0 and ((${t.debit} > 0) <> (${t.credit} > 0))`),
    uniqueIndex('ledger_postings_individual_credit')
      .on(t.personId, t.institutionClave, t.period, t.concept)
      .where(sql`person_id is not null`),
    uniqueIndex('ledger_postings_deposit').on(t.depositId).where(sql`deposit_id is not null`),
    // (entry, account): batch totals and administrator files join an entry's postings to accounts
    // in linear time whichever side the planner starts from (fresh bulk inserts have no statistics).
    index('ledger_postings_entry_account_idx').on(t.entryId, t.accountId),
    // The summary reads only the pooled (non-individual) postings of an entry: a handful of rows.
    index('ledger_postings_entry_pooled_idx').on(t.entryId).where(sql`person_id is null`),
    // No index on account_id alone: no read filters postings by account (an individual account's
    // history is read by person through the unique key above, pooled accounts through their
    // entries), and as the only key in random order over the whole history it made each
    // dispersion's 200,000 postings 10–20 % slower to write.
  ],
);

/**
 * Per entry and administrator: the batch of individual-account credits with its control totals.
 * Non-ISSEMYM administrators get a file (AdministratorFileAdapter); `storage_key` is set once the
 * file is stored (content-addressed, so regenerating it gives the same key).
 */
export const dispersionBatches = pgTable(
  'dispersion_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => journalEntries.id),
    submissionId: uuid('submission_id').notNull(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    administrator: text('administrator').notNull(),
    personCount: integer('person_count').notNull(),
    recordCount: integer('record_count').notNull(),
    totalCuota: money('total_cuota').notNull(),
    totalAportacion: money('total_aportacion').notNull(),
    total: money('total').notNull(),
    /** `internal` (ISSEMYM keeps the account) | `file-pending` | `file-ready`. */
    status: text('status').notNull(),
    fileFormat: text('file_format'),
    storageKey: text('storage_key'),
    fileSha256: text('file_sha256'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    fileStoredAt: timestamp('file_stored_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('dispersion_batches_key').on(t.entryId, t.administrator), index('dispersion_batches_submission_idx').on(t.submissionId)],
);
