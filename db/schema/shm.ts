/**
 * SHM (Servicio Hacendario Municipal, IHAEM): applicants, their cédula with supporting
 * documents, registrations (one per submitted profile version) with Postgres-backed review
 * queues and SLA clocks, scores, talent bank, job board, ARCO requests and notifications.
 * Personal data lives here (never in workflow histories); documents are in FileStorage.
 */
import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Versioned privacy notices (simplified and integral texts). */
export const shmPrivacyNotices = pgTable('shm_privacy_notices', {
  version: text('version').primaryKey(),
  simplifiedText: text('simplified_text').notNull(),
  integralText: text('integral_text').notNull(),
  publishedAt: ts('published_at').notNull().defaultNow(),
  isCurrent: boolean('is_current').notNull().default(false),
});

export const shmApplicants = pgTable(
  'shm_applicants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .unique()
      .references(() => users.id),
    curp: text('curp').notNull().unique(),
    email: text('email').notNull(),
    /** Names, sex and birth date as RENAPO returns them. */
    givenNames: text('given_names'),
    firstSurname: text('first_surname'),
    secondSurname: text('second_surname'),
    sex: text('sex'),
    birthDate: date('birth_date'),
    renapoStatus: text('renapo_status'),
    /** verifying → active | rejected (RENAPO check by a workflow). */
    status: text('status').notNull().default('verifying'),
    rejectionReason: text('rejection_reason'),
    talentBankOptIn: boolean('talent_bank_opt_in').notNull().default(false),
    /** ARCO cancellation/opposition: the profile is blocked (hidden, kept until deletion). */
    blockedAt: ts('blocked_at'),
    verificationWorkflowId: text('verification_workflow_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('shm_applicants_opt_in_idx').on(t.talentBankOptIn)],
);

/** Consent log: privacy-notice acceptances and the separate talent-bank opt-in/opt-out. Append-only. */
export const shmConsents = pgTable(
  'shm_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicantId: uuid('applicant_id')
      .notNull()
      .references(() => shmApplicants.id),
    kind: text('kind').notNull(),
    noticeVersion: text('notice_version'),
    granted: boolean('granted').notNull(),
    at: ts('at').notNull().defaultNow(),
    ip: text('ip'),
    requestId: text('request_id'),
  },
  (t) => [index('shm_consents_applicant_idx').on(t.applicantId, t.kind, t.at)],
);

/** Password-reset tokens (only a SHA-256 of the token is stored), single use. */
export const shmPasswordResets = pgTable('shm_password_resets', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** The working copy of an applicant's cédula (personal data and current position). */
export const shmProfiles = pgTable(
  'shm_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicantId: uuid('applicant_id')
      .notNull()
      .unique()
      .references(() => shmApplicants.id),
    personal: jsonb('personal').notNull().default({}),
    position: jsonb('position'),
    municipality: text('municipality'),
    area: text('area'),
    /** Last submitted version (0 = never submitted). */
    currentVersion: integer('current_version').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('shm_profiles_municipality_idx').on(t.municipality)],
);

/** Items of the cédula (study, experience, certification, course); ids are stable across versions. */
export const shmProfileItems = pgTable(
  'shm_profile_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => shmProfiles.id),
    kind: text('kind').notNull(),
    data: jsonb('data').notNull(),
    dataHash: text('data_hash').notNull(),
    sort: integer('sort').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('shm_profile_items_profile_idx').on(t.profileId)],
);

/** Supporting documents (bytes encrypted in FileStorage, content-addressed by SHA-256). */
export const shmDocuments = pgTable(
  'shm_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => shmProfiles.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => shmProfileItems.id),
    storageKey: text('storage_key').notNull(),
    sha256: text('sha256').notNull(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    originalName: text('original_name').notNull(),
    uploadedBy: uuid('uploaded_by'),
    uploadedAt: ts('uploaded_at').notNull().defaultNow(),
    /** Set when the applicant replaces it (e.g. after a correction request). */
    replacedBy: uuid('replaced_by'),
    replacedAt: ts('replaced_at'),
  },
  (t) => [index('shm_documents_item_idx').on(t.itemId), index('shm_documents_profile_idx').on(t.profileId)],
);

