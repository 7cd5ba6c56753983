import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { ZipArchive } from 'archiver';
import { loadDispersionSummary } from '../../activities/dispersion';
import { bankDeposits, cfdis, determinaciones, institutions, lineasCaptura, payrollFiles, payrollFindings, payrollSubmissions, submissionEvents } from '../../db/schema';
import { determinacionPdf, findingsReportPdf, paymentFormPdf } from '../../documents/payroll-reports';
import { amountDueOn, paymentSchedule } from '../../domain/payments/matching';
import { accessoryRatesForDueDate } from '../../payments/rates';
import { findingsToCsv, groupFindingsByCode } from '../../payroll/findings-export';
import { Decimal, toAmountString } from '../../domain/money';
import { isValidPeriod, previousPeriod } from '../../domain/periods';
import { payrollWorkflowId, registerUpload } from '../../payroll/intake';
import { TooLargeError } from '../../platform/storage';
import { decisionSignal, fileUploadedSignal, payrollSubmissionWorkflow } from '../../workflows/payroll-submission';
import type { AppDeps } from '../app';
import { auditPersonalDataAccess } from '../audit';
import { AppError, conflict, notFound, unprocessable } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses, institutionClaveParam } from '../schemas';

const periodParam = z.string().refine(isValidPeriod, 'El periodo es AAAAQQ con QQ entre 01 y 24, por ejemplo 202604.');
const periodParams = z.object({ clave: institutionClaveParam, period: periodParam });
const PAYROLL_ACCESS = { roles: ['institution', 'operator', 'admin'] as const, tenant: 'institution' as const };
/** `?format=json|csv|pdf&version=N` of the reports of a version (default: the current one). */
const versionedReportQuery = z.object({ format: z.enum(['json', 'csv', 'pdf']).default('json'), version: z.coerce.number().int().positive().optional() });

