/**
 * SHM operations: queue sizes and ages, SLA escalations and breaches, ARCO deadlines; and the
 * SLA clock setting (scaled time is refused in production).
 */
import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readShmSlaSettings, SHM_SLA_SETTINGS_KEY } from '../../../activities/shm';
import { shmArcoRequests, shmRegistrations, shmReviewTasks, shmSettings, shmSlaClocks } from '../../../db/schema';
import { virtualNow } from '../../../domain/shm/clock';
import { SLA_TARGETS_V1 } from '../../../domain/shm/sla';
import type { AppDeps } from '../../app';
import { conflict, unprocessable } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { iso } from './common';

const tags = ['shm-operations'];
const queueStat = z.object({ count: z.number(), oldestAgeHours: z.number().nullable() });

const settingsView = z.object({
  clock: z.object({ scaled: z.boolean(), dayMs: z.number().nullable(), origin: z.string().nullable(), anchoredAt: z.string().nullable(), virtualNow: z.string() }),
  targets: z.object({ escalateAfterBusinessDays: z.number(), breachAfterBusinessDays: z.number() }),
});

export const shmOperationsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.get(
    '/v1/shm/operations',
    {
      config: { access: { roles: ['supervisor', 'admin'] } },
      schema: {
        tags,
        summary: 'Queue sizes and ages, registrations in review, escalations and SLA breaches, ARCO deadlines',
        response: {
          200: z.object({
            generatedAt: z.string(),
            queues: z.object({ unassigned: queueStat, claimed: queueStat, escalated: queueStat, appeal: queueStat, waitingApplicant: queueStat }),
            byMunicipality: z.array(z.object({ municipality: z.string().nullable(), open: z.number(), escalated: z.number() })),
            sla: z.object({
              inReview: z.number(),
              escalatedOpen: z.number(),
              breachedOpen: z.number(),
              breachedTotal: z.number(),
              breaches: z.array(z.object({ registrationId: z.string(), profileId: z.string(), version: z.number(), round: z.string(), breachOn: z.string().nullable(), breachedAt: z.string().nullable(), open: z.boolean() })),
            }),
            arco: z.object({ open: z.number(), overdue: z.number() }),
          }),
          ...errorResponses,
        },
      },
    },
    async () => {
      const now = Date.now();
      const stat = async (where: ReturnType<typeof and>) => {
        const [r] = await db
          .select({ count: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${shmReviewTasks.createdAt})` })
          .from(shmReviewTasks)
          .where(where);
        const oldest = r?.oldest ? new Date(r.oldest).getTime() : null;
        return { count: r?.count ?? 0, oldestAgeHours: oldest === null ? null : Math.round(((now - oldest) / 3_600_000) * 10) / 10 };
      };
      const open = eq(shmReviewTasks.status, 'open');
      const [waiting] = await db
        .select({ count: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${shmReviewTasks.decidedAt})` })
        .from(shmReviewTasks)
        .where(and(eq(shmReviewTasks.status, 'correction'), isNull(shmReviewTasks.resolvedAt)));
      const byMunicipality = await db
        .select({
          municipality: shmReviewTasks.municipality,
          open: sql<number>`count(*)::int`,
          escalated: sql<number>`count(${shmReviewTasks.escalatedAt})::int`,
        })
        .from(shmReviewTasks)
        .where(open)
        .groupBy(shmReviewTasks.municipality)
        .orderBy(desc(sql`count(*)`));
      const [inReview] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(shmRegistrations)
        .where(inArray(shmRegistrations.status, ['checking', 'in_review', 'waiting_applicant', 'appeal']));
      const [clockStats] = await db
        .select({
          escalatedOpen: sql<number>`count(*) filter (where ${shmSlaClocks.escalatedAt} is not null and ${shmSlaClocks.stoppedAt} is null)::int`,
          breachedOpen: sql<number>`count(*) filter (where ${shmSlaClocks.breachedAt} is not null and ${shmSlaClocks.stoppedAt} is null)::int`,
          breachedTotal: sql<number>`count(*) filter (where ${shmSlaClocks.breachedAt} is not null)::int`,
        })
        .from(shmSlaClocks);
      const breaches = await db
        .select({ clock: shmSlaClocks, profileId: shmRegistrations.profileId, version: shmRegistrations.version })
        .from(shmSlaClocks)
        .innerJoin(shmRegistrations, eq(shmRegistrations.id, shmSlaClocks.registrationId))
        .where(isNotNull(shmSlaClocks.breachedAt))
        .orderBy(desc(shmSlaClocks.breachedAt))
        .limit(100);
      const [arco] = await db
        .select({
          open: sql<number>`count(*) filter (where ${shmArcoRequests.resolvedAt} is null)::int`,
          overdue: sql<number>`count(*) filter (where ${shmArcoRequests.resolvedAt} is null and ${shmArcoRequests.overdueAt} is not null)::int`,
        })
        .from(shmArcoRequests);
      const waitingOldest = waiting?.oldest ? new Date(waiting.oldest).getTime() : null;
      return {
        generatedAt: new Date(now).toISOString(),
        queues: {
          unassigned: await stat(and(open, isNull(shmReviewTasks.claimedBy))),
          claimed: await stat(and(open, isNotNull(shmReviewTasks.claimedBy))),
          escalated: await stat(and(open, isNotNull(shmReviewTasks.escalatedAt))),
          appeal: await stat(and(open, eq(shmReviewTasks.round, 'appeal'))),
          waitingApplicant: { count: waiting?.count ?? 0, oldestAgeHours: waitingOldest === null ? null : Math.round(((now - waitingOldest) / 3_600_000) * 10) / 10 },
        },
        byMunicipality,
        sla: {
          inReview: inReview?.count ?? 0,
          escalatedOpen: clockStats?.escalatedOpen ?? 0,
          breachedOpen: clockStats?.breachedOpen ?? 0,
          breachedTotal: clockStats?.breachedTotal ?? 0,
          breaches: breaches.map((b) => ({
            registrationId: b.clock.registrationId,
            profileId: b.profileId,
            version: b.version,
            round: b.clock.round,
            breachOn: b.clock.breachOn,
            breachedAt: iso(b.clock.breachedAt),
            open: b.clock.stoppedAt === null,
          })),
        },
        arco: { open: arco?.open ?? 0, overdue: arco?.overdue ?? 0 },
      };
    },
  );

  const toSettingsView = (s: Awaited<ReturnType<typeof readShmSlaSettings>>): z.infer<typeof settingsView> => ({
    clock: {
      scaled: s.clock.dayMs !== null,
      dayMs: s.clock.dayMs,
      origin: s.clock.originMs === null ? null : new Date(s.clock.originMs).toISOString(),
      anchoredAt: s.clock.anchorRealMs === null ? null : new Date(s.clock.anchorRealMs).toISOString(),
      virtualNow: new Date(virtualNow(s.clock, Date.now())).toISOString(),
    },
    targets: s.targets,
  });

  app.get(
    '/v1/shm/operations/sla-settings',
    {
      config: { access: { roles: ['supervisor', 'admin'] } },
      schema: { tags, summary: 'The SLA clock and targets in force', response: { 200: settingsView, ...errorResponses } },
    },
    async () => toSettingsView(await readShmSlaSettings(db)),
  );

  app.put(
    '/v1/shm/operations/sla-settings',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary:
          'Outside production only: scale the SLA clock (one calendar day lasts dayMs real ms, starting at the virtual instant origin) for demos and tests; dayMs null restores real time. Applies to submissions made afterwards.',
        body: z.object({
          dayMs: z.number().int().min(50).max(86_400_000).nullable(),
          origin: z.string().datetime({ offset: true }).optional(),
          targets: z
            .object({ escalateAfterBusinessDays: z.number().int().min(1).max(30), breachAfterBusinessDays: z.number().int().min(1).max(60) })
            .refine((t) => t.breachAfterBusinessDays >= t.escalateAfterBusinessDays, { message: 'El máximo no puede ser menor que la meta.' })
            .optional(),
        }),
        response: { 200: settingsView, ...errorResponses },
      },
    },
    async (request) => {
      if (deps.config.NODE_ENV === 'production') {
        throw conflict('NOT_ALLOWED_IN_PRODUCTION', 'En producción el reloj del SLA es el real y las metas son las de contracts §7 (3 y 5 días hábiles).');
      }
      const b = request.body;
      if (b.dayMs !== null && !b.origin) throw unprocessable('ORIGIN_REQUIRED', 'Indique origin: el instante virtual en que empieza el reloj acelerado.');
      const now = Date.now();
      const value = {
        clock: b.dayMs === null ? { dayMs: null, originMs: null, anchorRealMs: null } : { dayMs: b.dayMs, originMs: Date.parse(b.origin!), anchorRealMs: now },
        targets: b.targets ?? SLA_TARGETS_V1,
      };
      await db
        .insert(shmSettings)
        .values({ key: SHM_SLA_SETTINGS_KEY, value, updatedBy: requirePrincipal(request).id })
        .onConflictDoUpdate({ target: shmSettings.key, set: { value, updatedAt: new Date(now), updatedBy: requirePrincipal(request).id } });
      return toSettingsView(await readShmSlaSettings(db));
    },
  );
};
