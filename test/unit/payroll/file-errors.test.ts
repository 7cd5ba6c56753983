import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPayrollFile } from '../../../payroll/file-reader';
import {
  bufferSource,
  generatePayrollRows,
  generatedSource,
  minimalXlsx,
  readAndValidate,
  seededRandom,
  sheetRowsXml,
  writePayrollXlsx,
  zipBuffer,
} from '../../../synthetic/payroll-files';

const HEADER = 'curp,rfc,primer_apellido,nombres,movimiento,sueldo_cotizable,dias_cotizados';
const HEADER_CELLS = HEADER.split(',');
const VALID_LINE = 'GALJ600220HMCRPN00,GALJ600220132,GARCÍA,JUAN,N,15234.50,13';
const MB = 1024 * 1024;

function codes(outcome: { findings: { code: string }[] }): string[] {
  return outcome.findings.map((f) => f.code);
}

describe('E002: files that are not a readable CSV or XLSX', () => {
  it('an empty file', async () => {
    const outcome = await readAndValidate(bufferSource(Buffer.alloc(0)));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]).toMatchObject({ severity: 'error', row: null });
    expect(outcome.findings[0]!.message).toMatch(/vacío \(0 bytes\)/);
  });

  it('a file of blank lines', async () => {
    const outcome = await readAndValidate(bufferSource(Buffer.from('\r\n\r\n   \r\n')));
    expect(codes(outcome)).toEqual(['E002']);
  });

  it('binary garbage', async () => {
    const random = seededRandom(42);
    const garbage = Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(random() * 256)));
    const outcome = await readAndValidate(bufferSource(garbage));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/datos binarios/);
  });

  it('binary garbage without NUL bytes', async () => {
    const random = seededRandom(7);
    const garbage = Buffer.from(Array.from({ length: 20_000 }, () => 1 + Math.floor(random() * 255)));
    expect(codes(await readAndValidate(bufferSource(garbage)))).toEqual(['E002']);
  });

  it('an Excel 97-2003 .xls, a PDF and a UTF-16 text file, each with its own explanation', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512, 1)]);
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n`, 'utf16le')]);
    const messages = await Promise.all([xls, pdf, utf16].map(async (b) => (await readAndValidate(bufferSource(b))).findings));
    expect(messages.map((m) => m.map((f) => f.code))).toEqual([['E002'], ['E002'], ['E002']]);
    expect(messages[0]![0]!.message).toMatch(/Excel 97-2003 \(\.xls\)/);
    expect(messages[1]![0]!.message).toMatch(/es un PDF/);
    expect(messages[2]![0]!.message).toMatch(/UTF-16/);
  });

  it('a ZIP that is not an XLSX', async () => {
    const zip = await zipBuffer([{ name: 'nomina.csv', data: `${HEADER}\r\n${VALID_LINE}\r\n` }]);
    const outcome = await readAndValidate(bufferSource(zip));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/es un ZIP pero no un libro de Excel/);
  });

  it('an OpenDocument spreadsheet (.ods)', async () => {
    const ods = await zipBuffer([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' },
      { name: 'content.xml', data: '<office:document-content/>' },
    ]);
    const outcome = await readAndValidate(bufferSource(ods));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/OpenDocument \(\.ods\)/);
  });

  it('an XLSX whose first sheet is empty', async () => {
    const outcome = await readAndValidate(bufferSource(await minimalXlsx('')));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/está vacía/);
  });

  describe('truncated XLSX', () => {
    let dir: string;
    let whole: Buffer;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'payroll-trunc-'));
      await writePayrollXlsx(join(dir, 'n.xlsx'), generatePayrollRows({ rows: 3000 }), { sharedStrings: true });
      whole = await readFile(join(dir, 'n.xlsx'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('reads the whole file (control)', async () => {
      const outcome = await readAndValidate(bufferSource(whole));
      expect(outcome.findings).toEqual([]);
      expect(outcome.rows).toHaveLength(3000);
    });

    for (const fraction of [0.02, 0.3, 0.6, 0.9, 0.999]) {
      it(`cut at ${fraction * 100} %: E002, never rows of a partial file, never a hang`, async () => {
        const outcome = await readAndValidate(bufferSource(whole.subarray(0, Math.floor(whole.length * fraction))));
        expect(outcome.fileFindings.map((f) => f.code)).toEqual(['E002']);
        expect(outcome.fileFindings[0]!.message).toMatch(/incompleto|dañado/);
      });
    }
  });
});

describe('oversized content gives a clear finding within bounded memory', () => {
  const tenMegabytes = (prefix: string, suffix: string) =>
    generatedSource(function* () {
      yield Buffer.from(prefix);
      const block = Buffer.alloc(64 * 1024, 'A');
      for (let i = 0; i < 160; i++) yield block; // 10 MiB, never held at once
      yield Buffer.from(suffix);
    });

  it('a 10 MB single line: E002 at that row after reading a fraction of it', async () => {
    const { source, pulled } = tenMegabytes(`${HEADER}\n${VALID_LINE}\n`, '\n');
    const before = process.memoryUsage().heapUsed;
    const outcome = await readAndValidate(source);
    expect(outcome.rows.map((r) => r.rowNumber)).toEqual([1]);
    expect(outcome.thrown).toMatchObject({ code: 'E002', row: 2 });
    expect(outcome.thrown!.message).toMatch(/La fila 2 mide más de 64 KB.*comilla doble/);
    expect(pulled()).toBeLessThan(1 * MB); // stopped long before the 10 MB
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * MB);
  });

  it('a 10 MB quoted field that never closes (the usual cause): same E002', async () => {
    const { source, pulled } = tenMegabytes(`${HEADER}\n${VALID_LINE}\n"`, '');
    const outcome = await readAndValidate(source);
    expect(outcome.rows.map((r) => r.rowNumber)).toEqual([1]);
    expect(outcome.thrown).toMatchObject({ code: 'E002', row: 2 });
    expect(pulled()).toBeLessThan(1 * MB);
  });

  it('a 10 MB header line: E002 on the header', async () => {
    // (An accent early on settles the encoding; an all-ASCII file is scanned once more for it.)
    const { source, pulled } = tenMegabytes('curp,nómbres,', '\n');
    const outcome = await readAndValidate(source);
    expect(outcome.result.ok).toBe(false);
    expect(outcome.findings).toMatchObject([{ code: 'E002', row: 0 }]);
    expect(outcome.findings[0]!.message).toMatch(/El encabezado mide más de 64 KB/);
    expect(pulled()).toBeLessThan(1 * MB);
  });

  it('a quote left open at the end of the file: E002 naming the row', async () => {
    const text = `${HEADER}\n${VALID_LINE}\nGALJ600220HMCRPN00,"GALJ600220132,GARCÍA,JUAN,N,1,13\n`;
    const outcome = await readAndValidate(bufferSource(Buffer.from(text)));
    expect(outcome.thrown).toMatchObject({ code: 'E002', row: 2 });
    expect(outcome.thrown!.message).toMatch(/comilla doble \("\) que nunca se cierra/);
  });

  it('a header of 5,000 columns: E002', async () => {
    const header = [...HEADER_CELLS, ...Array.from({ length: 4993 }, (_, i) => `c${i}`)].join(',');
    const outcome = await readAndValidate(bufferSource(Buffer.from(`${header}\n${VALID_LINE}\n`)));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/El encabezado tiene 5000 columnas; se aceptan como máximo 256/);
  });

  it('a data row of 5,000 columns: E005 for that row only', async () => {
    const wide = `${VALID_LINE}${',x'.repeat(4993)}`;
    const outcome = await readAndValidate(bufferSource(Buffer.from(`${HEADER}\n${VALID_LINE}\n${wide}\n${VALID_LINE}\n`)));
    expect(outcome.findings.map((f) => [f.row, f.code])).toEqual([[2, 'E005']]);
    expect(outcome.findings[0]!.message).toMatch(/5000 campos y el encabezado 7/);
    expect(outcome.findings[0]!.value!.length).toBeLessThanOrEqual(200);
    expect(outcome.rows.filter((r) => r.row).map((r) => r.rowNumber)).toEqual([1, 3]);
  });

  it('an all-ASCII 10 MB line: the encoding scan reads on without keeping anything, then the same E002', async () => {
    const { source } = tenMegabytes(`${HEADER}\n`, '\n');
    const before = process.memoryUsage().heapUsed;
    const outcome = await readAndValidate(source);
    expect(outcome.thrown).toMatchObject({ code: 'E002', row: 1 });
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * MB);
  });

  it('more rows than maxRows: E002', async () => {
    const text = `${HEADER}\n${`${VALID_LINE}\n`.repeat(5)}`;
    const outcome = await readAndValidate(bufferSource(Buffer.from(text)), { period: '202604' }, { maxRows: 3 });
    expect(outcome.rows).toHaveLength(3);
    expect(outcome.thrown).toMatchObject({ code: 'E002', row: 4 });
  });

  it('an XLSX cell of 10 MB: E002 without inflating it all', async () => {
    const big = await minimalXlsx(sheetRowsXml([HEADER_CELLS, ['x'.repeat(10 * MB)]]));
    expect(big.length).toBeLessThan(MB); // compresses well: a small upload
    const outcome = await readAndValidate(bufferSource(big));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/más de 64 KB de texto/);
  });

  it('an XLSX header of 5,000 columns: E002', async () => {
    const header = [...HEADER_CELLS, ...Array.from({ length: 4993 }, (_, i) => `c${i}`)];
    const outcome = await readAndValidate(bufferSource(await minimalXlsx(sheetRowsXml([header, VALID_LINE.split(',')]))));
    expect(codes(outcome)).toEqual(['E002']);
    expect(outcome.findings[0]!.message).toMatch(/5000 columnas/);
  });

  it('an XLSX zip bomb: inflating stops at the uncompressed cap', async () => {
    // 400 KB compressed → 60 MB of rows once inflated; the cap is lowered to 8 MB for the test.
    const row = sheetRowsXml([VALID_LINE.split(',')], 2);
    const bomb = await minimalXlsx(sheetRowsXml([HEADER_CELLS]) + row.repeat(300_000));
    const outcome = await readAndValidate(bufferSource(bomb), { period: '202604' }, { xlsx: { maxUncompressedBytes: 8 * MB } });
    expect(bomb.length).toBeLessThan(2 * MB);
    expect(outcome.fileFindings.map((f) => f.code)).toEqual(['E002']);
    expect(outcome.fileFindings[0]!.message).toMatch(/descomprimido excede el tamaño permitido \(8 MB/);
  });

  it('an error of the source itself is rethrown as is, not reported as a finding of the file', async () => {
    // Sniffing (first call) succeeds; the parsing pass (second call) fails part-way.
    const failingOnSecondRead = (bytes: Buffer, failAfter: number) => {
      let calls = 0;
      return async () => {
        calls += 1;
        if (calls === 1) return Readable.from([bytes]);
        return Readable.from(
          (async function* () {
            yield bytes.subarray(0, failAfter);
            throw new Error('storage unavailable');
          })(),
        );
      };
    };
    const csv = Buffer.from(`${HEADER}\n${`${VALID_LINE}\n`.repeat(50)}`);
    await expect(readAndValidate(failingOnSecondRead(csv, 1000))).rejects.toThrow('storage unavailable');
    const xlsx = await minimalXlsx(sheetRowsXml([HEADER_CELLS, VALID_LINE.split(',')]));
    await expect(readAndValidate(failingOnSecondRead(xlsx, 300))).rejects.toThrow('storage unavailable');
  });

  it('an XLSX whose declared entry size is above the cap is refused before inflating', async () => {
    const outcome = await readPayrollFile(bufferSource(await minimalXlsx(sheetRowsXml([HEADER_CELLS]))), {
      xlsx: { maxUncompressedBytes: 100 },
    });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.findings[0]!.code).toBe('E002');
  });
});
