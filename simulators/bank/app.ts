import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isValidIsoDate, mexicoDateOf } from '../../domain/dates.js';
import { registerFaults } from '../shared/faults.js';
import { validationError } from '../shared/http.js';
import { resolveDataDir, resolveSeed, type SimulatorBaseOptions } from '../shared/options.js';
import { JsonStateFile } from '../shared/state-file.js';
import { DEFAULT_COLLECTION_CLABE, DEFAULT_PAYER_CLABE, isValidClabe } from './clabe.js';
import { DEFAULT_RETRY_POLICY, DeliveryDispatcher, type Delivery, type RetryPolicy } from './deliveries.js';

/**
 * Bank simulator (contracts §5, §9): the institute's collection account at a bank.
 *
 * - `POST /payments {reference, amount, operationDate?, valueDate?, bank?, payerName?, payerAccount?}`
 *   records a deposit (201) and delivers the signed notification webhook asynchronously, with
 *   retries and, with probability `duplicateRate`, a second identical delivery.
 * - `GET /statements/:date` → the day's statement CSV.
 * - `GET /payments?reference=&date=` and `GET /deliveries?trackingKey=&status=` for tests.
 * State (deposits, deliveries, counter) is persisted in `<dataDir>/bank.json`.
 */

export const STATEMENT_HEADER = 'fecha_operacion,fecha_valor,referencia,importe,clave_rastreo,concepto,ordenante';

export interface Deposit {
  bank: string;
  account: string;
  operationDate: string;
  valueDate: string;
  amount: string;
  reference: string;
  trackingKey: string;
  payerName: string;
  payerAccount: string;
  concept: string;
  createdAt: string;
}

interface BankState {
  version: 1;
  sequence: number;
  deposits: Deposit[];
  deliveries: Delivery[];
}

export interface BankSimulatorOptions extends SimulatorBaseOptions {
  /** Default env BANK_WEBHOOK_URL, else http://127.0.0.1:3000/v1/bank/notifications. */
  webhookUrl?: string;
  /** Default env BANK_WEBHOOK_SECRET, else 'dev-bank-secret'. */
  webhookSecret?: string;
  /** The institute's collection CLABE. Default env BANK_ACCOUNT_CLABE, else a valid BBVA CLABE. */
  accountClabe?: string;
  /** Retry policy of webhook deliveries (default 8 attempts, 1 s doubling, capped at 60 s). */
  retry?: Partial<RetryPolicy>;
  /** Timeout of one webhook attempt. Default 10 s. */
  deliveryTimeoutMs?: number;
}

const isoDate = z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD');

const paymentSchema = z
  .object({
    reference: z.string().regex(/^\d{20}$/, 'reference must be 20 digits'),
    amount: z
      .string()
      .regex(/^\d{1,13}\.\d{2}$/, 'amount must be a decimal string with 2 places, e.g. "1234.56"')
      .refine((a) => /[1-9]/.test(a), 'amount must be greater than zero'),
    operationDate: isoDate.optional(),
    valueDate: isoDate.optional(),
    bank: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,11}$/, 'bank must be 2–12 uppercase letters or digits')
      .default('BBVA'),
    payerName: z.string().trim().min(1).max(120).optional(),
    payerAccount: z.string().refine(isValidClabe, 'payerAccount must be a valid CLABE').optional(),
    concept: z.string().trim().min(1).max(120).optional(),
  })
  .strict();

const listQuery = z.object({ reference: z.string().optional(), date: isoDate.optional() });
const deliveriesQuery = z.object({
  trackingKey: z.string().optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
});

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function statementCsv(deposits: readonly Deposit[]): string {
  const lines = deposits.map((d) =>
    [d.operationDate, d.valueDate, d.reference, d.amount, d.trackingKey, d.concept, d.payerName].map(csvField).join(','),
  );
  return `${[STATEMENT_HEADER, ...lines].join('\n')}\n`;
}

/** Notification body in the contract's field order; serialised once and stored with the delivery. */
export function notificationBody(d: Deposit): string {
  return JSON.stringify({
    bank: d.bank,
    account: d.account,
    operationDate: d.operationDate,
    valueDate: d.valueDate,
    amount: d.amount,
    reference: d.reference,
    trackingKey: d.trackingKey,
    payerName: d.payerName,
    payerAccount: d.payerAccount,
  });
}

