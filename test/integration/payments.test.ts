/**
 * Issue 5, the money path through the API and the bank simulator: the línea de captura, signed
 * bank notifications (duplicated on purpose), statement import, partial and excess payments,
 * late payment with accessories, expired references to the operators' queue, the CFDI and the
 * dispersion, with every ledger checked to the centavo.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCfdiXml } from '../../cfdi';
import { computeAccessories } from '../../domain/accessories';
import { addDays } from '../../domain/dates';
import { Decimal, toAmountString } from '../../domain/money';
import { parsePeriod, periodOfDate, previousPeriod } from '../../domain/periods';
import { startBankFor } from '../support/bank';
import { loginAs, makeInstitutionClave } from '../support/identities';
import { createActiveInstitution, csv, expectStatus, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { personKeys, seededRandom } from '../../synthetic/payroll-files';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
let bank: Awaited<ReturnType<typeof startBankFor>>;
beforeAll(async () => {
  world = await startTestWorld();
  bank = await startBankFor(world);
});
afterAll(async () => {
  await bank?.stop();
  await world?.stop();
});

const HEADER = ['curp', 'rfc', 'primer_apellido', 'segundo_apellido', 'nombres', 'movimiento', 'fecha_movimiento', 'sueldo_cotizable', 'dias_cotizados', 'ret_prestamo_corto'];
const random = seededRandom(Math.floor(Math.random() * 1e9));
let counter = Math.floor(Math.random() * 40_000) * 20;
const todayMx = () => new Date(Date.now() - 6 * 3600 * 1000).toISOString().slice(0, 10);

interface Scenario {
  clave: string;
  period: string;
  headers: Record<string, string>;
  people: Array<{ curp: string; sueldo: string; ret: string }>;
}

/** An institution whose file of altas for `period` was accepted; resolves once a línea exists. */
async function acceptedPeriod(period: string, sueldos: Array<[string, string]>): Promise<Scenario> {
  const clave = makeInstitutionClave();
  await createActiveInstitution(world, clave);
  const operator = await loginAs(world, 'institution', { institutionClave: clave });
  const start = parsePeriod(period)!.start;
  const people = sueldos.map(([sueldo, ret], i) => {
    counter += 37;
    const names = [['PEREZ', 'LOPEZ', 'ANA'], ['GARCIA', 'RUIZ', 'LUIS'], ['SOTO', 'MENA', 'EVA'], ['LARA', 'VEGA', 'OMAR']][i % 4]!;
    const keys = personKeys(names[0]!, names[1]!, names[2]!, counter, random);
    return { ...keys, names, sueldo, ret };
  });
  await seedRenapoPeople(people.map((p) => ({ curp: p.curp, apellido1: p.names[0]!, apellido2: p.names[1]!, nombres: p.names[2]! })));
  const file = csv(HEADER, people.map((p) => [p.curp, p.rfc, p.names[0]!, p.names[1]!, p.names[2]!, 'A', start, p.sueldo, '13', p.ret]));
  expectStatus(await uploadPayroll(world, operator.headers, clave, period, file), 202);
  await waitForPeriod(world, operator.headers, clave, period, versionReady(1));
  expectStatus(await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/${period}/accept`, headers: operator.headers }), 202);
  await waitForPeriod(world, operator.headers, clave, period, (v) => Array.isArray(v.lineas) && (v.lineas as unknown[]).length > 0);
  return { clave, period, headers: operator.headers, people: people.map((p) => ({ curp: p.curp, sueldo: p.sueldo, ret: p.ret })) };
}

async function periodView(s: Scenario) {
  const res = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.clave}/periods/${s.period}`, headers: s.headers });
  expectStatus(res, 200);
  return res.json();
}

