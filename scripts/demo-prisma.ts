/**
 * PRISMA demo: a realistic quincena through the API, as institutions' payroll systems, the bank
 * and operators would drive it. Onboarding quincena (everyone as an alta), then the next
 * quincena with movements and mistakes that get corrected; payments on time, late (with
 * accessories), partial and with an excess; ends with every period dispersed and the ledger
 * balanced. Synthetic people only (valid CURPs and RFCs, never real persons).
 */
import { addDays } from '../domain/dates';
import { nextPeriod, parsePeriod, periodOfDate, previousPeriod } from '../domain/periods';
import { personKeys, seededRandom } from '../synthetic/payroll-files';

export interface PrismaDemoContext {
  apiUrl: string;
  renapoUrl: string;
  bankSimUrl: string;
  operatorToken: string;
  institutionTokens: Record<string, string>;
}

interface Person {
  curp: string;
  rfc: string;
  primer: string;
  segundo: string;
  nombres: string;
  sueldo: string;
}

const SURNAMES = ['GARCIA', 'HERNANDEZ', 'MARTINEZ', 'LOPEZ', 'GONZALEZ', 'PEREZ', 'RODRIGUEZ', 'SANCHEZ', 'RAMIREZ', 'CRUZ', 'FLORES', 'GOMEZ', 'MORALES', 'VAZQUEZ', 'REYES', 'JIMENEZ', 'TORRES', 'DIAZ', 'GUTIERREZ', 'RUIZ', 'MENDOZA', 'AGUILAR', 'ORTIZ', 'CASTILLO', 'ROMERO', 'ALVAREZ', 'CHAVEZ', 'RIVERA', 'JUAREZ', 'DOMINGUEZ'];
const NAMES = ['MARIA', 'JOSE', 'JUAN', 'GUADALUPE', 'FRANCISCO', 'ALEJANDRA', 'LUIS', 'PATRICIA', 'CARLOS', 'ELENA', 'JORGE', 'SOFIA', 'MIGUEL', 'VERONICA', 'RICARDO', 'LAURA', 'FERNANDO', 'GABRIELA', 'ROBERTO', 'DIANA'];
const HEADER = ['curp', 'clave_issemym', 'rfc', 'primer_apellido', 'segundo_apellido', 'nombres', 'movimiento', 'fecha_movimiento', 'sueldo_cotizable', 'dias_cotizados', 'puesto', 'ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros', 'afore'];

export const DEMO_ROSTERS: Record<string, number> = { '20511': 1500, '30104': 800, '30058': 400, '40210': 150 };
const todayMx = () => new Date(Date.now() - 6 * 3600 * 1000).toISOString().slice(0, 10);

