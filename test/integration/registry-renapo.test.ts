/**
 * RENAPO failures through a fault-injecting proxy in front of the simulator (only this file's
 * worker uses it, so other test files are unaffected): transient errors are retried by the
 * workflow's retry policy with backoff; permanent ones fail the notice at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rfcCheckDigit } from '../../domain/identifiers/rfc';
import { loginAs, makeCurp, makeInstitutionClave, seedRenapo } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
let proxy: Server;
let operator: { headers: { authorization: string } };
const calls = new Map<string, number>();
const modes = new Map<string, 'flaky' | 'permanent'>();

beforeAll(async () => {
  const upstream = inject('renapoUrl');
  proxy = createServer(async (req, res) => {
    const curp = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const n = (calls.get(curp) ?? 0) + 1;
    calls.set(curp, n);
    const mode = modes.get(curp);
    if (mode === 'flaky' && n <= 2) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"simulated outage"}');
      return;
    }
    if (mode === 'permanent') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"solicitud rechazada"}');
      return;
    }
    const answer = await fetch(`${upstream}${req.url}`);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  world = await startTestWorld({ RENAPO_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  operator = await loginAs(world, 'operator');
});
afterAll(async () => {
  await world?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
});

async function institution(): Promise<string> {
  const clave = makeInstitutionClave();
  const liaison = makeCurp();
  await seedRenapo(inject('renapoUrl'), liaison, { estatusCURP: 'AN' });
  const res = await world.app.inject({
    method: 'POST',
    url: '/v1/institutions',
    headers: operator.headers,
    payload: { clave, name: `Organismo ${clave}`, rfc: 'MTO850101AB1', kind: 'organismo', contact: { curp: liaison, name: 'Enlace', email: 'enlace@example.mx' } },
  });
  await world.temporal.workflow.getHandle(res.json().workflowId).result();
  return clave;
}

async function sendAlta(clave: string, curp: string) {
  const res = await world.app.inject({
    method: 'POST',
    url: `/v1/institutions/${clave}/movements`,
    headers: operator.headers,
    payload: { movimiento: 'A', curp, rfc: `${curp.slice(0, 10)}AB${rfcCheckDigit(`${curp.slice(0, 10)}AB`)}`, primer_apellido: 'Perez', segundo_apellido: 'Lopez', nombres: 'Juan', fecha_movimiento: '2026-03-02', sueldo_cotizable: '9000.00' },
  });
  expect(res.statusCode, res.body).toBe(202);
  const result = await world.temporal.workflow.getHandle(res.json().workflowId).result();
  const view = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/movements/${res.json().noticeId}`, headers: operator.headers });
  return { result, view: view.json() };
}

describe('RENAPO failures', () => {
  it('retries transient failures (HTTP 503) with backoff and then applies the notice', async () => {
    const clave = await institution();
    const curp = makeCurp();
    await seedRenapo(inject('renapoUrl'), curp, { estatusCURP: 'AN' });
    modes.set(curp, 'flaky');
    const { result, view } = await sendAlta(clave, curp);
    expect(result.status).toBe('applied');
    expect(calls.get(curp)).toBe(3);
    expect(view.claveIssemym).toMatch(/^\d{8}$/);
  });

  it('does not retry a permanent RENAPO error: the notice fails with a Spanish explanation', async () => {
    const clave = await institution();
    const curp = makeCurp();
    modes.set(curp, 'permanent');
    const { result, view } = await sendAlta(clave, curp);
    expect(result.status).toBe('failed');
    expect(calls.get(curp)).toBe(1);
    expect(view).toMatchObject({ status: 'failed', claveIssemym: null });
    expect(view.findings).toEqual([expect.objectContaining({ code: 'RENAPO_UNAVAILABLE', severity: 'error', message: expect.stringMatching(/RENAPO rechazó la consulta/) })]);
  });
});
