import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankDeposits, bankNotificationAttempts, lineasCaptura, paymentReviewQueue, payrollSubmissions } from '../../db/schema';
import { isValidIsoDate } from '../../domain/dates';
import { parseAmount, toAmountString } from '../../domain/money';
import { BANK_SIGNATURE_HEADER, verifyBankSignature } from '../../integrations/bank-signature';
import { recordAndRouteDeposit, signalPeriod } from '../../payments/intake';
import { requireSecret } from '../../platform/config';
import type { AppDeps } from '../app';
import { AppError, conflict, notFound } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses, institutionClaveParam } from '../schemas';

const amountString = z.string().refine((v) => parseAmount(v) !== null, 'Importe con punto decimal y hasta 2 decimales, p. ej. "1234.56".');
const isoDate = z.string().refine(isValidIsoDate, 'Fecha AAAA-MM-DD.');
const notificationBody = z.object({
  bank: z.string().min(2).max(20),
  account: z.string().regex(/^\d{18}$/, 'CLABE de 18 dígitos.'),
  operationDate: isoDate,
  valueDate: isoDate,
  amount: amountString,
  reference: z.string().min(1).max(40),
  trackingKey: z.string().min(1).max(40),
  payerName: z.string().max(200).optional().default(''),
  payerAccount: z.string().max(40).optional().default(''),
});

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

const STATEMENT_COLUMNS = ['fecha_operacion', 'fecha_valor', 'referencia', 'importe', 'clave_rastreo', 'concepto', 'ordenante'] as const;

