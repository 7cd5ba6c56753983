import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readPayrollFile } from '../../../payroll/file-reader';
import { xlsxCellText } from '../../../payroll/xlsx-reader';
import { bufferSource, generatePayrollRows, readAndValidate, writePayrollXlsx } from '../../../synthetic/payroll-files';

const none = { column: null, date1904: false };

describe('xlsxCellText', () => {
  it('shows numbers as Excel displays them (15 significant digits), never in binary noise', () => {
    expect(xlsxCellText(1234.5600000000001, none)).toBe('1234.56');
    expect(xlsxCellText(0.1 + 0.2, none)).toBe('0.3');
    expect(xlsxCellText(15, none)).toBe('15');
    expect(xlsxCellText(1234.5, none)).toBe('1234.5');
    expect(xlsxCellText(1e21, none)).toBe('1e+21'); // then rejected by the amount rules (E040)
  });

  it('restores the leading zeros of a numeric clave ISSEMyM and reads date serials in fecha_movimiento', () => {
    expect(xlsxCellText(18, { column: 'clave_issemym', date1904: false })).toBe('00000018');
    expect(xlsxCellText(46069, { column: 'fecha_movimiento', date1904: false })).toBe('2026-02-16');
    expect(xlsxCellText(44607, { column: 'fecha_movimiento', date1904: true })).toBe('2026-02-16');
    expect(xlsxCellText(46069, { column: 'sueldo_cotizable', date1904: false })).toBe('46069');
  });

  it('reads dates, rich text, formulas, errors and hyperlinks as text', () => {
    expect(xlsxCellText(new Date(Date.UTC(2026, 1, 16)), none)).toBe('2026-02-16');
    expect(xlsxCellText({ richText: [{ text: 'PÉ' }, { text: 'REZ' }] }, none)).toBe('PÉREZ');
    expect(xlsxCellText({ formula: 'A1*2', result: 2469.12 }, none)).toBe('2469.12');
    expect(xlsxCellText({ sharedFormula: 'A1', result: 'N' }, none)).toBe('N');
    expect(xlsxCellText({ error: '#N/A' }, none)).toBe('#N/A');
    expect(xlsxCellText({ text: 'ver', hyperlink: 'http://x' }, none)).toBe('ver');
    expect(xlsxCellText(null, none)).toBe('');
    expect(xlsxCellText(true, none)).toBe('TRUE');
  });
});

describe('an XLSX saved the way clerks do it', () => {
  it('numeric amounts, computed salaries, date cells, a numeric clave and extra sheets', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Nómina 2026-04');
    sheet.addRow(['CURP', 'Clave ISSEMyM', 'RFC', 'Primer Apellido', 'Segundo Apellido', 'Nombres', 'Movimiento', 'Fecha Movimiento', 'Sueldo Cotizable', 'Días Cotizados', 'Ret. Otros']);
    sheet.addRow(['GALJ600220HMCRPN00', 18, 'GALJ600220132', { richText: [{ text: 'GAR' }, { text: 'CÍA', font: { bold: true } }] }, 'LÓPEZ', 'JUAN', 'A', new Date(Date.UTC(2026, 1, 20)), { formula: '1234.56*1', result: 1234.5600000000001 }, 9, 0.1 + 0.2]);
    sheet.getCell('H2').numFmt = 'dd/mm/yyyy';
    sheet.addRow([]);
    sheet.addRow(['MUPM600221MMCXRR74', null, 'MUPM600221ZP4', 'MUÑOZ', 'PÉREZ', 'MARÍA', 'N', null, 9800, 13]);
    const notes = wb.addWorksheet('Notas');
    notes.addRow(['esta hoja no es parte del layout']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());

    const outcome = await readAndValidate(bufferSource(bytes));
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ format: 'xlsx', sheetName: 'Nómina 2026-04' });
    expect(outcome.findings).toEqual([]);
    expect(outcome.rows.map((r) => [r.rowNumber, r.sourceLine])).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(outcome.rows[0]!.row).toMatchObject({
      claveIssemym: '00000018',
      primerApellido: 'GARCÍA',
      fechaMovimiento: '2026-02-20',
      sueldoCotizable: '1234.56',
      diasCotizados: 9,
      retOtros: '0.30',
    });
    expect(outcome.rows[1]!.row).toMatchObject({ curp: 'MUPM600221MMCXRR74', sueldoCotizable: '9800.00', claveIssemym: null });
  });

  it('a value beyond the header columns is E005', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Nomina');
    sheet.addRow(['curp', 'rfc', 'primer_apellido', 'nombres', 'movimiento', 'sueldo_cotizable', 'dias_cotizados']);
    sheet.addRow(['GALJ600220HMCRPN00', 'GALJ600220132', 'GARCÍA', 'JUAN', 'N', 100, 13, null, 'nota suelta']);
    const outcome = await readAndValidate(bufferSource(Buffer.from(await wb.xlsx.writeBuffer())));
    expect(outcome.findings.map((f) => [f.row, f.code])).toEqual([[1, 'E005']]);
    expect(outcome.findings[0]!.message).toMatch(/datos en la columna 9, pero el encabezado solo tiene 7/);
  });
});

describe('worksheet spooled to disk', () => {
  it('is encrypted while it exists and removed when the rows have been read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payroll-spool-test-'));
    try {
      const path = join(dir, 'nomina.xlsx');
      const rows = [...generatePayrollRows({ rows: 50 })];
      await writePayrollXlsx(path, rows, { sharedStrings: true }); // sheet before sharedStrings: spooled
      const spoolDir = join(dir, 'spool');
      await mkdir(spoolDir);
      const file = await readPayrollFile(async () => createReadStream(path), { tempDir: spoolDir });
      expect(file.ok).toBe(true);
      if (!file.ok) return;
      const [sub] = await readdir(spoolDir);
      const [spool] = await readdir(join(spoolDir, sub!));
      const bytes = await readFile(join(spoolDir, sub!, spool!));
      expect(bytes.length).toBeGreaterThan(1000);
      expect(bytes.includes(Buffer.from('<sheetData'))).toBe(false);
      let n = 0;
      for await (const _ of file.rows) n += 1;
      expect(n).toBe(50);
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is removed when the reader is closed early', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payroll-spool-test-'));
    try {
      const path = join(dir, 'nomina.xlsx');
      await writePayrollXlsx(path, generatePayrollRows({ rows: 50 }), { sharedStrings: true });
      const spoolDir = join(dir, 'spool');
      await mkdir(spoolDir);
      const file = await readPayrollFile(async () => createReadStream(path), { tempDir: spoolDir });
      if (!file.ok) throw new Error('rejected');
      expect((await readdir(spoolDir)).length).toBe(1);
      await file.close();
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
