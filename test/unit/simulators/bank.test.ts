import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { signBankPayload, verifyBankSignature } from '../../../integrations/bank-signature.js';
import { createBankSimulatorClient } from '../../../integrations/simulator-control.js';
import { STATEMENT_HEADER, buildBankSimulator, type BankSimulatorOptions } from '../../../simulators/bank/app.js';
import { DEFAULT_COLLECTION_CLABE, DEFAULT_PAYER_CLABE, clabeCheckDigit, isValidClabe } from '../../../simulators/bank/clabe.js';
import { backoffDelay } from '../../../simulators/bank/deliveries.js';
import { listen, tempDataDir, waitFor } from './helpers.js';

const SECRET = 'test-secret';
const REF = '01205112026020000158';
const REF2 = '01205112026020000254';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup(defaults: BankSimulatorOptions = {}) {
  const data = tempDataDir();
  cleanups.push(data.cleanup);
  const build = (options: BankSimulatorOptions = {}) => {
    const app = buildBankSimulator({
      dataDir: data.dir,
      seed: 7,
      webhookUrl: 'http://127.0.0.1:9/unused',
      webhookSecret: SECRET,
      retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 8 },
      deliveryTimeoutMs: 1000,
      ...defaults,
      ...options,
    });
    cleanups.push(() => app.close());
    return app;
  };
  return { dir: data.dir, build };
}

interface Received {
  body: string;
  signature: string | undefined;
  valid: boolean;
}

/** A webhook receiver like the API's: verifies the signature on the raw body, records deliveries. */
async function receiver(respond: (n: number, r: Received) => number = () => 200) {
  const app: FastifyInstance = Fastify();
  cleanups.push(() => app.close());
  const received: Received[] = [];
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/v1/bank/notifications', async (request, reply) => {
    const body = request.body as string;
    const header = request.headers['x-bank-signature'];
    const r: Received = { body, signature: typeof header === 'string' ? header : undefined, valid: verifyBankSignature(body, header, SECRET) };
    received.push(r);
    const status = r.valid ? respond(received.length, r) : 401;
    return reply.code(status).send({ ok: status < 300 });
  });
  const url = `${await listen(app)}/v1/bank/notifications`;
  return { url, received };
}

describe('CLABE', () => {
  it('computes the 3,7,1 check digit', () => {
    expect(clabeCheckDigit('00201007777777777')).toBe(1);
    expect(isValidClabe('002010077777777771')).toBe(true);
    expect(isValidClabe('002010077777777772')).toBe(false);
    expect(isValidClabe('00201007777777777')).toBe(false);
    expect(isValidClabe(DEFAULT_COLLECTION_CLABE)).toBe(true);
    expect(isValidClabe(DEFAULT_PAYER_CLABE)).toBe(true);
  });
});