export function buildBankSimulator(options: BankSimulatorOptions = {}): FastifyInstance {
  const webhookUrl = options.webhookUrl ?? process.env.BANK_WEBHOOK_URL ?? 'http://127.0.0.1:3000/v1/bank/notifications';
  const webhookSecret = options.webhookSecret ?? process.env.BANK_WEBHOOK_SECRET ?? 'dev-bank-secret';
  const account = options.accountClabe ?? (process.env.BANK_ACCOUNT_CLABE || DEFAULT_COLLECTION_CLABE);
  if (!isValidClabe(account)) throw new Error(`BANK_ACCOUNT_CLABE is not a valid CLABE: ${account}`);
  new URL(webhookUrl); // fail fast on a bad URL
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };

  const app = Fastify({ logger: options.logger ?? false });
  const state: BankState = { version: 1, sequence: 0, deposits: [], deliveries: [] };
  const store = new JsonStateFile<BankState>(resolveDataDir(options.dataDir), 'bank.json', () => state);
  const loaded = store.load();
  if (loaded) {
    state.sequence = loaded.sequence ?? 0;
    state.deposits = loaded.deposits ?? [];
    state.deliveries = loaded.deliveries ?? [];
  }
  const deliveriesById = new Map(state.deliveries.map((d) => [d.id, d]));

  const faults = registerFaults(app, {
    name: 'bank',
    seed: resolveSeed(options.seed),
    initial: options.faults,
    exempt: ['GET /payments', 'GET /deliveries'],
  });

  const dispatcher = new DeliveryDispatcher({
    webhookUrl,
    webhookSecret,
    retry,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    find: (id) => deliveriesById.get(id),
    persist: () => store.persist(),
    log: app.log,
  });

  app.addHook('onReady', async () => {
    dispatcher.start(state.deliveries.filter((d) => d.status === 'pending'));
  });
  app.addHook('onClose', async () => {
    await dispatcher.stop();
    await store.persist();
  });

  app.post('/payments', async (request, reply) => {
    const parsed = paymentSchema.safeParse(request.body ?? {});
    if (!parsed.success) return validationError(reply, parsed.error);
    const p = parsed.data;
    const operationDate = p.operationDate ?? mexicoDateOf(Date.now());
    state.sequence += 1;
    const deposit: Deposit = {
      bank: p.bank,
      account,
      operationDate,
      valueDate: p.valueDate ?? operationDate,
      amount: p.amount,
      reference: p.reference,
      trackingKey: `${p.bank}${operationDate.replaceAll('-', '')}${String(state.sequence).padStart(8, '0')}`,
      payerName: p.payerName ?? 'INSTITUCION PUBLICA ORDENANTE',
      payerAccount: p.payerAccount ?? DEFAULT_PAYER_CLABE,
      concept: p.concept ?? `PAGO REF ${p.reference}`,
      createdAt: new Date().toISOString(),
    };
    state.deposits.push(deposit);

    const body = notificationBody(deposit);
    const copies = faults.chance(faults.settings().duplicateRate) ? 2 : 1;
    const created: Delivery[] = [];
    for (let copy = 1; copy <= copies; copy++) {
      const delivery: Delivery = {
        id: `${deposit.trackingKey}-${copy}`,
        trackingKey: deposit.trackingKey,
        bank: deposit.bank,
        copy,
        body,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: Date.now(),
        createdAt: deposit.createdAt,
      };
      state.deliveries.push(delivery);
      deliveriesById.set(delivery.id, delivery);
      created.push(delivery);
    }
    await store.persist();
    for (const delivery of created) dispatcher.schedule(delivery);
    return reply.code(201).send({ ...deposit, deliveryIds: created.map((d) => d.id) });
  });

  app.get('/payments', async (request, reply) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) return validationError(reply, parsed.error);
    const { reference, date } = parsed.data;
    return state.deposits.filter(
      (d) => (reference === undefined || d.reference === reference) && (date === undefined || d.operationDate === date),
    );
  });

  app.get<{ Params: { date: string } }>('/statements/:date', async (request, reply) => {
    const parsed = isoDate.safeParse(request.params.date);
    if (!parsed.success) return validationError(reply, parsed.error);
    const csv = statementCsv(state.deposits.filter((d) => d.operationDate === parsed.data));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="estado-de-cuenta-${parsed.data}.csv"`)
      .send(csv);
  });

  app.get('/deliveries', async (request, reply) => {
    const parsed = deliveriesQuery.safeParse(request.query);
    if (!parsed.success) return validationError(reply, parsed.error);
    const { trackingKey, status } = parsed.data;
    return state.deliveries.filter(
      (d) => (trackingKey === undefined || d.trackingKey === trackingKey) && (status === undefined || d.status === status),
    );
  });

  return app;
}
