import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const money = (name: string) => numeric(name, { precision: 16, scale: 2 });

/** One per institution and period: the quincenal submission, across all its file versions. */
export const payrollSubmissions = pgTable(
  'payroll_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionClave: text('institution_clave').notNull(),
    period: text('period').notNull(),
    workflowId: text('workflow_id').notNull(),
    /** uploaded → validating → awaiting-decision → accepted → … (part 2 continues the timeline). */
    stage: text('stage').notNull().default('uploaded'),
    /** The version the institution accepted (its valid rows are the determinación that is paid). */
    acceptedFileId: uuid('accepted_file_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payroll_submissions_business_key').on(t.institutionClave, t.period)],
);

/** Every file uploaded for a submission. The same bytes twice are one row (sha256 unique). */
export const payrollFiles = pgTable(
  'payroll_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    submissionId: uuid('submission_id').notNull().references(() => payrollSubmissions.id),
    version: integer('version').notNull(),
    /** `full` replaces the previous version; `complementary` adds rows quarantined earlier. */
    kind: text('kind').notNull().default('full'),
    storageKey: text('storage_key').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    originalName: text('original_name').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
    /** received → staged → validated → computed; or superseded / withdrawn / accepted. */
    status: text('status').notNull().default('received'),
    format: text('format'),
    encoding: text('encoding'),
    /** Rows committed to payroll_rows so far: the resume point after a crash. */
    stagedRows: integer('staged_rows').notNull().default(0),
    stagingDone: boolean('staging_done').notNull().default(false),
    fileRejected: boolean('file_rejected').notNull().default(false),
    rowCount: integer('row_count'),
    validRows: integer('valid_rows'),
    rejectedRows: integer('rejected_rows'),
    warningRows: integer('warning_rows'),
    validatedAt: timestamp('validated_at', { withTimezone: true }),
    computedAt: timestamp('computed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('payroll_files_same_bytes').on(t.submissionId, t.sha256),
    uniqueIndex('payroll_files_version').on(t.submissionId, t.version),
  ],
);

/** Staged rows of a file, normalised, with their computed contributions. */
export const payrollRows = pgTable(
  'payroll_rows',
  {
    fileId: uuid('file_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    curp: text('curp'),
    claveIssemym: text('clave_issemym'),
    rfc: text('rfc'),
    primerApellido: text('primer_apellido'),
    segundoApellido: text('segundo_apellido'),
    nombres: text('nombres'),
    movimiento: text('movimiento'),
    fechaMovimiento: date('fecha_movimiento'),
    sueldoCotizable: money('sueldo_cotizable'),
    diasCotizados: integer('dias_cotizados'),
    puesto: text('puesto'),
    retPrestamoCorto: money('ret_prestamo_corto'),
    retPrestamoHipotecario: money('ret_prestamo_hipotecario'),
    retOtros: money('ret_otros'),
    afore: text('afore'),
    /** Row-level errors block the row; warnings do not. */
    rejected: boolean('rejected').notNull().default(false),
    hasWarnings: boolean('has_warnings').notNull().default(false),
    cuotaSalud: money('cuota_salud'),
    cuotaReparto: money('cuota_reparto'),
    cuotaSci: money('cuota_sci'),
    aportSalud: money('aport_salud'),
    aportReparto: money('aport_reparto'),
    aportSci: money('aport_sci'),
    aportAdmin: money('aport_admin'),
    aportRiesgo: money('aport_riesgo'),
    personId: uuid('person_id'),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.rowNumber] }), index('payroll_rows_curp_idx').on(t.fileId, t.curp)],
);

/** Findings of a file (row null = file level). Codes and texts: domain/payroll/findings.ts. */
export const payrollFindings = pgTable(
  'payroll_findings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fileId: uuid('file_id').notNull(),
    rowNumber: integer('row_number'),
    column: text('column'),
    code: text('code').notNull(),
    severity: text('severity').notNull(),
    value: text('value'),
    message: text('message').notNull(),
    /** Which pass produced it: `row` (while staging) or a set-based check name; re-runs replace their own. */
    pass: text('pass').notNull(),
  },
  (t) => [index('payroll_findings_file_idx').on(t.fileId, t.rowNumber), index('payroll_findings_code_idx').on(t.fileId, t.code)],
);

/** The determinación of a file version: totals per party and concept, exact decimals. */
export const determinaciones = pgTable('determinaciones', {
  fileId: uuid('file_id').primaryKey(),
  submissionId: uuid('submission_id').notNull(),
  period: text('period').notNull(),
  ratesApplied: jsonb('rates_applied').notNull(),
  usesUnverifiedRates: boolean('uses_unverified_rates').notNull(),
  totals: jsonb('totals').notNull(),
  totalCuotas: money('total_cuotas').notNull(),
  totalAportaciones: money('total_aportaciones').notNull(),
  totalRetenciones: money('total_retenciones').notNull(),
  totalDue: money('total_due').notNull(),
  rowsComputed: integer('rows_computed').notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Timeline of a submission: every stage change with its time, shown to the institution. */
export const submissionEvents = pgTable(
  'submission_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    submissionId: uuid('submission_id').notNull(),
    /** Natural key of the event so retries record it once (e.g. `validated:v2`). */
    eventKey: text('event_key').notNull(),
    stage: text('stage').notNull(),
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('submission_events_key').on(t.submissionId, t.eventKey)],
);
