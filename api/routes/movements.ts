import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { institutions, movementNotices } from '../../db/schema';
import { renderAvisoPdf, type AvisoMovimiento } from '../../documents/aviso-movimiento';
import { NOTICE_MOVEMENT_CODES } from '../../domain/registry/movements';
import { movementNoticeWorkflow, movementNoticeWorkflowId } from '../../workflows/movement-notice';
import type { AppDeps } from '../app';
import { auditPersonalDataAccess } from '../audit';
import { AppError, notFound, unprocessable } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses, institutionClaveParam } from '../schemas';

/**
 * Avisos de movimiento sent one at a time (contracts §8 "Movements"). The notice is stored with
 * its personal data and a workflow `movement-notice/{noticeId}` (input: the id only) validates,
 * checks RENAPO, applies it and issues the aviso.
 *
 * Idempotency: with an `Idempotency-Key` header, (institution, key) identifies the notice (the
 * same key with a different body is refused); without it, the natural key (institution, CURP,
 * movimiento, fecha_movimiento) plus a hash of the body does, so a repeated POST returns the same
 * noticeId while a corrected resubmission after a rejection is a new notice.
 */

const ACCESS = { roles: ['institution', 'operator', 'admin'] as const, tenant: 'institution' as const };

const text = (max: number) => z.string().trim().max(max);

const movementBody = z.object({
  movimiento: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    z.enum(NOTICE_MOVEMENT_CODES, { message: 'movimiento debe ser A (alta), B (baja), M (modificación) o R (reingreso).' }),
  ),
  curp: text(40),
  rfc: text(40),
  primer_apellido: text(50).min(1, 'primer_apellido es obligatorio.'),
  segundo_apellido: text(50).nullish(),
  nombres: text(80).min(1, 'nombres es obligatorio.'),
  fecha_movimiento: text(20).nullish(),
  sueldo_cotizable: z.union([text(24), z.number()]).nullish(),
  puesto: text(80).nullish(),
});

const findingView = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  field: z.string().optional(),
  value: z.string().optional(),
  message: z.string(),
});

const noticeView = z.object({
  noticeId: z.string(),
  workflowId: z.string(),
  institutionClave: z.string(),
  movimiento: z.string(),
  curp: z.string(),
  fechaMovimiento: z.string().nullable(),
  status: z.string(),
  stage: z.string(),
  claveIssemym: z.string().nullable(),
  folio: z.string().nullable(),
  verificationHash: z.string().nullable(),
  findings: z.array(findingView),
  links: z.object({ avisoPdf: z.string(), avisoJson: z.string() }).nullable(),
  receivedAt: z.string(),
  completedAt: z.string().nullable(),
});

const noticeParams = z.object({ clave: institutionClaveParam, noticeId: z.string().uuid('El número de aviso (noticeId) es un UUID.') });

type NoticeRow = typeof movementNotices.$inferSelect;

function normalisedPayload(body: z.infer<typeof movementBody>) {
  return {
    movimiento: body.movimiento,
    curp: body.curp.trim().toUpperCase(),
    rfc: body.rfc.trim().toUpperCase(),
    primer_apellido: body.primer_apellido.trim(),
    segundo_apellido: body.segundo_apellido?.trim() || null,
    nombres: body.nombres.trim(),
    fecha_movimiento: body.fecha_movimiento?.trim() || null,
    sueldo_cotizable: body.sueldo_cotizable === null || body.sueldo_cotizable === undefined ? null : String(body.sueldo_cotizable).trim() || null,
    puesto: body.puesto?.trim() || null,
  };
}