function roster(clave: string, size: number): Person[] {
  const random = seededRandom(Number(clave));
  const int = (n: number) => Math.floor(random() * n);
  return Array.from({ length: size }, (_, i) => {
    const primer = SURNAMES[int(SURNAMES.length)]!;
    const segundo = SURNAMES[int(SURNAMES.length)]!;
    const nombres = NAMES[int(NAMES.length)]!;
    const keys = personKeys(primer, segundo, nombres, Number(clave) * 10 + i * 20_011, random);
    const cents = 450_000 + int(3_500_000);
    return { ...keys, primer, segundo, nombres, sueldo: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}` };
  });
}

function csvText(rows: string[][]): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [HEADER, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

function row(p: Person, fields: Partial<Record<(typeof HEADER)[number], string>>): string[] {
  const v: Record<string, string> = {
    curp: p.curp, clave_issemym: '', rfc: p.rfc, primer_apellido: p.primer, segundo_apellido: p.segundo, nombres: p.nombres,
    movimiento: 'N', fecha_movimiento: '', sueldo_cotizable: p.sueldo, dias_cotizados: '15', puesto: 'Servidor público',
    ret_prestamo_corto: '', ret_prestamo_hipotecario: '', ret_otros: '', afore: '', ...fields,
  };
  return HEADER.map((h) => v[h]!);
}

async function call<T = any>(ctx: PrismaDemoContext, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${ctx.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

async function upload(ctx: PrismaDemoContext, clave: string, period: string, text: string, name: string, kind: 'full' | 'complementary' = 'full') {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/csv' }), name);
  const res = await fetch(`${ctx.apiUrl}/v1/institutions/${clave}/periods/${period}/files?kind=${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.institutionTokens[clave]}` },
    body: form,
  });
  const json = (await res.json()) as { version: number };
  if (res.status !== 202) throw new Error(`upload ${clave}/${period} failed: ${JSON.stringify(json)}`);
  return json;
}

async function waitFor(ctx: PrismaDemoContext, clave: string, period: string, done: (v: any) => boolean, what: string, timeoutMs = 300_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(ctx, ctx.institutionTokens[clave]!, 'GET', `/v1/institutions/${clave}/periods/${period}`);
    if (res.status === 200 && done(res.json)) return res.json;
    if (Date.now() > deadline) throw new Error(`${clave}/${period} did not reach "${what}" (last stage ${res.json?.stage})`);
    await new Promise((r) => setTimeout(r, 400));
  }
}
const versionComputed = (version: number) => (v: any) => v.versions?.some((x: any) => x.version === version && ['computed', 'accepted', 'file-rejected'].includes(x.status));

async function accept(ctx: PrismaDemoContext, clave: string, period: string, version?: number) {
  const res = await call(ctx, ctx.institutionTokens[clave]!, 'POST', `/v1/institutions/${clave}/periods/${period}/accept`, version ? { version } : undefined);
  if (res.status !== 202) throw new Error(`accept ${clave}/${period} failed: ${JSON.stringify(res.json)}`);
}

async function pay(ctx: PrismaDemoContext, reference: string, amount: string, operationDate?: string) {
  const res = await fetch(`${ctx.bankSimUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reference, amount, ...(operationDate ? { operationDate } : {}) }),
  });
  if (!res.ok) throw new Error(`bank simulator refused the payment: ${res.status} ${await res.text()}`);
}

