import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { administratorAssignments, curpHistory, employments, institutions, people, salaryHistory, serviceCertificates } from '../../db/schema';
import { renderConstanciaPdf, type ConstanciaContent, type IssuedConstancia } from '../../documents/constancia-servicios';
import { verificationHash } from '../../documents/verification';
import { addDays, isValidIsoDate } from '../../domain/dates';
import { isLuhnValid } from '../../domain/identifiers/clave-issemym';
import { serviceRecord } from '../../domain/registry/constancia';
import { vigenciaOn, type EmploymentSpan } from '../../domain/registry/vigencia';
import { createRegistryService, mexicoCityDate } from '../../activities/registry';
import { personVerificationWorkflow, personVerificationWorkflowId } from '../../workflows/movement-notice';
import type { AppDeps } from '../app';
import { auditPersonalDataAccess } from '../audit';
import { conflict, forbidden, notFound } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses } from '../schemas';

/**
 * People of the PRISMA registry (contracts §8 "People"), found by any CURP they ever had.
 *
 * Who sees what (every read is written to the audit log, denials too):
 * - `operator`, `admin`: everyone, everything.
 * - `servant`: only themself (their user's personId), including `/v1/people/me`; anyone else
 *   answers 404, as an unknown key does.
 * - `institution`: a person only while related to their institution (a plaza there, active or
 *   past), and only that institution's plazas; vigencia, constancia and AFORE data are not theirs.
 *   Anyone else answers 404 (existence is not revealed).
 */

type PersonRow = typeof people.$inferSelect;

/** `{curp}` in the paths also accepts the clave ISSEMyM (digits), e.g. for vigencia at a counter. */
const curpParam = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^([A-Z0-9]{18}|\d{4,10})$/, 'Indique la CURP (18 letras y números, sin espacios) o la clave ISSEMyM (solo dígitos).');
const importCurp = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{18}$/, 'La CURP tiene 18 letras y números, sin espacios.');
const isoDate = z.string().refine(isValidIsoDate, 'Use una fecha AAAA-MM-DD válida.');

const employmentView = z.object({
  employmentId: z.string(),
  institutionClave: z.string(),
  institutionName: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  active: z.boolean(),
  puesto: z.string().nullable(),
  salaries: z.array(z.object({ period: z.string(), sueldoCotizable: z.string(), diasCotizados: z.number().nullable(), source: z.string() })),
});

const vigenciaView = z.object({
  vigente: z.boolean(),
  date: z.string(),
  reason: z.string(),
  suspendedFrom: z.string().nullable(),
  institutions: z.array(z.object({ institutionClave: z.string(), since: z.string(), until: z.string().nullable() })),
});

const personView = z.object({
  personId: z.string(),
  curp: z.string(),
  curpHistory: z.array(z.object({ curp: z.string(), reason: z.string(), replacedAt: z.string().nullable() })),
  claveIssemym: z.string(),
  claveLegacy: z.boolean(),
  nombres: z.string(),
  primerApellido: z.string(),
  segundoApellido: z.string().nullable(),
  sexo: z.string().nullable(),
  fechaNacimiento: z.string().nullable(),
  entidadNacimiento: z.string().nullable(),
  rfc: z.string().nullable(),
  otherIds: z.object({ nssImss: z.string().nullable(), issteNumber: z.string().nullable() }).nullable(),
  renapo: z.object({ status: z.string().nullable(), checkedAt: z.string().nullable() }),
  administrators: z.array(z.object({ administratorCode: z.string(), effectiveFrom: z.string(), effectiveTo: z.string().nullable() })).nullable(),
  employments: z.array(employmentView),
  vigenciaHoy: vigenciaView.nullable(),
});

/** A person by any CURP they ever had, or by clave ISSEMyM when `key` is all digits. */
export async function findPersonByCurp(db: Db, key: string): Promise<PersonRow | null> {
  if (/^\d+$/.test(key)) {
    const [byClave] = await db.select().from(people).where(eq(people.claveIssemym, key));
    return byClave ?? null;
  }
  const curp = key;
  const [row] = await db
    .select({ person: people })
    .from(curpHistory)
    .innerJoin(people, eq(people.id, curpHistory.personId))
    .where(eq(curpHistory.curp, curp));
  return row?.person ?? null;
}