export const payrollRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  async function loadSubmission(clave: string, period: string) {
    const [submission] = await db
      .select()
      .from(payrollSubmissions)
      .where(and(eq(payrollSubmissions.institutionClave, clave), eq(payrollSubmissions.period, period)));
    if (!submission) throw notFound(`La nómina de la institución ${clave} para el periodo ${period}`);
    return submission;
  }

  /** The institution as printed on documents. */
  async function institutionRef(clave: string): Promise<{ clave: string; name: string }> {
    const [institution] = await db.select({ name: institutions.name }).from(institutions).where(eq(institutions.clave, clave));
    return { clave, name: institution?.name ?? clave };
  }

  async function amountIfPaidToday(l: typeof lineasCaptura.$inferSelect): Promise<string | null> {
    const today = new Date(Date.now() - 6 * 3600 * 1000).toISOString().slice(0, 10);
    if (today > l.validUntil) return null;
    const rates = await accessoryRatesForDueDate(db, l.dueDate);
    return toAmountString(amountDueOn({ principal: new Decimal(l.principal), dueDate: l.dueDate, validUntil: l.validUntil, rates }, today).total);
  }

  async function latestFile(submissionId: string, version?: number) {
    const [file] = await db
      .select()
      .from(payrollFiles)
      .where(and(eq(payrollFiles.submissionId, submissionId), version ? eq(payrollFiles.version, version) : eq(payrollFiles.kind, 'full')))
      .orderBy(desc(payrollFiles.version))
      .limit(1);
    if (!file) throw notFound(version ? `La versión ${version}` : 'El archivo de nómina');
    return file;
  }

  app.post(
    '/v1/institutions/:clave/periods/:period/files',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'Upload the payroll file (layout v1, CSV or XLSX) of a period; starts or joins its submission',
        consumes: ['multipart/form-data'],
        params: periodParams,
        querystring: z.object({ kind: z.enum(['full', 'complementary']).default('full') }),
        response: {
          202: z.object({ submissionId: z.string(), version: z.number(), workflowId: z.string(), status: z.string(), duplicate: z.boolean() }),
          413: errorResponses[400],
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const { clave, period } = request.params;
      const [institution] = await db.select().from(institutions).where(eq(institutions.clave, clave));
      if (!institution || institution.status !== 'active') {
        throw unprocessable('INSTITUTION_NOT_ACTIVE', `La institución ${clave} no está registrada o no está activa; solicite su alta a ISSEMyM.`);
      }
      const [accepted] = await db
        .select({ acceptedFileId: payrollSubmissions.acceptedFileId })
        .from(payrollSubmissions)
        .where(and(eq(payrollSubmissions.institutionClave, clave), eq(payrollSubmissions.period, period)));
      if (accepted?.acceptedFileId && request.query.kind === 'full') {
        throw conflict(
          'PERIOD_ALREADY_ACCEPTED',
          'La nómina de este periodo ya fue aceptada; envíe las filas pendientes como archivo complementario (?kind=complementary).',
        );
      }
      const part = await request.file();
      if (!part || part.fieldname !== 'file') {
        throw new AppError(400, 'FILE_REQUIRED', 'Adjunte el archivo de nómina en el campo "file" (multipart/form-data).');
      }
      // At the limit busboy cuts the file and ends its stream normally (`truncated`): make that an
      // error before the end, or the first UPLOAD_MAX_BYTES would be stored and validated as if
      // they were the whole file.
      const file = part.file;
      const whole = Readable.from(
        (async function* () {
          for await (const chunk of file) yield chunk as Buffer;
          if (file.truncated) throw new TooLargeError(deps.config.UPLOAD_MAX_BYTES);
        })(),
        { objectMode: false },
      );
      let stored;
      try {
        stored = await deps.storage.put('payroll', whole, { maxBytes: deps.config.UPLOAD_MAX_BYTES });
      } catch (err) {
        if (err instanceof TooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new AppError(
            413,
            'FILE_TOO_LARGE',
            `El archivo excede el máximo de ${Math.floor(deps.config.UPLOAD_MAX_BYTES / (1024 * 1024))} MB; comprímalo como XLSX o divídalo en archivo principal y complementario.`,
          );
        }
        throw err;
      }
      const upload = await registerUpload(db, {
        institutionClave: clave,
        period,
        stored,
        originalName: part.filename || 'nomina',
        uploadedBy: principal.username,
        kind: request.query.kind,
      });
      const workflowId = payrollWorkflowId(clave, period);
      // Signal-with-start: the first upload starts the period's workflow; later ones join it.
      await deps.temporal.workflow.signalWithStart(payrollSubmissionWorkflow, {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [
          {
            submissionId: upload.submissionId,
            institutionClave: clave,
            period,
            largeFile: { rows: deps.config.PAYROLL_LARGE_FILE_ROWS, bytes: deps.config.PAYROLL_LARGE_FILE_BYTES },
          },
        ],
        signal: fileUploadedSignal,
        signalArgs: [{ fileId: upload.fileId, version: upload.version, kind: upload.kind, bytes: stored.size }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        memo: { summary: `Nómina ${clave} periodo ${period}` },
      });
      return reply.status(202).send({ submissionId: upload.submissionId, version: upload.version, workflowId, status: 'received', duplicate: upload.duplicate });
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: "The period's timeline: versions, findings summary, determinación (payments, CFDI and dispersion follow)",
        params: periodParams,
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (request) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const files = await db.select().from(payrollFiles).where(eq(payrollFiles.submissionId, submission.id)).orderBy(asc(payrollFiles.version));
      const current = [...files].reverse().find((f) => f.kind === 'full');
      const summary = current
        ? await db
            .select({ code: payrollFindings.code, severity: payrollFindings.severity, count: sql<number>`count(*)::int` })
            .from(payrollFindings)
            .where(eq(payrollFindings.fileId, current.id))
            .groupBy(payrollFindings.code, payrollFindings.severity)
            .orderBy(payrollFindings.code)
        : [];
      const [determinacion] = current ? await db.select().from(determinaciones).where(eq(determinaciones.fileId, current.id)) : [];
      const events = await db.select().from(submissionEvents).where(eq(submissionEvents.submissionId, submission.id)).orderBy(asc(submissionEvents.at), asc(submissionEvents.id));
      const lineas = await db.select().from(lineasCaptura).where(eq(lineasCaptura.submissionId, submission.id)).orderBy(asc(lineasCaptura.sequence));
      const deposits = await db.select().from(bankDeposits).where(eq(bankDeposits.submissionId, submission.id)).orderBy(asc(bankDeposits.operationDate), asc(bankDeposits.receivedAt));
      const [cfdi] = await db.select().from(cfdis).where(eq(cfdis.submissionId, submission.id));
      const dispersion = await loadDispersionSummary(deps.database.sql, submission.id);
      const [money] = (await deps.database.sql`
        select (select coalesce(sum(d.total_due), 0) from determinaciones d join payroll_files f on f.id = d.file_id
                 where f.submission_id = ${submission.id} and f.status = 'accepted')::numeric(16,2)::text as determined,
               coalesce(sum(principal_paid), 0)::numeric(16,2)::text as principal_paid,
               coalesce(sum(actualizacion_paid + recargos_paid), 0)::numeric(16,2)::text as accessories_paid,
               coalesce(sum(excess_amount), 0)::numeric(16,2)::text as excess
          from bank_deposits where submission_id = ${submission.id} and status = 'applied'`) as unknown as [
        { determined: string; principal_paid: string; accessories_paid: string; excess: string },
      ];
      return {
        submissionId: submission.id,
        institutionClave: submission.institutionClave,
        period: submission.period,
        status: submission.stage,
        stage: submission.stage,
        workflowId: submission.workflowId,
        versions: files.map((f) => ({
          version: f.version,
          kind: f.kind,
          status: f.status,
          fileName: f.originalName,
          sha256: f.sha256,
          uploadedAt: f.uploadedAt.toISOString(),
          rows: f.rowCount,
          validRows: f.validRows,
          rejectedRows: f.rejectedRows,
          warningRows: f.warningRows,
        })),
        findingsSummary: summary,
        determinacion: determinacion ? determinacionView(determinacion) : null,
        timeline: events.map((e) => ({ stage: e.stage, at: e.at.toISOString(), detail: e.detail })),
        /** Accepted determinaciones (full + complements) against what was paid. */
        amounts: {
          determined: money.determined,
          principalPaid: money.principal_paid,
          accessoriesPaid: money.accessories_paid,
          creditBalance: money.excess,
          balance: toAmountString(new Decimal(money.determined).minus(money.principal_paid)),
        },
        lineas: (await Promise.all(lineas.map(async (l) => ({ l, today: l.status === 'active' ? await amountIfPaidToday(l) : null })))).map(({ l, today }) => ({
          linea: l.linea,
          sequence: l.sequence,
          amount: l.amount,
          principal: l.principal,
          actualizacion: l.actualizacion,
          recargos: l.recargos,
          lateMonths: l.lateMonths,
          dueDate: l.dueDate,
          validUntil: l.validUntil,
          status: l.status,
          issuedAt: l.issuedAt.toISOString(),
          /** What the línea asks for if paid today (a late línea asks less early in its validity). */
          amountIfPaidToday: today,
        })),
        payments: deposits.map((d) => ({
          bank: d.bank,
          trackingKey: d.trackingKey,
          amount: d.amount,
          operationDate: d.operationDate,
          reference: d.reference,
          status: d.status,
          match: d.matchResult,
          applied: d.appliedAmount,
          excess: d.excessAmount,
          source: d.source,
        })),
        cfdi: cfdi ? { uuid: cfdi.uuid, serie: cfdi.serie, folio: cfdi.folio, total: cfdi.total, stampedAt: cfdi.stampedAt.toISOString() } : null,
        dispersion: dispersion
          ? { balanced: dispersion.balanced, deposits: dispersion.deposits, totalCredits: dispersion.totalCredits, destinations: dispersion.destinations, administrators: dispersion.administrators }
          : null,
      };
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/findings',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'Findings of the current (or a given) version, as JSON, CSV or a PDF summary grouped by finding',
        params: periodParams,
        querystring: versionedReportQuery,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const file = await latestFile(submission.id, request.query.version);
      const rows = await db
        .select({
          row: payrollFindings.rowNumber,
          column: payrollFindings.column,
          code: payrollFindings.code,
          severity: payrollFindings.severity,
          value: payrollFindings.value,
          message: payrollFindings.message,
        })
        .from(payrollFindings)
        .where(eq(payrollFindings.fileId, file.id))
        .orderBy(sql`${payrollFindings.rowNumber} nulls first`, asc(payrollFindings.code), asc(payrollFindings.column));
      // Findings quote the cells (CURP, RFC, names): personal data.
      await auditPersonalDataAccess(db, request, {
        action: request.query.format === 'json' ? 'read' : 'download',
        subjectType: 'payroll-findings',
        subjectId: file.id,
        purpose: `consulta de hallazgos de la nómina ${request.params.period} v${file.version} (${request.query.format})`,
      });
      if (request.query.format === 'pdf') {
        const pdf = await findingsReportPdf({
          institution: await institutionRef(request.params.clave),
          period: request.params.period,
          version: file.version,
          fileName: file.originalName,
          rows: file.rowCount ?? 0,
          validRows: file.validRows ?? 0,
          rejectedRows: file.rejectedRows ?? 0,
          groups: groupFindingsByCode(rows, { maxItemsPerCode: 50 }),
          generatedAt: file.validatedAt ?? file.uploadedAt,
        });
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `inline; filename="hallazgos-${request.params.clave}-${request.params.period}-v${file.version}.pdf"`);
        return reply.send(pdf);
      }
      if (request.query.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="hallazgos-${request.params.clave}-${request.params.period}-v${file.version}.csv"`);
        return reply.send(findingsToCsv(rows));
      }
      return reply.send({ version: file.version, status: file.status, findings: rows });
    },
  );

  app.post(
    '/v1/institutions/:clave/periods/:period/accept',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'Accept the valid rows of the current version (quarantined rows can follow in a complementary file)',
        params: periodParams,
        body: z.object({ version: z.number().int().positive().optional() }).nullish(),
        response: { 202: z.object({ accepted: z.boolean(), version: z.number(), validRows: z.number(), rejectedRows: z.number() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const file = await latestFile(submission.id, request.body?.version);
      if (file.status !== 'computed' && file.status !== 'accepted') {
        throw conflict('VERSION_NOT_READY', `La versión ${file.version} aún no termina de validarse (estado: ${file.status}); consulte el periodo y vuelva a intentar.`);
      }
      if (file.kind === 'full') {
        const latest = await latestFile(submission.id);
        if (latest.id !== file.id) throw conflict('VERSION_SUPERSEDED', `La versión ${file.version} fue reemplazada por la versión ${latest.version}; acepte la más reciente.`);
        // Recorded first, then signalled: the workflow's handler ignores a repeated acceptance.
        await db
          .update(payrollSubmissions)
          .set({ acceptedFileId: file.id, updatedAt: new Date() })
          .where(and(eq(payrollSubmissions.id, submission.id), sql`${payrollSubmissions.acceptedFileId} is null or ${payrollSubmissions.acceptedFileId} = ${file.id}`));
      }
      await deps.temporal.workflow.getHandle(submission.workflowId).signal(decisionSignal, { action: 'accept', fileId: file.id });
      return reply.status(202).send({ accepted: true, version: file.version, validRows: file.validRows ?? 0, rejectedRows: file.rejectedRows ?? 0 });
    },
  );

  app.post(
    '/v1/institutions/:clave/periods/:period/withdraw',
    {
      config: { access: PAYROLL_ACCESS },
      schema: { tags: ['payroll'], summary: 'Withdraw a submission that was not accepted', params: periodParams, response: { 202: z.object({ withdrawn: z.boolean() }), ...errorResponses } },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      if (submission.acceptedFileId) throw conflict('PERIOD_ALREADY_ACCEPTED', 'La nómina ya fue aceptada y no puede retirarse.');
      await deps.temporal.workflow.getHandle(submission.workflowId).signal(decisionSignal, { action: 'withdraw' });
      return reply.status(202).send({ withdrawn: true });
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/versions/:version/diff',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'What changed in a version against the previous one: people added, removed, changed, findings fixed',
        params: periodParams.extend({ version: z.coerce.number().int().min(2) }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const current = await latestFile(submission.id, request.params.version);
      const [previous] = await db
        .select()
        .from(payrollFiles)
        .where(and(eq(payrollFiles.submissionId, submission.id), eq(payrollFiles.kind, 'full'), sql`${payrollFiles.version} < ${current.version}`))
        .orderBy(desc(payrollFiles.version))
        .limit(1);
      if (!previous) throw notFound(`Una versión anterior a la ${current.version}`);
      await auditPersonalDataAccess(db, request, {
        action: 'read',
        subjectType: 'payroll-diff',
        subjectId: current.id,
        purpose: `comparación de la versión ${current.version} con la ${previous.version} de la nómina ${request.params.period} (CURP de las personas)`,
      });
      const LIST = 200;
      const people = (await deps.database.sql`
        with cur as (select distinct on (curp) curp, movimiento, sueldo_cotizable, dias_cotizados, rejected from payroll_rows where file_id = ${current.id} and curp is not null order by curp, row_number),
             prev as (select distinct on (curp) curp, movimiento, sueldo_cotizable, dias_cotizados, rejected from payroll_rows where file_id = ${previous.id} and curp is not null order by curp, row_number)
        select coalesce(c.curp, p.curp) as curp,
               case when p.curp is null then 'added' when c.curp is null then 'removed' else 'changed' end as change,
               p.movimiento as before_movimiento, c.movimiento as after_movimiento,
               p.sueldo_cotizable::text as before_sueldo, c.sueldo_cotizable::text as after_sueldo,
               p.rejected as before_rejected, c.rejected as after_rejected
          from cur c full join prev p on p.curp = c.curp
         where p.curp is null or c.curp is null
            or c.movimiento is distinct from p.movimiento or c.sueldo_cotizable is distinct from p.sueldo_cotizable
            or c.dias_cotizados is distinct from p.dias_cotizados or c.rejected is distinct from p.rejected
         order by 2, 1`) as unknown as Array<{ curp: string; change: string; before_movimiento: string | null; after_movimiento: string | null; before_sueldo: string | null; after_sueldo: string | null; before_rejected: boolean | null; after_rejected: boolean | null }>;
      const findings = (await deps.database.sql`
        select code, count(*) filter (where file_id = ${previous.id})::int as before, count(*) filter (where file_id = ${current.id})::int as after
          from payroll_findings where file_id in (${previous.id}, ${current.id}) group by code order by code`) as unknown as Array<{ code: string; before: number; after: number }>;
      const count = (c: string) => people.filter((p) => p.change === c).length;
      return {
        version: current.version,
        previousVersion: previous.version,
        summary: { added: count('added'), removed: count('removed'), changed: count('changed') },
        people: people.slice(0, LIST).map((p) => ({
          curp: p.curp,
          change: p.change,
          before: p.change === 'added' ? null : { movimiento: p.before_movimiento, sueldoCotizable: p.before_sueldo, rejected: p.before_rejected },
          after: p.change === 'removed' ? null : { movimiento: p.after_movimiento, sueldoCotizable: p.after_sueldo, rejected: p.after_rejected },
        })),
        truncated: people.length > LIST,
        findings,
        before: await rowStats(deps.database.sql, previous.id),
        after: await rowStats(deps.database.sql, current.id),
      };
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/variance',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'Variance of the current version against the accepted file of the previous period (shown before accepting)',
        params: periodParams,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const current = await latestFile(submission.id);
      const previousPeriodKey = previousPeriod(request.params.period);
      const [previousSubmission] = await db
        .select()
        .from(payrollSubmissions)
        .where(and(eq(payrollSubmissions.institutionClave, request.params.clave), eq(payrollSubmissions.period, previousPeriodKey)));
      const now = await rowStats(deps.database.sql, current.id);
      const before = previousSubmission?.acceptedFileId ? await rowStats(deps.database.sql, previousSubmission.acceptedFileId) : null;
      return {
        period: request.params.period,
        version: current.version,
        previousPeriod: previousPeriodKey,
        current: now,
        previous: before,
        delta: before
          ? {
              headcount: now.headcount - before.headcount,
              salaryMass: new Decimal(now.salaryMass).minus(before.salaryMass).toDecimalPlaces(2).toString(),
              salaryMassPercent: new Decimal(before.salaryMass).isZero()
                ? null
                : new Decimal(now.salaryMass).minus(before.salaryMass).times(100).dividedBy(before.salaryMass).toDecimalPlaces(1).toString(),
            }
          : null,
      };
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/payment-form',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payments'],
        summary: 'Formato de pago (PDF) of the current línea de captura, with its barcode',
        params: periodParams,
        querystring: z.object({ linea: z.string().regex(/^\d{20}$/).optional() }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const lineas = await db.select().from(lineasCaptura).where(eq(lineasCaptura.submissionId, submission.id)).orderBy(desc(lineasCaptura.sequence));
      const linea = request.query.linea ? lineas.find((l) => l.linea === request.query.linea) : (lineas.find((l) => l.status === 'active') ?? lineas[0]);
      if (!linea) throw conflict('NO_LINEA', 'Aún no hay línea de captura: acepte la nómina del periodo para emitirla.');
      const issuedOn = linea.issuedAt.toISOString().slice(0, 10);
      const pdf = await paymentFormPdf({
        institution: await institutionRef(request.params.clave),
        period: submission.period,
        linea: linea.linea,
        amount: linea.amount,
        principal: linea.principal,
        actualizacion: linea.actualizacion,
        recargos: linea.recargos,
        lateMonths: linea.lateMonths,
        dueDate: linea.dueDate,
        validUntil: linea.validUntil,
        schedule:
          linea.lateMonths > 0
            ? paymentSchedule(
                { principal: new Decimal(linea.principal), dueDate: linea.dueDate, validUntil: linea.validUntil, rates: await accessoryRatesForDueDate(db, linea.dueDate) },
                issuedOn > linea.dueDate ? issuedOn : linea.dueDate,
              )
            : [],
        collectionClabe: deps.config.COLLECTION_ACCOUNT_CLABE,
        issuedAt: linea.issuedAt,
      });
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `inline; filename="formato-pago-${linea.linea}.pdf"`);
      return reply.send(pdf);
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/cfdi',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payments'],
        summary: "The period's CFDI (stamped XML, or its printed representation as PDF)",
        params: periodParams,
        querystring: z.object({ format: z.enum(['xml', 'pdf']).default('xml') }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const [cfdi] = await db.select().from(cfdis).where(eq(cfdis.submissionId, submission.id));
      if (!cfdi) throw conflict('NO_CFDI', 'El CFDI se emite cuando el periodo queda pagado por completo.');
      const xml = await deps.storage.getBuffer(cfdi.storageKey);
      if (request.query.format === 'pdf') {
        const { renderCfdiPdf } = await import('../../cfdi');
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `inline; filename="cfdi-${cfdi.uuid}.pdf"`);
        return reply.send(await renderCfdiPdf(xml.toString('utf8')));
      }
      reply.header('content-type', 'application/xml; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="cfdi-${cfdi.uuid}.xml"`);
      return reply.send(xml);
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/archive',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: "Everything of a period in one ZIP: files, reports, determinación, formatos de pago, CFDI, receipts, dispersion",
        params: periodParams,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { clave, period } = request.params;
      const submission = await loadSubmission(clave, period);
      // The archive carries the payroll files as uploaded (every person's CURP, RFC and salary).
      await auditPersonalDataAccess(db, request, {
        action: 'download',
        subjectType: 'payroll-archive',
        subjectId: submission.id,
        purpose: `descarga del archivo completo del periodo ${period}`,
      });
      const base = `${request.protocol}://${request.hostname}`;
      const files = await db.select().from(payrollFiles).where(eq(payrollFiles.submissionId, submission.id)).orderBy(asc(payrollFiles.version));
      const zip = new ZipArchive({ zlib: { level: 6 } });
      reply.header('content-type', 'application/zip');
      reply.header('content-disposition', `attachment; filename="periodo-${clave}-${period}.zip"`);
      // Entries are produced by the same routes the institution can call one by one (same
      // authorization), so the archive never shows anything the API would not.
      const fetchOwn = async (url: string) => {
        const res = await app.inject({ method: 'GET', url, headers: { authorization: request.headers.authorization ?? '', 'x-api-key': String(request.headers['x-api-key'] ?? '') } });
        return res.statusCode === 200 ? res.rawPayload : null;
      };
      const build = async () => {
        for (const f of files) {
          const ext = f.format === 'xlsx' ? 'xlsx' : 'csv';
          zip.append(await deps.storage.get(f.storageKey), { name: `archivos/v${f.version}-${f.kind}.${ext}` });
          for (const [fmt, name] of [['csv', 'hallazgos.csv'], ['pdf', 'hallazgos.pdf']] as const) {
            const body = await fetchOwn(`/v1/institutions/${clave}/periods/${period}/findings?format=${fmt}&version=${f.version}`);
            if (body) zip.append(body, { name: `reportes/v${f.version}-${name}` });
          }
          for (const fmt of ['json', 'csv', 'pdf'] as const) {
            const body = await fetchOwn(`/v1/institutions/${clave}/periods/${period}/determinacion?format=${fmt}&version=${f.version}`);
            if (body) zip.append(body, { name: `determinacion/v${f.version}-determinacion.${fmt}` });
          }
        }
        const lineas = await db.select().from(lineasCaptura).where(eq(lineasCaptura.submissionId, submission.id)).orderBy(asc(lineasCaptura.sequence));
        for (const l of lineas) {
          const body = await fetchOwn(`/v1/institutions/${clave}/periods/${period}/payment-form?linea=${l.linea}`);
          if (body) zip.append(body, { name: `pagos/formato-de-pago-${l.linea}.pdf` });
        }
        for (const fmt of ['xml', 'pdf'] as const) {
          const body = await fetchOwn(`/v1/institutions/${clave}/periods/${period}/cfdi?format=${fmt}`);
          if (body) zip.append(body, { name: `cfdi/cfdi.${fmt}` });
        }
        const timeline = await fetchOwn(`/v1/institutions/${clave}/periods/${period}`);
        if (timeline) {
          const view = JSON.parse(timeline.toString('utf8'));
          zip.append(JSON.stringify(view.payments, null, 2), { name: 'pagos/recibos.json' });
          zip.append(JSON.stringify(view.dispersion, null, 2), { name: 'dispersion/resumen.json' });
          zip.append(JSON.stringify(view.timeline, null, 2), { name: 'linea-de-tiempo.json' });
        }
        zip.append(`Archivo del periodo ${period} de la institución ${clave}, generado desde ${base}.\n`, { name: 'LEAME.txt' });
        await zip.finalize();
      };
      build().catch((err) => zip.destroy(err as Error));
      return reply.send(zip);
    },
  );

  app.get(
    '/v1/institutions/:clave/periods/:period/determinacion',
    {
      config: { access: PAYROLL_ACCESS },
      schema: {
        tags: ['payroll'],
        summary: 'Determinación: totals per party and concept as decimal strings (json, csv, pdf)',
        params: periodParams,
        querystring: versionedReportQuery,
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const submission = await loadSubmission(request.params.clave, request.params.period);
      const file = await latestFile(submission.id, request.query.version);
      const [row] = await db.select().from(determinaciones).where(eq(determinaciones.fileId, file.id));
      if (!row) throw conflict('DETERMINACION_NOT_READY', `La determinación de la versión ${file.version} aún no está lista; espere a que termine la validación.`);
      const view = determinacionView(row);
      if (request.query.format === 'pdf') {
        const pdf = await determinacionPdf({
          institution: await institutionRef(request.params.clave),
          period: submission.period,
          version: file.version,
          ...view,
          ratesApplied: view.ratesApplied as Array<{ concept: string; party: string; rate: string; verified: boolean }>,
          computedAt: row.computedAt,
        });
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `inline; filename="determinacion-${request.params.clave}-${request.params.period}-v${file.version}.pdf"`);
        return reply.send(pdf);
      }
      if (request.query.format === 'csv') {
        const lines = ['parte,concepto,importe'];
        for (const [party, concepts] of Object.entries(view.totals)) for (const [concept, amount] of Object.entries(concepts)) lines.push(`${party},${concept},${amount}`);
        lines.push(`total,cuotas,${view.totalCuotas}`, `total,aportaciones,${view.totalAportaciones}`, `total,retenciones,${view.totalRetenciones}`, `total,total_a_pagar,${view.totalDue}`);
        reply.header('content-type', 'text/csv; charset=utf-8');
        return reply.send(lines.join('\n') + '\n');
      }
      return reply.send({ version: file.version, period: submission.period, ...view });
    },
  );
};

