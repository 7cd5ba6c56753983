/**
 * Reviewers' queues (PostgreSQL is the source of truth): list (mine / unassigned / escalated /
 * all, by municipality), claim, release, reassign (supervisors), decide (approve, reject,
 * correction) and bulk actions. Each change is one conditional update in a transaction — only
 * the claimant can decide — and the workflow is signalled after the commit.
 */
import { and, asc, desc, eq, ilike, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notify } from '../../../activities/shm';
import { shmApplicants, shmDocuments, shmProfiles, shmRegistrationItems, shmRegistrations, shmReviewEvents, shmReviewTasks, shmSlaClocks, users } from '../../../db/schema';
import { itemLabel, type ItemData, type ItemKind } from '../../../domain/shm/cedula';
import type { Principal } from '../../../identity/principal';
import { shmAppealWorkflowId } from '../../../workflows/shm-registration';
import { shmTaskClaimedSignal, shmTaskDecidedSignal } from '../../../workflows/shm-review-round';
import type { AppDeps } from '../../app';
import { auditPersonalDataAccess } from '../../audit';
import { AppError, conflict, forbidden, notFound, unprocessable } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { contentDisposition, iso, signalSafely } from './common';

const tags = ['shm-review'];
const STAFF = ['reviewer', 'supervisor'] as const;
type TaskRow = typeof shmReviewTasks.$inferSelect;

