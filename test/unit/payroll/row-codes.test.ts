import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_CATALOGUE, FINDING_CODES } from '../../../domain/payroll/findings';
import {
  bufferSource,
  csvBuffer,
  fileSource,
  readAndValidate,
  writeXlsx,
  type ReadOutcome,
} from '../../../synthetic/payroll-files';

const FIXTURE = fileURLToPath(new URL('../../fixtures/payroll/every-row-code.csv', import.meta.url));
const CONTEXT = { period: '202604', salaryCap: '100000.00' }; // 2026-02-16 .. 2026-02-28, 13 days

/** [row, column, code] of every finding the fixture must produce; see test/fixtures/payroll/README.md. */
const EXPECTED: [number, string | null, string][] = [
  [2, 'curp', 'E010'],
  [3, 'curp', 'E011'],
  [4, 'rfc', 'E020'],
  [5, 'rfc', 'W021'],
  [6, 'rfc', 'W022'],
  [7, 'movimiento', 'E030'],
  [8, 'fecha_movimiento', 'E031'],
  [9, 'fecha_movimiento', 'E031'],
  [10, 'sueldo_cotizable', 'E040'],
  [11, 'sueldo_cotizable', 'E040'],
  [12, 'sueldo_cotizable', 'E041'],
  [13, 'dias_cotizados', 'E042'],
  [14, 'dias_cotizados', 'E042'],
  [15, 'ret_prestamo_corto', 'E043'],
  [15, 'ret_otros', 'E043'],
  [16, 'primer_apellido', 'E044'],
  [17, 'nombres', 'E044'],
  [18, 'clave_issemym', 'E045'],
  [19, null, 'E005'],
];
const VALID_ROWS = [1, 5, 6, 21, 22, 23];

type Triple = [number | null, string | null, string];
const byRowColumn = (a: Triple, b: Triple) =>
  (a[0] ?? -1) - (b[0] ?? -1) || (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : 0);

function triples(outcome: ReadOutcome): Triple[] {
  return outcome.findings.map((f) => [f.row, f.column, f.code] as Triple).sort(byRowColumn);
}

describe('every row-level finding code (fixture every-row-code.csv, period 202604)', () => {
  let outcome: ReadOutcome;
  beforeAll(async () => {
    outcome = await readAndValidate(fileSource(FIXTURE), CONTEXT);
  });

  it('reports exactly the expected findings at the right rows and columns', () => {
    expect(outcome.result.ok).toBe(true);
    expect(outcome.thrown).toBeNull();
    expect(triples(outcome)).toEqual([...EXPECTED].sort(byRowColumn));
  });

  it('covers every code the reader and the row rules own', () => {
    const rowCodes = FINDING_CODES.filter((c) => FINDING_CATALOGUE[c].scope === 'row');
    expect(new Set(EXPECTED.map((e) => e[2]))).toEqual(new Set(rowCodes));
  });

  it('gives each finding the catalogue severity, the value seen and a Spanish message with the fix', () => {
    for (const f of outcome.findings) {
      expect(f.severity).toBe(FINDING_CATALOGUE[f.code].severity);
      expect(f.message.length).toBeGreaterThan(40);
    }
    const at = (row: number, code: string) => outcome.findings.find((f) => f.row === row && f.code === code)!;
    expect(at(2, 'E010')).toMatchObject({ value: 'MUPM600221MMCXRR7' });
    expect(at(2, 'E010').message).toMatch(/tiene 17 caracteres y debe tener exactamente 18/);
    expect(at(10, 'E040')).toMatchObject({ value: '12,345.67' });
    expect(at(10, 'E040').message).toMatch(/separador de miles.*por ejemplo 12345\.67/);
    expect(at(12, 'E041').message).toMatch(/150000\.00 es mayor que el tope de la quincena 202604 \(100000\.00\)/);
    expect(at(13, 'E042').message).toMatch(/solo tiene 13 días \(del 2026-02-16 al 2026-02-28\)/);
    expect(at(9, 'E031').message).toMatch(/2026-03-01 está fuera de la quincena 202604/);
    expect(at(8, 'E031').message).toMatch(/movimiento A \(alta\) requiere fecha_movimiento/);
    expect(at(17, 'E044').message).toMatch(/tiene 88 caracteres; el máximo es 80/);
    expect(at(19, 'E005').message).toMatch(/16 campos y el encabezado 15/);
  });

  it('normalises the valid rows (warnings do not block a row)', () => {
    const valid = outcome.rows.filter((r) => r.row).map((r) => r.rowNumber);
    expect(valid).toEqual(VALID_ROWS);
    const byRow = new Map(outcome.rows.map((r) => [r.rowNumber, r.row]));
    expect(byRow.get(1)).toEqual({
      row: 1,
      curp: 'GALJ600220HMCRPN00',
      curpBirthDate: '1960-02-20',
      curpSex: 'H',
      claveIssemym: '00000018',
      rfc: 'GALJ600220132',
      primerApellido: 'GARCÍA',
      segundoApellido: 'LÓPEZ',
      nombres: 'JUAN',
      movimiento: 'N',
      fechaMovimiento: null,
      sueldoCotizable: '15234.50',
      diasCotizados: 13,
      puesto: 'AUXILIAR ADMINISTRATIVO',
      retPrestamoCorto: '250.00',
      retPrestamoHipotecario: '0.00',
      retOtros: '0.00',
      afore: null,
    });
    expect(byRow.get(21)).toMatchObject({ movimiento: 'B', fechaMovimiento: '2026-02-27', sueldoCotizable: '0.00', diasCotizados: 11 });
    expect(byRow.get(22)).toMatchObject({
      movimiento: 'A',
      sueldoCotizable: '8000.00',
      puesto: 'ANALISTA "B", TURNO 2',
      retOtros: '12.50',
      afore: 'PROFUTURO',
    });
    // Lower case and spaces around values are normalised.
    expect(byRow.get(23)).toMatchObject({
      rfc: 'MOLJ6003293S7',
      primerApellido: 'MORALES',
      segundoApellido: 'LÓPEZ',
      nombres: 'JUAN',
      movimiento: 'M',
      fechaMovimiento: '2026-02-28',
      sueldoCotizable: '20000.10',
      retPrestamoHipotecario: '1500.00',
    });
  });

  it('keeps the spreadsheet numbering across a blank line', () => {
    expect(outcome.rows.map((r) => r.rowNumber)).not.toContain(20);
    expect(outcome.rows.find((r) => r.rowNumber === 21)).toMatchObject({ sourceLine: 22 });
  });

  it('does not apply E041 when no cap is configured', async () => {
    const noCap = await readAndValidate(fileSource(FIXTURE), { period: '202604' });
    expect(noCap.findings.some((f) => f.code === 'E041')).toBe(false);
    expect(noCap.rows.find((r) => r.rowNumber === 12)?.row?.sueldoCotizable).toBe('150000.00');
  });
});

