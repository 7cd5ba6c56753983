import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const roleEnum = pgEnum('role', [
  'institution', // an institution's payroll staff, scoped to one clave de institución
  'operator', // ISSEMyM operations
  'servant', // a public servant, sees only themself
  'applicant', // SHM applicant, sees only their own profile
  'reviewer', // SHM document reviewer
  'supervisor', // SHM supervisor (escalations)
  'recruiter', // a municipality searching the talent bank
  'admin',
]);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: roleEnum('role').notNull(),
    /** Tenant scope for `institution` users (and recruiters' municipality, later). */
    institutionClave: text('institution_clave'),
    /** Link to the person for `servant` users (set by the registry). */
    personId: uuid('person_id'),
    displayName: text('display_name'),
    disabled: boolean('disabled').notNull().default(false),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('users_institution_idx').on(t.institutionClave)],
);

/** Institutions' systems authenticate with `X-Api-Key`; only a SHA-256 of the key is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    keyHash: text('key_hash').notNull().unique(),
    /** First characters of the key, shown to humans to tell keys apart. */
    prefix: text('prefix').notNull(),
    name: text('name').notNull(),
    institutionClave: text('institution_clave').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_institution_idx').on(t.institutionClave)],
);

/** Access to personal data (CURP, RFC, documents): who, what, why. Append-only. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    actorApiKeyId: uuid('actor_api_key_id'),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    purpose: text('purpose').notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    outcome: text('outcome').notNull().default('allowed'),
  },
  (t) => [index('audit_log_subject_idx').on(t.subjectType, t.subjectId), index('audit_log_at_idx').on(t.at)],
);

/** Login attempts, for rate limiting and lockout evidence. */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    username: text('username').notNull(),
    ip: text('ip'),
    success: boolean('success').notNull(),
    reason: text('reason'),
  },
  (t) => [index('login_attempts_username_at_idx').on(t.username, t.at)],
);

export const nowSql = sql`now()`;
