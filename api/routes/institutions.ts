import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { institutions } from '../../db/schema';
import { validateCurp } from '../../domain/identifiers/curp';
import { validateRfc } from '../../domain/identifiers/rfc';
import { institutionRegistrationWorkflow, institutionRegistrationWorkflowId } from '../../workflows/institution-registration';
import type { AppDeps } from '../app';
import { auditPersonalDataAccess } from '../audit';
import { conflict, notFound } from '../errors';
import { errorResponses, institutionClaveParam } from '../schemas';

const institutionBody = z.object({
  clave: institutionClaveParam,
  name: z.string().trim().min(3).max(200),
  rfc: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => validateRfc(v).ok, 'RFC inválido: una institución tiene RFC de persona moral de 12 caracteres (3 letras, fecha AAMMDD y homoclave).'),
  kind: z.enum(['dependencia', 'municipio', 'organismo']),
  contact: z.object({
    curp: z
      .string()
      .trim()
      .toUpperCase()
      .superRefine((v, ctx) => {
        const r = validateCurp(v);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
      }),
    name: z.string().trim().min(3).max(200),
    email: z.string().email('Correo electrónico inválido.'),
  }),
});

const institutionView = z.object({
  clave: z.string(),
  name: z.string(),
  rfc: z.string(),
  kind: z.string(),
  status: z.string(),
  rejectionReason: z.string().nullable(),
  registeredAt: z.string(),
});

type InstitutionRow = typeof institutions.$inferSelect;
const toView = (row: InstitutionRow) => ({
  clave: row.clave,
  name: row.name,
  rfc: row.rfc,
  kind: row.kind,
  status: row.status,
  rejectionReason: row.rejectionReason,
  registeredAt: row.registeredAt.toISOString(),
});

export const institutionRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/v1/institutions',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['institutions'],
        summary: 'Register an institution; its liaison is confirmed at RENAPO by a workflow',
        body: institutionBody,
        response: { 202: z.object({ clave: z.string(), workflowId: z.string(), status: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const [existing] = await db.select().from(institutions).where(eq(institutions.clave, body.clave));
      const workflowId = institutionRegistrationWorkflowId(body.clave);
      if (existing?.status === 'active') {
        // A retry of the request that registered it is answered as such; other data conflicts.
        const sameRequest =
          existing.name === body.name && existing.rfc === body.rfc && existing.kind === body.kind && existing.contactCurp === body.contact.curp;
        if (sameRequest) return reply.status(202).send({ clave: body.clave, workflowId, status: 'active' });
        throw conflict('INSTITUTION_EXISTS', `La institución ${body.clave} ya está registrada y activa con otros datos; para cambiarlos solicite una actualización.`);
      }
      if (existing?.status === 'rejected') {
        await db.delete(institutions).where(eq(institutions.clave, body.clave));
      }
      await db
        .insert(institutions)
        .values({
          clave: body.clave,
          name: body.name,
          rfc: body.rfc,
          kind: body.kind,
          contactCurp: body.contact.curp,
          contactName: body.contact.name,
          contactEmail: body.contact.email,
          status: 'pending',
        })
        .onConflictDoNothing({ target: institutions.clave });
      // A repeated request while the first is running joins it instead of starting another.
      await deps.temporal.workflow.start(institutionRegistrationWorkflow, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ clave: body.clave }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        memo: { summary: `Registro de institución ${body.clave}` },
      });
      return reply.status(202).send({ clave: body.clave, workflowId, status: 'pending' });
    },
  );

  app.get(
    '/v1/institutions',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: { tags: ['institutions'], summary: 'List institutions', response: { 200: z.object({ items: z.array(institutionView) }), ...errorResponses } },
    },
    async () => ({ items: (await db.select().from(institutions).orderBy(asc(institutions.clave))).map(toView) }),
  );

  app.get(
    '/v1/institutions/:clave',
    {
      config: { access: { roles: ['operator', 'admin', 'institution'], tenant: 'institution' } },
      schema: {
        tags: ['institutions'],
        summary: 'One institution, with its payroll liaison (personal data: audited)',
        params: z.object({ clave: institutionClaveParam }),
        response: {
          200: institutionView.extend({ contact: z.object({ curp: z.string(), name: z.string(), email: z.string(), renapoStatus: z.string().nullable() }) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const [row] = await db.select().from(institutions).where(eq(institutions.clave, request.params.clave));
      if (!row) throw notFound(`La institución ${request.params.clave}`);
      await auditPersonalDataAccess(db, request, {
        action: 'read',
        subjectType: 'institution-contact',
        subjectId: row.clave,
        purpose: 'consulta del registro de la institución',
      });
      return {
        ...toView(row),
        contact: { curp: row.contactCurp, name: row.contactName, email: row.contactEmail, renapoStatus: row.contactRenapoStatus },
      };
    },
  );
};
