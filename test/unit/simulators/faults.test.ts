import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRenapoSimulator } from '../../../simulators/renapo/app.js';
import { createPrng } from '../../../simulators/shared/prng.js';
import { JsonStateFile } from '../../../simulators/shared/state-file.js';
import { tempDataDir } from './helpers.js';

const PERSON = {
  nombres: 'Ana',
  apellido1: 'López',
  apellido2: 'Ortiz',
  sexo: 'M',
  fechNac: '1990-05-17',
  cveEntidadNac: 'MC',
  estatusCURP: 'AN',
} as const;
const CURP = 'LOOA900517MMCPRN05';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function build(options: Parameters<typeof buildRenapoSimulator>[0] = {}) {
  const data = tempDataDir();
  const app = buildRenapoSimulator({ dataDir: data.dir, seed: 'test', ...options });
  cleanups.push(data.cleanup, () => app.close());
  return app;
}

describe('shared fault injection', () => {
  it('POST /control validates and merges the settings, GET /control reads them', async () => {
    const app = build();
    const first = await app.inject({ method: 'POST', url: '/control', payload: { latencyMs: 5, errorRate: 0.25 } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ latencyMs: 5, errorRate: 0.25, duplicateRate: 0 });

    const second = await app.inject({ method: 'POST', url: '/control', payload: { duplicateRate: 1 } });
    expect(second.json()).toEqual({ latencyMs: 5, errorRate: 0.25, duplicateRate: 1 });

    for (const bad of [{ errorRate: 1.5 }, { duplicateRate: -0.1 }, { latencyMs: -1 }, { latencyMs: 1.5 }, { errorRate: '0.5' }, { other: 1 }]) {
      const res = await app.inject({ method: 'POST', url: '/control', payload: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const read = await app.inject({ method: 'GET', url: '/control' });
    expect(read.json()).toEqual({ latencyMs: 5, errorRate: 0.25, duplicateRate: 1 });
  });

  it('errorRate 1 fails business endpoints with 503 but never /health, /control or seeding', async () => {
    const app = build();
    await app.inject({ method: 'POST', url: '/control', payload: { errorRate: 1 } });

    const business = await app.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(business.statusCode).toBe(503);
    expect(business.json()).toEqual({ error: 'simulated failure' });

    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/control' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: `/registry/${CURP}`, payload: PERSON })).statusCode).toBe(201);

    await app.inject({ method: 'POST', url: '/control', payload: { errorRate: 0 } });
    const ok = await app.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().statusOper).toBe('EXITOSO');
  });

  it('a failed request changes nothing (the fault hits before the handler)', async () => {
    const app = build({ faults: { errorRate: 1 } });
    const res = await app.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(res.statusCode).toBe(503);
    const settings = await app.inject({ method: 'GET', url: '/control' });
    expect(settings.json().errorRate).toBe(1);
  });

  it('latencyMs delays business endpoints only', async () => {
    const app = build();
    await app.inject({ method: 'POST', url: '/control', payload: { latencyMs: 300 } });
    let start = performance.now();
    await app.inject({ method: 'GET', url: `/curp/${CURP}` });
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
    start = performance.now();
    await app.inject({ method: 'GET', url: '/health' });
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('the same seed gives the same failure pattern, another seed another one', async () => {
    const pattern = async (seed: string) => {
      const app = build({ seed, faults: { errorRate: 0.5 } });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await app.inject({ method: 'GET', url: `/curp/${CURP}` })).statusCode);
      return codes.join(',');
    };
    const a = await pattern('seed-a');
    expect(a).toContain('503');
    expect(a).toContain('200');
    expect(await pattern('seed-a')).toBe(a);
    expect(await pattern('seed-b')).not.toBe(a);
  });

  it('createPrng is deterministic and in [0, 1)', () => {
    const a = createPrng('x');
    const b = createPrng('x');
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('JsonStateFile', () => {
  it('coalesces concurrent writes, keeps the last state and leaves no temp files', async () => {
    const data = tempDataDir();
    cleanups.push(data.cleanup);
    const state = { n: 0 };
    const file = new JsonStateFile(data.dir, 'state.json', () => state);
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      state.n = i;
      writes.push(file.persist());
    }
    await Promise.all(writes);
    expect(new JsonStateFile<{ n: number }>(data.dir, 'state.json', () => state).load()).toEqual({ n: 50 });
    expect(readdirSync(data.dir)).toEqual(['state.json']);
  });

  it('load() is undefined without a file and fails loudly on a corrupt one', async () => {
    const data = tempDataDir();
    cleanups.push(data.cleanup);
    const file = new JsonStateFile(data.dir, 'state.json', () => ({}));
    expect(file.load()).toBeUndefined();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file.file, '{"half":');
    expect(() => file.load()).toThrow(/not valid JSON/);
  });
});