function toView(row: NoticeRow) {
  const findings = ((row.findings ?? []) as { code: string; severity: 'error' | 'warning'; field?: string; value?: string; message: string }[]).map(
    ({ code, severity, field, value, message }) => ({ code, severity, message, ...(field ? { field } : {}), ...(value ? { value } : {}) }),
  );
  const base = `/v1/institutions/${row.institutionClave}/movements/${row.id}/aviso`;
  return {
    noticeId: row.id,
    workflowId: row.workflowId,
    institutionClave: row.institutionClave,
    movimiento: row.movimiento,
    curp: row.curp,
    fechaMovimiento: row.fechaMovimiento,
    status: row.status,
    stage: row.stage,
    claveIssemym: row.claveIssemym,
    folio: row.folio,
    verificationHash: row.verificationHash,
    findings,
    links: row.aviso ? { avisoPdf: `${base}?format=pdf`, avisoJson: `${base}?format=json` } : null,
    receivedAt: row.receivedAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}

export const movementRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  async function loadNotice(clave: string, noticeId: string): Promise<NoticeRow> {
    const [row] = await db
      .select()
      .from(movementNotices)
      .where(and(eq(movementNotices.id, noticeId), eq(movementNotices.institutionClave, clave)));
    if (!row) throw notFound(`El aviso de movimiento ${noticeId} de la institución ${clave}`);
    return row;
  }

  app.post(
    '/v1/institutions/:clave/movements',
    {
      config: { access: ACCESS },
      schema: {
        tags: ['movements'],
        summary: 'Send one aviso de movimiento (alta, baja, modificación, reingreso); a workflow validates and applies it',
        description:
          'Optional header `Idempotency-Key`: the same key returns the same notice. Without it, a repeated identical body for the same CURP, movement and date returns the same notice.',
        params: z.object({ clave: institutionClaveParam }),
        body: movementBody,
        response: {
          202: z.object({ noticeId: z.string(), workflowId: z.string(), status: z.string(), duplicate: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const { clave } = request.params;
      const [institution] = await db.select().from(institutions).where(eq(institutions.clave, clave));
      if (!institution) throw notFound(`La institución ${clave}`);
      if (institution.status !== 'active') {
        throw unprocessable('INSTITUTION_NOT_ACTIVE', `La institución ${clave} no está activa (estado: ${institution.status}); no puede enviar avisos de movimiento hasta completar su registro.`);
      }
      const headerKey = request.headers['idempotency-key'];
      const idempotencyKey = typeof headerKey === 'string' ? headerKey.trim() : undefined;
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
        throw new AppError(400, 'VALIDATION_ERROR', 'La cabecera Idempotency-Key debe tener entre 1 y 200 caracteres.');
      }
      const payload = normalisedPayload(request.body);
      const payloadHash = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
      const dedupeKey = idempotencyKey
        ? `key:${idempotencyKey}`
        : `nat:${payload.curp}|${payload.movimiento}|${payload.fecha_movimiento ?? ''}|${payloadHash.slice(0, 32)}`;

      const id = randomUUID();
      const inserted = await db
        .insert(movementNotices)
        .values({
          id,
          institutionClave: clave,
          dedupeKey,
          payloadHash,
          movimiento: payload.movimiento,
          curp: payload.curp,
          rfc: payload.rfc,
          primerApellido: payload.primer_apellido,
          segundoApellido: payload.segundo_apellido,
          nombres: payload.nombres,
          fechaMovimiento: payload.fecha_movimiento,
          sueldoCotizable: payload.sueldo_cotizable,
          puesto: payload.puesto,
          workflowId: movementNoticeWorkflowId(id),
          submittedByRole: principal.role,
          submittedById: principal.id,
        })
        .onConflictDoNothing({ target: [movementNotices.institutionClave, movementNotices.dedupeKey] })
        .returning();
      let notice = inserted[0];
      const duplicate = !notice;
      if (!notice) {
        [notice] = await db
          .select()
          .from(movementNotices)
          .where(and(eq(movementNotices.institutionClave, clave), eq(movementNotices.dedupeKey, dedupeKey)));
        if (!notice) throw new AppError(409, 'CONFLICT', 'El aviso se está registrando en otra solicitud; intente de nuevo.');
        if (notice.payloadHash !== payloadHash) {
          throw unprocessable(
            'IDEMPOTENCY_KEY_REUSED',
            'La clave de idempotencia ya se usó con un aviso distinto; use una clave nueva para un aviso nuevo.',
          );
        }
      }
      if (notice.status === 'received' || notice.status === 'validating') {
        // Started here, or re-started if a previous request stored the notice but could not start it.
        try {
          await deps.temporal.workflow.start(movementNoticeWorkflow, {
            workflowId: notice.workflowId,
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            args: [{ noticeId: notice.id }],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: { summary: `Aviso de movimiento ${notice.movimiento} de la institución ${clave}` },
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
      return reply.status(202).send({ noticeId: notice.id, workflowId: notice.workflowId, status: notice.status, duplicate });
    },
  );

  app.get(
    '/v1/institutions/:clave/movements/:noticeId',
    {
      config: { access: ACCESS },
      schema: {
        tags: ['movements'],
        summary: 'Status of an aviso de movimiento: claveIssemym, findings and the aviso links (personal data: audited)',
        params: noticeParams,
        response: { 200: noticeView, ...errorResponses },
      },
    },
    async (request) => {
      const row = await loadNotice(request.params.clave, request.params.noticeId);
      await auditPersonalDataAccess(db, request, {
        action: 'read',
        subjectType: 'movement-notice',
        subjectId: row.id,
        purpose: 'consulta del estado de un aviso de movimiento',
      });
      return toView(row);
    },
  );

  app.get(
    '/v1/institutions/:clave/movements/:noticeId/aviso',
    {
      config: { access: ACCESS },
      schema: {
        tags: ['movements'],
        summary: 'The aviso de movimiento as PDF (default) or JSON, once the movement is registered',
        params: noticeParams,
        querystring: z.object({ format: z.enum(['pdf', 'json']).default('pdf') }),
        response: { 200: z.unknown().describe('application/pdf (format=pdf) or the JSON document (format=json)'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const row = await loadNotice(request.params.clave, request.params.noticeId);
      if (!row.aviso || !row.verificationHash) {
        throw new AppError(
          409,
          'AVISO_NOT_AVAILABLE',
          `El aviso se emite cuando el movimiento queda registrado; el estado actual es "${row.status}". Consulte los hallazgos del aviso en ${`/v1/institutions/${row.institutionClave}/movements/${row.id}`}.`,
        );
      }
      await auditPersonalDataAccess(db, request, {
        action: 'download',
        subjectType: 'movement-aviso',
        subjectId: row.id,
        purpose: `descarga del aviso de movimiento (${request.query.format})`,
      });
      const aviso = row.aviso as AvisoMovimiento;
      if (request.query.format === 'json') {
        return reply.type('application/json').send({ ...aviso, verificationHash: row.verificationHash });
      }
      const pdf = await renderAvisoPdf(aviso, row.verificationHash);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="aviso-${aviso.folio}.pdf"`)
        .send(pdf);
    },
  );
};
