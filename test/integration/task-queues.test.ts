/**
 * Fairness in a statewide quincena: the heavy activities of a large file (staging, checks,
 * registry movements, dispersion) run on the worker's bulk task queue, so the many small files
 * keep the main queue to themselves. Thresholds are lowered so a 3-row file counts as large.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/dates';
import { parsePeriod, periodOfDate } from '../../domain/periods';
import { payrollWorkflowId } from '../../payroll/intake';
import { personKeys, seededRandom } from '../../synthetic/payroll-files';
import { bulkTaskQueue } from '../../workflows/task-queues';
import { startBankFor } from '../support/bank';
import { loginAs, makeInstitutionClave } from '../support/identities';
import { createActiveInstitution, csv, expectStatus, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { startTestWorld, type TestWorld } from '../support/world';

const HEADER = ['curp', 'rfc', 'primer_apellido', 'segundo_apellido', 'nombres', 'movimiento', 'fecha_movimiento', 'sueldo_cotizable', 'dias_cotizados'];
const period = periodOfDate(addDays(new Date(Date.now() - 6 * 3600 * 1000).toISOString().slice(0, 10), 20));
const random = seededRandom(Math.floor(Math.random() * 1e9));
let counter = Math.floor(Math.random() * 40_000) * 20 + 7;

function altasFile(rows: number) {
  const people = Array.from({ length: rows }, () => {
    counter += 41;
    return personKeys('ROJAS', 'PAZ', 'IRMA', counter, random);
  });
  const file = csv(HEADER, people.map((p) => [p.curp, p.rfc, 'ROJAS', 'PAZ', 'IRMA', 'A', parsePeriod(period)!.start, '9000.00', '15']));
  return { people, file };
}

const large = altasFile(3);
const small = altasFile(2);
let world: TestWorld;
let bank: Awaited<ReturnType<typeof startBankFor>>;
beforeAll(async () => {
  world = await startTestWorld({ PAYROLL_LARGE_FILE_ROWS: '3', PAYROLL_LARGE_FILE_BYTES: String(large.file.length) });
  bank = await startBankFor(world);
  await seedRenapoPeople([...large.people, ...small.people].map((p) => ({ curp: p.curp, apellido1: 'ROJAS', apellido2: 'PAZ', nombres: 'IRMA' })));
});
afterAll(async () => {
  await bank?.stop();
  await world?.stop();
});

/** Uploads, accepts and pays the file; returns the task queue each activity was scheduled on. */
async function runToDispersion(file: Buffer): Promise<Map<string, string>> {
  const clave = makeInstitutionClave();
  await createActiveInstitution(world, clave);
  const { headers } = await loginAs(world, 'institution', { institutionClave: clave });
  expectStatus(await uploadPayroll(world, headers, clave, period, file), 202);
  await waitForPeriod(world, headers, clave, period, versionReady(1));
  expectStatus(await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/${period}/accept`, headers }), 202);
  const withLinea = await waitForPeriod(world, headers, clave, period, (v) => Array.isArray(v.lineas) && (v.lineas as unknown[]).length > 0);
  const linea = (withLinea.lineas as Array<{ linea: string; amount: string }>)[0]!;
  await bank.bank.pay({ reference: linea.linea, amount: linea.amount });
  await waitForPeriod(world, headers, clave, period, (v) => v.stage === 'dispersed');
  const history = await world.temporal.workflow.getHandle(payrollWorkflowId(clave, period)).fetchHistory();
  const queues = new Map<string, string>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) queues.set(scheduled.activityType!.name!, scheduled.taskQueue!.name!);
  }
  return queues;
}

describe('task queues of a quincena', () => {
  it("runs a large file's heavy activities on the bulk queue and a small file's on the main queue, both to dispersion", async () => {
    const heavy = ['stagePayrollFile', 'checkPayrollFile', 'applyAcceptedMovements', 'disperseSubmission'];
    const [largeQueues, smallQueues] = await Promise.all([runToDispersion(large.file), runToDispersion(small.file)]);
    const bulk = bulkTaskQueue(world.taskQueue);
    expect(heavy.map((a) => [a, largeQueues.get(a)])).toEqual(heavy.map((a) => [a, bulk]));
    expect(heavy.map((a) => [a, smallQueues.get(a)])).toEqual(heavy.map((a) => [a, world.taskQueue]));
    // Light steps stay on the main queue whatever the size.
    expect([largeQueues.get('computeDeterminacion'), largeQueues.get('issueLinea'), largeQueues.get('issueCfdi')]).toEqual([world.taskQueue, world.taskQueue, world.taskQueue]);
  });
});
