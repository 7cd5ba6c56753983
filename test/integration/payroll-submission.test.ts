/**
 * Issue 4's central behaviour, through the API as an institution's payroll system sees it:
 * a period of altas is accepted (the registry learns the people), then the next period's file
 * carries one example of every finding code; the findings come back at the right rows and the
 * valid rows' determinación matches figures worked by hand to the centavo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claveFromSequence } from '../../domain/identifiers/clave-issemym';
import { curpCheckDigit } from '../../domain/identifiers/curp';
import { rfcCheckDigit } from '../../domain/identifiers/rfc';
import { loginAs, makeInstitutionClave } from '../support/identities';
import { personKeys, seededRandom } from '../../synthetic/payroll-files';
import { createActiveInstitution, csv, expectStatus, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ PAYROLL_SALARY_CAP: '200000.00' });
});
afterAll(async () => {
  await world?.stop();
});

const HEADER = [
  'curp', 'clave_issemym', 'rfc', 'primer_apellido', 'segundo_apellido', 'nombres', 'movimiento', 'fecha_movimiento',
  'sueldo_cotizable', 'dias_cotizados', 'puesto', 'ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros', 'afore',
];

const random = seededRandom(Math.floor(Math.random() * 1e9));
const base = Math.floor(Math.random() * 50_000) * 20;
let counter = 0;
function person(apellido1: string, apellido2: string, nombres: string) {
  counter += 1;
  const keys = personKeys(apellido1, apellido2, nombres, base + counter * 37, random);
  return { ...keys, apellido1, apellido2, nombres };
}
type Person = ReturnType<typeof person>;

function row(p: Person, fields: Partial<Record<(typeof HEADER)[number], string>> = {}): string[] {
  const values: Record<string, string> = {
    curp: p.curp, clave_issemym: '', rfc: p.rfc, primer_apellido: p.apellido1, segundo_apellido: p.apellido2, nombres: p.nombres,
    movimiento: 'N', fecha_movimiento: '', sueldo_cotizable: '1000.00', dias_cotizados: '13', puesto: 'Analista',
    ret_prestamo_corto: '', ret_prestamo_hipotecario: '', ret_otros: '', afore: '', ...fields,
  };
  return HEADER.map((h) => values[h]!);
}

describe('quincenal submission: validate, correct, compute', () => {
  it('reports exactly the expected finding at each row and computes the valid rows to the centavo', async () => {
    const clave = makeInstitutionClave();
    await createActiveInstitution(world, clave);
    const user = await loginAs(world, 'institution', { institutionClave: clave });

    const people = {
      a: person('GARCIA', 'LOPEZ', 'ANA'),
      b: person('HERNANDEZ', 'MARTINEZ', 'BRUNO'),
      c: person('LOPEZ', 'GONZALEZ', 'CARLA'),
      d: person('MARTINEZ', 'RODRIGUEZ', 'DANIEL'),
      e: person('GONZALEZ', 'PEREZ', 'ELENA'),
      f: person('RODRIGUEZ', 'SANCHEZ', 'FERNANDO'),
      g: person('PEREZ', 'RAMIREZ', 'GABRIELA'),
      h: person('SANCHEZ', 'CRUZ', 'HECTOR'),
      i: person('RAMIREZ', 'FLORES', 'IRENE'),
      j: person('CRUZ', 'GOMEZ', 'JORGE'),
      k: person('FLORES', 'MORALES', 'KARINA'),
      l: person('GOMEZ', 'VAZQUEZ', 'LUIS'),
      m: person('MORALES', 'JIMENEZ', 'MONICA'),
      n: person('VAZQUEZ', 'REYES', 'NICOLAS'),
      o: person('JIMENEZ', 'DIAZ', 'OLGA'),
      p: person('REYES', 'TORRES', 'PABLO'),
      q: person('DIAZ', 'GUTIERREZ', 'QUETZALLI'),
      r: person('TORRES', 'RUIZ', 'RAUL'),
      s: person('GUTIERREZ', 'MENDOZA', 'SOFIA'),
      t: person('RUIZ', 'AGUILAR', 'TOMAS'),
      u: person('MENDOZA', 'ORTIZ', 'URSULA'),
      v: person('AGUILAR', 'CASTILLO', 'VICTOR'),
      w: person('ORTIZ', 'ROMERO', 'WENDY'),
      x: person('CASTILLO', 'ALVAREZ', 'XIMENA'),
      y: person('ROMERO', 'CHAVEZ', 'YAEL'),
    };
    const { a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y } = people;
    // RENAPO knows everyone except k; l is dead (BD).
    await seedRenapoPeople(
      Object.values(people).filter((z) => z !== k).map((z) => ({
        curp: z.curp, nombres: z.nombres, apellido1: z.apellido1, apellido2: z.apellido2, estatusCURP: z === l ? 'BD' : 'AN',
      })),
    );

    // Period 202603: eight altas, accepted, so the registry knows who is active and their salary.
    const altas = csv(HEADER, [
      row(a, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '10000.00', dias_cotizados: '15' }),
      row(b, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '1234.57', dias_cotizados: '15' }),
      row(c, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '8765.43', dias_cotizados: '15' }),
      row(d, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '4321.00', dias_cotizados: '15' }),
      row(e, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '5000.00', dias_cotizados: '15' }),
      row(f, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '7000.00', dias_cotizados: '15' }),
      row(h, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '6000.00', dias_cotizados: '15' }),
      row(j, { movimiento: 'A', fecha_movimiento: '2026-02-01', sueldo_cotizable: '6500.00', dias_cotizados: '15' }),
    ]);
    expectStatus(await uploadPayroll(world, user.headers, clave, '202603', altas), 202);
    const first = await waitForPeriod(world, user.headers, clave, '202603', versionReady(1));
    expect(first.findingsSummary).toEqual([]);
    expectStatus(await world.app.inject({ method: 'POST', url: `/v1/institutions/${clave}/periods/202603/accept`, headers: user.headers }), 202);
    // 202603 is long past due, so the stage moves on at once ('accepted' → 'overdue'); the version's
    // own status is the stable signal that the acceptance (and its altas) landed.
    await waitForPeriod(world, user.headers, clave, '202603', (view) => view.versions.some((x) => x.version === 1 && x.status === 'accepted'));

    // Period 202604 (16–28 Feb): one example of each finding.
    const mBadCheck = m.curp.slice(0, 17) + String((Number(m.curp[17]) + 1) % 10);
    const oBadRfc = o.rfc.slice(0, 12) + (rfcCheckDigit(o.rfc.slice(0, 12)) === '1' ? '2' : '1');
    const nobodysClave = claveFromSequence(9_999_999);
    const header = [...HEADER, 'observaciones'];
    const r2 = (cells: string[]) => [...cells, ''];
    const file = csv(header, [
      r2(row(a, { ret_prestamo_corto: '500.00', sueldo_cotizable: '10000.00' })), // 1 valid
      r2(row(b, { sueldo_cotizable: '1234.57' })), // 2 valid
      r2(row(c, { sueldo_cotizable: '8765.43', ret_prestamo_hipotecario: '1200.50' })), // 3 valid
      r2(row(d, { sueldo_cotizable: '4321.00', ret_otros: '35.25', nombres: 'DANY' })), // 4 W061
      r2(row(e, { sueldo_cotizable: '7000.00' })), // 5 W051 (+40 % without M)
      r2(row(g, { movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '3000.00' })), // 6 E014
      r2(row(g, { movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '3000.00' })), // 7 E014
      r2(row(h, { movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '6000.00' })), // 8 E032
      r2(row(i, { sueldo_cotizable: '2500.00' })), // 9 E033
      r2(row(j, { clave_issemym: nobodysClave, sueldo_cotizable: '6500.00' })), // 10 E060
      r2(row(k, { movimiento: 'A', fecha_movimiento: '2026-02-16' })), // 11 E012
      r2(row(l, { movimiento: 'A', fecha_movimiento: '2026-02-16' })), // 12 E013
      r2(row(m, { curp: 'ABC123', movimiento: 'A', fecha_movimiento: '2026-02-16' })), // 13 E010
      r2(row(m, { curp: mBadCheck, movimiento: 'A', fecha_movimiento: '2026-02-16' })), // 14 E011
      r2(row(n, { rfc: 'XYZ', movimiento: 'A', fecha_movimiento: '2026-02-16' })), // 15 E020
      r2(row(o, { rfc: oBadRfc, movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '2000.00' })), // 16 W021 valid
      r2(row(p, { rfc: q.rfc, movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '3000.00' })), // 17 W022 valid
      r2(row(r, { movimiento: 'X' })), // 18 E030
      r2(row(s, { movimiento: 'A', fecha_movimiento: '2026-03-01' })), // 19 E031
      r2(row(t, { movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: 'abc' })), // 20 E040
      r2(row(u, { movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: '250000.00' })), // 21 E041
      r2(row(v, { movimiento: 'A', fecha_movimiento: '2026-02-16', dias_cotizados: '17' })), // 22 E042
      r2(row(w, { movimiento: 'A', fecha_movimiento: '2026-02-16', ret_prestamo_corto: '-5' })), // 23 E043
      r2(row(x, { movimiento: 'A', fecha_movimiento: '2026-02-16', nombres: '' })), // 24 E044
      r2(row(y, { movimiento: 'A', fecha_movimiento: '2026-02-16', clave_issemym: '123' })), // 25 E045
      [...row(y, { movimiento: 'A', fecha_movimiento: '2026-02-16' }), '', 'sobra'], // 26 E005
      // f is absent: W050
    ]);
    const upload = await uploadPayroll(world, user.headers, clave, '202604', file);
    expectStatus(upload, 202);
    expect(upload.json()).toMatchObject({ version: 1, workflowId: `payroll/${clave}/202604`, duplicate: false });
    await waitForPeriod(world, user.headers, clave, '202604', versionReady(1));

    const findingsRes = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings`, headers: user.headers });
    expectStatus(findingsRes, 200);
    const findings = findingsRes.json().findings as Array<{ row: number | null; code: string; column: string; severity: string; value: string | null; message: string }>;
    const got = findings.map((fi) => `${fi.row ?? '-'}:${fi.code}`).sort();
    const expected = [
      '0:W003', '-:W050', '4:W061', '5:W051', '6:E014', '7:E014', '8:E032', '9:E033', '10:E060', '11:E012', '12:E013',
      '13:E010', '14:E011', '15:E020', '16:W021', '17:W022', '18:E030', '19:E031', '20:E040', '21:E041', '22:E042',
      '23:E043', '24:E044', '25:E045', '26:E005',
    ].sort();
    expect(got).toEqual(expected);
    // Each finding says what is wrong and how to fix it, in Spanish, with the value seen.
    const w050 = findings.find((fi) => fi.code === 'W050')!;
    expect(w050).toMatchObject({ column: 'curp', severity: 'warning', value: f.curp });
    expect(w050.message).toMatch(/no aparece en este archivo/);
    const e013 = findings.find((fi) => fi.code === 'E013')!;
    expect(e013.message).toMatch(/BD/);
    expect(findings.find((fi) => fi.code === 'E041')).toMatchObject({ column: 'sueldo_cotizable', value: '250000.00' });

    // Hand-worked (rates: servidor 4.625/6.1/1.4 %, institución 10/6/1.5/1/0.5 %), rows 1–5, 16, 17:
    //  sueldos 10000.00, 1234.57, 8765.43, 4321.00, 7000.00, 2000.00, 3000.00
    //  servidor salud   462.50 + 57.10 + 405.40 + 199.85 + 323.75 + 92.50 + 138.75 = 1679.85
    //  servidor reparto 610.00 + 75.31 + 534.69 + 263.58 + 427.00 + 122.00 + 183.00 = 2215.58
    //  servidor sci     140.00 + 17.28 + 122.72 + 60.49 + 98.00 + 28.00 + 42.00 = 508.49
    //  inst. salud      1000.00 + 123.46 + 876.54 + 432.10 + 700.00 + 200.00 + 300.00 = 3632.10
    //  inst. reparto    600.00 + 74.07 + 525.93 + 259.26 + 420.00 + 120.00 + 180.00 = 2179.26
    //  inst. sci        150.00 + 18.52 + 131.48 + 64.82 (64.815 half-up) + 105.00 + 30.00 + 45.00 = 544.82
    //  inst. admin      100.00 + 12.35 + 87.65 + 43.21 + 70.00 + 20.00 + 30.00 = 363.21
    //  inst. riesgo     50.00 + 6.17 + 43.83 + 21.61 (21.605 half-up) + 35.00 + 10.00 + 15.00 = 181.61
    //  retenciones 500.00 + 1200.50 + 35.25 = 1735.75; total 4403.92 + 6901.00 + 1735.75 = 13040.67
    const det = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/determinacion`, headers: user.headers });
    expectStatus(det, 200);
    expect(det.json()).toMatchObject({
      totals: {
        servidor: { salud: '1679.85', reparto: '2215.58', sci: '508.49' },
        institucion: { salud: '3632.10', reparto: '2179.26', sci: '544.82', admin: '363.21', riesgo: '181.61' },
        retenciones: { prestamo_corto: '500.00', prestamo_hipotecario: '1200.50', otros: '35.25' },
      },
      totalCuotas: '4403.92',
      totalAportaciones: '6901.00',
      totalRetenciones: '1735.75',
      totalDue: '13040.67',
      rowsComputed: 7,
      usesUnverifiedRates: true,
    });

    // The findings also download as CSV for the clerk's spreadsheet.
    const csvRes = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings?format=csv`, headers: user.headers });
    expectStatus(csvRes, 200);
    expect(csvRes.headers['content-type']).toMatch(/text\/csv/);
    // UTF-8 with BOM so Excel shows the accents; one line per finding after the header.
    expect(csvRes.body.startsWith('\uFEFFrow,column,code,severity,value,message')).toBe(true);
    expect(csvRes.body.trim().split(/\r?\n/)).toHaveLength(findings.length + 1);

    // The same bytes again join the same submission and version; a corrected file is version 2.
    const again = await uploadPayroll(world, user.headers, clave, '202604', file);
    expectStatus(again, 202);
    expect(again.json()).toMatchObject({ version: 1, duplicate: true, submissionId: upload.json().submissionId });

    const corrected = csv(HEADER, [
      row(a, { ret_prestamo_corto: '500.00', sueldo_cotizable: '10000.00' }),
      row(b, { sueldo_cotizable: '1234.57' }),
      row(c, { sueldo_cotizable: '8765.43', ret_prestamo_hipotecario: '1200.50' }),
      row(d, { sueldo_cotizable: '4321.00', ret_otros: '35.25' }),
      row(e, { movimiento: 'M', fecha_movimiento: '2026-02-16', sueldo_cotizable: '7000.00' }),
      row(f, { movimiento: 'B', fecha_movimiento: '2026-02-20', sueldo_cotizable: '0.00', dias_cotizados: '5' }),
      row(h, { sueldo_cotizable: '6000.00' }),
      row(j, { sueldo_cotizable: '6500.00' }),
    ]);
    const v2 = await uploadPayroll(world, user.headers, clave, '202604', corrected, { filename: 'nomina-corregida.csv' });
    expectStatus(v2, 202);
    expect(v2.json()).toMatchObject({ version: 2, duplicate: false, submissionId: upload.json().submissionId });
    const view = await waitForPeriod(world, user.headers, clave, '202604', versionReady(2));
    expect(view.versions.map((vv) => [vv.version, vv.status])).toEqual([
      [1, 'superseded'],
      [2, 'computed'],
    ]);
    const v2Findings = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/findings`, headers: user.headers });
    expect(v2Findings.json().findings).toEqual([]);

    const diff = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/versions/2/diff`, headers: user.headers });
    expectStatus(diff, 200);
    const d2 = diff.json();
    expect(d2.previousVersion).toBe(1);
    const byCurp = new Map((d2.people as Array<{ curp: string; change: string; after: { movimiento: string } | null }>).map((pp) => [pp.curp, pp]));
    expect(byCurp.get(f.curp)).toMatchObject({ change: 'added', after: { movimiento: 'B' } });
    expect(byCurp.get(e.curp)).toMatchObject({ change: 'changed', after: { movimiento: 'M' } });
    expect(byCurp.get(g.curp)).toMatchObject({ change: 'removed' });
    expect(byCurp.has(a.curp)).toBe(false);
    expect(d2.findings).toEqual(expect.arrayContaining([{ code: 'E014', before: 2, after: 0 }]));

    // Before accepting, the variance against the previous period (8 altas in 202603).
    const variance = await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/202604/variance`, headers: user.headers });
    expectStatus(variance, 200);
    // 202603: 8 people, 10000+1234.57+8765.43+4321+5000+7000+6000+6500 = 48821.00
    // 202604 v2: 7 in service (f leaves), salary mass 10000+1234.57+8765.43+4321+7000+0+6000+6500 = 43821.00
    expect(variance.json()).toMatchObject({
      previous: { headcount: 8, altas: 8, salaryMass: '48821.00' },
      current: { headcount: 7, bajas: 1, modificaciones: 1, salaryMass: '43821.00' },
      delta: { headcount: -1, salaryMass: '-5000', salaryMassPercent: '-10.2' },
    });
  });
});
