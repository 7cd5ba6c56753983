import { boolean, date, numeric, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Public institutions that report payroll to ISSEMyM (state agencies, municipalities, bodies). */
export const institutions = pgTable('institutions', {
  clave: text('clave').primaryKey(),
  name: text('name').notNull(),
  rfc: text('rfc').notNull(),
  kind: text('kind').notNull(),
  /** Receiver data of the CFDI: must match the institution's SAT record. */
  fiscalPostalCode: text('fiscal_postal_code').notNull().default('50000'),
  fiscalRegime: text('fiscal_regime').notNull().default('603'),
  /** Payroll liaison (enlace), confirmed against RENAPO at registration. */
  contactCurp: text('contact_curp').notNull(),
  contactName: text('contact_name').notNull(),
  contactEmail: text('contact_email').notNull(),
  contactRenapoStatus: text('contact_renapo_status'),
  /** pending → active | rejected, driven by the registration workflow. */
  status: text('status').notNull().default('pending'),
  rejectionReason: text('rejection_reason'),
  registrationWorkflowId: text('registration_workflow_id'),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Rate table of contracts §3: data, versioned by effective date, with the legal source. */
export const contributionRates = pgTable('contribution_rates', {
  id: uuid('id').primaryKey().defaultRandom(),
  concept: text('concept').notNull(),
  party: text('party').notNull(),
  rate: numeric('rate', { precision: 12, scale: 8 }).notNull(),
  effectiveFrom: date('effective_from').notNull(),
  effectiveTo: date('effective_to'),
  legalSource: text('legal_source').notNull(),
  verified: boolean('verified').notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Monthly accessory rates per fiscal year (of the due date), contracts §4. */
export const accessoryRates = pgTable('accessory_rates', {
  fiscalYear: numeric('fiscal_year', { precision: 4, scale: 0 }).primaryKey(),
  actualizacion: numeric('actualizacion', { precision: 12, scale: 8 }).notNull(),
  recargos: numeric('recargos', { precision: 12, scale: 8 }).notNull(),
  legalSource: text('legal_source').notNull(),
  verified: boolean('verified').notNull(),
});

/**
 * Non-business days per calendar (State of Mexico by default). Generated rows come from the
 * rules in domain/calendar; an admin can add days (`holiday`, `vacation`, `suspension`) or
 * cancel a generated one with kind `workday`.
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    calendarId: text('calendar_id').notNull(),
    date: date('date').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    source: text('source').notNull(),
    isOverride: boolean('is_override').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.calendarId, t.date] })],
);
