/**
 * The applicant's cédula: read and update (items keep stable ids), supporting documents
 * (checked by content, encrypted, downloads audited), submission (a new profile version and
 * its registration workflow; or the re-submission of corrections), score and appeal.
 */
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { fileTypeFromBuffer } from 'file-type';
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { z } from 'zod';
import { hashItemData, readShmSlaSettings } from '../../../activities/shm';
import type { Db } from '../../../db/client';
import {
  shmConsents,
  shmDocuments,
  shmProfileItems,
  shmProfiles,
  shmRegistrationItems,
  shmRegistrations,
  shmReviewEvents,
  shmReviewTasks,
  shmScores,
  shmSlaClocks,
} from '../../../db/schema';
import { checkCompleteness, itemLabel, type ItemData, type ItemKind, type PositionData } from '../../../domain/shm/cedula';
import { virtualNow } from '../../../domain/shm/clock';
import { checkDocumentType, sanitizeFilename, SHM_DOCUMENT_MAX_BYTES } from '../../../domain/shm/documents';
import { mexicoDateOf } from '../../../domain/dates';
import { TooLargeError } from '../../../platform/storage';
import { shmAppealWorkflow, shmAppealWorkflowId, shmRegistrationWorkflow, shmRegistrationWorkflowId } from '../../../workflows/shm-registration';
import { shmCorrectionsSubmittedSignal, shmDeadlinesUpdate } from '../../../workflows/shm-review-round';
import type { AppDeps } from '../../app';
import { auditPersonalDataAccess } from '../../audit';
import { AppError, conflict, notFound, unprocessable } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { contentDisposition, currentApplicant, currentPrivacyNotice, iso, profileBody, SECTIONS, signalSafely, withTimeout, type ApplicantRow, type ProfileRow } from './common';

const tags = ['shm-profile'];
export const ACTIVE_STATUSES = ['submitted', 'checking', 'in_review', 'waiting_applicant', 'appeal'];

/** Reads the first `n` bytes of a stream for type detection and gives back the whole stream. */
async function sniff(source: Readable, n: number): Promise<{ head: Buffer; stream: Readable; drain(): Promise<void> }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const r = await iterator.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    length += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* all() {
    yield head;
    if (done) return;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return {
    head,
    stream: ReadableStream.from(all()),
    async drain() {
      if (done) return;
      for (;;) if ((await iterator.next()).done) return;
    },
  };
}

const slaView = z
  .object({
    round: z.string(),
    dueAt: z.string().nullable(),
    breachAt: z.string().nullable(),
    escalateOn: z.string().nullable(),
    breachOn: z.string().nullable(),
    paused: z.boolean(),
    escalated: z.boolean(),
    breached: z.boolean(),
    consumedBusinessDays: z.number(),
  })
  .nullable();

export const registrationView = z.object({
  registrationId: z.string(),
  version: z.number(),
  status: z.string(),
  stage: z.string(),
  workflowId: z.string(),
  submittedAt: z.string(),
  decidedAt: z.string().nullable(),
  sla: slaView,
  tasks: z.object({ total: z.number(), open: z.number(), approved: z.number(), rejected: z.number(), correction: z.number() }),
  corrections: z.array(z.object({ taskId: z.string(), itemId: z.string(), documentId: z.string(), reason: z.string().nullable() })),
  checkFindings: z.array(z.object({ code: z.string(), field: z.string(), message: z.string() })),
  appeal: z.object({ reason: z.string(), appealedAt: z.string() }).nullable(),
});
export type RegistrationView = z.infer<typeof registrationView>;

