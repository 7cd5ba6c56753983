/**
 * SHM applicant accounts: self-registration (CURP rules + RENAPO check by a workflow), privacy
 * notice (versioned texts, logged acceptance), the separate talent-bank opt-in, password reset
 * by single-use token, and the applicant's notifications.
 */
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shmApplicants, shmConsents, shmNotifications, shmPasswordResets, shmPrivacyNotices, shmProfiles, users } from '../../../db/schema';
import { validateCurp } from '../../../domain/identifiers/curp';
import { hashPassword } from '../../../identity/passwords';
import { notify } from '../../../activities/shm';
import { shmApplicantVerificationWorkflow, shmApplicantWorkflowId } from '../../../workflows/shm-applicant';
import type { AppDeps } from '../../app';
import { AppError, conflict, unprocessable } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { currentApplicant, currentPrivacyNotice, ensurePrivacyNotice, iso } from './common';

const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

const curpField = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((v, ctx) => {
    const r = validateCurp(v);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
  });
const passwordField = z.string().min(12, 'La contraseña debe tener al menos 12 caracteres.').max(200);
const tags = ['shm-applicants'];

export const shmApplicantRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  app.addHook('onReady', async () => {
    await ensurePrivacyNotice(db);
  });

  app.get(
    '/v1/shm/privacy-notice',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The current privacy notice (simplified and integral texts, versioned)',
        response: { 200: z.object({ version: z.string(), simplified: z.string(), integral: z.string(), publishedAt: z.string() }), ...errorResponses },
      },
    },
    async () => {
      const n = await currentPrivacyNotice(db);
      return { version: n.version, simplified: n.simplifiedText, integral: n.integralText, publishedAt: n.publishedAt.toISOString() };
    },
  );

  app.post(
    '/v1/shm/privacy-notices',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary: 'Publish a new privacy-notice version (applicants must accept it before submitting again)',
        body: z.object({ version: z.string().trim().min(1).max(20), simplified: z.string().min(50), integral: z.string().min(100) }),
        response: { 201: z.object({ version: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { version, simplified, integral } = request.body;
      await db.transaction(async (tx) => {
        const inserted = await tx.insert(shmPrivacyNotices).values({ version, simplifiedText: simplified, integralText: integral, isCurrent: false }).onConflictDoNothing().returning();
        if (inserted.length === 0) throw conflict('NOTICE_VERSION_EXISTS', `La versión ${version} del aviso de privacidad ya existe; use otra.`);
        await tx.update(shmPrivacyNotices).set({ isCurrent: false }).where(eq(shmPrivacyNotices.isCurrent, true));
        await tx.update(shmPrivacyNotices).set({ isCurrent: true }).where(eq(shmPrivacyNotices.version, version));
      });
      return reply.status(201).send({ version });
    },
  );

  const startVerification = (applicantId: string) =>
    deps.temporal.workflow.start(shmApplicantVerificationWorkflow, {
      workflowId: shmApplicantWorkflowId(applicantId),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ applicantId }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });

  app.post(
    '/v1/shm/applicants',
    {
      config: { access: { public: true }, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Self-registration of an applicant; the CURP is confirmed at RENAPO by a workflow',
        body: z.object({
          curp: curpField,
          email: z.string().trim().toLowerCase().email('Correo electrónico inválido.'),
          password: passwordField,
          privacyNoticeVersion: z.string().min(1),
          talentBankOptIn: z.boolean(),
        }),
        response: {
          201: z.object({ applicantId: z.string(), profileId: z.string(), username: z.string(), status: z.string(), workflowId: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const notice = await currentPrivacyNotice(db);
      if (body.privacyNoticeVersion !== notice.version) {
        throw unprocessable('PRIVACY_NOTICE_OUTDATED', `Debe aceptar la versión vigente del aviso de privacidad (${notice.version}); consúltela en GET /v1/shm/privacy-notice.`);
      }
      const passwordHash = await hashPassword(body.password);
      const created = await db.transaction(async (tx) => {
        const [user] = await tx.insert(users).values({ username: body.email, passwordHash, role: 'applicant' }).onConflictDoNothing({ target: users.username }).returning({ id: users.id });
        if (!user) throw conflict('EMAIL_TAKEN', 'Ya existe una cuenta con este correo; inicie sesión o restablezca su contraseña.');
        const [applicant] = await tx
          .insert(shmApplicants)
          .values({ userId: user.id, curp: body.curp, email: body.email, talentBankOptIn: body.talentBankOptIn })
          .onConflictDoNothing({ target: shmApplicants.curp })
          .returning({ id: shmApplicants.id });
        if (!applicant) throw conflict('CURP_REGISTERED', 'Ya existe una cuenta con esta CURP; inicie sesión o restablezca su contraseña.');
        const workflowId = shmApplicantWorkflowId(applicant.id);
        await tx.update(shmApplicants).set({ verificationWorkflowId: workflowId }).where(eq(shmApplicants.id, applicant.id));
        const [profile] = await tx.insert(shmProfiles).values({ applicantId: applicant.id }).returning({ id: shmProfiles.id });
        await tx.insert(shmConsents).values([
          { applicantId: applicant.id, kind: 'privacy_notice', noticeVersion: notice.version, granted: true, ip: request.ip, requestId: request.id },
          { applicantId: applicant.id, kind: 'talent_bank', noticeVersion: notice.version, granted: body.talentBankOptIn, ip: request.ip, requestId: request.id },
        ]);
        return { applicantId: applicant.id, profileId: profile!.id, workflowId };
      }).catch(async (err: unknown) => {
        // A repeat of a registration whose first answer was lost (the API or Temporal went down
        // between the commit and the start below): the account exists, still verifying, and its
        // CURP check may never have started. Start (or join) it, then answer the conflict as before.
        if (err instanceof AppError && err.statusCode === 409) {
          const [pending] = await db
            .select({ id: shmApplicants.id })
            .from(shmApplicants)
            .where(and(eq(shmApplicants.curp, body.curp), eq(shmApplicants.email, body.email), eq(shmApplicants.status, 'verifying')));
          if (pending) await startVerification(pending.id);
        }
        throw err;
      });
      await startVerification(created.applicantId);
      return reply.status(201).send({ ...created, username: body.email, status: 'verifying' });
    },
  );

  app.post(
    '/v1/shm/consents/privacy-notice',
    {
      config: { access: { roles: ['applicant'] } },
      schema: {
        tags,
        summary: 'Accept the current privacy notice (logged with version and time)',
        body: z.object({ version: z.string().min(1) }),
        response: { 200: z.object({ version: z.string(), acceptedAt: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const { applicant } = await currentApplicant(db, request);
      const notice = await currentPrivacyNotice(db);
      if (request.body.version !== notice.version) throw unprocessable('PRIVACY_NOTICE_OUTDATED', `La versión vigente del aviso de privacidad es ${notice.version}; acepte esa versión.`);
      const [row] = await db
        .insert(shmConsents)
        .values({ applicantId: applicant.id, kind: 'privacy_notice', noticeVersion: notice.version, granted: true, ip: request.ip, requestId: request.id })
        .returning();
      return { version: notice.version, acceptedAt: row!.at.toISOString() };
    },
  );

  app.put(
    '/v1/shm/consents/talent-bank',
    {
      config: { access: { roles: ['applicant'] } },
      schema: {
        tags,
        summary: 'Opt in to (or out of) the talent bank shown to municipal recruiters',
        body: z.object({ optIn: z.boolean() }),
        response: { 200: z.object({ talentBankOptIn: z.boolean(), at: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const { applicant } = await currentApplicant(db, request);
      if (request.body.optIn && applicant.blockedAt) {
        throw conflict('PROFILE_BLOCKED', 'Su perfil está bloqueado por una solicitud de cancelación u oposición; no puede publicarse en la bolsa de talento.');
      }
      const notice = await currentPrivacyNotice(db);
      const at = await db.transaction(async (tx) => {
        await tx.update(shmApplicants).set({ talentBankOptIn: request.body.optIn }).where(eq(shmApplicants.id, applicant.id));
        const [row] = await tx
          .insert(shmConsents)
          .values({ applicantId: applicant.id, kind: 'talent_bank', noticeVersion: notice.version, granted: request.body.optIn, ip: request.ip, requestId: request.id })
          .returning();
        return row!.at;
      });
      return { talentBankOptIn: request.body.optIn, at: at.toISOString() };
    },
  );

  app.post(
    '/v1/shm/password-reset',
    {
      config: { access: { public: true }, rateLimit: { max: 5, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Ask for a password-reset token (sent to the e-mail outbox; the answer is the same whether or not the e-mail exists)',
        body: z.object({ email: z.string().trim().toLowerCase().email('Correo electrónico inválido.') }),
        response: { 202: z.object({ message: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const [user] = await db.select().from(users).where(and(eq(users.username, request.body.email), eq(users.role, 'applicant')));
      if (user && !user.disabled) {
        const token = randomBytes(32).toString('base64url');
        const [reset] = await db.insert(shmPasswordResets).values({ userId: user.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + RESET_TOKEN_TTL_MS) }).returning({ id: shmPasswordResets.id });
        await notify(db, {
          recipientUserId: user.id,
          channel: 'email',
          kind: 'password-reset',
          subjectType: 'user',
          subjectId: user.id,
          message: `Para restablecer su contraseña use este código en la próxima hora: ${token}`,
          dedupeKey: `password-reset:${reset!.id}`,
        });
      }
      return reply.status(202).send({ message: 'Si el correo corresponde a una cuenta, recibirá un código para restablecer la contraseña, válido por una hora.' });
    },
  );

  app.post(
    '/v1/shm/password-reset/confirm',
    {
      config: { access: { public: true }, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Set a new password with a reset token (single use, one hour)',
        body: z.object({ token: z.string().min(20).max(100), newPassword: passwordField }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const passwordHash = await hashPassword(request.body.newPassword);
      const ok = await db.transaction(async (tx) => {
        const [reset] = await tx
          .update(shmPasswordResets)
          .set({ usedAt: new Date() })
          .where(and(eq(shmPasswordResets.tokenHash, sha256(request.body.token)), isNull(shmPasswordResets.usedAt), gt(shmPasswordResets.expiresAt, new Date())))
          .returning();
        if (!reset) return false;
        await tx.update(users).set({ passwordHash, failedLogins: 0, lockedUntil: null }).where(eq(users.id, reset.userId));
        return true;
      });
      if (!ok) throw new AppError(422, 'RESET_TOKEN_INVALID', 'El código para restablecer la contraseña no es válido, ya se usó o expiró; solicite uno nuevo.');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/shm/notifications',
    {
      config: { access: { roles: ['applicant', 'reviewer', 'supervisor', 'recruiter', 'admin'] } },
      schema: {
        tags,
        summary: 'My notifications (and those addressed to my role)',
        response: {
          200: z.object({
            items: z.array(z.object({ id: z.string(), kind: z.string(), subjectType: z.string(), subjectId: z.string(), message: z.string(), createdAt: z.string(), readAt: z.string().nullable() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await db
        .select()
        .from(shmNotifications)
        .where(and(eq(shmNotifications.channel, 'inbox'), or(eq(shmNotifications.recipientUserId, p.id), eq(shmNotifications.recipientRole, p.role))))
        .orderBy(desc(shmNotifications.createdAt))
        .limit(200);
      return { items: rows.map((n) => ({ id: n.id, kind: n.kind, subjectType: n.subjectType, subjectId: n.subjectId, message: n.message, createdAt: n.createdAt.toISOString(), readAt: iso(n.readAt) })) };
    },
  );
};