export const bankRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const secret = requireSecret(deps.config, 'BANK_WEBHOOK_SECRET');
  const routing = { db, temporal: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE };

  // The signature covers the exact bytes the bank sent: keep them (this plugin's scope only).
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(new AppError(400, 'INVALID_JSON', 'El cuerpo no es JSON válido.'), undefined);
    }
  });

  app.post(
    '/v1/bank/notifications',
    {
      config: { access: { public: true } },
      // Signature first: an unsigned or forged call gets 401 whatever its body, and is recorded.
      preValidation: async (request) => {
        const header = request.headers[BANK_SIGNATURE_HEADER];
        const raw = request.rawBody ?? Buffer.alloc(0);
        if (typeof header !== 'string' || !verifyBankSignature(raw, header, secret)) {
          await db.insert(bankNotificationAttempts).values({
            ip: request.ip,
            outcome: 'bad-signature',
            detail: typeof header === 'string' ? 'firma no coincide' : 'sin firma',
            bodySha256: createHash('sha256').update(raw).digest('hex'),
          });
          request.log.warn({ event: 'bank_signature_rejected' }, 'bank notification with a bad signature');
          throw new AppError(401, 'BAD_SIGNATURE', 'Firma X-Bank-Signature ausente o inválida.');
        }
      },
      schema: {
        tags: ['bank'],
        summary: 'Payment notification from the bank (signed webhook, contracts §5); idempotent by bank + trackingKey',
        body: notificationBody,
        response: { 200: z.object({ depositId: z.string(), outcome: z.enum(['routed', 'queued', 'duplicate']), reason: z.string().optional() }), ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return recordAndRouteDeposit(routing, {
        bank: b.bank,
        trackingKey: b.trackingKey,
        account: b.account,
        operationDate: b.operationDate,
        valueDate: b.valueDate,
        amount: toAmountString(parseAmount(b.amount)!),
        reference: b.reference,
        payerName: b.payerName || null,
        payerAccount: b.payerAccount || null,
        source: 'webhook',
        raw: b,
      });
    },
  );

  app.post(
    '/v1/bank/statements',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['bank'],
        summary: "Import the bank's daily statement CSV (contracts §5); deposits already notified change nothing",
        consumes: ['multipart/form-data'],
        querystring: z.object({ bank: z.string().min(2).max(20).default('BBVA') }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const part = await request.file();
      if (!part) throw new AppError(400, 'FILE_REQUIRED', 'Adjunte el estado de cuenta CSV en el campo "file".');
      const text = (await part.toBuffer()).toString('utf8').replace(/^\uFEFF/, '');
      let records: string[][];
      try {
        records = parseCsv(text, { skip_empty_lines: true, relax_column_count: true }) as string[][];
      } catch (err) {
        throw new AppError(422, 'STATEMENT_UNREADABLE', `El estado de cuenta no es un CSV válido: ${(err as Error).message}`);
      }
      const header = (records.shift() ?? []).map((h) => h.trim().toLowerCase());
      const missing = STATEMENT_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length > 0) {
        throw new AppError(422, 'STATEMENT_HEADER', `Faltan columnas en el encabezado: ${missing.join(', ')}. Se esperan: ${STATEMENT_COLUMNS.join(',')}.`);
      }
      const col = (row: string[], name: (typeof STATEMENT_COLUMNS)[number]) => (row[header.indexOf(name)] ?? '').trim();
      const result = { rows: records.length, recorded: 0, duplicates: 0, routed: 0, queued: 0, errors: [] as Array<{ line: number; message: string }> };
      for (const [index, row] of records.entries()) {
        const line = index + 2;
        const amount = parseAmount(col(row, 'importe'));
        const operationDate = col(row, 'fecha_operacion');
        const valueDate = col(row, 'fecha_valor') || operationDate;
        if (!amount || !isValidIsoDate(operationDate) || !isValidIsoDate(valueDate) || !col(row, 'clave_rastreo')) {
          result.errors.push({ line, message: 'Fila inválida: revise fecha_operacion (AAAA-MM-DD), importe (1234.56) y clave_rastreo.' });
          continue;
        }
        const outcome = await recordAndRouteDeposit(routing, {
          bank: request.query.bank,
          trackingKey: col(row, 'clave_rastreo'),
          account: null,
          operationDate,
          valueDate,
          amount: toAmountString(amount),
          reference: col(row, 'referencia'),
          payerName: col(row, 'ordenante') || null,
          payerAccount: null,
          source: 'statement',
          raw: Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])),
        });
        if (outcome.outcome === 'duplicate') result.duplicates += 1;
        else {
          result.recorded += 1;
          if (outcome.outcome === 'routed') result.routed += 1;
          else result.queued += 1;
        }
      }
      return result;
    },
  );

  app.get(
    '/v1/payments/review-queue',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['bank'],
        summary: "Operators' queue: deposits that could not be applied (unknown, expired or already paid reference)",
        querystring: z.object({ status: z.enum(['open', 'assigned', 'refunded']).default('open') }),
        response: { 200: z.unknown(), ...errorResponses },
      },
    },
    async (request) => {
      const items = await db
        .select({ item: paymentReviewQueue, deposit: bankDeposits })
        .from(paymentReviewQueue)
        .innerJoin(bankDeposits, eq(bankDeposits.id, paymentReviewQueue.depositId))
        .where(eq(paymentReviewQueue.status, request.query.status))
        .orderBy(asc(paymentReviewQueue.createdAt));
      return {
        items: items.map(({ item, deposit }) => ({
          id: item.id,
          reason: item.reason,
          detail: item.detail,
          status: item.status,
          createdAt: item.createdAt.toISOString(),
          deposit: {
            id: deposit.id,
            bank: deposit.bank,
            trackingKey: deposit.trackingKey,
            reference: deposit.reference,
            amount: deposit.amount,
            operationDate: deposit.operationDate,
            payerName: deposit.payerName,
          },
          resolution: item.resolution,
        })),
      };
    },
  );

  app.post(
    '/v1/payments/review-queue/:id/assign',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['bank'],
        summary: "Assign a queued deposit to a period: it is applied to that period's current línea",
        params: z.object({ id: z.string().uuid() }),
        body: z.object({ institutionClave: institutionClaveParam, period: z.string().regex(/^\d{4}(0[1-9]|1\d|2[0-4])$/), note: z.string().max(500).optional() }),
        response: { 200: z.object({ assigned: z.boolean(), depositId: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const [item] = await db.select().from(paymentReviewQueue).where(eq(paymentReviewQueue.id, request.params.id));
      if (!item) throw notFound('El elemento de la cola');
      if (item.status !== 'open') throw conflict('ALREADY_RESOLVED', 'Este depósito ya fue resuelto.');
      const [submission] = await db
        .select()
        .from(payrollSubmissions)
        .where(and(eq(payrollSubmissions.institutionClave, request.body.institutionClave), eq(payrollSubmissions.period, request.body.period)));
      if (!submission) throw notFound(`La nómina ${request.body.institutionClave}/${request.body.period}`);
      const [linea] = await db
        .select()
        .from(lineasCaptura)
        .where(and(eq(lineasCaptura.submissionId, submission.id), eq(lineasCaptura.status, 'active')));
      if (!linea) throw conflict('NO_ACTIVE_LINEA', 'El periodo no tiene una línea de captura vigente por pagar; reembolse el depósito o espere a que se emita.');
      await db.transaction(async (tx) => {
        await tx
          .update(paymentReviewQueue)
          .set({ status: 'assigned', resolvedBy: principal.username, resolvedAt: new Date(), resolution: { institutionClave: request.body.institutionClave, period: request.body.period, linea: linea.linea, note: request.body.note ?? null } })
          .where(and(eq(paymentReviewQueue.id, item.id), eq(paymentReviewQueue.status, 'open')));
        // Applied to the current línea, with accessories for the deposit's actual operation date.
        await tx.update(bankDeposits).set({ status: 'received', lineaId: linea.id, submissionId: submission.id }).where(eq(bankDeposits.id, item.depositId));
      });
      await signalPeriod(routing, submission.id, item.depositId);
      return { assigned: true, depositId: item.depositId };
    },
  );

  app.post(
    '/v1/payments/review-queue/:id/refund',
    {
      config: { access: { roles: ['operator', 'admin'] } },
      schema: {
        tags: ['bank'],
        summary: 'Mark a queued deposit for refund to the payer',
        params: z.object({ id: z.string().uuid() }),
        body: z.object({ reason: z.string().min(3).max(500) }),
        response: { 200: z.object({ refunded: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const [item] = await db.select().from(paymentReviewQueue).where(eq(paymentReviewQueue.id, request.params.id));
      if (!item) throw notFound('El elemento de la cola');
      if (item.status !== 'open') throw conflict('ALREADY_RESOLVED', 'Este depósito ya fue resuelto.');
      await db.transaction(async (tx) => {
        await tx
          .update(paymentReviewQueue)
          .set({ status: 'refunded', resolvedBy: principal.username, resolvedAt: new Date(), resolution: { reason: request.body.reason } })
          .where(eq(paymentReviewQueue.id, item.id));
        await tx.update(bankDeposits).set({ status: 'refunded' }).where(eq(bankDeposits.id, item.depositId));
      });
      return { refunded: true };
    },
  );
};