/** A submitted profile version; its registration workflow is `shm-registration/{profileId}/v{version}`. */
export const shmRegistrations = pgTable(
  'shm_registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => shmProfiles.id),
    version: integer('version').notNull(),
    /** submitted → checking → in_review ⇄ waiting_applicant → scored | rejected; appeal → in_review → scored. */
    status: text('status').notNull().default('submitted'),
    stage: text('stage').notNull().default('submitted'),
    /** Personal data and position as submitted. */
    snapshot: jsonb('snapshot').notNull(),
    municipality: text('municipality'),
    workflowId: text('workflow_id').notNull(),
    checkFindings: jsonb('check_findings'),
    submittedAt: ts('submitted_at').notNull().defaultNow(),
    decidedAt: ts('decided_at'),
    appealReason: text('appeal_reason'),
    appealedAt: ts('appealed_at'),
  },
  (t) => [uniqueIndex('shm_registrations_profile_version_uq').on(t.profileId, t.version), index('shm_registrations_status_idx').on(t.status)],
);

/** Items as they were when submitted (or re-submitted after a correction). */
export const shmRegistrationItems = pgTable(
  'shm_registration_items',
  {
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => shmRegistrations.id),
    itemId: uuid('item_id')
      .notNull()
      .references(() => shmProfileItems.id),
    kind: text('kind').notNull(),
    data: jsonb('data').notNull(),
    dataHash: text('data_hash').notNull(),
    /** The supporting documents under review for this item (ids of shm_documents). */
    documentIds: jsonb('document_ids').$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.registrationId, t.itemId] })],
);

/**
 * The SLA clock of one review round (`review`, then optionally `appeal`) of a registration,
 * in virtual time when the clock is scaled (see domain/shm/clock.ts).
 */
export const shmSlaClocks = pgTable(
  'shm_sla_clocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => shmRegistrations.id),
    round: text('round').notNull(),
    targets: jsonb('targets').notNull(),
    clock: jsonb('clock').notNull(),
    startedAt: ts('started_at').notNull(),
    /** When the clock last started or resumed. */
    runningSince: ts('running_since'),
    consumedBusinessDays: integer('consumed_business_days').notNull().default(0),
    pausedAt: ts('paused_at'),
    pausedTotalMs: numeric('paused_total_ms', { precision: 20, scale: 0 }).notNull().default('0'),
    escalateOn: date('escalate_on'),
    breachOn: date('breach_on'),
    dueAt: ts('due_at'),
    breachAt: ts('breach_at'),
    escalatedAt: ts('escalated_at'),
    breachedAt: ts('breached_at'),
    stoppedAt: ts('stopped_at'),
  },
  (t) => [uniqueIndex('shm_sla_clocks_registration_round_uq').on(t.registrationId, t.round), index('shm_sla_clocks_breached_idx').on(t.breachedAt)],
);

/** Review queue: one task per document and round. Source of truth for the reviewers' inboxes. */
export const shmReviewTasks = pgTable(
  'shm_review_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => shmRegistrations.id),
    profileId: uuid('profile_id').notNull(),
    itemId: uuid('item_id').notNull(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => shmDocuments.id),
    itemKind: text('item_kind').notNull(),
    round: text('round').notNull().default('review'),
    /** open → approved | rejected | correction. */
    status: text('status').notNull().default('open'),
    municipality: text('municipality'),
    claimedBy: uuid('claimed_by').references(() => users.id),
    claimedAt: ts('claimed_at'),
    escalatedAt: ts('escalated_at'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: ts('decided_at'),
    reason: text('reason'),
    /** An approval kept from an earlier version (item and document unchanged). */
    carriedOver: boolean('carried_over').notNull().default(false),
    /** Appeals go to a second reviewer: the one who decided first may not decide again. */
    excludedReviewer: uuid('excluded_reviewer'),
    /** A correction answered by the applicant (its replacement has its own task). */
    resolvedAt: ts('resolved_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('shm_review_tasks_doc_round_uq').on(t.registrationId, t.round, t.documentId),
    index('shm_review_tasks_queue_idx').on(t.status, t.claimedBy, t.createdAt),
    index('shm_review_tasks_registration_idx').on(t.registrationId),
  ],
);

/** Who did what on the review queues (claim, release, reassign, decisions, escalation). Append-only. */
export const shmReviewEvents = pgTable(
  'shm_review_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id'),
    registrationId: uuid('registration_id').notNull(),
    actorUserId: uuid('actor_user_id'),
    action: text('action').notNull(),
    detail: jsonb('detail'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('shm_review_events_registration_idx').on(t.registrationId, t.at)],
);

