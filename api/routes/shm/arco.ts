/**
 * Personal data rights (ARCO) and portability: an applicant exports all their data as JSON
 * and files requests (acceso, rectificación, cancelación, oposición) tracked by a workflow
 * against the legal deadline of 20 business days; supervisors answer them.
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { and, asc, desc, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readShmSlaSettings } from '../../../activities/shm';
import {
  shmApplications,
  shmArcoRequests,
  shmConsents,
  shmDocuments,
  shmNotifications,
  shmProfileItems,
  shmRegistrationItems,
  shmRegistrations,
  shmReviewTasks,
  shmScores,
} from '../../../db/schema';
import { virtualNow } from '../../../domain/shm/clock';
import { shmArcoDeadlineUpdate, shmArcoRequestWorkflow, shmArcoResolvedSignal, shmArcoWorkflowId } from '../../../workflows/shm-arco';
import type { AppDeps } from '../../app';
import { auditPersonalDataAccess } from '../../audit';
import { conflict, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { currentApplicant, iso, signalSafely, withTimeout } from './common';

const tags = ['shm-arco'];
const ARCO_TYPES = ['acceso', 'rectificacion', 'cancelacion', 'oposicion'] as const;

const arcoView = z.object({
  id: z.string(),
  type: z.string(),
  description: z.string(),
  status: z.string(),
  receivedAt: z.string(),
  dueOn: z.string().nullable(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  resolution: z.string().nullable(),
  response: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  workflowId: z.string(),
});
type ArcoRow = typeof shmArcoRequests.$inferSelect;
const toView = (r: ArcoRow): z.infer<typeof arcoView> => ({
  id: r.id,
  type: r.type,
  description: r.description,
  status: r.status,
  receivedAt: r.receivedAt.toISOString(),
  dueOn: r.dueOn,
  dueAt: iso(r.dueAt),
  overdue: r.overdueAt !== null,
  resolution: r.resolution,
  response: r.response,
  resolvedAt: iso(r.resolvedAt),
  workflowId: r.workflowId,
});

export const shmArcoRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.get(
    '/v1/shm/arco/export',
    {
      config: { access: { roles: ['applicant'] } },
      schema: { tags, summary: 'Export all my personal data (portability, JSON)', response: { 200: z.record(z.string(), z.unknown()), ...errorResponses } },
    },
    async (request, reply) => {
      const { applicant, profile } = await currentApplicant(db, request);
      await auditPersonalDataAccess(db, request, { action: 'export', subjectType: 'shm-applicant', subjectId: applicant.id, purpose: 'derecho de acceso y portabilidad' });
      const regs = await db.select().from(shmRegistrations).where(eq(shmRegistrations.profileId, profile.id)).orderBy(asc(shmRegistrations.version));
      const regIds = regs.map((r) => r.id);
      const tasks = regIds.length ? await db.select().from(shmReviewTasks).where(inArray(shmReviewTasks.registrationId, regIds)) : [];
      const regItems = regIds.length ? await db.select().from(shmRegistrationItems).where(inArray(shmRegistrationItems.registrationId, regIds)) : [];
      const body = {
        exportedAt: new Date().toISOString(),
        format: 'shm-personal-data-export/v1',
        account: {
          curp: applicant.curp,
          email: applicant.email,
          givenNames: applicant.givenNames,
          firstSurname: applicant.firstSurname,
          secondSurname: applicant.secondSurname,
          sex: applicant.sex,
          birthDate: applicant.birthDate,
          renapoStatus: applicant.renapoStatus,
          status: applicant.status,
          talentBankOptIn: applicant.talentBankOptIn,
          blockedAt: iso(applicant.blockedAt),
          createdAt: applicant.createdAt.toISOString(),
        },
        consents: (await db.select().from(shmConsents).where(eq(shmConsents.applicantId, applicant.id)).orderBy(asc(shmConsents.at))).map((c) => ({
          kind: c.kind,
          noticeVersion: c.noticeVersion,
          granted: c.granted,
          at: c.at.toISOString(),
        })),
        profile: { personal: profile.personal, position: profile.position, currentVersion: profile.currentVersion },
        items: (await db.select().from(shmProfileItems).where(eq(shmProfileItems.profileId, profile.id))).map((i) => ({ id: i.id, kind: i.kind, data: i.data, deletedAt: iso(i.deletedAt) })),
        documents: (await db.select().from(shmDocuments).where(eq(shmDocuments.profileId, profile.id))).map((d) => ({
          id: d.id,
          itemId: d.itemId,
          originalName: d.originalName,
          mime: d.mime,
          size: d.size,
          sha256: d.sha256,
          uploadedAt: d.uploadedAt.toISOString(),
          replacedAt: iso(d.replacedAt),
          download: `/v1/shm/profile/documents/${d.id}`,
        })),
        registrations: regs.map((r) => ({
          id: r.id,
          version: r.version,
          status: r.status,
          submittedAt: r.submittedAt.toISOString(),
          decidedAt: iso(r.decidedAt),
          snapshot: r.snapshot,
          items: regItems.filter((i) => i.registrationId === r.id).map((i) => ({ itemId: i.itemId, kind: i.kind, data: i.data, documentIds: i.documentIds })),
          decisions: tasks
            .filter((t) => t.registrationId === r.id)
            .map((t) => ({ documentId: t.documentId, round: t.round, status: t.status, reason: t.reason, decidedAt: iso(t.decidedAt) })),
        })),
        scores: (await db.select().from(shmScores).where(eq(shmScores.profileId, profile.id)).orderBy(asc(shmScores.computedAt))).map((s) => ({
          registrationId: s.registrationId,
          reason: s.reason,
          asOf: s.asOf,
          total: s.total,
          stars: s.stars,
          breakdown: s.breakdown,
          rubricVersion: s.rubricVersion,
          computedAt: s.computedAt.toISOString(),
        })),
        applications: (await db.select().from(shmApplications).where(eq(shmApplications.applicantId, applicant.id))).map((a) => ({
          vacancyId: a.vacancyId,
          status: a.status,
          appliedAt: a.appliedAt.toISOString(),
        })),
        arcoRequests: (await db.select().from(shmArcoRequests).where(eq(shmArcoRequests.applicantId, applicant.id))).map(toView),
        notifications: (await db.select().from(shmNotifications).where(and(eq(shmNotifications.recipientUserId, applicant.userId), eq(shmNotifications.channel, 'inbox')))).map((n) => ({
          kind: n.kind,
          message: n.message,
          createdAt: n.createdAt.toISOString(),
        })),
      };
      return reply.header('content-disposition', 'attachment; filename="mis-datos-shm.json"').header('cache-control', 'no-store').send(body);
    },
  );

  app.post(
    '/v1/shm/arco',
    {
      config: { access: { roles: ['applicant'] } },
      schema: {
        tags,
        summary: 'File an ARCO request; the answer is due within 20 business days (State of Mexico calendar)',
        body: z.object({ type: z.enum(ARCO_TYPES), description: z.string().trim().min(10, 'Describa su solicitud en al menos 10 caracteres.').max(5000) }),
        response: { 201: arcoView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { applicant, profile } = await currentApplicant(db, request);
      const settings = await readShmSlaSettings(db);
      const [row] = await db
        .insert(shmArcoRequests)
        .values({ applicantId: applicant.id, type: request.body.type, description: request.body.description, workflowId: 'pending', clock: settings.clock, receivedAt: new Date(virtualNow(settings.clock, Date.now())) })
        .returning();
      const workflowId = shmArcoWorkflowId(row!.id);
      await db.update(shmArcoRequests).set({ workflowId }).where(eq(shmArcoRequests.id, row!.id));
      await deps.temporal.workflow.start(shmArcoRequestWorkflow, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ requestId: row!.id, profileId: profile.id, clock: settings.clock }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      await withTimeout(() => deps.temporal.workflow.getHandle(workflowId).executeUpdate(shmArcoDeadlineUpdate), 15_000);
      const [fresh] = await db.select().from(shmArcoRequests).where(eq(shmArcoRequests.id, row!.id));
      return reply.status(201).send(toView(fresh!));
    },
  );

  app.get(
    '/v1/shm/arco',
    {
      config: { access: { roles: ['applicant', 'supervisor', 'admin'] } },
      schema: {
        tags,
        summary: 'ARCO requests: my own (applicants) or all, open or overdue (supervisors)',
        querystring: z.object({ status: z.enum(['open', 'overdue', 'answered', 'all']).default('all') }),
        response: { 200: z.object({ items: z.array(arcoView) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const conditions: SQL[] = [];
      if (p.role === 'applicant') conditions.push(eq(shmArcoRequests.applicantId, (await currentApplicant(db, request)).applicant.id));
      if (request.query.status === 'open') conditions.push(isNull(shmArcoRequests.resolvedAt));
      if (request.query.status === 'overdue') conditions.push(isNotNull(shmArcoRequests.overdueAt), isNull(shmArcoRequests.resolvedAt));
      if (request.query.status === 'answered') conditions.push(isNotNull(shmArcoRequests.resolvedAt));
      const rows = await db
        .select()
        .from(shmArcoRequests)
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(asc(shmArcoRequests.dueOn), desc(shmArcoRequests.receivedAt))
        .limit(500);
      return { items: rows.map(toView) };
    },
  );

  app.post(
    '/v1/shm/arco/:id/resolution',
    {
      config: { access: { roles: ['supervisor', 'admin'] } },
      schema: {
        tags,
        summary: 'Answer an ARCO request; a granted cancellation blocks the profile, a granted opposition removes it from the talent bank',
        params: z.object({ id: z.string().uuid() }),
        body: z.object({ resolution: z.enum(['granted', 'denied', 'partial']), response: z.string().trim().min(10).max(5000) }),
        response: { 200: arcoView, ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const [row] = await db
        .update(shmArcoRequests)
        .set({ status: 'answered', resolution: request.body.resolution, response: request.body.response, resolvedBy: p.id, resolvedAt: new Date() })
        .where(and(eq(shmArcoRequests.id, request.params.id), isNull(shmArcoRequests.resolvedAt)))
        .returning();
      if (!row) {
        const [existing] = await db.select().from(shmArcoRequests).where(eq(shmArcoRequests.id, request.params.id));
        if (!existing) throw notFound('La solicitud ARCO');
        throw conflict('ARCO_ALREADY_ANSWERED', 'La solicitud ya fue respondida.');
      }
      await signalSafely(deps.temporal, request.log, row.workflowId, (h) => h.signal(shmArcoResolvedSignal));
      return toView(row);
    },
  );
};