export async function buildRegistrationView(db: Db, reg: typeof shmRegistrations.$inferSelect): Promise<RegistrationView> {
  const tasks = await db.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, reg.id));
  const clocks = await db.select().from(shmSlaClocks).where(eq(shmSlaClocks.registrationId, reg.id)).orderBy(desc(shmSlaClocks.startedAt));
  const clock = clocks.find((c) => c.round === 'appeal') ?? clocks[0];
  const round = clock?.round ?? 'review';
  const inRound = tasks.filter((t) => t.round === round);
  const count = (s: string) => inRound.filter((t) => t.status === s).length;
  return {
    registrationId: reg.id,
    version: reg.version,
    status: reg.status,
    stage: reg.stage,
    workflowId: reg.workflowId,
    submittedAt: reg.submittedAt.toISOString(),
    decidedAt: iso(reg.decidedAt),
    sla: clock
      ? {
          round: clock.round,
          dueAt: iso(clock.dueAt),
          breachAt: iso(clock.breachAt),
          escalateOn: clock.escalateOn,
          breachOn: clock.breachOn,
          paused: clock.pausedAt !== null,
          escalated: clock.escalatedAt !== null,
          breached: clock.breachedAt !== null,
          consumedBusinessDays: clock.consumedBusinessDays,
        }
      : null,
    tasks: { total: inRound.length, open: count('open'), approved: count('approved'), rejected: count('rejected'), correction: inRound.filter((t) => t.status === 'correction' && !t.resolvedAt).length },
    corrections: inRound.filter((t) => t.status === 'correction' && !t.resolvedAt).map((t) => ({ taskId: t.id, itemId: t.itemId, documentId: t.documentId, reason: t.reason })),
    checkFindings: (reg.checkFindings as { code: string; field: string; message: string }[] | null) ?? [],
    appeal: reg.appealedAt ? { reason: reg.appealReason ?? '', appealedAt: reg.appealedAt.toISOString() } : null,
  };
}

const itemView = z.object({ id: z.string() }).catchall(z.unknown());

const profileView = z.object({
  profileId: z.string(),
  applicant: z.object({
    curp: z.string(),
    email: z.string(),
    givenNames: z.string().nullable(),
    firstSurname: z.string().nullable(),
    secondSurname: z.string().nullable(),
    status: z.string(),
    rejectionReason: z.string().nullable(),
    talentBankOptIn: z.boolean(),
    blocked: z.boolean(),
    privacyNotice: z.object({ acceptedVersion: z.string().nullable(), acceptedAt: z.string().nullable(), currentVersion: z.string() }),
  }),
  personal: z.record(z.string(), z.unknown()),
  position: z.record(z.string(), z.unknown()).nullable(),
  studies: z.array(itemView),
  experience: z.array(itemView),
  certifications: z.array(itemView),
  courses: z.array(itemView),
  currentVersion: z.number(),
  registration: registrationView.nullable(),
});

async function latestRegistration(db: Db, profileId: string) {
  const [reg] = await db.select().from(shmRegistrations).where(eq(shmRegistrations.profileId, profileId)).orderBy(desc(shmRegistrations.version)).limit(1);
  return reg ?? null;
}

