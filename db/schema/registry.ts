import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { institutions } from './reference';

/**
 * PRISMA registry (issue 3): public servants keyed by a surrogate id, found by CURP (current and
 * historical), with their clave ISSEMyM, plazas per institution, salary history, AFORE
 * assignments, movement notices and the RENAPO check cache. Rules: domain/registry; effects:
 * activities/registry.ts.
 */

/** 7-digit payload of system claves ISSEMyM (contracts §1); the Luhn digit is added in code. */
export const claveIssemymSeq = pgSequence('clave_issemym_seq', { startWith: 1, minValue: 1, maxValue: 9_999_999, cache: 1 });
/** Folios of avisos de movimiento (`AM-YYYY-NNNNNNN`). */
export const movementFolioSeq = pgSequence('movement_folio_seq', { startWith: 1, minValue: 1, cache: 1 });
/** Folios of constancias de servicios (`CS-YYYY-NNNNNNN`). */
export const certificateFolioSeq = pgSequence('service_certificate_folio_seq', { startWith: 1, minValue: 1, cache: 1 });

export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Current CURP; every CURP the person ever had (this one included) is in curp_history. */
    curp: text('curp').notNull().unique(),
    /**
     * Assigned once, in the statement that creates the person (sequence + Luhn), never updated.
     * Legacy keys are imported as-is with `claveLegacy = true` (no check digit enforced).
     */
    claveIssemym: text('clave_issemym').notNull().unique(),
    claveLegacy: boolean('clave_legacy').notNull().default(false),
    firstSurname: text('first_surname').notNull(),
    secondSurname: text('second_surname'),
    givenNames: text('given_names').notNull(),
    sex: text('sex'),
    birthDate: date('birth_date'),
    birthState: text('birth_state'),
    rfc: text('rfc'),
    /** Other ids for portability (domain-reference §10.1). */
    nssImss: text('nss_imss'),
    issteNumber: text('issste_number'),
    /** Last RENAPO status seen (AN, AH, …, BD) and when. */
    renapoStatus: text('renapo_status'),
    renapoCheckedAt: timestamp('renapo_checked_at', { withTimezone: true }),
    /** Vigencia de derechos stops from this date (RENAPO BD: baja por defunción). */
    rightsSuspendedFrom: date('rights_suspended_from'),
    rightsSuspendedReason: text('rights_suspended_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('people_rfc_idx').on(t.rfc)],
);

/** Every CURP a person has had (RCC/BCC changes): an old CURP still resolves to the same person. */
export const curpHistory = pgTable(
  'curp_history',
  {
    curp: text('curp').primaryKey(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    /** `alta` (first CURP), `renapo-change` (RCC/BCC), `legacy-import`, `alias` (superseded CURP seen first). */
    reason: text('reason').notNull(),
    /** When the person stopped using this CURP (null for the current one). */
    replacedAt: timestamp('replaced_at', { withTimezone: true }),
    renapoCheckId: uuid('renapo_check_id'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('curp_history_person_idx').on(t.personId)],
);

/** RENAPO ConsultaPorCurp answers (append-only): the cache (by TTL) and the audit of raw responses. */
export const renapoChecks = pgTable(
  'renapo_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    curp: text('curp').notNull(),
    found: boolean('found').notNull(),
    status: text('status'),
    newCurp: text('new_curp'),
    /** The adapter's normalised record (names, sex, birth date, …), null when not found. */
    record: jsonb('record'),
    raw: jsonb('raw').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('renapo_checks_curp_at_idx').on(t.curp, t.checkedAt)],
);

/** Plazas: one row per period of service of a person at an institution. */
export const employments = pgTable(
  'employments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    institutionClave: text('institution_clave')
      .notNull()
      .references(() => institutions.clave),
    /** First day of service (alta/reingreso date). */
    startDate: date('start_date').notNull(),
    /** Last day of service (baja date, inclusive); null while active. */
    endDate: date('end_date'),
    puesto: text('puesto'),
    /** `A` or `R`. */
    openedBy: text('opened_by').notNull(),
    openedByRef: text('opened_by_ref').notNull(),
    closedByRef: text('closed_by_ref'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Natural key of a plaza period.
    uniqueIndex('employments_natural_key').on(t.personId, t.institutionClave, t.startDate),
    // At most one active plaza per person and institution (E032): the guard against duplicate altas.
    uniqueIndex('employments_one_open').on(t.personId, t.institutionClave).where(sql`end_date is null`),
    index('employments_institution_idx').on(t.institutionClave),
  ],
);

/** Sueldo sujeto a cotización per plaza and quincena (movements and, later, payroll files). */
export const salaryHistory = pgTable(
  'salary_history',
  {
    employmentId: uuid('employment_id')
      .notNull()
      .references(() => employments.id),
    period: text('period').notNull(),
    sueldoCotizable: numeric('sueldo_cotizable', { precision: 16, scale: 2 }).notNull(),
    diasCotizados: integer('dias_cotizados'),
    effectiveDate: date('effective_date'),
    /** `movement` or `payroll`, and the notice/row reference. */
    source: text('source').notNull(),
    sourceRef: text('source_ref').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.employmentId, t.period] })],
);