describe('the same content as Latin-1, UTF-8 with BOM, pipe-delimited CSV and XLSX', () => {
  let dir: string;
  let header: string[];
  let records: string[][];
  let reference: ReadOutcome;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'payroll-variants-'));
    const all = parseCsvSync(await readFile(FIXTURE), { relax_column_count: true, skip_empty_lines: false }) as string[][];
    header = all[0]!;
    records = all.slice(1);
    reference = await readAndValidate(fileSource(FIXTURE), CONTEXT);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const variants: [string, () => Promise<() => Promise<import('node:stream').Readable>>, string][] = [
    ['Latin-1 (Windows-1252), comma', async () => bufferSource(await csvBuffer(header, records, { encoding: 'windows-1252', delimiter: ',' })), 'windows-1252'],
    ['UTF-8 with BOM, comma, LF', async () => bufferSource(await csvBuffer(header, records, { encoding: 'utf-8-bom', delimiter: ',', lineEnding: '\n' })), 'utf-8-bom'],
    ['UTF-8, pipe', async () => bufferSource(await csvBuffer(header, records, { encoding: 'utf-8', delimiter: '|' })), 'utf-8'],
    ['Latin-1, pipe', async () => bufferSource(await csvBuffer(header, records, { encoding: 'windows-1252', delimiter: '|' })), 'windows-1252'],
    [
      'XLSX, text cells',
      async () => {
        const path = join(dir, 'text.xlsx');
        await writeXlsx(path, header, records);
        return fileSource(path);
      },
      'xlsx',
    ],
    [
      'XLSX, numeric cells and shared strings (as Excel saves it)',
      async () => {
        const path = join(dir, 'numeric.xlsx');
        const numeric = new Set(['sueldo_cotizable', 'dias_cotizados', 'ret_prestamo_corto', 'ret_prestamo_hipotecario', 'ret_otros']);
        const cells = records.map((r) => r.map((v, i) => (numeric.has(header[i]!) && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
        await writeXlsx(path, header, cells, { sharedStrings: true });
        return fileSource(path);
      },
      'xlsx',
    ],
  ];

  for (const [name, make, expected] of variants) {
    it(`${name}: identical normalised rows and findings`, async () => {
      const outcome = await readAndValidate(await make(), CONTEXT);
      expect(outcome.result.ok).toBe(true);
      const info = outcome.result.ok ? outcome.result.info : null;
      expect(info?.format === 'csv' ? info.encoding : info?.format).toBe(expected);
      expect(outcome.rows.map((r) => r.row ?? null)).toEqual(reference.rows.map((r) => r.row ?? null));
      expect(triples(outcome)).toEqual(triples(reference));
      // Messages are the same too, except E005 which quotes the raw line in the file's own form.
      const messages = (o: ReadOutcome) => o.findings.filter((f) => f.code !== 'E005').map((f) => f.message);
      expect(messages(outcome)).toEqual(messages(reference));
    });
  }
});