async function buildProfileView(db: Db, applicant: ApplicantRow, profile: ProfileRow): Promise<z.infer<typeof profileView>> {
  const items = await db
    .select()
    .from(shmProfileItems)
    .where(and(eq(shmProfileItems.profileId, profile.id), isNull(shmProfileItems.deletedAt)))
    .orderBy(asc(shmProfileItems.sort), asc(shmProfileItems.createdAt));
  const docs = await db
    .select()
    .from(shmDocuments)
    .where(and(eq(shmDocuments.profileId, profile.id), isNull(shmDocuments.replacedAt)))
    .orderBy(asc(shmDocuments.uploadedAt));
  const reg = await latestRegistration(db, profile.id);
  const tasks = reg ? await db.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, reg.id)) : [];
  const reviewOf = (documentId: string) => {
    const mine = tasks.filter((t) => t.documentId === documentId);
    const t = mine.find((x) => x.round === 'appeal' && x.status !== 'open') ?? mine.find((x) => x.round === 'review');
    return t ? { status: t.status, reason: t.reason } : null;
  };
  const [consent] = await db
    .select()
    .from(shmConsents)
    .where(and(eq(shmConsents.applicantId, applicant.id), eq(shmConsents.kind, 'privacy_notice'), eq(shmConsents.granted, true)))
    .orderBy(desc(shmConsents.at))
    .limit(1);
  const notice = await currentPrivacyNotice(db);
  const section = (kind: string) =>
    items
      .filter((i) => i.kind === kind)
      .map((i) => ({
        id: i.id,
        ...(i.data as Record<string, unknown>),
        documents: docs
          .filter((d) => d.itemId === i.id)
          .map((d) => ({ id: d.id, originalName: d.originalName, mime: d.mime, size: d.size, sha256: d.sha256, uploadedAt: d.uploadedAt.toISOString(), review: reviewOf(d.id) })),
      }));
  return {
    profileId: profile.id,
    applicant: {
      curp: applicant.curp,
      email: applicant.email,
      givenNames: applicant.givenNames,
      firstSurname: applicant.firstSurname,
      secondSurname: applicant.secondSurname,
      status: applicant.status,
      rejectionReason: applicant.rejectionReason,
      talentBankOptIn: applicant.talentBankOptIn,
      blocked: applicant.blockedAt !== null,
      privacyNotice: { acceptedVersion: consent?.noticeVersion ?? null, acceptedAt: iso(consent?.at), currentVersion: notice.version },
    },
    personal: profile.personal as Record<string, unknown>,
    position: (profile.position as Record<string, unknown> | null) ?? null,
    studies: section('study'),
    experience: section('experience'),
    certifications: section('certification'),
    courses: section('course'),
    currentVersion: profile.currentVersion,
    registration: reg ? await buildRegistrationView(db, reg) : null,
  };
}