const taskView = z.object({
  id: z.string(),
  registrationId: z.string(),
  profileId: z.string(),
  version: z.number(),
  itemId: z.string(),
  itemKind: z.string(),
  documentId: z.string(),
  round: z.string(),
  status: z.string(),
  municipality: z.string().nullable(),
  claimedBy: z.string().nullable(),
  claimedAt: z.string().nullable(),
  escalated: z.boolean(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  ageHours: z.number(),
  dueAt: z.string().nullable(),
  breached: z.boolean(),
});

const DECISIONS = { approve: 'approved', reject: 'rejected', correction: 'correction' } as const;
type Decision = keyof typeof DECISIONS;

export const shmReviewTaskRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  async function viewsOf(rows: TaskRow[]): Promise<z.infer<typeof taskView>[]> {
    if (rows.length === 0) return [];
    const regIds = [...new Set(rows.map((r) => r.registrationId))];
    const regs = await db.select().from(shmRegistrations).where(inArray(shmRegistrations.id, regIds));
    const clocks = await db.select().from(shmSlaClocks).where(inArray(shmSlaClocks.registrationId, regIds));
    const now = Date.now();
    return rows.map((t) => {
      const reg = regs.find((r) => r.id === t.registrationId);
      const clock = clocks.find((c) => c.registrationId === t.registrationId && c.round === t.round);
      return {
        id: t.id,
        registrationId: t.registrationId,
        profileId: t.profileId,
        version: reg?.version ?? 0,
        itemId: t.itemId,
        itemKind: t.itemKind,
        documentId: t.documentId,
        round: t.round,
        status: t.status,
        municipality: t.municipality,
        claimedBy: t.claimedBy,
        claimedAt: iso(t.claimedAt),
        escalated: t.escalatedAt !== null,
        decidedBy: t.decidedBy,
        decidedAt: iso(t.decidedAt),
        reason: t.reason,
        createdAt: t.createdAt.toISOString(),
        ageHours: Math.round(((now - t.createdAt.getTime()) / 3_600_000) * 10) / 10,
        dueAt: clock && !clock.pausedAt ? iso(clock.dueAt) : null,
        breached: clock?.breachedAt != null,
      };
    });
  }

  async function workflowIdOf(task: TaskRow): Promise<string> {
    const [reg] = await db.select().from(shmRegistrations).where(eq(shmRegistrations.id, task.registrationId));
    if (!reg) throw new Error(`registration ${task.registrationId} missing`);
    return task.round === 'appeal' ? shmAppealWorkflowId(reg.profileId, reg.version) : reg.workflowId;
  }

  async function load(taskId: string): Promise<TaskRow> {
    const [task] = await db.select().from(shmReviewTasks).where(eq(shmReviewTasks.id, taskId));
    if (!task) throw notFound('La tarea de revisión');
    return task;
  }

  const claimedByOther = () =>
    conflict('TASK_CLAIMED_BY_OTHER', 'Otra persona revisora reclamó esta tarea; solo quien la reclamó puede decidirla o liberarla. Elija otra tarea de la cola o pida a un supervisor que se la reasigne.');
  const alreadyDecided = (t: TaskRow) => conflict('TASK_ALREADY_DECIDED', `La tarea ya tiene una decisión (${t.status}); no puede cambiarse desde la cola.`);

  async function claim(p: Principal, taskId: string, log: FastifyRequest['log']): Promise<TaskRow> {
    const now = new Date();
    const [updated] = await db
      .update(shmReviewTasks)
      .set({ claimedBy: p.id, claimedAt: now })
      .where(
        and(
          eq(shmReviewTasks.id, taskId),
          eq(shmReviewTasks.status, 'open'),
          isNull(shmReviewTasks.claimedBy),
          or(isNull(shmReviewTasks.excludedReviewer), ne(shmReviewTasks.excludedReviewer, p.id)),
        ),
      )
      .returning();
    if (!updated) {
      const task = await load(taskId);
      if (task.status !== 'open') throw alreadyDecided(task);
      if (task.claimedBy === p.id) return task;
      if (task.excludedReviewer === p.id) throw conflict('SECOND_REVIEWER_REQUIRED', 'Esta tarea es una apelación de una decisión suya; debe revisarla otra persona.');
      throw claimedByOther();
    }
    await db.insert(shmReviewEvents).values({ taskId, registrationId: updated.registrationId, actorUserId: p.id, action: 'claim' });
    await signalSafely(deps.temporal, log, await workflowIdOf(updated), (h) => h.signal(shmTaskClaimedSignal, { taskId, reviewerId: p.id }));
    return updated;
  }

  async function release(p: Principal, taskId: string): Promise<TaskRow> {
    const isSupervisor = p.role === 'supervisor';
    const [updated] = await db
      .update(shmReviewTasks)
      .set({ claimedBy: null, claimedAt: null })
      .where(
        and(eq(shmReviewTasks.id, taskId), eq(shmReviewTasks.status, 'open'), isSupervisor ? isNotNull(shmReviewTasks.claimedBy) : eq(shmReviewTasks.claimedBy, p.id)),
      )
      .returning();
    if (!updated) {
      const task = await load(taskId);
      if (task.status !== 'open') throw alreadyDecided(task);
      if (task.claimedBy === null) return task;
      throw claimedByOther();
    }
    await db.insert(shmReviewEvents).values({ taskId, registrationId: updated.registrationId, actorUserId: p.id, action: 'release' });
    return updated;
  }

  async function decide(p: Principal, taskId: string, decision: Decision, reason: string | undefined, log: FastifyRequest['log']): Promise<TaskRow> {
    const text = reason?.trim() || null;
    if (decision !== 'approve' && !text) {
      throw unprocessable('REASON_REQUIRED', decision === 'reject' ? 'Indique el motivo del rechazo: la persona aspirante lo verá.' : 'Indique qué debe corregir la persona aspirante.');
    }
    const current = await load(taskId);
    if (decision === 'correction' && current.round === 'appeal') {
      throw unprocessable('CORRECTION_NOT_ALLOWED', 'En una apelación solo se aprueba o se rechaza el documento.');
    }
    const updated = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(shmReviewTasks)
        .set({ status: DECISIONS[decision], decidedBy: p.id, decidedAt: new Date(), reason: text })
        .where(and(eq(shmReviewTasks.id, taskId), eq(shmReviewTasks.status, 'open'), eq(shmReviewTasks.claimedBy, p.id)))
        .returning();
      if (!row) {
        const [task] = await tx.select().from(shmReviewTasks).where(eq(shmReviewTasks.id, taskId));
        if (!task) throw notFound('La tarea de revisión');
        if (task.status !== 'open') throw alreadyDecided(task);
        if (task.claimedBy === null) throw conflict('TASK_NOT_CLAIMED', 'Reclame la tarea antes de decidirla (POST /v1/shm/review-tasks/{id}/claim).');
        throw claimedByOther();
      }
      await tx.insert(shmReviewEvents).values({ taskId, registrationId: row.registrationId, actorUserId: p.id, action: `decision:${DECISIONS[decision]}`, detail: text ? { reason: text } : null });
      if (decision === 'correction') {
        const [owner] = await tx
          .select({ userId: shmApplicants.userId })
          .from(shmProfiles)
          .innerJoin(shmApplicants, eq(shmApplicants.id, shmProfiles.applicantId))
          .where(eq(shmProfiles.id, row.profileId));
        const [item] = await tx.select().from(shmRegistrationItems).where(and(eq(shmRegistrationItems.registrationId, row.registrationId), eq(shmRegistrationItems.itemId, row.itemId)));
        const label = item ? itemLabel(item.kind as ItemKind, item.data as ItemData) : 'un elemento de su cédula';
        if (owner) {
          await notify(tx, {
            recipientUserId: owner.userId,
            kind: 'correction-requested',
            subjectType: 'shm-review-task',
            subjectId: row.id,
            message: `Se pidió corregir un documento de ${label}: ${text}. Suba el documento corregido (campo replaces) y reenvíe su cédula; mientras tanto el plazo de revisión está detenido.`,
            dedupeKey: `correction:${row.id}`,
          });
        }
      }
      return row;
    });
    await signalSafely(deps.temporal, log, await workflowIdOf(updated), (h) => h.signal(shmTaskDecidedSignal, { taskId }));
    return updated;
  }

  async function reassign(p: Principal, taskId: string, reviewerId: string, log: FastifyRequest['log']): Promise<TaskRow> {
    const [target] = await db.select().from(users).where(eq(users.id, reviewerId));
    if (!target || target.disabled || (target.role !== 'reviewer' && target.role !== 'supervisor')) {
      throw unprocessable('REVIEWER_NOT_FOUND', 'La persona indicada no es revisora ni supervisora activa.');
    }
    const task = await load(taskId);
    if (task.status !== 'open') throw alreadyDecided(task);
    if (task.excludedReviewer === reviewerId) throw conflict('SECOND_REVIEWER_REQUIRED', 'Esta apelación debe revisarla una persona distinta de quien decidió primero.');
    const [updated] = await db
      .update(shmReviewTasks)
      .set({ claimedBy: reviewerId, claimedAt: new Date() })
      .where(and(eq(shmReviewTasks.id, taskId), eq(shmReviewTasks.status, 'open')))
      .returning();
    if (!updated) throw alreadyDecided(await load(taskId));
    await db.insert(shmReviewEvents).values({ taskId, registrationId: updated.registrationId, actorUserId: p.id, action: 'reassign', detail: { from: task.claimedBy, to: reviewerId } });
    await signalSafely(deps.temporal, log, await workflowIdOf(updated), (h) => h.signal(shmTaskClaimedSignal, { taskId, reviewerId }));
    return updated;
  }

  app.get(
    '/v1/shm/review-tasks',
    {
      config: { access: { roles: STAFF } },
      schema: {
        tags,
        summary: 'Review queue: mine, unassigned, escalated (supervisors) or all open tasks; filter by municipality',
        querystring: z.object({
          scope: z.enum(['mine', 'unassigned', 'escalated', 'all']).default('unassigned'),
          municipality: z.string().trim().min(1).max(100).optional(),
          round: z.enum(['review', 'appeal']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(taskView) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const q = request.query;
      const conditions: SQL[] = [eq(shmReviewTasks.status, 'open')];
      if (q.scope === 'mine') conditions.push(eq(shmReviewTasks.claimedBy, p.id));
      if (q.scope === 'unassigned') {
        conditions.push(isNull(shmReviewTasks.claimedBy));
        conditions.push(or(isNull(shmReviewTasks.excludedReviewer), ne(shmReviewTasks.excludedReviewer, p.id))!);
      }
      if (q.scope === 'escalated') conditions.push(isNotNull(shmReviewTasks.escalatedAt));
      if (q.municipality) conditions.push(ilike(shmReviewTasks.municipality, q.municipality.replace(/[%_\\]/g, '\\$&')));
      if (q.round) conditions.push(eq(shmReviewTasks.round, q.round));
      const rows = await db
        .select()
        .from(shmReviewTasks)
        .where(and(...conditions))
        .orderBy(desc(sql`${shmReviewTasks.escalatedAt} is not null`), asc(shmReviewTasks.createdAt))
        .limit(q.limit);
      return { items: await viewsOf(rows) };
    },
  );

  const idParams = z.object({ id: z.string().uuid() });

  app.get(
    '/v1/shm/review-tasks/:id',
    {
      config: { access: { roles: STAFF } },
      schema: {
        tags,
        summary: "A claimed task with the item as submitted and the applicant's identity (personal data: audited)",
        params: idParams,
        response: {
          200: taskView.extend({
            item: z.record(z.string(), z.unknown()).nullable(),
            document: z.object({ id: z.string(), originalName: z.string(), mime: z.string(), size: z.number(), sha256: z.string() }),
            applicant: z.object({ curp: z.string(), givenNames: z.string().nullable(), firstSurname: z.string().nullable(), secondSurname: z.string().nullable(), renapoStatus: z.string().nullable() }),
            position: z.record(z.string(), z.unknown()).nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const task = await load(request.params.id);
      if (task.claimedBy !== p.id && p.role !== 'supervisor') throw forbidden('Reclame la tarea para ver los datos y el documento de la persona aspirante.');
      const [item] = await db.select().from(shmRegistrationItems).where(and(eq(shmRegistrationItems.registrationId, task.registrationId), eq(shmRegistrationItems.itemId, task.itemId)));
      const [doc] = await db.select().from(shmDocuments).where(eq(shmDocuments.id, task.documentId));
      const [who] = await db
        .select({ applicant: shmApplicants })
        .from(shmProfiles)
        .innerJoin(shmApplicants, eq(shmApplicants.id, shmProfiles.applicantId))
        .where(eq(shmProfiles.id, task.profileId));
      const [reg] = await db.select().from(shmRegistrations).where(eq(shmRegistrations.id, task.registrationId));
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'shm-review-task', subjectId: task.id, purpose: 'revisión documental de la cédula' });
      const [view] = await viewsOf([task]);
      const a = who!.applicant;
      return {
        ...view!,
        item: item ? { kind: item.kind, ...(item.data as Record<string, unknown>) } : null,
        document: { id: doc!.id, originalName: doc!.originalName, mime: doc!.mime, size: doc!.size, sha256: doc!.sha256 },
        applicant: { curp: a.curp, givenNames: a.givenNames, firstSurname: a.firstSurname, secondSurname: a.secondSurname, renapoStatus: a.renapoStatus },
        position: ((reg?.snapshot as { position?: Record<string, unknown> | null } | undefined)?.position ?? null) as Record<string, unknown> | null,
      };
    },
  );

  app.get(
    '/v1/shm/review-tasks/:id/document',
    {
      config: { access: { roles: STAFF } },
      schema: { tags, summary: "Download the task's document (claimant or supervisor; audited)", params: idParams, response: errorResponses },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const task = await load(request.params.id);
      if (task.claimedBy !== p.id && p.role !== 'supervisor') {
        await auditPersonalDataAccess(db, request, { action: 'download', subjectType: 'shm-document', subjectId: task.documentId, purpose: 'revisión documental', outcome: 'denied' });
        throw forbidden('Reclame la tarea para descargar su documento.');
      }
      const [doc] = await db.select().from(shmDocuments).where(eq(shmDocuments.id, task.documentId));
      if (!doc) throw notFound('El documento');
      await auditPersonalDataAccess(db, request, { action: 'download', subjectType: 'shm-document', subjectId: doc.id, purpose: 'revisión documental de la cédula' });
      const stream = await deps.storage.get(doc.storageKey);
      return reply.header('content-type', doc.mime).header('content-disposition', contentDisposition(doc.originalName)).header('cache-control', 'no-store').send(stream as never);
    },
  );

  app.post(
    '/v1/shm/review-tasks/:id/claim',
    {
      config: { access: { roles: STAFF } },
      schema: { tags, summary: 'Claim a task (409 if another reviewer holds it)', params: idParams, response: { 200: taskView, ...errorResponses } },
    },
    async (request) => (await viewsOf([await claim(requirePrincipal(request), request.params.id, request.log)]))[0]!,
  );

  app.post(
    '/v1/shm/review-tasks/:id/release',
    {
      config: { access: { roles: STAFF } },
      schema: { tags, summary: 'Give a claimed task back to the queue (claimant or supervisor)', params: idParams, response: { 200: taskView, ...errorResponses } },
    },
    async (request) => (await viewsOf([await release(requirePrincipal(request), request.params.id)]))[0]!,
  );

  app.post(
    '/v1/shm/review-tasks/:id/reassign',
    {
      config: { access: { roles: ['supervisor'] } },
      schema: {
        tags,
        summary: 'Assign a task to a reviewer (supervisors)',
        params: idParams,
        body: z.object({ reviewerId: z.string().uuid() }),
        response: { 200: taskView, ...errorResponses },
      },
    },
    async (request) => (await viewsOf([await reassign(requirePrincipal(request), request.params.id, request.body.reviewerId, request.log)]))[0]!,
  );

  app.post(
    '/v1/shm/review-tasks/:id/decision',
    {
      config: { access: { roles: STAFF } },
      schema: {
        tags,
        summary: 'Decide a task you claimed: approve, reject (reason) or ask for a correction (reason)',
        params: idParams,
        body: z.object({ decision: z.enum(['approve', 'reject', 'correction']), reason: z.string().max(2000).optional() }),
        response: { 200: taskView, ...errorResponses },
      },
    },
    async (request) => (await viewsOf([await decide(requirePrincipal(request), request.params.id, request.body.decision, request.body.reason, request.log)]))[0]!,
  );

  app.post(
    '/v1/shm/review-tasks/bulk',
    {
      config: { access: { roles: STAFF } },
      schema: {
        tags,
        summary: 'Apply one action to many tasks; each task succeeds or fails on its own',
        body: z.object({
          action: z.enum(['claim', 'release', 'approve', 'reject', 'correction']),
          taskIds: z.array(z.string().uuid()).min(1).max(100),
          reason: z.string().max(2000).optional(),
        }),
        response: {
          200: z.object({
            results: z.array(z.object({ taskId: z.string(), ok: z.boolean(), status: z.string().optional(), error: z.object({ code: z.string(), message: z.string() }).optional() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { action, taskIds, reason } = request.body;
      const results = [];
      for (const taskId of [...new Set(taskIds)]) {
        try {
          const row =
            action === 'claim'
              ? await claim(p, taskId, request.log)
              : action === 'release'
                ? await release(p, taskId)
                : await decide(p, taskId, action, reason, request.log);
          results.push({ taskId, ok: true, status: row.status });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ taskId, ok: false, error: { code: err.code, message: err.message } });
        }
      }
      return { results };
    },
  );
};