/** Account administrator (AFORE or ISSEMYM) per person with effective dates (contracts §6). */
export const administratorAssignments = pgTable(
  'administrator_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    administratorCode: text('administrator_code').notNull().default('ISSEMYM'),
    effectiveFrom: date('effective_from').notNull(),
    effectiveTo: date('effective_to'),
    sourceDocument: text('source_document'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('administrator_assignments_key').on(t.personId, t.effectiveFrom)],
);

/**
 * Avisos de movimiento sent one at a time through the API (contracts §8). The row holds the
 * personal data; the workflow `movement-notice/{id}` carries only the id.
 */
export const movementNotices = pgTable(
  'movement_notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionClave: text('institution_clave')
      .notNull()
      .references(() => institutions.clave),
    /** `key:<Idempotency-Key>` or `nat:<curp>|<mov>|<fecha>|<payload hash>`: a repeated POST finds its notice. */
    dedupeKey: text('dedupe_key').notNull(),
    payloadHash: text('payload_hash').notNull(),
    movimiento: text('movimiento').notNull(),
    curp: text('curp').notNull(),
    rfc: text('rfc').notNull(),
    primerApellido: text('primer_apellido').notNull(),
    segundoApellido: text('segundo_apellido'),
    nombres: text('nombres').notNull(),
    fechaMovimiento: text('fecha_movimiento'),
    sueldoCotizable: text('sueldo_cotizable'),
    puesto: text('puesto'),
    /** received → validating → applied | rejected | failed. */
    status: text('status').notNull().default('received'),
    stage: text('stage').notNull().default('received'),
    findings: jsonb('findings').notNull().default(sql`'[]'::jsonb`),
    /** CURP confirmed by RENAPO (differs from `curp` after RCC/BCC). */
    effectiveCurp: text('effective_curp'),
    renapoCheckId: uuid('renapo_check_id'),
    personId: uuid('person_id'),
    employmentId: uuid('employment_id'),
    claveIssemym: text('clave_issemym'),
    folio: text('folio').unique(),
    /** The aviso as issued (frozen JSON) and the SHA-256 of its canonical form. */
    aviso: jsonb('aviso'),
    verificationHash: text('verification_hash'),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
    workflowId: text('workflow_id').notNull(),
    submittedByRole: text('submitted_by_role').notNull(),
    submittedById: text('submitted_by_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('movement_notices_dedupe').on(t.institutionClave, t.dedupeKey),
    index('movement_notices_person_idx').on(t.personId),
  ],
);

/**
 * Outcome of every movement applied to the registry, by idempotency key (`notice:<id>`,
 * `payroll:<file>:<row>`, …): the claim row makes a batch idempotent under retries and races.
 */
export const movementApplications = pgTable(
  'movement_applications',
  {
    key: text('key').primaryKey(),
    institutionClave: text('institution_clave').notNull(),
    movimiento: text('movimiento').notNull(),
    fechaMovimiento: date('fecha_movimiento'),
    /** pending (claimed inside the applying transaction) → applied | rejected. */
    status: text('status').notNull(),
    personId: uuid('person_id'),
    employmentId: uuid('employment_id'),
    claveIssemym: text('clave_issemym'),
    personCreated: boolean('person_created').notNull().default(false),
    findings: jsonb('findings').notNull().default(sql`'[]'::jsonb`),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('movement_applications_person_idx').on(t.personId)],
);

/** Constancias de servicios issued (portability): the same content is one folio. */
export const serviceCertificates = pgTable(
  'service_certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    folio: text('folio').notNull().unique(),
    asOf: date('as_of').notNull(),
    content: jsonb('content').notNull(),
    /** SHA-256 of the canonical content (without folio and issue time). */
    verificationHash: text('verification_hash').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('service_certificates_content').on(t.personId, t.verificationHash)],
);
