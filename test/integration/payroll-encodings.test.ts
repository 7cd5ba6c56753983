/**
 * Issue 4: the same payroll as a Latin-1 CSV, a UTF-8-BOM CSV, a pipe-delimited CSV and an XLSX
 * (numbers as Excel stores them) produces the same findings and the same determinación.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYROLL_COLUMNS } from '../../domain/payroll/layout';
import { loginAs, makeInstitutionClave } from '../support/identities';
import { createActiveInstitution, expectStatus, seedRenapoPeople, uploadPayroll, versionReady, waitForPeriod } from '../support/payroll';
import { csvBuffer, recordValues, writePayrollXlsx, type PayrollRecord } from '../../synthetic/payroll-files';
import { personKeys, seededRandom } from '../../synthetic/payroll-files';
import { startTestWorld, type TestWorld } from '../support/world';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
});
afterAll(async () => {
  await world?.stop();
});

describe('file formats', () => {
  it('gives the same findings and determinación for Latin-1, UTF-8-BOM, pipe-delimited CSV and XLSX', async () => {
    const period = '202604';
    const random = seededRandom(Math.floor(Math.random() * 1e9));
    const base = Math.floor(Math.random() * 40_000) * 20;
    // Accented names exercise the encodings; 30 altas with amounts that round half-up.
    const names: Array<[string, string, string]> = [['NÚÑEZ', 'PEÑA', 'JOSÉ'], ['MUÑOZ', 'IBÁÑEZ', 'MARÍA'], ['AVENDAÑO', 'OCAÑA', 'RAÚL']];
    const records: PayrollRecord[] = Array.from({ length: 30 }, (_, i) => {
      const [p, s, n] = names[i % 3]!;
      const keys = personKeys(p.replace('Ú', 'U').replace(/Ñ/g, 'N'), s.replace(/Ñ/g, 'N').replace('Á', 'A'), n.replace('É', 'E').replace('Í', 'I').replace('Ú', 'U'), base + i * 41, random);
      return {
        curp: keys.curp, clave_issemym: '', rfc: keys.rfc, primer_apellido: p, segundo_apellido: s, nombres: n,
        movimiento: 'A', fecha_movimiento: '2026-02-16', sueldo_cotizable: `${1000 + i * 123}.${String((i * 7) % 100).padStart(2, '0')}`,
        dias_cotizados: '13', puesto: 'Auxiliar de Tesorería', ret_prestamo_corto: i % 4 === 0 ? '150.50' : '', ret_prestamo_hipotecario: '', ret_otros: '', afore: '',
      };
    });
    await seedRenapoPeople(
      records.map((r) => ({ curp: r.curp, apellido1: r.primer_apellido, apellido2: r.segundo_apellido, nombres: r.nombres })),
    );
    const rows = records.map((r) => recordValues(r));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xlsx-'));
    const xlsxPath = path.join(dir, 'nomina.xlsx');
    await writePayrollXlsx(xlsxPath, records, { numeric: true, sharedStrings: true });
    const variants: Array<[string, Buffer, string]> = [
      ['latin1', await csvBuffer(PAYROLL_COLUMNS, rows, { encoding: 'windows-1252', delimiter: ',' }), 'nomina.csv'],
      ['bom', await csvBuffer(PAYROLL_COLUMNS, rows, { encoding: 'utf-8-bom', delimiter: ',' }), 'nomina.csv'],
      ['pipe', await csvBuffer(PAYROLL_COLUMNS, rows, { encoding: 'utf-8', delimiter: '|', lineEnding: '\n' }), 'nomina.txt'],
      ['xlsx', readFileSync(xlsxPath), 'nomina.xlsx'],
    ];
    expect(variants[0]![1].includes(Buffer.from('NÚÑEZ', 'utf8'))).toBe(false); // really Latin-1 bytes

    const results: Record<string, { determinacion: unknown; findings: unknown; names: string[] }> = {};
    for (const [name, bytes, filename] of variants) {
      const clave = makeInstitutionClave();
      await createActiveInstitution(world, clave);
      const user = await loginAs(world, 'institution', { institutionClave: clave });
      expectStatus(await uploadPayroll(world, user.headers, clave, period, bytes, { filename }), 202);
      await waitForPeriod(world, user.headers, clave, period, versionReady(1), 300_000);
      const det = (await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/${period}/determinacion`, headers: user.headers })).json();
      const findings = (await world.app.inject({ method: 'GET', url: `/v1/institutions/${clave}/periods/${period}/findings`, headers: user.headers })).json();
      const staged = (await world.database.sql`
        select primer_apellido from payroll_rows r join payroll_files f on f.id = r.file_id join payroll_submissions s on s.id = f.submission_id
         where s.institution_clave = ${clave} order by r.row_number`) as unknown as Array<{ primer_apellido: string }>;
      results[name] = {
        determinacion: { totals: det.totals, totalDue: det.totalDue, rowsComputed: det.rowsComputed },
        findings: findings.findings,
        names: staged.map((r) => r.primer_apellido),
      };
    }
    expect(results.latin1!.findings).toEqual([]);
    expect((results.latin1!.determinacion as { rowsComputed: number }).rowsComputed).toBe(30);
    expect(results.latin1!.names.slice(0, 3)).toEqual(['NÚÑEZ', 'MUÑOZ', 'AVENDAÑO']);
    for (const name of ['bom', 'pipe', 'xlsx']) expect(results[name], name).toEqual(results.latin1);
  });
});
