import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import { institutions } from '../../db/schema';
import { createRenapoSimulatorClient } from '../../integrations/simulator-control';
import type { TestWorld } from './world';

/** A registered, active institution (the registration workflow itself is tested elsewhere). */
export async function createActiveInstitution(world: TestWorld, clave: string, name = `Institución ${clave}`): Promise<void> {
  await world.database.db
    .insert(institutions)
    .values({ clave, name, rfc: 'MTO850101AB1', kind: 'municipio', contactCurp: 'XEXX010101HNEXXXA4', contactName: 'Enlace', contactEmail: 'enlace@example.mx', status: 'active' })
    .onConflictDoNothing();
}

export function multipart(file: Buffer, filename: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----edomex${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, file, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export async function uploadPayroll(
  world: TestWorld,
  auth: Record<string, string>,
  clave: string,
  period: string,
  file: Buffer,
  options: { filename?: string; kind?: 'full' | 'complementary' } = {},
) {
  const body = multipart(file, options.filename ?? 'nomina.csv');
  return world.app.inject({
    method: 'POST',
    url: `/v1/institutions/${clave}/periods/${period}/files${options.kind ? `?kind=${options.kind}` : ''}`,
    headers: { ...auth, ...body.headers },
    payload: body.payload,
  });
}

type PeriodView = { stage: string; versions: Array<{ version: number; status: string }>; [k: string]: unknown };

/** Polls the period's timeline until `done` holds (the workflow runs asynchronously). */
export async function waitForPeriod(
  world: TestWorld,
  auth: Record<string, string>,
  clave: string,
  period: string,
  done: (view: PeriodView) => boolean,
  timeoutMs = 90_000,
): Promise<PeriodView> {
  const deadline = Date.now() + timeoutMs;
  let last: PeriodView | undefined;
  while (Date.now() < deadline) {
    const res = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/${period}`, headers: auth });
    if (res.statusCode === 200) {
      last = res.json() as PeriodView;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`period ${clave}/${period} did not reach the expected state; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

export const versionReady = (version: number) => (v: PeriodView) =>
  v.versions.some((x) => x.version === version && ['computed', 'file-rejected', 'accepted'].includes(x.status));

export interface SeedPerson {
  curp: string;
  nombres: string;
  apellido1: string;
  apellido2?: string;
  estatusCURP?: string;
}

export async function seedRenapoPeople(people: SeedPerson[]): Promise<void> {
  const renapo = createRenapoSimulatorClient({ baseUrl: inject('renapoUrl') });
  await renapo.seedBulk(
    people.map((p) => ({
      curp: p.curp,
      nombres: p.nombres,
      apellido1: p.apellido1,
      ...(p.apellido2 ? { apellido2: p.apellido2 } : {}),
      sexo: p.curp[10] as 'H' | 'M',
      fechNac: `19${p.curp.slice(4, 6)}-${p.curp.slice(6, 8)}-${p.curp.slice(8, 10)}`,
      cveEntidadNac: p.curp.slice(11, 13),
      estatusCURP: (p.estatusCURP ?? 'AN') as 'AN',
    })),
  );
}

export function csv(header: string[], rows: string[][], options: { delimiter?: string; bom?: boolean } = {}): Buffer {
  const d = options.delimiter ?? ',';
  const quote = (v: string) => (/[",|\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = [header, ...rows].map((r) => r.map(quote).join(d)).join('\r\n') + '\r\n';
  return Buffer.concat([options.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

export function expectStatus(res: { statusCode: number; body: string }, status: number) {
  expect(res.statusCode, res.body).toBe(status);
}