async function seedRenapo(ctx: PrismaDemoContext, people: Person[]) {
  for (let i = 0; i < people.length; i += 2000) {
    const batch = people.slice(i, i + 2000).map((p) => ({
      curp: p.curp,
      nombres: p.nombres,
      apellido1: p.primer,
      apellido2: p.segundo,
      sexo: p.curp[10],
      fechNac: `19${p.curp.slice(4, 6)}-${p.curp.slice(6, 8)}-${p.curp.slice(8, 10)}`,
      cveEntidadNac: p.curp.slice(11, 13),
      estatusCURP: 'AN',
    }));
    const res = await fetch(`${ctx.renapoUrl}/registry/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    if (!res.ok) throw new Error(`RENAPO seed failed: ${res.status}`);
  }
}

const money = (s: string) => s.padStart(12);

export async function runPrismaDemo(ctx: PrismaDemoContext): Promise<void> {
  const today = todayMx();
  const current = periodOfDate(today);
  const next = nextPeriod(current);
  // One institution joined months ago and pays that onboarding quincena late.
  const late = previousPeriod(previousPeriod(periodOfDate(addDays(today, -75))));
  const people = Object.fromEntries(Object.entries(DEMO_ROSTERS).map(([clave, size]) => [clave, roster(clave, size)]));
  await seedRenapo(ctx, Object.values(people).flat());

  console.log(`\n== Demo PRISMA: onboarding quincena (${current}; the water utility in ${late}) ==`);
  const onboarding: Record<string, string> = Object.fromEntries(Object.keys(DEMO_ROSTERS).map((c) => [c, c === '40210' ? late : current]));
  for (const [clave, period] of Object.entries(onboarding)) {
    const existing = await call(ctx, ctx.institutionTokens[clave]!, 'GET', `/v1/institutions/${clave}/periods/${period}`);
    if (existing.status === 200) continue; // a previous run already uploaded it: pick up from where it is
    const start = parsePeriod(period)!.start;
    await upload(ctx, clave, period, csvText(people[clave]!.map((p) => row(p, { movimiento: 'A', fecha_movimiento: start }))), `altas-${period}.csv`);
  }
  for (const [clave, period] of Object.entries(onboarding)) {
    const view = await waitFor(ctx, clave, period, (v) => versionComputed(1)(v) || v.stage === 'dispersed', 'computed');
    // The version is computed (its determinación exists): accepting is valid whatever stage the
    // timeline shows at this instant; a repeated acceptance is a no-op.
    if (!['dispersed', 'accepted', 'awaiting-payment', 'overdue', 'paid', 'invoiced'].includes(view.stage)) await accept(ctx, clave, period);
  }
  for (const [clave, period] of Object.entries(onboarding)) {
    const view = await waitFor(ctx, clave, period, (v) => v.lineas?.length > 0 || v.stage === 'dispersed', 'línea issued');
    if (view.stage === 'dispersed') continue;
    const linea = view.lineas.find((l: any) => l.status === 'active');
    if (linea) await pay(ctx, linea.linea, linea.amountIfPaidToday ?? linea.amount, today);
  }

  const alreadyRan = (await call(ctx, ctx.institutionTokens['20511']!, 'GET', `/v1/institutions/20511/periods/${next}`)).status === 200;
  if (alreadyRan) console.log(`== Demo PRISMA: quincena ${next} was run before; showing where it stands ==`);
  else await runNextQuincena(ctx, people, next);
  await printSummary(ctx, onboarding, next);
}

async function runNextQuincena(ctx: PrismaDemoContext, people: Record<string, Person[]>, next: string): Promise<void> {
  console.log(`== Demo PRISMA: quincena ${next} with movements, mistakes and corrections ==`);
  const start = parsePeriod(next)!.start;
  const files: Record<string, string[][]> = {};
  for (const [clave, list] of Object.entries(people)) {
    // Everyone stays (N); the last person leaves (B), the first one's salary changes (M).
    files[clave] = list.map((p, i) =>
      i === list.length - 1
        ? row(p, { movimiento: 'B', fecha_movimiento: start, sueldo_cotizable: '0.00', dias_cotizados: '1' })
        : i === 0
          ? row(p, { movimiento: 'M', fecha_movimiento: start, sueldo_cotizable: '52000.00' })
          : row(p, {}),
    );
  }
  // Secretaría de Finanzas: version 1 has typos (a CURP check digit, a duplicated person, a bad amount).
  const sf = files['20511']!;
  const withErrors = sf.map((r) => [...r]);
  withErrors[10]![0] = withErrors[10]![0]!.slice(0, 17) + String((Number(withErrors[10]![0]!.slice(17)) + 1) % 10);
  withErrors[11] = [...withErrors[12]!];
  withErrors[20]![8] = '1,234.50';
  // Toluca: two rows have errors; it accepts the rest and sends them later as a complement.
  const tol = files['30104']!;
  const tolBad = tol.map((r) => [...r]);
  tolBad[5]![9] = '17';
  tolBad[6]![8] = 'abc';

  const uploads: Array<[string, string]> = [
    ['20511', csvText(withErrors)],
    ['30104', csvText(tolBad)],
    ['30058', csvText(files['30058']!)],
    ['40210', csvText(files['40210']!)],
  ];
  for (const [clave, text] of uploads) await upload(ctx, clave, next, text, `nomina-${next}.csv`);
  for (const [clave] of uploads) await waitFor(ctx, clave, next, versionComputed(1), 'v1 computed');

  const sfFindings = await call(ctx, ctx.institutionTokens['20511']!, 'GET', `/v1/institutions/20511/periods/${next}/findings`);
  console.log(`  20511 v1: ${sfFindings.json.findings.length} hallazgos (${[...new Set(sfFindings.json.findings.map((f: any) => f.code))].join(', ')}); se corrige y se envía la versión 2`);
  await upload(ctx, '20511', next, csvText(sf), `nomina-${next}-corregida.csv`);
  await waitFor(ctx, '20511', next, versionComputed(2), 'v2 computed');
  const diff = await call(ctx, ctx.institutionTokens['20511']!, 'GET', `/v1/institutions/20511/periods/${next}/versions/2/diff`);
  console.log(`  20511 v2 vs v1: ${JSON.stringify(diff.json.summary)}; hallazgos corregidos: ${diff.json.findings.map((f: any) => `${f.code} ${f.before}→${f.after}`).join(', ')}`);
  await accept(ctx, '20511', next);
  const tolFindings = await call(ctx, ctx.institutionTokens['30104']!, 'GET', `/v1/institutions/30104/periods/${next}/findings`);
  console.log(`  30104 acepta las filas válidas; ${tolFindings.json.findings.length} filas en cuarentena se envían después como complementario`);
  await accept(ctx, '30104', next);
  await accept(ctx, '30058', next);
  await accept(ctx, '40210', next);
  await waitFor(ctx, '30104', next, (v) => v.lineas?.length > 0, 'línea issued');
  await upload(ctx, '30104', next, csvText([tol[5]!, tol[6]!]), `complementario-${next}.csv`, 'complementary');
  const complement = await waitFor(ctx, '30104', next, versionComputed(2), 'complement computed');
  await accept(ctx, '30104', next, 2);
  await waitFor(ctx, '30104', next, (v) => v.lineas?.filter((l: any) => l.status === 'active').some((l: any) => l.sequence >= 2), 'línea for the complement');
  void complement;

  console.log('== Demo PRISMA: payments through the bank simulator ==');
  const lineaOf = async (clave: string) => {
    const v = await waitFor(ctx, clave, next, (x) => x.lineas?.some((l: any) => l.status === 'active'), 'active línea');
    return v.lineas.find((l: any) => l.status === 'active');
  };
  const l1 = await lineaOf('20511');
  await pay(ctx, l1.linea, l1.amount);
  const l2 = await lineaOf('30104');
  const partial = (Number(l2.amount.replace('.', '')) - 100_000).toString();
  await pay(ctx, l2.linea, `${partial.slice(0, -2)}.${partial.slice(-2)}`);
  await waitFor(ctx, '30104', next, (v) => v.stage === 'partially-paid', 'partially paid');
  await pay(ctx, l2.linea, '1000.00');
  const l3 = await lineaOf('30058');
  const excess = (Number(l3.amount.replace('.', '')) + 50_000).toString();
  await pay(ctx, l3.linea, `${excess.slice(0, -2)}.${excess.slice(-2)}`);
  const l4 = await lineaOf('40210');
  await pay(ctx, l4.linea, l4.amount);
}

async function printSummary(ctx: PrismaDemoContext, onboarding: Record<string, string>, next: string): Promise<void> {
  const summary: string[] = [];
  for (const [clave, period] of [...Object.entries(onboarding), ...Object.keys(DEMO_ROSTERS).map((c) => [c, next] as [string, string])]) {
    const v = await waitFor(ctx, clave, period, (x) => x.stage === 'dispersed', 'dispersed');
    const d = v.dispersion;
    const paid = v.payments.reduce((s: number, p: any) => s + Math.round(Number(p.amount.replace('.', ''))), 0);
    summary.push(
      `  ${clave} ${period}  filas ${String(v.versions.filter((x: any) => x.status === 'accepted').reduce((n: number, x: any) => n + x.validRows, 0)).padStart(5)}  determinado ${money(v.amounts.determined)}  pagado ${money(`${String(paid).slice(0, -2)}.${String(paid).slice(-2)}`)}  accesorios ${money(d.destinations.accessoriesIncome)}  saldo a favor ${money(d.destinations.institutionCredit)}  cuentas individuales ${String(d.administrators.reduce((n: number, a: any) => n + a.personCount, 0)).padStart(5)}  ${d.balanced ? 'cuadrado' : 'DESCUADRADO'}`,
    );
  }
  console.log('\nPeriodos dispersados (Σ abonos = Σ depósitos por periodo):');
  for (const line of summary) console.log(line);
  const trial = await call(ctx, ctx.operatorToken, 'GET', '/v1/ledger/trial-balance');
  console.log(`Balanza de comprobación: cargos ${trial.json.totalDebits} = abonos ${trial.json.totalCredits} → ${trial.json.balanced ? 'cuadrada' : 'DESCUADRADA'}`);
}