async function loadEmployments(db: Db, personId: string, onlyInstitution?: string) {
  const rows = await db
    .select({ e: employments, name: institutions.name })
    .from(employments)
    .innerJoin(institutions, eq(institutions.clave, employments.institutionClave))
    .where(and(eq(employments.personId, personId), onlyInstitution ? eq(employments.institutionClave, onlyInstitution) : undefined))
    .orderBy(asc(employments.startDate), asc(employments.institutionClave));
  const ids = rows.map((r) => r.e.id);
  const salaries = ids.length
    ? await db.select().from(salaryHistory).where(inArray(salaryHistory.employmentId, ids)).orderBy(desc(salaryHistory.period))
    : [];
  return rows.map(({ e, name }) => ({
    employmentId: e.id,
    institutionClave: e.institutionClave,
    institutionName: name,
    startDate: e.startDate,
    endDate: e.endDate,
    active: e.endDate === null,
    puesto: e.puesto,
    salaries: salaries
      .filter((s) => s.employmentId === e.id)
      .map((s) => ({ period: s.period, sueldoCotizable: s.sueldoCotizable, diasCotizados: s.diasCotizados, source: s.source })),
  }));
}

function spans(list: { institutionClave: string; startDate: string; endDate: string | null }[]): EmploymentSpan[] {
  return list.map((e) => ({ institutionClave: e.institutionClave, start: e.startDate, end: e.endDate }));
}

function vigenciaFor(person: PersonRow, list: { institutionClave: string; startDate: string; endDate: string | null }[], date: string) {
  return vigenciaOn({ employments: spans(list), suspendedFrom: person.rightsSuspendedFrom, suspensionReason: person.rightsSuspendedReason }, date);
}

type Scope = { kind: 'full' } | { kind: 'institution'; clave: string };

