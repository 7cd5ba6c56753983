import { describe, expect, it } from 'vitest';
import { matchHeader, normalizeHeaderName, REQUIRED_COLUMNS } from '../../../domain/payroll/layout';
import { bufferSource, csvBuffer, minimalXlsx, readAndValidate, sheetRowsXml } from '../../../synthetic/payroll-files';

const VALID = ['GALJ600220HMCRPN00', 'GALJ600220132', 'GARCÍA', 'JUAN', 'N', '15234.50', '13'];

describe('header names', () => {
  it('match case-insensitively, trimmed, without accents, with spaces ≡ hyphens ≡ dots ≡ underscores', () => {
    for (const [written, canonical] of [
      ['Primer_Apellido', 'primer_apellido'],
      ['PRIMER APELLIDO', 'primer_apellido'],
      ['  primer-apellido ', 'primer_apellido'],
      ['Primer  Apellido', 'primer_apellido'],
      ['Días Cotizados', 'dias_cotizados'],
      ['SUELDO.COTIZABLE', 'sueldo_cotizable'],
      ['\uFEFFCURP', 'curp'],
      ['Ret. Préstamo Hipotecario', 'ret_prestamo_hipotecario'],
      ['Clave ISSEMyM', 'clave_issemym'],
    ]) {
      expect(normalizeHeaderName(written!)).toBe(canonical);
    }
  });

  it('reports unknown columns (W003), missing required columns (E001) and duplicates (E004) on row 0', () => {
    const m = matchHeader(['CURP', 'Observaciones', 'curp', 'rfc', '', 'Nombres']);
    expect(m.columns).toEqual(['curp', null, null, 'rfc', null, 'nombres']);
    expect(m.unknown).toEqual([
      { position: 2, name: 'Observaciones' },
      { position: 5, name: '' },
    ]);
    expect(m.missingRequired).toEqual(['primer_apellido', 'movimiento', 'sueldo_cotizable', 'dias_cotizados']);
    expect(m.duplicates).toEqual([{ column: 'curp', positions: [1, 3], names: ['CURP', 'curp'] }]);
    expect(m.findings.map((f) => [f.code, f.row, f.column])).toEqual([
      ['E001', 0, 'primer_apellido'],
      ['E001', 0, 'movimiento'],
      ['E001', 0, 'sueldo_cotizable'],
      ['E001', 0, 'dias_cotizados'],
      ['E004', 0, 'curp'],
      ['W003', 0, 'Observaciones'],
      ['W003', 0, null],
    ]);
    expect(m.findings[4]!.message).toMatch(/aparece 2 veces en el encabezado \(posiciones 1, 3\)/);
    expect(m.findings[5]!.message).toMatch(/"Observaciones" \(posición 2\) no es del layout v1 y se ignora/);
  });
});

describe('readPayrollFile header handling', () => {
  it('maps accented, upper-case and spaced names, and warns about unknown columns without rejecting', async () => {
    const header = ['CURP', 'RFC', 'Primer Apellido', 'Nómbres', 'MOVIMIENTO', 'Sueldo Cotizable', 'Días-Cotizados', 'Observaciones'];
    const outcome = await readAndValidate(
      bufferSource(await csvBuffer(header, [[...VALID, 'ingresó por concurso']], { encoding: 'utf-8', delimiter: ',' })),
    );
    expect(outcome.result.ok).toBe(true);
    expect(outcome.fileFindings.map((f) => [f.code, f.column, f.severity])).toEqual([['W003', 'Observaciones', 'warning']]);
    const [row] = outcome.rows;
    expect(row?.findings).toEqual([]);
    expect(row?.row).toMatchObject({ curp: 'GALJ600220HMCRPN00', nombres: 'JUAN', diasCotizados: 13 });
    expect(row?.rawCells).toContain('ingresó por concurso');
    if (outcome.result.ok) {
      expect(outcome.result.info.header.found).toEqual([...REQUIRED_COLUMNS]);
      expect(outcome.result.info.header.unknown).toEqual([{ position: 8, name: 'Observaciones' }]);
    }
  });

  it('rejects a file without a required column with one E001 per missing column', async () => {
    const outcome = await readAndValidate(
      bufferSource(await csvBuffer(['curp', 'rfc', 'nombres', 'movimiento', 'sueldo'], [['A', 'B', 'C', 'N', '1']], { encoding: 'utf-8', delimiter: '|' })),
    );
    expect(outcome.result.ok).toBe(false);
    expect(outcome.findings.map((f) => [f.code, f.column])).toEqual([
      ['E001', 'primer_apellido'],
      ['E001', 'sueldo_cotizable'],
      ['E001', 'dias_cotizados'],
      ['W003', 'sueldo'],
    ]);
    expect(outcome.result.ok === false && outcome.result.info?.format).toBe('csv');
  });

  it('rejects duplicated columns (E004), in CSV and XLSX', async () => {
    const header = ['curp', 'rfc', 'primer_apellido', 'nombres', 'movimiento', 'sueldo_cotizable', 'dias_cotizados', 'RFC'];
    const csv = await readAndValidate(bufferSource(await csvBuffer(header, [[...VALID, 'X']], { encoding: 'utf-8', delimiter: ',' })));
    const xlsx = await readAndValidate(bufferSource(await minimalXlsx(sheetRowsXml([header, [...VALID, 'X']]))));
    for (const outcome of [csv, xlsx]) {
      expect(outcome.result.ok).toBe(false);
      expect(outcome.findings.map((f) => [f.code, f.column, f.value])).toEqual([['E004', 'rfc', 'rfc | RFC']]);
    }
  });

  it('explains a semicolon-separated file instead of reporting every column missing', async () => {
    const text = 'curp;rfc;primer_apellido;nombres;movimiento;sueldo_cotizable;dias_cotizados\r\nA;B;C;D;N;1;2\r\n';
    const outcome = await readAndValidate(bufferSource(Buffer.from(text)));
    expect(outcome.findings.map((f) => f.code)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/separado por punto y coma/);
  });

  it('accepts a header with no rows (zero rows, no findings)', async () => {
    const header = ['curp', 'rfc', 'primer_apellido', 'nombres', 'movimiento', 'sueldo_cotizable', 'dias_cotizados'];
    const outcome = await readAndValidate(bufferSource(Buffer.from(header.join('|'))));
    expect(outcome.result.ok).toBe(true);
    expect(outcome.result.ok && outcome.result.info).toMatchObject({ format: 'csv', delimiter: '|', encoding: 'utf-8' });
    expect(outcome.rows).toEqual([]);
    expect(outcome.findings).toEqual([]);
  });

  it('requires the XLSX header in row 1', async () => {
    const header = ['curp', 'rfc', 'primer_apellido', 'nombres', 'movimiento', 'sueldo_cotizable', 'dias_cotizados'];
    const outcome = await readAndValidate(bufferSource(await minimalXlsx(sheetRowsXml([header, VALID], 3))));
    expect(outcome.findings.map((f) => f.code)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/La fila 1 de la hoja "Nomina" está vacía/);
  });
});