interface RowStats {
  rows: number;
  headcount: number;
  altas: number;
  bajas: number;
  modificaciones: number;
  salaryMass: string;
}

async function rowStats(sqlClient: AppDeps['database']['sql'], fileId: string): Promise<RowStats> {
  const [s] = (await sqlClient`
    select count(*)::int as rows,
           count(*) filter (where not rejected and movimiento <> 'B')::int as headcount,
           count(*) filter (where not rejected and movimiento in ('A', 'R'))::int as altas,
           count(*) filter (where not rejected and movimiento = 'B')::int as bajas,
           count(*) filter (where not rejected and movimiento = 'M')::int as modificaciones,
           coalesce(sum(sueldo_cotizable) filter (where not rejected), 0)::numeric(16,2)::text as salary_mass
      from payroll_rows where file_id = ${fileId}`) as unknown as [{ rows: number; headcount: number; altas: number; bajas: number; modificaciones: number; salary_mass: string }];
  return { rows: s.rows, headcount: s.headcount, altas: s.altas, bajas: s.bajas, modificaciones: s.modificaciones, salaryMass: s.salary_mass };
}

function determinacionView(row: typeof determinaciones.$inferSelect) {
  return {
    totals: row.totals as Record<string, Record<string, string>>,
    totalCuotas: row.totalCuotas,
    totalAportaciones: row.totalAportaciones,
    totalRetenciones: row.totalRetenciones,
    totalDue: row.totalDue,
    rowsComputed: row.rowsComputed,
    usesUnverifiedRates: row.usesUnverifiedRates,
    notice: row.usesUnverifiedRates
      ? 'Calculada con tasas de aportación no verificadas (solo el total de 19 % es público); ISSEMyM puede cargar las tasas oficiales.'
      : undefined,
    ratesApplied: row.ratesApplied,
    computedAt: row.computedAt.toISOString(),
  };
}
