import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_CATALOGUE, isFindingCode } from '../../../domain/payroll/findings';
import { PAYROLL_COLUMNS, type PayrollCells } from '../../../domain/payroll/layout';
import { validateRow } from '../../../domain/payroll/row-validation';
import { readPayrollFile } from '../../../payroll/file-reader';
import { bufferSource, csvBuffer, generatePayrollRows, type CsvVariant } from '../../../synthetic/payroll-files';

// Characters that stress the CSV grammar, plus accents that Windows-1252 can encode. (Symbols in
// 0x80–0xBF such as ° are left out: after an accented capital they can form valid UTF-8 and make
// the encoding guess ambiguous, which the detection documents and real names never do.)
const CELL_CHARS = ['a', 'Z', '0', ' ', '"', ',', '|', ';', '\n', '\r', '\r\n', 'á', 'É', 'Ñ', 'ü', "'", '=', '\t'];
const cellText = fc.array(fc.constantFrom(...CELL_CHARS), { maxLength: 12 }).map((parts) => parts.join(''));
const record = fc.array(cellText, { minLength: PAYROLL_COLUMNS.length, maxLength: PAYROLL_COLUMNS.length });
const variant = fc.record<CsvVariant>({
  encoding: fc.constantFrom('utf-8', 'utf-8-bom', 'windows-1252'),
  delimiter: fc.constantFrom(',', '|'),
  lineEnding: fc.constantFrom('\n', '\r\n'),
});

describe('CSV reader properties', () => {
  it('any cell text round-trips through an RFC 4180 writer and the reader, in any variant and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 8 }), variant, fc.integer({ min: 1, max: 64 }), async (records, v, chunk) => {
        const bytes = await csvBuffer(PAYROLL_COLUMNS, records, v);
        const file = await readPayrollFile(bufferSource(bytes, chunk));
        expect(file.ok).toBe(true);
        if (!file.ok) return;
        if (file.info.format === 'csv') {
          expect(file.info.delimiter).toBe(v.delimiter);
          if (v.encoding === 'utf-8-bom') expect(file.info.encoding).toBe('utf-8-bom');
        }
        const got: { rowNumber: number; cells: PayrollCells; findings: unknown[] }[] = [];
        for await (const row of file.rows) got.push({ rowNumber: row.rowNumber, cells: row.cells, findings: row.findings });
        // Rows whose cells are all blank are skipped; the others keep their number.
        const expected = records
          .map((cells, i) => ({ rowNumber: i + 1, cells: Object.fromEntries(PAYROLL_COLUMNS.map((c, j) => [c, cells[j]!])), findings: [] }))
          .filter((r) => Object.values(r.cells).some((c) => c.trim() !== ''));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('validateRow properties', () => {
  const anyCells = fc.record(
    Object.fromEntries(PAYROLL_COLUMNS.map((c) => [c, fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constant(''))])),
    { requiredKeys: [] },
  ) as fc.Arbitrary<PayrollCells>;

  it('never throws on arbitrary strings, and returns a row exactly when there is no error', () => {
    fc.assert(
      fc.property(anyCells, fc.integer({ min: 1, max: 1_000_000 }), fc.option(fc.constantFrom('0.00', '50000.00'), { nil: undefined }), (cells, row, cap) => {
        const result = validateRow(cells, { row, period: '202604', salaryCap: cap });
        const errors = result.findings.filter((f) => f.severity === 'error');
        expect(result.row !== undefined).toBe(errors.length === 0);
        for (const f of result.findings) {
          expect(isFindingCode(f.code)).toBe(true);
          expect(f.severity).toBe(FINDING_CATALOGUE[f.code].severity);
          expect(f.row).toBe(row);
          expect(f.message.length).toBeGreaterThan(20);
          expect((f.value ?? '').length).toBeLessThanOrEqual(200);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every generated valid row without findings, whatever the seed and period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom('202601', '202604', '202424', '203003'), (seed, period) => {
        for (const cells of generatePayrollRows({ rows: 20, seed, period })) {
          const result = validateRow(cells, { row: 1, period });
          expect(result.findings).toEqual([]);
          expect(result.row?.curp).toBe(cells.curp);
        }
      }),
      { numRuns: 100 },
    );
  });
});
