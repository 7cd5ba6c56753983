import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Outbox of notices to people and institutions (reminders, escalations, receipts). A delivery
 * channel (e-mail, SMS) reads from here; `dedupeKey` makes every notice idempotent.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dedupeKey: text('dedupe_key').notNull(),
    recipientType: text('recipient_type').notNull(),
    recipientId: text('recipient_id').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    data: jsonb('data'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('notifications_dedupe').on(t.dedupeKey), index('notifications_recipient').on(t.recipientType, t.recipientId)],
);
