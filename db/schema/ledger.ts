import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Double-entry ledger of the dispersion (contracts §6, docs/ledger.md). Every centavo deposited
 * for a period is debited to the bank clearing account and credited to where it belongs:
 * individual accounts, institute funds, the loans portfolio, accessories income and the
 * institution's credit balance. Individual accounts are kept the way accountants keep many small
 * accounts: the journal credits one control account per administrator, and the subsidiary ledger
 * `individual_account_credits` holds the per-person detail whose sums are those control postings.
 * Rules: ledger/; effects: activities/dispersion.ts.
 */

const money = (name: string) => numeric(name, { precision: 16, scale: 2 });

/**
 * Accounts, created on demand by the dispersion. `code` is the natural key:
 * `bank-clearing`, `fund:salud|reparto|admin|riesgo`, `loans-portfolio`, `accessories-income`,
 * `suspense:sci`, `institution-credit:{clave}`, `sci:{administrator}` (the control account of the
 * individual accounts an administrator keeps; the per-person detail is individual_account_credits).
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    /** bank-clearing | fund | individual | loans-portfolio | accessories-income | institution-credit | suspense. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** Individual accounts' control account: the administrator (AFORE code or ISSEMYM) keeping them. */
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
    check('ledger_accounts_individual', sql`(${t.kind} = 'individual') = (${t.administrator} is not null)`),
    check('ledger_accounts_institution', sql`(${t.kind} = 'institution-credit') = (${t.institutionClave} is not null)`),
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
 * Postings: one side each (exactly one of debit/credit is positive). An entry has a handful: one
 * debit per deposit and one credit per destination and concept (the individual accounts' through
 * their administrator's control account), so nothing here grows with the number of people.
 */
export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    entryId: uuid('entry_id').notNull(),
    accountId: uuid('account_id').notNull(),
    debit: money('debit').notNull().default('0'),
    credit: money('credit').notNull().default('0'),
    /** e.g. `deposito`, `sci-cuota`, `sci-aportacion`, `salud-cuota`, `riesgo-aportacion`, `recargos`, `excedente`. */
    concept: text('concept').notNull(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    /** The bank deposit behind a bank-clearing debit. */
    depositId: uuid('deposit_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('ledger_postings_one_side', sql`${t.debit} >= 0 and ${t.credit} >= 0 and ((${t.debit} > 0) <> (${t.credit} > 0))`),
    uniqueIndex('ledger_postings_deposit').on(t.depositId).where(sql`deposit_id is not null`),
    index('ledger_postings_entry_idx').on(t.entryId),
  ],
);

/**
 * The individual accounts' subsidiary ledger: what each dispersion credited to each person, per
 * concept, at the administrator in force on the payment date. Its sums per entry, administrator
 * and concept are the entry's credits to that administrator's `sci:` control account (written from
 * these rows in the same statement chain and checked before commit).
 *
 * One row per (person, institution, period) holds both SCI concepts: the primary key is the
 * contract's uniqueness (contracts §6: one credit per person, institution, period and concept),
 * made one row stronger — cuota and aportación are both proportional to the same salary, so a
 * person credited for a period is credited for both at once. The key leads with the person, so a
 * person's statement reads through it; the entry index serves the batch files and the invariants.
 * It is the one index in random order: with the key led by institution and period plus a person
 * index, each dispersion built two B-trees in random order (99,000 rows: 0.89–1.17 s against
 * 0.45–0.76 s this way, heap alone 0.11–0.15 s). No foreign keys (like payroll_rows): the only
 * writer joins to what it references.
 */
export const individualAccountCredits = pgTable(
  'individual_account_credits',
  {
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    personId: uuid('person_id').notNull(),
    /** AFORE code or ISSEMYM: who keeps the account on the payment date. */
    administrator: text('administrator').notNull(),
    entryId: uuid('entry_id').notNull(),
    /** `sci-cuota`. */
    cuota: money('cuota').notNull(),
    /** `sci-aportacion`. */
    aportacion: money('aportacion').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'individual_account_credits_pkey', columns: [t.personId, t.institutionClave, t.period] }),
    check('individual_account_credits_amounts', sql`${t.cuota} >= 0 and ${t.aportacion} >= 0 and (${t.cuota} > 0 or ${t.aportacion} > 0)`),
    // Same value for all of one dispersion's rows: appended at one place and deduplicated, cheap to write.
    index('individual_account_credits_entry_idx').on(t.entryId),
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