/** Scores with their rubric version and breakdown; the latest per profile is the current one. */
export const shmScores = pgTable(
  'shm_scores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    profileId: uuid('profile_id').notNull(),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => shmRegistrations.id),
    /** review | appeal | expiry. */
    reason: text('reason').notNull(),
    asOf: date('as_of').notNull(),
    total: numeric('total', { precision: 5, scale: 2 }).notNull(),
    stars: integer('stars').notNull(),
    breakdown: jsonb('breakdown').notNull(),
    rubricVersion: text('rubric_version').notNull(),
    input: jsonb('input').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    computedAt: ts('computed_at').notNull().defaultNow(),
  },
  (t) => [index('shm_scores_profile_idx').on(t.profileId, t.computedAt)],
);

/** Certification events already handled (reminders sent, expiries recomputed). */
export const shmCertificationEvents = pgTable('shm_certification_events', {
  key: text('key').primaryKey(),
  profileId: uuid('profile_id').notNull(),
  kind: text('kind').notNull(),
  processedAt: ts('processed_at').notNull().defaultNow(),
});

/** Inbox/e-mail outbox for applicants and staff; `dedupeKey` makes every notice happen once. */
export const shmNotifications = pgTable(
  'shm_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recipientUserId: uuid('recipient_user_id'),
    recipientRole: text('recipient_role'),
    channel: text('channel').notNull().default('inbox'),
    kind: text('kind').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    message: text('message').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    createdAt: ts('created_at').notNull().defaultNow(),
    readAt: ts('read_at'),
  },
  (t) => [index('shm_notifications_user_idx').on(t.recipientUserId, t.createdAt), index('shm_notifications_role_idx').on(t.recipientRole, t.createdAt)],
);

export const shmVacancies = pgTable(
  'shm_vacancies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recruiterUserId: uuid('recruiter_user_id')
      .notNull()
      .references(() => users.id),
    municipality: text('municipality').notNull(),
    title: text('title').notNull(),
    area: text('area'),
    description: text('description').notNull(),
    minStars: integer('min_stars').notNull().default(1),
    certification: text('certification'),
    status: text('status').notNull().default('open'),
    closesOn: date('closes_on'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('shm_vacancies_status_idx').on(t.status, t.createdAt)],
);

export const shmApplications = pgTable(
  'shm_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => shmVacancies.id),
    applicantId: uuid('applicant_id')
      .notNull()
      .references(() => shmApplicants.id),
    profileId: uuid('profile_id').notNull(),
    /** submitted → reviewing → shortlisted | rejected | hired; withdrawn by the applicant. */
    status: text('status').notNull().default('submitted'),
    areaMatch: boolean('area_match').notNull().default(false),
    appliedAt: ts('applied_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('shm_applications_vacancy_applicant_uq').on(t.vacancyId, t.applicantId)],
);

/** ARCO requests (acceso, rectificación, cancelación, oposición) with their legal deadline. */
export const shmArcoRequests = pgTable(
  'shm_arco_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicantId: uuid('applicant_id')
      .notNull()
      .references(() => shmApplicants.id),
    type: text('type').notNull(),
    description: text('description').notNull(),
    /** received → answered (granted | denied | partial); overdue is a flag. */
    status: text('status').notNull().default('received'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    clock: jsonb('clock'),
    dueOn: date('due_on'),
    dueAt: ts('due_at'),
    overdueAt: ts('overdue_at'),
    resolution: text('resolution'),
    response: text('response'),
    resolvedBy: uuid('resolved_by'),
    resolvedAt: ts('resolved_at'),
    executedAt: ts('executed_at'),
    workflowId: text('workflow_id').notNull(),
  },
  (t) => [index('shm_arco_requests_applicant_idx').on(t.applicantId), index('shm_arco_requests_status_idx').on(t.status, t.dueOn)],
);

/** Operational settings (e.g. the SLA clock scale outside production). */
export const shmSettings = pgTable('shm_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().default(sql`now()`),
  updatedBy: uuid('updated_by'),
});
