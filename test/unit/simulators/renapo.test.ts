import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentIntegrationError, TransientIntegrationError } from '../../../integrations/errors.js';
import {
  ACTIVE_RENAPO_STATUSES,
  RENAPO_STATUSES,
  RENAPO_STATUS_DESCRIPTIONS,
  createRenapoClient,
  parseConsultaPorCurp,
} from '../../../integrations/renapo.js';
import { createRenapoSimulatorClient } from '../../../integrations/simulator-control.js';
import { buildRenapoSimulator } from '../../../simulators/renapo/app.js';
import { closedPortUrl, listen, tempDataDir } from './helpers.js';

const CURP = 'LOOA531113HTCPBN07';
const NEW_CURP = 'LOOA531113HMCPBN02';
const PERSON = {
  nombres: 'Andrés Manuel',
  apellido1: 'López',
  apellido2: 'Obrador',
  sexo: 'H',
  fechNac: '1953-11-13',
  cveEntidadNac: 'TC',
  estatusCURP: 'AN',
} as const;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup() {
  const data = tempDataDir();
  cleanups.push(data.cleanup);
  const build = () => {
    const app = buildRenapoSimulator({ dataDir: data.dir, seed: 1 });
    cleanups.push(() => app.close());
    return app;
  };
  return { dir: data.dir, build };
}

/** Synthetic CURPs with a valid structure (the simulator does not check the digit). */
function syntheticCurp(i: number): string {
  return `PEXA${String(i).padStart(6, '0')}HMCRRN0${i % 10}`;
}