export const shmProfileRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const access = { roles: ['applicant'] as const };

  app.get(
    '/v1/shm/profile',
    {
      config: { access: { roles: ['applicant'] } },
      schema: { tags, summary: "The logged-in applicant's cédula, documents and registration status", response: { 200: profileView, ...errorResponses } },
    },
    async (request) => {
      const { applicant, profile } = await currentApplicant(db, request);
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'shm-profile', subjectId: profile.id, purpose: 'consulta de su propia cédula' });
      return buildProfileView(db, applicant, profile);
    },
  );

  app.put(
    '/v1/shm/profile',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Replace the cédula (items with an id are updated, without an id created, missing ones removed); takes effect in the next submitted version',
        body: profileBody,
        response: { 200: profileView, ...errorResponses },
      },
    },
    async (request) => {
      const { applicant, profile } = await currentApplicant(db, request);
      if (applicant.blockedAt) throw conflict('PROFILE_BLOCKED', 'Su perfil está bloqueado por una solicitud de cancelación; no puede modificarse.');
      const body = request.body;
      await db.transaction(async (tx) => {
        const existing = await tx.select().from(shmProfileItems).where(and(eq(shmProfileItems.profileId, profile.id), isNull(shmProfileItems.deletedAt)));
        const byId = new Map(existing.map((i) => [i.id, i]));
        const kept = new Set<string>();
        let sort = 0;
        for (const [section, kind] of SECTIONS) {
          for (const entry of body[section]) {
            const { id, ...data } = entry;
            const hash = hashItemData(data);
            sort++;
            if (id) {
              const current = byId.get(id);
              if (!current || current.kind !== kind) {
                throw unprocessable('ITEM_NOT_FOUND', `El elemento ${id} no pertenece a la sección ${section} de su cédula; quite el id para crearlo como nuevo.`);
              }
              kept.add(id);
              if (current.dataHash !== hash || current.sort !== sort) {
                await tx.update(shmProfileItems).set({ data, dataHash: hash, sort, updatedAt: new Date() }).where(eq(shmProfileItems.id, id));
              }
            } else {
              await tx.insert(shmProfileItems).values({ profileId: profile.id, kind, data, dataHash: hash, sort });
            }
          }
        }
        const removed = existing.filter((i) => !kept.has(i.id)).map((i) => i.id);
        if (removed.length > 0) await tx.update(shmProfileItems).set({ deletedAt: new Date() }).where(inArray(shmProfileItems.id, removed));
        await tx
          .update(shmProfiles)
          .set({ personal: body.personal, position: body.position, municipality: body.position?.municipality ?? null, area: body.position?.area ?? null, updatedAt: new Date() })
          .where(eq(shmProfiles.id, profile.id));
      });
      const [fresh] = await db.select().from(shmProfiles).where(eq(shmProfiles.id, profile.id));
      return buildProfileView(db, applicant, fresh!);
    },
  );

  app.post(
    '/v1/shm/profile/documents',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Upload a supporting document for an item (multipart: itemId, optional replaces, file). PDF, JPEG or PNG by content; 10 MB max',
        consumes: ['multipart/form-data'],
        response: {
          201: z.object({ documentId: z.string(), itemId: z.string(), mime: z.string(), size: z.number(), sha256: z.string(), originalName: z.string(), replaces: z.string().nullable() }),
          413: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { applicant, profile } = await currentApplicant(db, request);
      if (applicant.blockedAt) throw conflict('PROFILE_BLOCKED', 'Su perfil está bloqueado por una solicitud de cancelación; no puede recibir documentos.');
      if (!request.isMultipart()) throw new AppError(400, 'MULTIPART_REQUIRED', 'Envíe el documento como multipart/form-data con los campos itemId y file.');
      const fields: Record<string, string> = {};
      let stored: { key: string; sha256: string; size: number } | null = null;
      let mime = '';
      let filename = '';
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || stored) {
            part.file.resume();
            continue;
          }
          filename = part.filename || 'documento';
          const sniffed = await sniff(part.file, 4100);
          // A malformed container can make the detector throw: that is simply "not recognised".
          const detected = await fileTypeFromBuffer(sniffed.head).catch(() => undefined);
          const check = checkDocumentType(filename, detected);
          if (!check.ok) {
            await sniffed.drain();
            throw unprocessable(check.code, check.message);
          }
          mime = check.mime;
          try {
            stored = await deps.storage.put('shm-documents', sniffed.stream, { maxBytes: SHM_DOCUMENT_MAX_BYTES });
          } catch (err) {
            if (err instanceof TooLargeError) {
              throw new AppError(413, 'PAYLOAD_TOO_LARGE', `El documento excede ${SHM_DOCUMENT_MAX_BYTES / (1024 * 1024)} MB; digitalícelo con menor resolución o divídalo.`);
            }
            throw err;
          }
          if (part.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'El documento excede el tamaño máximo permitido.');
        } else {
          fields[part.fieldname] = String(part.value ?? '');
        }
      }
      if (!stored) throw new AppError(400, 'FILE_REQUIRED', 'Falta el archivo: envíelo en el campo «file» del formulario.');
      const itemId = fields.itemId ?? '';
      if (!/^[0-9a-f-]{36}$/i.test(itemId)) throw new AppError(400, 'ITEM_REQUIRED', 'Indique en el campo «itemId» el elemento de su cédula al que pertenece el documento.');
      const [item] = await db
        .select()
        .from(shmProfileItems)
        .where(and(eq(shmProfileItems.id, itemId), eq(shmProfileItems.profileId, profile.id), isNull(shmProfileItems.deletedAt)));
      if (!item) throw notFound('El elemento de la cédula');
      const replaces = fields.replaces && /^[0-9a-f-]{36}$/i.test(fields.replaces) ? fields.replaces : null;
      const doc = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(shmDocuments)
          .values({ profileId: profile.id, itemId, storageKey: stored.key, sha256: stored.sha256, mime, size: stored.size, originalName: sanitizeFilename(filename), uploadedBy: requirePrincipal(request).id })
          .returning();
        if (replaces) {
          const updated = await tx
            .update(shmDocuments)
            .set({ replacedBy: created!.id, replacedAt: new Date() })
            .where(and(eq(shmDocuments.id, replaces), eq(shmDocuments.itemId, itemId), isNull(shmDocuments.replacedAt)))
            .returning({ id: shmDocuments.id });
          if (updated.length === 0) throw unprocessable('REPLACED_DOCUMENT_NOT_FOUND', 'El documento a reemplazar no pertenece a ese elemento o ya fue reemplazado.');
        }
        return created!;
      });
      return reply.status(201).send({ documentId: doc.id, itemId, mime: doc.mime, size: doc.size, sha256: doc.sha256, originalName: doc.originalName, replaces });
    },
  );

  app.get(
    '/v1/shm/profile/documents/:documentId',
    {
      config: { access },
      schema: { tags, summary: 'Download one of my documents (audited)', params: z.object({ documentId: z.string().uuid() }), response: errorResponses },
    },
    async (request, reply) => {
      const { profile } = await currentApplicant(db, request);
      const [doc] = await db.select().from(shmDocuments).where(eq(shmDocuments.id, request.params.documentId));
      if (!doc || doc.profileId !== profile.id) {
        await auditPersonalDataAccess(db, request, { action: 'download', subjectType: 'shm-document', subjectId: request.params.documentId, purpose: 'descarga de documento propio', outcome: 'denied' });
        throw notFound('El documento');
      }
      await auditPersonalDataAccess(db, request, { action: 'download', subjectType: 'shm-document', subjectId: doc.id, purpose: 'descarga de documento propio' });
      const stream = await deps.storage.get(doc.storageKey);
      return reply.header('content-type', doc.mime).header('content-disposition', contentDisposition(doc.originalName)).header('cache-control', 'no-store').send(stream as never);
    },
  );

  app.post(
    '/v1/shm/profile/submit',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Submit the cédula for review (a new profile version), or re-submit the corrections a reviewer asked for',
        response: {
          202: z.object({
            registrationId: z.string(),
            version: z.number(),
            workflowId: z.string(),
            status: z.string(),
            dueAt: z.string().nullable(),
            breachAt: z.string().nullable(),
            escalateOn: z.string().nullable(),
            breachOn: z.string().nullable(),
            resubmission: z.boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { applicant, profile } = await currentApplicant(db, request);
      if (applicant.blockedAt) throw conflict('PROFILE_BLOCKED', 'Su perfil está bloqueado por una solicitud de cancelación; no puede enviarse a revisión.');
      if (applicant.status !== 'active') {
        throw conflict(
          'APPLICANT_NOT_VERIFIED',
          applicant.status === 'verifying' ? 'Su CURP aún se está verificando en RENAPO; intente en unos momentos.' : `Su cuenta no fue verificada: ${applicant.rejectionReason ?? 'CURP no vigente'}.`,
        );
      }
      const notice = await currentPrivacyNotice(db);
      const [consent] = await db
        .select()
        .from(shmConsents)
        .where(and(eq(shmConsents.applicantId, applicant.id), eq(shmConsents.kind, 'privacy_notice'), eq(shmConsents.noticeVersion, notice.version), eq(shmConsents.granted, true)))
        .limit(1);
      if (!consent) throw conflict('PRIVACY_NOTICE_OUTDATED', `Acepte la versión vigente del aviso de privacidad (${notice.version}) en POST /v1/shm/consents/privacy-notice antes de enviar su cédula.`);

      const settings = await readShmSlaSettings(db);
      const latest = await latestRegistration(db, profile.id);
      if (latest?.status === 'checking') {
        // Submitted but (maybe) not started, e.g. the API stopped between the commit and the start: join or start it.
        return reply.status(202).send(await startAndAnswer(latest.id, latest.version));
      }
      if (latest && ACTIVE_STATUSES.includes(latest.status)) {
        return reply.status(202).send(await resubmitCorrections(latest));
      }

      const now = virtualNow(settings.clock, Date.now());
      const items = await db.select().from(shmProfileItems).where(and(eq(shmProfileItems.profileId, profile.id), isNull(shmProfileItems.deletedAt)));
      const docs = await db.select().from(shmDocuments).where(and(eq(shmDocuments.profileId, profile.id), isNull(shmDocuments.replacedAt)));
      const docsOf = (itemId: string) => docs.filter((d) => d.itemId === itemId).map((d) => d.id);
      const findings = checkCompleteness(
        {
          personal: profile.personal as Record<string, string | null>,
          position: profile.position as PositionData | null,
          items: items.map((i) => ({ id: i.id, kind: i.kind as ItemKind, data: i.data as ItemData, documentCount: docsOf(i.id).length })),
        },
        mexicoDateOf(now),
      );
      if (findings.length > 0) throw unprocessable('INCOMPLETE_PROFILE', 'La cédula está incompleta; corrija lo indicado en details y envíela de nuevo.', findings);

      const version = profile.currentVersion + 1;
      const workflowId = shmRegistrationWorkflowId(profile.id, version);
      const registrationId = await db.transaction(async (tx) => {
        const [locked] = await tx.select().from(shmProfiles).where(eq(shmProfiles.id, profile.id)).for('update');
        if (!locked || locked.currentVersion !== profile.currentVersion) throw conflict('REGISTRATION_IN_PROGRESS', 'Su cédula ya se envió; consulte su estado en GET /v1/shm/profile.');
        const [reg] = await tx
          .insert(shmRegistrations)
          .values({
            profileId: profile.id,
            version,
            status: 'checking',
            stage: 'submitted',
            snapshot: { personal: profile.personal, position: profile.position },
            municipality: profile.municipality,
            workflowId,
            submittedAt: new Date(now),
          })
          .returning({ id: shmRegistrations.id });
        if (items.length > 0) {
          await tx.insert(shmRegistrationItems).values(items.map((i) => ({ registrationId: reg!.id, itemId: i.id, kind: i.kind, data: i.data, dataHash: i.dataHash, documentIds: docsOf(i.id) })));
        }
        await tx.update(shmProfiles).set({ currentVersion: version }).where(eq(shmProfiles.id, profile.id));
        await tx.insert(shmReviewEvents).values({ registrationId: reg!.id, actorUserId: applicant.userId, action: 'submitted', detail: { version } });
        return reg!.id;
      });
      return reply.status(202).send(await startAndAnswer(registrationId, version));

      /** Starts (or joins) the version's workflow and answers with the SLA deadlines it computed from the calendar. */
      async function startAndAnswer(registrationId: string, version: number) {
        const workflowId = shmRegistrationWorkflowId(profile.id, version);
        await deps.temporal.workflow.start(shmRegistrationWorkflow, {
          workflowId,
          taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
          args: [{ registrationId, profileId: profile.id, version, clock: settings.clock, targets: settings.targets }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { summary: `Registro SHM, perfil ${profile.id} versión ${version}` },
        });
        const deadlines = await withTimeout(() => deps.temporal.workflow.getHandle(workflowId).executeUpdate(shmDeadlinesUpdate), 15_000);
        return {
          registrationId,
          version,
          workflowId,
          status: 'checking',
          dueAt: deadlines?.dueAt ?? null,
          breachAt: deadlines?.breachAt ?? null,
          escalateOn: deadlines?.escalateOn ?? null,
          breachOn: deadlines?.breachOn ?? null,
          resubmission: false,
        };
      }

      /** Re-submission of corrections: new documents of the flagged items go back to the queue. */
      async function resubmitCorrections(reg: typeof shmRegistrations.$inferSelect) {
        const pending = await db
          .select()
          .from(shmReviewTasks)
          .where(and(eq(shmReviewTasks.registrationId, reg.id), eq(shmReviewTasks.status, 'correction'), isNull(shmReviewTasks.resolvedAt)));
        if (pending.length === 0) {
          throw conflict('REGISTRATION_IN_PROGRESS', `Su versión ${reg.version} está en revisión y no tiene correcciones pendientes; espere la decisión (consulte GET /v1/shm/profile).`);
        }
        const round = pending[0]!.round;
        await db.transaction(async (tx) => {
          const itemIds = [...new Set(pending.map((t) => t.itemId))];
          const items = await tx.select().from(shmProfileItems).where(inArray(shmProfileItems.id, itemIds));
          const existingTasks = await tx.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, reg.id));
          const reviewed = new Set(existingTasks.map((t) => t.documentId));
          const missing: string[] = [];
          for (const item of items) {
            const current = await tx.select().from(shmDocuments).where(and(eq(shmDocuments.itemId, item.id), isNull(shmDocuments.replacedAt)));
            const fresh = current.filter((d) => !reviewed.has(d.id));
            if (fresh.length === 0 || item.deletedAt) {
              const reason = pending.find((t) => t.itemId === item.id)?.reason;
              missing.push(`Suba un documento corregido para ${itemLabel(item.kind as ItemKind, item.data as ItemData)}${reason ? ` (motivo: ${reason})` : ''}.`);
              continue;
            }
            await tx
              .update(shmRegistrationItems)
              .set({ data: item.data, dataHash: item.dataHash, documentIds: current.map((d) => d.id) })
              .where(and(eq(shmRegistrationItems.registrationId, reg.id), eq(shmRegistrationItems.itemId, item.id)));
            for (const d of fresh) {
              await tx
                .insert(shmReviewTasks)
                .values({ registrationId: reg.id, profileId: reg.profileId, itemId: item.id, documentId: d.id, itemKind: item.kind, round, status: 'open', municipality: reg.municipality })
                .onConflictDoNothing();
            }
          }
          if (missing.length > 0) throw unprocessable('CORRECTION_MISSING', `Faltan correcciones: ${missing.join(' ')}`);
          await tx
            .update(shmReviewTasks)
            .set({ resolvedAt: new Date() })
            .where(inArray(shmReviewTasks.id, pending.map((t) => t.id)));
          await tx.insert(shmReviewEvents).values({ registrationId: reg.id, actorUserId: applicant.userId, action: 'corrections-submitted', detail: { tasks: pending.map((t) => t.id) } });
        });
        const workflowId = round === 'appeal' ? shmAppealWorkflowId(reg.profileId, reg.version) : reg.workflowId;
        await signalSafely(deps.temporal, request.log, workflowId, (h) => h.signal(shmCorrectionsSubmittedSignal, { registrationId: reg.id }));
        // The workflow resumes the SLA clock; answer with the new due date once it is known.
        let clock: typeof shmSlaClocks.$inferSelect | undefined;
        for (let i = 0; i < 50; i++) {
          [clock] = await db.select().from(shmSlaClocks).where(and(eq(shmSlaClocks.registrationId, reg.id), eq(shmSlaClocks.round, round)));
          if (clock && !clock.pausedAt) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        return {
          registrationId: reg.id,
          version: reg.version,
          workflowId,
          status: 'in_review',
          dueAt: clock && !clock.pausedAt ? iso(clock.dueAt) : null,
          breachAt: clock && !clock.pausedAt ? iso(clock.breachAt) : null,
          escalateOn: clock && !clock.pausedAt ? clock.escalateOn : null,
          breachOn: clock && !clock.pausedAt ? clock.breachOn : null,
          resubmission: true,
        };
      }
    },
  );

  app.get(
    '/v1/shm/profile/registrations',
    {
      config: { access },
      schema: { tags, summary: 'My submitted versions and their status', response: { 200: z.object({ items: z.array(registrationView) }), ...errorResponses } },
    },
    async (request) => {
      const { profile } = await currentApplicant(db, request);
      const regs = await db.select().from(shmRegistrations).where(eq(shmRegistrations.profileId, profile.id)).orderBy(desc(shmRegistrations.version));
      return { items: await Promise.all(regs.map((r) => buildRegistrationView(db, r))) };
    },
  );

  const criterion = z.object({ score: z.string(), weight: z.string(), weighted: z.string(), explanation: z.string() });
  app.get(
    '/v1/shm/profile/score',
    {
      config: { access },
      schema: {
        tags,
        summary: 'My current score: stars, total, breakdown per criterion with explanations, rubric version',
        response: {
          200: z.object({
            stars: z.number(),
            total: z.string(),
            breakdown: z.object({ experiencia: criterion, academico: criterion, certificacion: criterion }),
            rubricVersion: z.string(),
            asOf: z.string(),
            computedAt: z.string(),
            reason: z.string(),
            registrationId: z.string(),
            version: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { profile } = await currentApplicant(db, request);
      const [row] = await db
        .select({ score: shmScores, version: shmRegistrations.version })
        .from(shmScores)
        .innerJoin(shmRegistrations, eq(shmRegistrations.id, shmScores.registrationId))
        .where(eq(shmScores.profileId, profile.id))
        .orderBy(desc(shmScores.computedAt))
        .limit(1);
      if (!row) throw new AppError(404, 'NOT_SCORED', 'Su perfil aún no tiene calificación: se calcula cuando todos sus documentos tienen una decisión.');
      const s = row.score;
      return {
        stars: s.stars,
        total: s.total,
        breakdown: s.breakdown as { experiencia: z.infer<typeof criterion>; academico: z.infer<typeof criterion>; certificacion: z.infer<typeof criterion> },
        rubricVersion: s.rubricVersion,
        asOf: s.asOf,
        computedAt: s.computedAt.toISOString(),
        reason: s.reason,
        registrationId: s.registrationId,
        version: row.version,
      };
    },
  );

  app.post(
    '/v1/shm/profile/appeals',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Appeal the decision on my latest scored version: rejected documents go to a second reviewer',
        body: z.object({ reason: z.string().trim().min(10, 'Explique en al menos 10 caracteres por qué apela.').max(2000) }),
        response: { 202: z.object({ registrationId: z.string(), workflowId: z.string(), dueAt: z.string().nullable(), breachAt: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { profile } = await currentApplicant(db, request);
      const reg = await latestRegistration(db, profile.id);
      if (!reg || reg.status !== 'scored') throw conflict('NOT_APPEALABLE', 'Solo puede apelar una versión ya calificada; consulte su estado en GET /v1/shm/profile.');
      if (reg.appealedAt) throw conflict('ALREADY_APPEALED', `La versión ${reg.version} ya fue apelada; cada versión admite una apelación.`);
      const rejected = await db
        .select({ id: shmReviewTasks.id })
        .from(shmReviewTasks)
        .where(and(eq(shmReviewTasks.registrationId, reg.id), eq(shmReviewTasks.round, 'review'), eq(shmReviewTasks.status, 'rejected')));
      if (rejected.length === 0) throw unprocessable('NOTHING_TO_APPEAL', 'Ningún documento de esta versión fue rechazado; no hay decisiones que apelar.');
      const updated = await db
        .update(shmRegistrations)
        .set({ status: 'appeal', stage: 'appeal-review', appealReason: request.body.reason, appealedAt: new Date() })
        .where(and(eq(shmRegistrations.id, reg.id), eq(shmRegistrations.status, 'scored'), isNull(shmRegistrations.appealedAt)))
        .returning({ id: shmRegistrations.id });
      if (updated.length === 0) throw conflict('ALREADY_APPEALED', 'La apelación ya se registró.');
      const settings = await readShmSlaSettings(db);
      const workflowId = shmAppealWorkflowId(profile.id, reg.version);
      await deps.temporal.workflow.start(shmAppealWorkflow, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ registrationId: reg.id, profileId: profile.id, version: reg.version, clock: settings.clock, targets: settings.targets }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      const deadlines = await withTimeout(() => deps.temporal.workflow.getHandle(workflowId).executeUpdate(shmDeadlinesUpdate), 15_000);
      return reply.status(202).send({ registrationId: reg.id, workflowId, dueAt: deadlines?.dueAt ?? null, breachAt: deadlines?.breachAt ?? null });
    },
  );
};