describe('bank signature (integrations/bank-signature.ts)', () => {
  const body = '{"bank":"BBVA","amount":"1234.56"}';

  it('signs as sha256=<hex HMAC-SHA256 of the raw body> and verifies it', () => {
    const header = signBankPayload(body, SECRET);
    // Known HMAC, computed independently: printf %s "$body" | openssl dgst -sha256 -hmac test-secret
    expect(header).toBe('sha256=2738791713a5e50c172d791c8e6e887ef240204859a5c6943f24770e4a70c194');
    expect(signBankPayload(Buffer.from(body), SECRET)).toBe(header);
    expect(verifyBankSignature(body, header, SECRET)).toBe(true);
    expect(verifyBankSignature(Buffer.from(body), header.toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
  });

  it('rejects tampering, other secrets and anything but sha256=<64 hex>', () => {
    const header = signBankPayload(body, SECRET);
    expect(verifyBankSignature(`${body} `, header, SECRET)).toBe(false);
    expect(verifyBankSignature(body, header, 'other')).toBe(false);
    for (const bad of [undefined, null, '', header.slice(7), `sha1=${header.slice(7)}`, header.slice(0, -1), `${header}0`, `${header.slice(0, -1)}g`, [header]]) {
      expect(verifyBankSignature(body, bad as string | undefined, SECRET), String(bad)).toBe(false);
    }
  });
});

describe('bank simulator', () => {
  it('validates payments', async () => {
    const app = setup().build();
    const cases = [
      { reference: '0120511202602000015', amount: '1.00' },
      { reference: `${REF}1`, amount: '1.00' },
      { reference: REF, amount: '12.5' },
      { reference: REF, amount: '1,234.56' },
      { reference: REF, amount: 1234.56 },
      { reference: REF, amount: '0.00' },
      { reference: REF, amount: '1.00', operationDate: '2026-02-30' },
      { reference: REF, amount: '1.00', bank: 'bbva' },
      { amount: '1.00' },
    ];
    for (const payload of cases) {
      const res = await app.inject({ method: 'POST', url: '/payments', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await app.inject({ method: 'GET', url: '/payments' })).json()).toEqual([]);
  });

  it('creates deposits with unique tracking keys and lists them in the day statement', async () => {
    const app = setup().build();
    const a = await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '1234.56', operationDate: '2026-02-10' } });
    const b = await app.inject({
      method: 'POST',
      url: '/payments',
      payload: { reference: REF2, amount: '99.00', operationDate: '2026-02-10', payerName: 'MUNICIPIO DE TOLUCA, "TESORERIA"' },
    });
    const c = await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '5.00', operationDate: '2026-02-11', bank: 'SANTANDER' } });
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 201]);
    const da = a.json();
    expect(da).toMatchObject({
      bank: 'BBVA',
      account: DEFAULT_COLLECTION_CLABE,
      operationDate: '2026-02-10',
      valueDate: '2026-02-10',
      amount: '1234.56',
      reference: REF,
      payerAccount: DEFAULT_PAYER_CLABE,
    });
    expect(da.trackingKey).toMatch(/^BBVA20260210\d{8}$/);
    expect(c.json().trackingKey).toMatch(/^SANTANDER20260211\d{8}$/);
    const keys = new Set([a, b, c].map((r) => r.json().trackingKey));
    expect(keys.size).toBe(3);

    const statement = await app.inject({ method: 'GET', url: '/statements/2026-02-10' });
    expect(statement.statusCode).toBe(200);
    expect(statement.headers['content-type']).toMatch(/^text\/csv/);
    expect(statement.body).toBe(
      [
        STATEMENT_HEADER,
        `2026-02-10,2026-02-10,${REF},1234.56,${da.trackingKey},PAGO REF ${REF},INSTITUCION PUBLICA ORDENANTE`,
        `2026-02-10,2026-02-10,${REF2},99.00,${b.json().trackingKey},PAGO REF ${REF2},"MUNICIPIO DE TOLUCA, ""TESORERIA"""`,
        '',
      ].join('\n'),
    );
    expect(STATEMENT_HEADER).toBe('fecha_operacion,fecha_valor,referencia,importe,clave_rastreo,concepto,ordenante');
    expect((await app.inject({ method: 'GET', url: '/statements/2026-02-12' })).body).toBe(`${STATEMENT_HEADER}\n`);
    expect((await app.inject({ method: 'GET', url: '/statements/2026-13-01' })).statusCode).toBe(400);

    const byRef = (await app.inject({ method: 'GET', url: `/payments?reference=${REF}` })).json();
    expect(byRef.map((d: { amount: string }) => d.amount)).toEqual(['1234.56', '5.00']);
  });

  it('defaults operationDate to today in Mexico City', async () => {
    const app = setup().build();
    const res = await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '1.00' } });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Mexico_City' }).format(new Date());
    expect(res.json().operationDate).toBe(today);
  });

  it('refuses an invalid collection CLABE', () => {
    expect(() => setup().build({ accountClabe: '012180001183597210' })).toThrow(/CLABE/);
  });

  it('keeps deposits and the tracking-key sequence across a restart', async () => {
    const { dir, build } = setup();
    const first = build();
    const a = (await first.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00', operationDate: '2026-02-10' } })).json();
    await first.close();
    expect(JSON.parse(readFileSync(path.join(dir, 'bank.json'), 'utf8')).deposits).toHaveLength(1);

    const second = build();
    const b = (await second.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00', operationDate: '2026-02-10' } })).json();
    expect(b.trackingKey).not.toBe(a.trackingKey);
    const statement = (await second.inject({ method: 'GET', url: '/statements/2026-02-10' })).body;
    expect(statement.trim().split('\n')).toHaveLength(3);
  });

  it('delivers the signed contract webhook once when duplicateRate is 0', async () => {
    const hook = await receiver();
    const app = setup({ webhookUrl: hook.url }).build();
    const deposit = (await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '1234.56', operationDate: '2026-02-10' } })).json();

    await waitFor(() => hook.received.length >= 1, 5000, 'webhook');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hook.received).toHaveLength(1);
    const [first] = hook.received;
    expect(first!.valid).toBe(true);
    expect(first!.signature).toBe(signBankPayload(first!.body, SECRET));
    const payload = JSON.parse(first!.body);
    expect(Object.keys(payload)).toEqual(['bank', 'account', 'operationDate', 'valueDate', 'amount', 'reference', 'trackingKey', 'payerName', 'payerAccount']);
    expect(payload).toEqual({
      bank: 'BBVA',
      account: DEFAULT_COLLECTION_CLABE,
      operationDate: '2026-02-10',
      valueDate: '2026-02-10',
      amount: '1234.56',
      reference: REF,
      trackingKey: deposit.trackingKey,
      payerName: 'INSTITUCION PUBLICA ORDENANTE',
      payerAccount: DEFAULT_PAYER_CLABE,
    });
    const deliveries = await waitFor(async () => {
      const list = (await app.inject({ method: 'GET', url: '/deliveries?status=delivered' })).json();
      return list.length === 1 ? list : null;
    });
    expect(deliveries[0]).toMatchObject({ trackingKey: deposit.trackingKey, attempts: 1, lastStatus: 200, status: 'delivered' });
  });

  it('duplicateRate 1 delivers the same notification twice', async () => {
    const hook = await receiver();
    const app = setup({ webhookUrl: hook.url }).build();
    await app.inject({ method: 'POST', url: '/control', payload: { duplicateRate: 1 } });
    const deposit = (await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00' } })).json();
    expect(deposit.deliveryIds).toHaveLength(2);

    await waitFor(() => hook.received.length >= 2, 5000, 'two deliveries');
    expect(hook.received.every((r) => r.valid)).toBe(true);
    const keys = hook.received.map((r) => JSON.parse(r.body).trackingKey);
    expect(keys).toEqual([deposit.trackingKey, deposit.trackingKey]);
    expect(hook.received[0]!.body).toBe(hook.received[1]!.body);
    // …and only one deposit exists.
    expect((await app.inject({ method: 'GET', url: `/payments?reference=${REF}` })).json()).toHaveLength(1);
  });

  it('retries with backoff until the receiver accepts', async () => {
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    const app = setup({ webhookUrl: hook.url }).build();
    const deposit = (await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00' } })).json();

    const delivered = await waitFor(async () => {
      const list = (await app.inject({ method: 'GET', url: `/deliveries?trackingKey=${deposit.trackingKey}` })).json();
      return list[0]?.status === 'delivered' ? list[0] : null;
    });
    expect(delivered).toMatchObject({ attempts: 2, lastStatus: 200 });
    expect(hook.received).toHaveLength(2);
    expect(hook.received.map((r) => JSON.parse(r.body).trackingKey)).toEqual([deposit.trackingKey, deposit.trackingKey]);
  });

  it('gives up after maxAttempts (a receiver refusing a wrong signature never accepts)', async () => {
    const hook = await receiver();
    const app = setup({ webhookUrl: hook.url, webhookSecret: 'wrong-secret', retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 } }).build();
    await app.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00' } });
    const failed = await waitFor(async () => (await app.inject({ method: 'GET', url: '/deliveries?status=failed' })).json()[0]);
    expect(failed).toMatchObject({ attempts: 3, lastStatus: 401 });
    expect(hook.received).toHaveLength(3);
    expect(hook.received.every((r) => !r.valid)).toBe(true);
  });

  it('computes exponential backoff, capped', () => {
    const policy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect([1, 2, 3, 4, 7, 8].map((n) => backoffDelay(policy, n))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('resumes pending deliveries after a restart', async () => {
    const down = await receiver(() => 503);
    const up = await receiver();
    const { build } = setup();
    const first = build({ webhookUrl: down.url, retry: { baseDelayMs: 200, maxDelayMs: 200, maxAttempts: 8 } });
    const deposit = (await first.inject({ method: 'POST', url: '/payments', payload: { reference: REF, amount: '10.00' } })).json();
    await waitFor(() => down.received.length >= 1, 5000, 'first failed attempt');
    await first.close();
    const attemptsBefore = down.received.length;

    const second = build({ webhookUrl: up.url });
    await second.ready();
    await waitFor(() => up.received.length >= 1, 5000, 'delivery after restart');
    expect(JSON.parse(up.received[0]!.body).trackingKey).toBe(deposit.trackingKey);
    expect(up.received[0]!.valid).toBe(true);
    expect(down.received.length).toBe(attemptsBefore);
    // The receiver answers before the simulator records the outcome: wait for the record.
    let delivery: { status: string; attempts: number } = { status: 'pending', attempts: 0 };
    await waitFor(
      async () => {
        [delivery] = (await second.inject({ method: 'GET', url: '/deliveries' })).json();
        return delivery.status === 'delivered';
      },
      5000,
      'delivery recorded',
    );
    // The attempt cut by the shutdown may or may not have been counted before the close.
    expect(delivery).toMatchObject({ status: 'delivered' });
    expect(delivery.attempts).toBeGreaterThanOrEqual(1);
    expect(delivery.attempts).toBeLessThanOrEqual(attemptsBefore + 1);
  });

  it('503s payments under errorRate 1 without recording them; the control client works end to end', async () => {
    const hook = await receiver();
    const app = setup({ webhookUrl: hook.url }).build();
    const baseUrl = await listen(app);
    const bank = createBankSimulatorClient({ baseUrl });

    expect(await bank.control({ errorRate: 1 })).toEqual({ latencyMs: 0, errorRate: 1, duplicateRate: 0 });
    await expect(bank.pay({ reference: REF, amount: '10.00' })).rejects.toMatchObject({ name: 'TransientIntegrationError', status: 503 });
    expect(await bank.payments()).toEqual([]);

    await bank.control({ errorRate: 0 });
    const deposit = await bank.pay({ reference: REF, amount: '10.00', operationDate: '2026-03-02' });
    expect(await bank.statement('2026-03-02')).toContain(deposit.trackingKey);
    await waitFor(async () => (await bank.deliveries(deposit.trackingKey))[0]?.status === 'delivered');
    await expect(bank.pay({ reference: 'x', amount: '10.00' })).rejects.toMatchObject({ name: 'PermanentIntegrationError', status: 400 });
  });
});