describe('RENAPO simulator', () => {
  it('answers a seeded CURP as ConsultaPorCurp does', async () => {
    const app = setup().build();
    const put = await app.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: PERSON });
    expect(put.statusCode).toBe(201);

    const res = await app.inject({ method: 'GET', url: `/curp/${CURP.toLowerCase()}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      statusOper: 'EXITOSO',
      curp: CURP,
      nombres: 'ANDRÉS MANUEL',
      apellido1: 'LÓPEZ',
      apellido2: 'OBRADOR',
      sexo: 'H',
      fechNac: '13/11/1953',
      nacionalidad: 'MEX',
      cveEntidadNac: 'TC',
      estatusCURP: 'AN',
      desEstatusCURP: 'Alta normal',
      docProbatorio: 1,
    });
    expect(res.json()).not.toHaveProperty('curpNueva');
  });

  it('answers NO EXITOSO with HTTP 200 for unknown and malformed CURPs', async () => {
    const app = setup().build();
    const unknown = await app.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual({
      statusOper: 'NO EXITOSO',
      message: 'La CURP no se encuentra en la base de datos',
      codigoError: '06',
    });
    const malformed = await app.inject({ method: 'GET', url: '/curp/NOT-A-CURP' });
    expect(malformed.statusCode).toBe(200);
    expect(malformed.json()).toMatchObject({ statusOper: 'NO EXITOSO', codigoError: '01' });
  });

  it('changes a record (200), requires curpNueva for RCC/BCC and returns it', async () => {
    const app = setup().build();
    await app.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: PERSON });
    for (const status of ['RCC', 'BCC']) {
      const missing = await app.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: { ...PERSON, estatusCURP: status } });
      expect(missing.statusCode, status).toBe(400);
      expect(missing.json().details[0].path).toBe('curpNueva');
    }
    const changed = await app.inject({
      method: 'PUT',
      url: `/registry/${CURP}`,
      payload: { ...PERSON, estatusCURP: 'BCC', curpNueva: NEW_CURP },
    });
    expect(changed.statusCode).toBe(200);
    const res = (await app.inject({ method: 'GET', url: `/curp/${CURP}` })).json();
    expect(res).toMatchObject({ estatusCURP: 'BCC', desEstatusCURP: 'Baja por cambio en CURP', curpNueva: NEW_CURP });
  });

  it('rejects invalid records with 400 and details', async () => {
    const app = setup().build();
    const cases: [string, Record<string, unknown>][] = [
      [CURP, { ...PERSON, sexo: 'F' }],
      [CURP, { ...PERSON, fechNac: '1953-02-30' }],
      [CURP, { ...PERSON, fechNac: '13/11/1953' }],
      [CURP, { ...PERSON, estatusCURP: 'XX' }],
      [CURP, { ...PERSON, cveEntidadNac: 'ZZ' }],
      [CURP, { ...PERSON, nombres: '' }],
      ['ABC', PERSON],
      [CURP, { ...PERSON, estatusCURP: 'RCC', curpNueva: 'BAD' }],
    ];
    for (const [curp, body] of cases) {
      const res = await app.inject({ method: 'PUT', url: `/registry/${curp}`, payload: body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().details.length).toBeGreaterThan(0);
    }
    expect((await app.inject({ method: 'GET', url: `/curp/${CURP}` })).json().statusOper).toBe('NO EXITOSO');
  });

  it('every status has a Spanish description and the active set is AN AH CRA RCN RCC', async () => {
    expect([...ACTIVE_RENAPO_STATUSES].sort()).toEqual(['AH', 'AN', 'CRA', 'RCC', 'RCN']);
    const app = setup().build();
    for (const status of RENAPO_STATUSES) {
      const body = { ...PERSON, estatusCURP: status, ...(status === 'RCC' || status === 'BCC' ? { curpNueva: NEW_CURP } : {}) };
      expect((await app.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: body })).statusCode).toBeLessThan(300);
      const res = (await app.inject({ method: 'GET', url: `/curp/${CURP}` })).json();
      expect(res.desEstatusCURP).toBe(RENAPO_STATUS_DESCRIPTIONS[status]);
      expect(res.desEstatusCURP).toMatch(/^(Alta|CURP|Registro|Baja)/);
    }
  });

  it('bulk-seeds thousands of records in one request, all or nothing', async () => {
    const app = setup().build();
    const records = Array.from({ length: 5000 }, (_, i) => ({ ...PERSON, curp: syntheticCurp(i), nombres: `PERSONA ${i}` }));
    const res = await app.inject({ method: 'POST', url: '/registry/bulk', payload: records });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ upserted: 5000, created: 5000, total: 5000 });
    for (const i of [0, 1234, 4999]) {
      const got = (await app.inject({ method: 'GET', url: `/curp/${syntheticCurp(i)}` })).json();
      expect(got).toMatchObject({ statusOper: 'EXITOSO', nombres: `PERSONA ${i}` });
    }

    const bad = [{ ...PERSON, curp: syntheticCurp(9001) }, { ...PERSON, curp: syntheticCurp(9002), sexo: 'Q' }];
    const rejected = await app.inject({ method: 'POST', url: '/registry/bulk', payload: bad });
    expect(rejected.statusCode).toBe(400);
    expect(rejected.json().details[0].path).toBe('1.sexo');
    expect((await app.inject({ method: 'GET', url: `/curp/${syntheticCurp(9001)}` })).json().statusOper).toBe('NO EXITOSO');
    expect((await app.inject({ method: 'POST', url: '/registry/bulk', payload: { not: 'an array' } })).statusCode).toBe(400);
  });

  it('keeps the registry across a restart (atomic JSON file under the data dir)', async () => {
    const { dir, build } = setup();
    const first = build();
    await first.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: PERSON });
    await first.close();

    const file = JSON.parse(readFileSync(path.join(dir, 'renapo.json'), 'utf8'));
    expect(Object.keys(file.records)).toEqual([CURP]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = build();
    const res = await second.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(res.json()).toMatchObject({ statusOper: 'EXITOSO', curp: CURP });
  });
});

describe('RENAPO adapter (integrations/renapo.ts)', () => {
  async function live() {
    const { build } = setup();
    const app = build();
    const baseUrl = await listen(app);
    const seeder = createRenapoSimulatorClient({ baseUrl });
    return { app, baseUrl, seeder };
  }

  it('normalises a found record', async () => {
    const { baseUrl, seeder } = await live();
    await seeder.seed(CURP, PERSON);
    const result = await createRenapoClient({ baseUrl, timeoutMs: 2000 }).consultaPorCurp(` ${CURP.toLowerCase()} `);
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(result.record).toEqual({
      curp: CURP,
      givenNames: 'ANDRÉS MANUEL',
      firstSurname: 'LÓPEZ',
      secondSurname: 'OBRADOR',
      sex: 'H',
      birthDate: '1953-11-13',
      stateCode: 'TC',
      nationality: 'MEX',
      status: 'AN',
      statusDescription: 'Alta normal',
      active: true,
      probatoryDocument: '1',
    });
    expect(result.raw.fechNac).toBe('13/11/1953');
  });

  it('reports inactive statuses, the new CURP and missing second surnames', async () => {
    const { baseUrl, seeder } = await live();
    const { apellido2: _omit, ...noSecond } = PERSON;
    await seeder.seed(CURP, { ...noSecond, estatusCURP: 'RCC', curpNueva: NEW_CURP });
    await seeder.seed(NEW_CURP, { ...PERSON, estatusCURP: 'BD' });
    const client = createRenapoClient({ baseUrl });

    const rcc = await client.consultaPorCurp(CURP);
    expect(rcc.found && rcc.record).toMatchObject({ status: 'RCC', active: true, newCurp: NEW_CURP, secondSurname: null });
    const bd = await client.consultaPorCurp(NEW_CURP);
    expect(bd.found && bd.record).toMatchObject({ status: 'BD', active: false, statusDescription: 'Baja por defunción' });
    expect(bd.found && 'newCurp' in bd.record).toBe(false);
  });

  it('returns found: false for an unknown CURP', async () => {
    const { baseUrl } = await live();
    const result = await createRenapoClient({ baseUrl }).consultaPorCurp(CURP);
    expect(result).toEqual({
      found: false,
      errorCode: '06',
      message: 'La CURP no se encuentra en la base de datos',
      raw: { statusOper: 'NO EXITOSO', message: 'La CURP no se encuentra en la base de datos', codigoError: '06' },
    });
  });

  it('classifies 5xx, timeouts and refused connections as transient', async () => {
    const { app, baseUrl } = await live();
    // Generous for the 503 (a loaded CI machine must not turn it into a timeout); tight for the timeout.
    const client = createRenapoClient({ baseUrl, timeoutMs: 10_000 });
    const impatient = createRenapoClient({ baseUrl, timeoutMs: 100 });

    await app.inject({ method: 'POST', url: '/control', payload: { errorRate: 1 } });
    const e503 = await client.consultaPorCurp(CURP).catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(TransientIntegrationError);
    expect(e503).toMatchObject({ status: 503, retryable: true, name: 'TransientIntegrationError' });

    await app.inject({ method: 'POST', url: '/control', payload: { errorRate: 0, latencyMs: 2000 } });
    const timeout = await impatient.consultaPorCurp(CURP).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(TransientIntegrationError);
    expect((timeout as Error).message).toMatch(/timed out after 100 ms/);

    const refused = await createRenapoClient({ baseUrl: await closedPortUrl() }).consultaPorCurp(CURP).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientIntegrationError);
  });

  it('classifies 4xx and malformed answers as permanent', async () => {
    const fake = Fastify();
    cleanups.push(() => fake.close());
    fake.get('/bad-json/curp/:curp', async (_req, reply) => reply.type('application/json').send('{not json'));
    fake.get('/bad-shape/curp/:curp', async () => ({ statusOper: 'EXITOSO', curp: CURP }));
    fake.get('/bad-status/curp/:curp', async () => ({ ...PERSON, statusOper: 'EXITOSO', curp: CURP, fechNac: '13/11/1953', estatusCURP: 'ZZ' }));
    const url = await listen(fake);

    for (const prefix of ['/bad-json', '/bad-shape', '/bad-status', '/no-such-path']) {
      const error = await createRenapoClient({ baseUrl: `${url}${prefix}` }).consultaPorCurp(CURP).catch((e: unknown) => e);
      expect(error, prefix).toBeInstanceOf(PermanentIntegrationError);
      expect((error as PermanentIntegrationError).retryable).toBe(false);
    }
    expect(() => parseConsultaPorCurp([])).toThrow(PermanentIntegrationError);
  });
});