export const peopleRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const registry = createRegistryService({ db, config: deps.config });

  /** Finds the person and decides what the caller may see; audits the access (or the denial). */
  async function authorize(
    request: FastifyRequest,
    curp: string,
    access: { purpose: string; subjectType: string; allowInstitution: boolean },
  ): Promise<{ person: PersonRow; scope: Scope }> {
    const principal = requirePrincipal(request);
    const person = await findPersonByCurp(db, curp);
    const deny = async (error: Error) => {
      // Unknown keys are audited by a digest, never the CURP itself (enumeration attempts stay visible).
      const subjectId = person?.id ?? `sha256:${createHash('sha256').update(curp).digest('hex').slice(0, 16)}`;
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: access.subjectType, subjectId, purpose: access.purpose, outcome: 'denied' });
      throw error;
    };
    if (!person) {
      if (principal.role === 'operator' || principal.role === 'admin') throw notFound(`La persona con CURP o clave ISSEMyM ${curp}`);
      return deny(notFound('La persona'));
    }
    let scope: Scope = { kind: 'full' };
    if (principal.role === 'servant') {
      // 404 like an unknown key: a servant must not learn whether someone else is in the registry.
      if (principal.personId !== person.id) return deny(notFound('La persona'));
    } else if (principal.role === 'institution') {
      if (!access.allowInstitution || !principal.institutionClave) return deny(notFound('La persona'));
      const [related] = await db
        .select({ id: employments.id })
        .from(employments)
        .where(and(eq(employments.personId, person.id), eq(employments.institutionClave, principal.institutionClave)))
        .limit(1);
      if (!related) return deny(notFound('La persona'));
      scope = { kind: 'institution', clave: principal.institutionClave };
    } else if (principal.role !== 'operator' && principal.role !== 'admin') {
      return deny(forbidden());
    }
    await auditPersonalDataAccess(db, request, { action: 'read', subjectType: access.subjectType, subjectId: person.id, purpose: access.purpose });
    return { person, scope };
  }

  async function personViewOf(person: PersonRow, scope: Scope) {
    const onlyInstitution = scope.kind === 'institution' ? scope.clave : undefined;
    const list = await loadEmployments(db, person.id, onlyInstitution);
    const history = await db.select().from(curpHistory).where(eq(curpHistory.personId, person.id)).orderBy(asc(curpHistory.recordedAt));
    const full = scope.kind === 'full';
    const administrators = full
      ? await db.select().from(administratorAssignments).where(eq(administratorAssignments.personId, person.id)).orderBy(asc(administratorAssignments.effectiveFrom))
      : null;
    return {
      personId: person.id,
      curp: person.curp,
      curpHistory: history.map((h) => ({ curp: h.curp, reason: h.reason, replacedAt: h.replacedAt ? h.replacedAt.toISOString() : null })),
      claveIssemym: person.claveIssemym,
      claveLegacy: person.claveLegacy,
      nombres: person.givenNames,
      primerApellido: person.firstSurname,
      segundoApellido: person.secondSurname,
      sexo: person.sex,
      fechaNacimiento: person.birthDate,
      entidadNacimiento: person.birthState,
      rfc: person.rfc,
      otherIds: full ? { nssImss: person.nssImss, issteNumber: person.issteNumber } : null,
      renapo: { status: person.renapoStatus, checkedAt: person.renapoCheckedAt ? person.renapoCheckedAt.toISOString() : null },
      administrators: administrators
        ? administrators.map((a) => ({ administratorCode: a.administratorCode, effectiveFrom: a.effectiveFrom, effectiveTo: a.effectiveTo }))
        : null,
      employments: list,
      vigenciaHoy: full ? vigenciaFor(person, list, mexicoCityDate()) : null,
    };
  }

  app.get(
    '/v1/people/me',
    {
      config: { access: { roles: ['servant'] } },
      schema: { tags: ['people'], summary: "The logged-in public servant's own record, plazas and vigencia", response: { 200: personView, ...errorResponses } },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const [person] = principal.personId ? await db.select().from(people).where(eq(people.id, principal.personId)) : [];
      if (!person) throw notFound('Su registro en el padrón (su usuario no está vinculado a una persona)');
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'person', subjectId: person.id, purpose: 'consulta de sus propios datos' });
      return personViewOf(person, { kind: 'full' });
    },
  );

  app.get(
    '/v1/people/:curp',
    {
      config: { access: { roles: ['operator', 'admin', 'servant', 'institution'] } },
      schema: {
        tags: ['people'],
        summary: 'A person by current or former CURP: data, claveIssemym, plazas (personal data: audited)',
        params: z.object({ curp: curpParam }),
        response: { 200: personView, ...errorResponses },
      },
    },
    async (request) => {
      const { person, scope } = await authorize(request, request.params.curp, { purpose: 'consulta del registro de la persona', subjectType: 'person', allowInstitution: true });
      return personViewOf(person, scope);
    },
  );

  app.get(
    '/v1/people/:curp/vigencia',
    {
      config: { access: { roles: ['operator', 'admin', 'servant'] } },
      schema: {
        tags: ['people'],
        summary: 'Vigencia de derechos on a date (default today, State of Mexico time)',
        params: z.object({ curp: curpParam }),
        querystring: z.object({ date: isoDate.optional() }),
        response: { 200: vigenciaView.extend({ curp: z.string(), claveIssemym: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const { person } = await authorize(request, request.params.curp, { purpose: 'consulta de vigencia de derechos', subjectType: 'person-vigencia', allowInstitution: false });
      const list = await db.select().from(employments).where(eq(employments.personId, person.id));
      const vigencia = vigenciaFor(person, list, request.query.date ?? mexicoCityDate());
      return { ...vigencia, curp: person.curp, claveIssemym: person.claveIssemym };
    },
  );

  app.get(
    '/v1/people/:curp/constancia',
    {
      config: { access: { roles: ['operator', 'admin', 'servant'] } },
      schema: {
        tags: ['people'],
        summary: 'Constancia de servicios (portability): periods per institution, days, years, 52-week equivalents; PDF or JSON',
        params: z.object({ curp: curpParam }),
        querystring: z.object({ format: z.enum(['pdf', 'json']).default('pdf'), asOf: isoDate.optional() }),
        response: { 200: z.unknown().describe('application/pdf (format=pdf) or the JSON document (format=json)'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { person } = await authorize(request, request.params.curp, { purpose: 'emisión de constancia de servicios', subjectType: 'person-constancia', allowInstitution: false });
      const asOf = request.query.asOf ?? mexicoCityDate();
      const list = await loadEmployments(db, person.id);
      const names = new Map(list.map((e) => [e.institutionClave, e.institutionName]));
      const record = serviceRecord(spans(list), asOf);
      const content: ConstanciaContent = {
        documentType: 'constancia-de-servicios',
        version: 1,
        asOf,
        person: {
          claveIssemym: person.claveIssemym,
          curp: person.curp,
          nombre: [person.givenNames, person.firstSurname, person.secondSurname].filter(Boolean).join(' '),
          rfc: person.rfc,
          nssImss: person.nssImss,
          issteNumber: person.issteNumber,
        },
        periods: record.periods.map((p) => ({ ...p, institutionName: names.get(p.institutionClave) ?? p.institutionClave })),
        byInstitution: record.byInstitution.map((b) => ({ ...b, institutionName: names.get(b.institutionClave) ?? b.institutionClave })),
        totals: {
          daysCotizados: record.daysCotizados,
          grossDays: record.grossDays,
          simultaneousDays: record.simultaneousDays,
          weeks: record.weeks,
          years: record.years,
          fractionWeeks: record.fractionWeeks,
          fractionDays: record.fractionDays,
          yearsRecognized: record.yearsRecognized,
          weeksEquivalent: record.weeksEquivalent,
        },
      };
      const hash = verificationHash(content);
      // The same content is one issued constancia (one folio); a change gives a new folio.
      await db.execute(
        sql`insert into service_certificates (person_id, folio, as_of, content, verification_hash)
            values (${person.id}, 'CS-' || to_char(now() at time zone 'America/Mexico_City', 'YYYY') || '-' || lpad(nextval('service_certificate_folio_seq')::text, 7, '0'),
                    ${asOf}::date, ${JSON.stringify(content)}::jsonb, ${hash})
            on conflict (person_id, verification_hash) do nothing`,
      );
      const [issuedRow] = await db
        .select()
        .from(serviceCertificates)
        .where(and(eq(serviceCertificates.personId, person.id), eq(serviceCertificates.verificationHash, hash)));
      const issued: IssuedConstancia = { folio: issuedRow!.folio, issuedAt: issuedRow!.issuedAt.toISOString(), verificationHash: hash, content };
      if (request.query.format === 'json') return reply.type('application/json').send(issued);
      const pdf = await renderConstanciaPdf(issued);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="constancia-${issued.folio}.pdf"`).send(pdf);
    },
  );

  app.post(
    '/v1/people/:curp/renapo-verification',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['people'],
        summary: 'Re-verify a person at RENAPO now (bypasses the cache): applies CURP changes (RCC/BCC) and BD',
        params: z.object({ curp: curpParam }),
        response: { 202: z.object({ workflowId: z.string(), personId: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { person } = await authorize(request, request.params.curp, { purpose: 'verificación de la CURP en RENAPO', subjectType: 'person', allowInstitution: false });
      const workflowId = personVerificationWorkflowId(person.id);
      await deps.temporal.workflow.start(personVerificationWorkflow, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ personId: person.id }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      return reply.status(202).send({ workflowId, personId: person.id });
    },
  );

  app.post(
    '/v1/people/:curp/administrators',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['people'],
        summary: 'Assign the account administrator (AFORE code or ISSEMYM) from a date; closes the previous assignment',
        params: z.object({ curp: curpParam }),
        body: z.object({
          administratorCode: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{2,12}$/, 'El código de administradora tiene de 2 a 12 letras o números (por ejemplo ISSEMYM).'),
          effectiveFrom: isoDate,
          sourceDocument: z.string().trim().max(200).optional(),
        }),
        response: {
          201: z.object({ administrators: z.array(z.object({ administratorCode: z.string(), effectiveFrom: z.string(), effectiveTo: z.string().nullable() })) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { person } = await authorize(request, request.params.curp, { purpose: 'asignación de administradora de cuenta', subjectType: 'person', allowInstitution: false });
      const { administratorCode, effectiveFrom, sourceDocument } = request.body;
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(administratorAssignments)
          .values({ personId: person.id, administratorCode, effectiveFrom, sourceDocument: sourceDocument ?? null })
          .onConflictDoNothing()
          .returning();
        if (!inserted[0]) throw conflict('ASSIGNMENT_EXISTS', `Ya existe una asignación de administradora con fecha ${effectiveFrom}.`);
        await tx
          .update(administratorAssignments)
          .set({ effectiveTo: addDays(effectiveFrom, -1) })
          .where(
            and(
              eq(administratorAssignments.personId, person.id),
              isNull(administratorAssignments.effectiveTo),
              sql`${administratorAssignments.effectiveFrom} < ${effectiveFrom}::date`,
            ),
          );
      });
      const list = await db.select().from(administratorAssignments).where(eq(administratorAssignments.personId, person.id)).orderBy(asc(administratorAssignments.effectiveFrom));
      return reply.status(201).send({ administrators: list.map((a) => ({ administratorCode: a.administratorCode, effectiveFrom: a.effectiveFrom, effectiveTo: a.effectiveTo })) });
    },
  );

  app.put(
    '/v1/people/:curp/other-ids',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['people'],
        summary: 'Other social-security ids for portability: NSS (IMSS) and ISSSTE number',
        params: z.object({ curp: curpParam }),
        body: z.object({
          nssImss: z
            .string()
            .trim()
            .regex(/^\d{11}$/, 'El NSS del IMSS tiene 11 dígitos.')
            .refine(isLuhnValid, 'El dígito verificador del NSS no es correcto; revíselo contra la constancia del IMSS.')
            .nullish(),
          issteNumber: z.string().trim().min(1).max(20).nullish(),
        }),
        response: { 200: z.object({ nssImss: z.string().nullable(), issteNumber: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const { person } = await authorize(request, request.params.curp, { purpose: 'registro de otros números de seguridad social', subjectType: 'person', allowInstitution: false });
      const set: Partial<typeof people.$inferInsert> = { updatedAt: new Date() };
      if (request.body.nssImss !== undefined) set.nssImss = request.body.nssImss;
      if (request.body.issteNumber !== undefined) set.issteNumber = request.body.issteNumber;
      const [row] = await db.update(people).set(set).where(eq(people.id, person.id)).returning();
      return { nssImss: row!.nssImss, issteNumber: row!.issteNumber };
    },
  );

  app.post(
    '/v1/people/legacy-import',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['people'],
        summary: 'Import people with their existing (legacy) clave ISSEMyM, kept as-is and flagged legacy',
        body: z.object({
          items: z
            .array(
              z.object({
                curp: importCurp,
                claveIssemym: z.string().trim().regex(/^\d{4,10}$/, 'La clave ISSEMyM histórica es numérica (4 a 10 dígitos).'),
                primer_apellido: z.string().trim().min(1).max(50),
                segundo_apellido: z.string().trim().max(50).nullish(),
                nombres: z.string().trim().min(1).max(80),
                rfc: z.string().trim().toUpperCase().max(13).nullish(),
                nssImss: z.string().trim().max(11).nullish(),
              }),
            )
            .min(1)
            .max(5000),
        }),
        response: { 200: z.object({ imported: z.number(), skipped: z.array(z.object({ curp: z.string(), reason: z.string() })) }), ...errorResponses },
      },
    },
    async (request) => {
      return registry.importLegacyPeople(
        request.body.items.map((i) => ({
          curp: i.curp,
          claveIssemym: i.claveIssemym,
          nssImss: i.nssImss ?? null,
          person: {
            firstSurname: i.primer_apellido,
            secondSurname: i.segundo_apellido ?? null,
            givenNames: i.nombres,
            sex: i.curp.charAt(10),
            birthDate: null,
            birthState: i.curp.slice(11, 13),
            rfc: i.rfc ?? null,
          },
        })),
      );
    },
  );
};
