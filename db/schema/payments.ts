import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const money = (name: string) => numeric(name, { precision: 16, scale: 2 });

/**
 * Líneas de captura (contracts §4): one per (institution, period, sequence). A línea has one
 * amount forever; a new amount (accessories, a complement) is a new sequence.
 */
export const lineasCaptura = pgTable(
  'lineas_captura',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    linea: text('linea').notNull().unique(),
    submissionId: uuid('submission_id').notNull(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    sequence: integer('sequence').notNull(),
    /** What the línea asks for: balance due plus accessories at issue time. */
    amount: money('amount').notNull(),
    /** Principal (determinación balance) and accessories included in `amount`. */
    principal: money('principal').notNull(),
    actualizacion: money('actualizacion').notNull().default('0'),
    recargos: money('recargos').notNull().default('0'),
    lateMonths: integer('late_months').notNull().default(0),
    dueDate: date('due_date').notNull(),
    validUntil: date('valid_until').notNull(),
    /** active → paid | superseded (a newer línea replaced it) | expired. */
    status: text('status').notNull().default('active'),
    /** Natural key of the issue request, so a retried activity issues nothing twice. */
    issueKey: text('issue_key').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('lineas_sequence').on(t.institutionClave, t.period, t.sequence),
    uniqueIndex('lineas_issue_key').on(t.issueKey),
    index('lineas_submission').on(t.submissionId),
  ],
);

/** Every deposit the bank reported (webhook or statement), once per (bank, tracking key). */
export const bankDeposits = pgTable(
  'bank_deposits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bank: text('bank').notNull(),
    trackingKey: text('tracking_key').notNull(),
    account: text('account'),
    operationDate: date('operation_date').notNull(),
    valueDate: date('value_date').notNull(),
    amount: money('amount').notNull(),
    reference: text('reference').notNull(),
    payerName: text('payer_name'),
    payerAccount: text('payer_account'),
    /** `webhook` or `statement`: whichever reported it first. */
    source: text('source').notNull(),
    raw: jsonb('raw').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** received → applied (to a period) | queued (operators' review) | refunded. */
    status: text('status').notNull().default('received'),
    lineaId: uuid('linea_id'),
    submissionId: uuid('submission_id'),
    /** How much of the deposit paid the period and how much became the institution's credit. */
    appliedAmount: money('applied_amount'),
    excessAmount: money('excess_amount'),
    /** How the applied amount was split (CFF art. 20 order: recargos, actualización, principal). */
    recargosPaid: money('recargos_paid'),
    actualizacionPaid: money('actualizacion_paid'),
    principalPaid: money('principal_paid'),
    matchResult: text('match_result'),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('bank_deposits_identity').on(t.bank, t.trackingKey),
    index('bank_deposits_reference').on(t.reference),
    index('bank_deposits_submission').on(t.submissionId),
    index('bank_deposits_linea').on(t.lineaId),
  ],
);

/** Rejected webhook calls (bad signature, bad body): recorded, never applied. */
export const bankNotificationAttempts = pgTable('bank_notification_attempts', {
  id: uuid('id').primaryKey().defaultRandom(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  ip: text('ip'),
  outcome: text('outcome').notNull(),
  detail: text('detail'),
  bodySha256: text('body_sha256'),
});

/** Deposits that cannot be applied automatically (unknown or expired reference…): operators decide. */
export const paymentReviewQueue = pgTable(
  'payment_review_queue',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    depositId: uuid('deposit_id').notNull(),
    reason: text('reason').notNull(),
    detail: text('detail').notNull(),
    /** open → assigned (to a period) | refunded. */
    status: text('status').notNull().default('open'),
    resolution: jsonb('resolution').notNull().default(sql`'{}'::jsonb`),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payment_review_deposit').on(t.depositId)],
);

/** Unpaid periods past the configured days: a crédito fiscal for operators to pursue. */
export const creditosFiscales = pgTable(
  'creditos_fiscales',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    submissionId: uuid('submission_id').notNull().unique(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    balanceDue: money('balance_due').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status').notNull().default('open'),
  },
);

/** CFDI 4.0 "ingreso" invoices issued after full payment, stamped by the PAC. */
export const cfdis = pgTable('cfdis', {
  id: uuid('id').primaryKey().defaultRandom(),
  submissionId: uuid('submission_id').notNull().unique(),
  uuid: text('uuid').notNull().unique(),
  serie: text('serie').notNull(),
  folio: text('folio').notNull(),
  total: money('total').notNull(),
  storageKey: text('storage_key').notNull(),
  stampedAt: timestamp('stamped_at', { withTimezone: true }).notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
});
