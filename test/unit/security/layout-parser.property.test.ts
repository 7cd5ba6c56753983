/**
 * The payroll layout parser against arbitrary input: whatever the bytes — random, behind a valid
 * header, behind the ZIP signature, or a real XLSX/CSV with bytes flipped or cut anywhere —
 * `readPayrollFile` and `validatePayrollRows` either read the file or report a file finding
 * (E001/E002/E004, with W003). They never throw anything else, never hang, and every finding
 * is a catalogued code with a Spanish message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_CATALOGUE, isFindingCode, type Finding } from '../../../domain/payroll/findings';
import { PayrollFileError, readPayrollFile } from '../../../payroll/file-reader';
import { validatePayrollRows } from '../../../payroll/validate-rows';
import { LAYOUT_HEADER, csvText, layoutRow, samplePeople } from '../../fixtures/hostile/cases';
import { bufferSource, minimalXlsx, sheetRowsXml } from '../../../synthetic/payroll-files';

const FILE_CODES = new Set(['E001', 'E002', 'E004', 'W003']);

function checkFinding(f: Finding) {
  expect(isFindingCode(f.code), f.code).toBe(true);
  expect(f.severity).toBe(FINDING_CATALOGUE[f.code].severity);
  expect(f.message.length).toBeGreaterThan(20);
  expect((f.value ?? '').length).toBeLessThanOrEqual(200);
}

/** Reads and validates everything; returns what happened, or throws what the contract forbids. */
async function outcome(bytes: Uint8Array, chunk: number): Promise<'read' | 'refused' | 'unreadable-part-way'> {
  const result = await readPayrollFile(bufferSource(Buffer.from(bytes), chunk));
  if (!result.ok) {
    expect(result.findings.length).toBeGreaterThan(0);
    for (const f of result.findings) {
      expect(FILE_CODES.has(f.code), f.code).toBe(true);
      checkFinding(f);
    }
    expect(result.findings.some((f) => f.severity === 'error')).toBe(true);
    return 'refused';
  }
  try {
    for await (const row of validatePayrollRows(result.rows, { period: '202604' })) {
      expect(row.rowNumber).toBeGreaterThan(0);
      row.findings.forEach(checkFinding);
    }
    return 'read';
  } catch (err) {
    if (!(err instanceof PayrollFileError)) throw err;
    expect(err.finding.code).toBe('E002');
    checkFinding(err.finding);
    return 'unreadable-part-way';
  }
}

const chunkSize = fc.integer({ min: 1, max: 70_000 });
const people = samplePeople(3);
const validCsv = Buffer.from(csvText(LAYOUT_HEADER, people.map((p) => layoutRow(p))));
const header = Buffer.from(`${LAYOUT_HEADER.join(',')}\r\n`);

describe('readPayrollFile on arbitrary bytes', () => {
  it('random bytes: read or a file finding, never an exception', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), chunkSize, async (bytes, chunk) => void (await outcome(bytes, chunk))), { numRuns: 200 });
  }, 120_000);

  it('random bytes after a valid header (CSV rows of anything)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), chunkSize, async (bytes, chunk) => void (await outcome(Buffer.concat([header, bytes]), chunk))),
      { numRuns: 200 },
    );
  }, 120_000);

  it('random text with quotes, separators and line breaks after a valid header', async () => {
    const text = fc.array(fc.constantFrom('"', ',', '|', ';', '\r', '\n', '\r\n', 'A', '1', '.', 'Ñ', 'é', '\t', '\u0000', '\ufeff', '=', ' '), { maxLength: 600 }).map((parts) => parts.join(''));
    await fc.assert(fc.asyncProperty(text, chunkSize, async (t, chunk) => void (await outcome(Buffer.concat([header, Buffer.from(t)]), chunk))), { numRuns: 200 });
  }, 120_000);

  it('bytes behind the ZIP signature (the XLSX path)', async () => {
    const zipped = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), b]));
    await fc.assert(
      fc.asyncProperty(zipped, chunkSize, async (bytes, chunk) => {
        expect(await outcome(bytes, chunk)).toBe('refused');
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('a real CSV or XLSX with bytes flipped or cut at any point', async () => {
    const xlsx = await minimalXlsx(sheetRowsXml([[...LAYOUT_HEADER], ...people.map((p) => layoutRow(p))]));
    const damage = fc.record({
      xlsx: fc.boolean(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(damage, chunkSize, async (d, chunk) => {
        const original = d.xlsx ? xlsx : validCsv;
        const bytes = Buffer.from(original);
        for (const [pos, mask] of d.flips) bytes[pos % bytes.length]! ^= mask;
        const damaged = d.cut === undefined ? bytes : bytes.subarray(0, d.cut % (bytes.length + 1));
        await outcome(damaged, chunk);
      }),
      { numRuns: 150 },
    );
  }, 180_000);

  it('the undamaged files are read without findings (control)', async () => {
    expect(await outcome(validCsv, 64 * 1024)).toBe('read');
    expect(await outcome(await minimalXlsx(sheetRowsXml([[...LAYOUT_HEADER], ...people.map((p) => layoutRow(p))])), 7)).toBe('read');
  });
});
