import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bufferSource, csvBuffer, generatePayrollRows, readAndValidate, recordValues } from '../../../synthetic/payroll-files';
import { PAYROLL_COLUMNS } from '../../../domain/payroll/layout';

const HEADER = [...PAYROLL_COLUMNS];

function asciiOnly(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '');
}

/** 2,000 generated rows with the accents removed, then one accented row at the end (> 64 KiB in). */
function lateAccentRecords(): string[][] {
  const records = [...generatePayrollRows({ rows: 2000, seed: 3 })].map((r) => recordValues(r).map(asciiOnly));
  const last = recordValues([...generatePayrollRows({ rows: 1, seed: 5 })][0]!);
  last[3] = 'NÚÑEZ';
  last[5] = 'MARÍA JOSÉ';
  return [...records, last];
}

describe('encoding detection', () => {
  it('reads a Latin-1 file whose first accent comes after the sniffed prefix', async () => {
    const records = lateAccentRecords();
    const bytes = await csvBuffer(HEADER, records, { encoding: 'windows-1252', delimiter: ',' });
    expect(bytes.indexOf(0xda)).toBeGreaterThan(64 * 1024); // Ú in Windows-1252
    const outcome = await readAndValidate(bufferSource(bytes, 4096));
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ format: 'csv', encoding: 'windows-1252' });
    expect(outcome.findings).toEqual([]);
    expect(outcome.rows.at(-1)?.row).toMatchObject({ primerApellido: 'NÚÑEZ', nombres: 'MARÍA JOSÉ' });
  });

  it('reads the same late accent as UTF-8 when the file is UTF-8', async () => {
    const bytes = await csvBuffer(HEADER, lateAccentRecords(), { encoding: 'utf-8', delimiter: '|' });
    const outcome = await readAndValidate(bufferSource(bytes, 4096));
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ encoding: 'utf-8', delimiter: '|' });
    expect(outcome.rows.at(-1)?.row).toMatchObject({ primerApellido: 'NÚÑEZ' });
  });

  it('decodes a UTF-8 character split across chunks of one byte', async () => {
    const bytes = await csvBuffer(HEADER, [recordValues([...generatePayrollRows({ rows: 1 })][0]!)], { encoding: 'utf-8', delimiter: ',' });
    const outcome = await readAndValidate(bufferSource(bytes, 1));
    expect(outcome.findings).toEqual([]);
    expect(outcome.rows).toHaveLength(1);
  });

  it('a mostly UTF-8 file with one Latin-1 row: UTF-8, and only that row gets E044', async () => {
    const rows = [...generatePayrollRows({ rows: 3, seed: 11 })].map((r) => recordValues(r));
    const utf8 = await csvBuffer(HEADER, rows.slice(0, 2), { encoding: 'utf-8', delimiter: ',' });
    const latin = iconv.encode(rows[2]!.map((v, i) => (i === 3 ? 'PEÑA' : v)).join(',') + '\r\n', 'win1252');
    const outcome = await readAndValidate(bufferSource(Buffer.concat([utf8, latin])));
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ encoding: 'utf-8' });
    // Every accented cell of row 3 (PEÑA and the accented given name) and nothing else.
    expect(new Set(outcome.findings.map((f) => `${f.row} ${f.code}`))).toEqual(new Set(['3 E044']));
    expect(outcome.findings.map((f) => f.column)).toContain('primer_apellido');
    expect(outcome.findings[0]!.message).toMatch(/caracteres que no se pudieron leer/);
    expect(outcome.rows.filter((r) => r.row)).toHaveLength(2);
  });

  it('a mostly Latin-1 file with one UTF-8 row: Windows-1252, and only that row gets E044', async () => {
    const rows = [...generatePayrollRows({ rows: 3, seed: 12 })].map((r) => recordValues(r));
    const latin = await csvBuffer(HEADER, rows.slice(0, 2), { encoding: 'windows-1252', delimiter: ',' });
    const utf8 = Buffer.from(rows[2]!.map((v, i) => (i === 3 ? 'PEÑA' : v)).join(',') + '\r\n', 'utf8');
    const outcome = await readAndValidate(bufferSource(Buffer.concat([latin, utf8])));
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ encoding: 'windows-1252' });
    const own = outcome.findings.filter((f) => f.row === 3 && f.code === 'E044');
    expect(own.length).toBeGreaterThan(0);
    expect(own.map((f) => f.message).join(' ')).toMatch(/Ã‘/);
    expect(outcome.findings.filter((f) => f.row !== 3)).toEqual([]);
    expect(outcome.rows.filter((r) => r.row)).toHaveLength(2);
  });

  it('accepts LF, CRLF and a mix of both', async () => {
    const rows = [...generatePayrollRows({ rows: 4, seed: 1 })].map((r) => recordValues(r));
    const lf = await csvBuffer(HEADER, rows, { encoding: 'utf-8', delimiter: ',', lineEnding: '\n' });
    const crlf = await csvBuffer(HEADER, rows, { encoding: 'utf-8', delimiter: ',', lineEnding: '\r\n' });
    const mixed = Buffer.from(lf.toString('utf8').replace(/\n/, '\r\n'));
    const results = await Promise.all([lf, crlf, mixed].map((b) => readAndValidate(bufferSource(b))));
    for (const r of results) {
      expect(r.findings).toEqual([]);
      expect(r.rows.map((x) => x.row)).toEqual(results[0]!.rows.map((x) => x.row));
    }
  });
});