describe('paying a period', () => {
  it('goes from upload to dispersion with duplicated notifications and a repeated statement, to the centavo', async () => {
    // A period whose due date is ahead, so the línea is on time and asks for the principal only.
    const period = periodOfDate(addDays(todayMx(), 20));
    // Hand-worked per person (rates 4.625/6.1/1.4 % servidor, 10/6/1.5/1/0.5 % institución):
    //  10000.00 → sci 140.00 + 150.00 = 290.00; salud 462.50 + 1000.00; reparto 610.00 + 600.00; admin 100.00; riesgo 50.00
    //   4321.00 → sci 60.49 + 64.82 (64.815) = 125.31; salud 199.85 + 432.10; reparto 263.58 + 259.26; admin 43.21; riesgo 21.61 (21.605)
    //  retention 250.00 on the first person
    const s = await acceptedPeriod(period, [
      ['10000.00', '250.00'],
      ['4321.00', ''],
    ]);
    // Total: cuotas 462.50+610.00+140.00+199.85+263.58+60.49 = 1736.42; aportaciones 1000+600+150+100+50 + 432.10+259.26+64.82+43.21+21.61 = 2721.00
    //        retenciones 250.00 → 4707.42
    let view = await periodView(s);
    expect(view.determinacion.totalDue).toBe('4707.42');
    expect(view.lineas).toHaveLength(1);
    const linea = view.lineas[0];
    expect(linea).toMatchObject({ amount: '4707.42', status: 'active', lateMonths: 0, sequence: 1 });
    expect(linea.linea).toMatch(new RegExp(`^01${s.clave}${period}00001\\d{2}$`));
    expect(BigInt(linea.linea) % 97n).toBe(1n);

    const form = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.clave}/periods/${period}/payment-form`, headers: s.headers });
    expectStatus(form, 200);
    expect(form.headers['content-type']).toBe('application/pdf');
    const { PDFParse } = await import('pdf-parse');
    const formText = (await new PDFParse({ data: new Uint8Array(form.rawPayload) }).getText()).text;
    expect(formText).toContain(linea.linea);
    expect(formText).toContain('$4,707.42');

    // The bank delivers every notification twice.
    await bank.bank.control({ duplicateRate: 1 });
    const deposit = await bank.bank.pay({ reference: linea.linea, amount: '4707.42' });
    view = await waitForPeriod(world, s.headers, s.clave, period, (v) => v.stage === 'dispersed');
    await bank.bank.control({ duplicateRate: 0 });
    expect(view.payments).toEqual([expect.objectContaining({ trackingKey: deposit.trackingKey, amount: '4707.42', status: 'applied', match: 'exact' })]);
    expect(view.timeline.map((e: { stage: string }) => e.stage)).toEqual(
      expect.arrayContaining(['validating', 'awaiting-decision', 'accepted', 'awaiting-payment', 'paid', 'invoiced', 'dispersed']),
    );
    expect(view.dispersion).toMatchObject({
      balanced: true,
      deposits: '4707.42',
      totalCredits: '4707.42',
      destinations: {
        individual: '415.31',
        funds: { salud: '2094.45', reparto: '1732.84', admin: '143.21', riesgo: '71.61' },
        loansPortfolio: '250.00',
        accessoriesIncome: '0.00',
        institutionCredit: '0.00',
      },
    });

    // Each person's individual account got their SCI, once.
    const operator = await loginAs(world, 'operator');
    const first = await world.app.inject({ method: 'GET', url: `/v1/people/${s.people[0]!.curp}/account`, headers: operator.headers });
    expectStatus(first, 200);
    expect(JSON.stringify(first.json())).toContain('290.00');
    const second = await world.app.inject({ method: 'GET', url: `/v1/people/${s.people[1]!.curp}/account`, headers: operator.headers });
    expect(JSON.stringify(second.json())).toContain('125.31');

    // The day's statement repeats the notified deposit: nothing changes.
    const trialBefore = (await world.app.inject({ method: 'GET', url: '/v1/ledger/trial-balance', headers: operator.headers })).json();
    const statement = await bank.bank.statement(deposit.operationDate);
    const boundary = '----stmt';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="edo.csv"\r\nContent-Type: text/csv\r\n\r\n${statement}\r\n--${boundary}--\r\n`);
    const imported = await world.app.inject({
      method: 'POST',
      url: '/v1/bank/statements?bank=BBVA',
      headers: { ...operator.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expectStatus(imported, 200);
    expect(imported.json()).toMatchObject({ recorded: 0, errors: [] });
    expect(imported.json().duplicates).toBeGreaterThanOrEqual(1);
    const trialAfter = (await world.app.inject({ method: 'GET', url: '/v1/ledger/trial-balance', headers: operator.headers })).json();
    expect(trialAfter).toEqual(trialBefore);
    expect(trialAfter.balanced).toBe(true);

    // The CFDI validates against SAT's XSD and carries the stamp.
    const cfdi = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.clave}/periods/${period}/cfdi`, headers: s.headers });
    expectStatus(cfdi, 200);
    const xml = cfdi.body;
    expect(xml).toContain('Total="4707.42"');
    expect(xml).toContain('tfd:TimbreFiscalDigital');
    const validation = await validateCfdiXml(xml);
    expect(validation).toEqual({ valid: true, errors: [] });

    // `RECORD_HISTORIES=<name>` records this run's history as test/fixtures/histories/<name>.json,
    // which the replay test then checks in CI (`1`: payroll-submission.json). Keep the older ones:
    // they are what proves that workflows started before a `patched()` change still replay.
    if (process.env.RECORD_HISTORIES) {
      const history = await world.temporal.workflow.getHandle(`payroll/${s.clave}/${period}`).fetchHistory();
      const name = process.env.RECORD_HISTORIES === '1' ? 'payroll-submission' : process.env.RECORD_HISTORIES;
      mkdirSync('test/fixtures/histories', { recursive: true });
      writeFileSync(`test/fixtures/histories/${name}.json`, historyToJSON(history));
    }

    // The institution downloads its whole period.
    const archive = await world.app.inject({ method: 'GET', url: `/v1/institutions/${s.clave}/periods/${period}/archive`, headers: s.headers });
    expectStatus(archive, 200);
    expect(archive.headers['content-type']).toBe('application/zip');
    const names = archive.rawPayload.toString('latin1');
    for (const entry of ['archivos/v1-full.csv', 'reportes/v1-hallazgos.pdf', 'determinacion/v1-determinacion.pdf', `pagos/formato-de-pago-${linea.linea}.pdf`, 'cfdi/cfdi.xml', 'dispersion/resumen.json']) {
      expect(names).toContain(entry);
    }
  });

  it('keeps a partial payment due and disperses nothing until the rest arrives; an excess becomes credit', async () => {
    const period = periodOfDate(addDays(todayMx(), 20));
    const s = await acceptedPeriod(period, [['2000.00', '']]);
    // 2000.00 → cuotas 92.50 + 122.00 + 28.00; aportaciones 200.00 + 120.00 + 30.00 + 20.00 + 10.00 → 622.50
    const linea = (await periodView(s)).lineas[0];
    expect(linea.amount).toBe('622.50');
    await bank.bank.pay({ reference: linea.linea, amount: '500.00' });
    let view = await waitForPeriod(world, s.headers, s.clave, period, (v) => v.stage === 'partially-paid');
    expect(view.dispersion).toBeNull();
    expect(view.payments).toEqual([expect.objectContaining({ amount: '500.00', match: 'partial', status: 'applied' })]);
    // The same línea still takes the rest; 200.00 leaves 77.50 over.
    await bank.bank.pay({ reference: linea.linea, amount: '200.00' });
    view = await waitForPeriod(world, s.headers, s.clave, period, (v) => v.stage === 'dispersed');
    expect(view.dispersion).toMatchObject({ balanced: true, deposits: '700.00', totalCredits: '700.00', destinations: { institutionCredit: '77.50' } });
    expect((view.payments as Array<{ match: string }>).map((p) => p.match)).toEqual(['partial', 'excess']);
  });

  it('charges accessories on a late payment and sends a payment to an expired línea to the operators', async () => {
    // A period whose due date passed months ago: the línea is issued late, with accessories.
    const period = previousPeriod(previousPeriod(periodOfDate(addDays(todayMx(), -75))));
    const s = await acceptedPeriod(period, [['3000.00', '']]);
    const view = await periodView(s);
    const linea = view.lineas[0];
    // 3000.00 → 138.75 + 183.00 + 42.00 + 300.00 + 180.00 + 45.00 + 30.00 + 15.00 = 933.75
    expect(linea.principal).toBe('933.75');
    expect(linea.lateMonths).toBeGreaterThanOrEqual(2);
    const today = todayMx();
    const expected = computeAccessories({
      totalDue: new Decimal('933.75'),
      dueDate: linea.dueDate,
      paymentDate: today,
      rates: { actualizacion: new Decimal('0.0036'), recargos: new Decimal('0.0185') },
    });
    // A deposit dated after the línea's validity is not applied: it goes to review.
    const expiredDate = addDays(linea.validUntil, 1);
    await bank.bank.pay({ reference: linea.linea, amount: toAmountString(expected.grandTotal), operationDate: expiredDate });
    const operator = await loginAs(world, 'operator');
    let queue: Array<{ reason: string; deposit: { reference: string } }> = [];
    for (let i = 0; i < 100 && !queue.some((q) => q.deposit.reference === linea.linea); i++) {
      queue = (await world.app.inject({ method: 'GET', url: '/v1/payments/review-queue', headers: operator.headers })).json().items;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(queue.find((q) => q.deposit.reference === linea.linea)).toMatchObject({ reason: 'expired-reference' });

    // Paid today within the validity: principal + accessories for today, exactly.
    await bank.bank.pay({ reference: linea.linea, amount: toAmountString(expected.grandTotal), operationDate: today });
    const done = await waitForPeriod(world, s.headers, s.clave, period, (v) => v.stage === 'dispersed');
    expect((done.payments as Array<{ operationDate: string }>).find((p) => p.operationDate === today)).toMatchObject({ match: 'exact', status: 'applied' });
    expect(done.dispersion).toMatchObject({
      balanced: true,
      destinations: { accessoriesIncome: toAmountString(expected.actualizacion.plus(expected.recargos)), institutionCredit: '0.00' },
    });
  });
});
