/**
 * Synthetic payroll files for the tests, the demo, the benchmarks and the fault suite (layout v1, contracts §2): a seeded, deterministic
 * generator of valid rows, and writers that stream them to disk as CSV (UTF-8, UTF-8 with BOM,
 * Windows-1252, comma or pipe) or XLSX (exceljs streaming writer), so 400,000 rows cost no memory.
 *
 * Generated rows are valid: CURPs built from the names (check digit by `curpCheckDigit`,
 * unique per row index up to 1,460,000 rows), RFCs agreeing with the CURP with a correct check
 * digit, claves ISSEMyM with their Luhn digit, amounts with 2 decimals, movements dated inside
 * the period. Names carry accents and Ñ, so the Windows-1252 variant exercises Latin-1 decoding.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { addDays } from '../domain/dates';
import { claveFromSequence } from '../domain/identifiers/clave-issemym';
import { curpCheckDigit } from '../domain/identifiers/curp';
import { rfcCheckDigit } from '../domain/identifiers/rfc';
import { PAYROLL_COLUMNS, type PayrollColumn } from '../domain/payroll/layout';
import { parsePeriod } from '../domain/periods';
import type { Finding } from '../domain/payroll/findings';
import {
  PayrollFileError,
  readPayrollFile,
  type PayrollFileReadResult,
  type ReadPayrollFileOptions,
} from '../payroll/file-reader';
import { createPrng } from '../simulators/shared/prng';
import { validatePayrollRows, type PayrollRowsContext, type ValidatedPayrollRow } from '../payroll/validate-rows';

export type PayrollRecord = Record<PayrollColumn, string>;

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Period `YYYYQQ`; default 202604 (16–28 Feb 2026, 13 days). */
  period?: string;
}

/** Deterministic floats in [0, 1) for a numeric seed (the simulators' mulberry32 generator). */
export function seededRandom(seed: number): () => number {
  return createPrng(seed);
}

export const SURNAMES = [
  'GARCÍA', 'HERNÁNDEZ', 'MARTÍNEZ', 'LÓPEZ', 'GONZÁLEZ', 'PÉREZ', 'RODRÍGUEZ', 'SÁNCHEZ', 'RAMÍREZ', 'CRUZ',
  'FLORES', 'GÓMEZ', 'MORALES', 'VÁZQUEZ', 'JIMÉNEZ', 'REYES', 'DÍAZ', 'TORRES', 'GUTIÉRREZ', 'RUIZ',
  'MUÑOZ', 'NÚÑEZ', 'IBÁÑEZ', 'PEÑA', 'CASTAÑEDA', 'ORDÓÑEZ', 'BECERRIL', 'ALBARRÁN', 'VELÁZQUEZ', 'ÁLVAREZ',
];
export const GIVEN_NAMES = [
  'JUAN', 'MARÍA', 'JOSÉ LUIS', 'ANA', 'JESÚS', 'ÁNGEL', 'SOFÍA', 'RAÚL', 'CARMEN', 'NOÉ',
  'INÉS', 'RUBÉN', 'MÓNICA', 'VÍCTOR MANUEL', 'GUADALUPE', 'ÓSCAR', 'BEATRIZ', 'ERÉNDIRA', 'IVÁN', 'LUCÍA',
];
export const POSITIONS = [
  'AUXILIAR ADMINISTRATIVO', 'JEFE DE DEPARTAMENTO', 'ANALISTA "B"', 'POLICÍA TERCERO', 'MÉDICO GENERAL',
  'ENFERMERA, TURNO MATUTINO', 'DOCENTE', 'SECRETARIA', 'TÉCNICO EN INFORMÁTICA', 'DIRECTOR DE ÁREA',
];
const STATES = ['MC', 'DF', 'MN', 'HG', 'GR'];
const HOMOCLAVE = '123456789ABCDEFGHIJKLMNPQRSTUVWXYZ';

function plain(text: string): string {
  return text
    .replace(/Ñ/g, 'X') // the CURP writes Ñ as X
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Z ]/g, 'X');
}

const VOWELS = 'AEIOU';
function firstInternal(word: string, wantVowel: boolean): string {
  for (let i = 1; i < word.length; i++) {
    const ch = word.charAt(i);
    if (ch === ' ') break;
    if (VOWELS.includes(ch) === wantVowel && /[A-Z]/.test(ch)) return ch;
  }
  return 'X';
}

/** Given name used for the initials: skip MARIA/JOSE of a compound name (RENAPO rule). */
function initialName(names: string): string {
  const parts = names.split(' ');
  return parts.length > 1 && (parts[0] === 'MARIA' || parts[0] === 'JOSE') ? parts[1]! : parts[0]!;
}

export interface PersonKey {
  curp: string;
  rfc: string;
}

/**
 * CURP and RFC for a person. `index` makes the CURP unique: it selects the differentiator,
 * the sex, the birth date (1960–1999) and the state.
 */
export function personKeys(
  primerApellido: string,
  segundoApellido: string,
  nombres: string,
  index: number,
  random: () => number,
): PersonKey & { sex: 'H' | 'M'; birthDate: string } {
  const s1 = plain(primerApellido);
  const s2 = plain(segundoApellido);
  const given = initialName(plain(nombres));
  const differentiator = String(index % 10);
  const sex = Math.floor(index / 10) % 2 === 0 ? 'H' : 'M';
  const birthDate = addDays('1960-01-01', Math.floor(index / 20) % 14_600);
  const state = STATES[Math.floor(index / 292_000) % STATES.length]!;
  const yymmdd = birthDate.slice(2).replace(/-/g, '');
  const initials = `${s1.charAt(0)}${firstInternal(s1, true)}${s2 ? s2.charAt(0) : 'X'}${given.charAt(0)}`;
  const consonants = `${firstInternal(s1, false)}${s2 ? firstInternal(s2, false) : 'X'}${firstInternal(given, false)}`;
  const first17 = `${initials}${yymmdd}${sex}${state}${consonants}${differentiator}`;
  const curp = first17 + curpCheckDigit(first17);
  const pick = () => HOMOCLAVE.charAt(Math.floor(random() * HOMOCLAVE.length));
  const first12 = `${initials}${yymmdd}${pick()}${pick()}`;
  return { curp, rfc: first12 + rfcCheckDigit(first12), sex, birthDate };
}

/** 123456 → '1234.56': amounts as the layout writes them. */
export function amount(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Valid layout-v1 rows, deterministic for a given seed. */
export function* generatePayrollRows(options: GenerateOptions): Generator<PayrollRecord> {
  const random = seededRandom(options.seed ?? 202_604);
  const period = parsePeriod(options.period ?? '202604');
  if (!period) throw new RangeError(`invalid period ${options.period}`);
  const int = (n: number) => Math.floor(random() * n);
  for (let i = 0; i < options.rows; i++) {
    const primer = SURNAMES[int(SURNAMES.length)]!;
    const segundo = random() < 0.05 ? '' : SURNAMES[int(SURNAMES.length)]!;
    const nombres = GIVEN_NAMES[int(GIVEN_NAMES.length)]!;
    const { curp, rfc } = personKeys(primer, segundo, nombres, i, random);
    const r = random();
    const movimiento = r < 0.9 ? 'N' : r < 0.925 ? 'A' : r < 0.95 ? 'B' : r < 0.975 ? 'M' : 'R';
    const fecha = movimiento === 'N' ? '' : addDays(period.start, int(period.days));
    const dias = movimiento === 'N' || movimiento === 'M' ? period.days : 1 + int(period.days);
    const sueldoCents = movimiento === 'B' && random() < 0.3 ? 0 : 200_000 + int(5_800_000);
    yield {
      curp,
      clave_issemym: movimiento === 'A' || random() < 0.1 ? '' : claveFromSequence(1 + i),
      rfc,
      primer_apellido: primer,
      segundo_apellido: segundo,
      nombres,
      movimiento,
      fecha_movimiento: fecha,
      sueldo_cotizable: amount(sueldoCents),
      dias_cotizados: String(dias),
      puesto: POSITIONS[int(POSITIONS.length)]!,
      ret_prestamo_corto: random() < 0.2 ? amount(10_000 + int(200_000)) : '',
      ret_prestamo_hipotecario: random() < 0.05 ? amount(50_000 + int(500_000)) : '',
      ret_otros: random() < 0.1 ? amount(int(50_000)) : '',
      afore: '',
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

export type CsvEncodingVariant = 'utf-8' | 'utf-8-bom' | 'windows-1252';

export interface CsvVariant {
  encoding: CsvEncodingVariant;
  delimiter: ',' | '|';
  lineEnding?: '\n' | '\r\n';
}

/** RFC 4180 field: quoted when it holds the delimiter, a quote, CR or LF. */
export function csvCell(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(values: readonly string[], variant: Pick<CsvVariant, 'delimiter' | 'lineEnding'>): string {
  return values.map((v) => csvCell(v, variant.delimiter)).join(variant.delimiter) + (variant.lineEnding ?? '\r\n');
}

function encodeChunk(text: string, encoding: CsvEncodingVariant): Buffer {
  return encoding === 'windows-1252' ? iconv.encode(text, 'win1252') : Buffer.from(text, 'utf8');
}

/** Header + records as CSV lines, batched into ~64 KiB encoded chunks. */
export async function* csvChunks(
  header: readonly string[],
  records: Iterable<readonly string[]> | AsyncIterable<readonly string[]>,
  variant: CsvVariant,
): AsyncGenerator<Buffer> {
  let text = (variant.encoding === 'utf-8-bom' ? '\uFEFF' : '') + csvRecord(header, variant);
  for await (const record of records as AsyncIterable<readonly string[]>) {
    text += csvRecord(record, variant);
    if (text.length >= 64 * 1024) {
      yield encodeChunk(text, variant.encoding);
      text = '';
    }
  }
  if (text) yield encodeChunk(text, variant.encoding);
}

/** In-memory CSV (small tests). */
export async function csvBuffer(
  header: readonly string[],
  records: Iterable<readonly string[]>,
  variant: CsvVariant,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of csvChunks(header, records, variant)) parts.push(chunk);
  return Buffer.concat(parts);
}

async function writeAll(out: Writable, chunks: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

export function recordValues(record: PayrollRecord, columns: readonly PayrollColumn[] = PAYROLL_COLUMNS): string[] {
  return columns.map((c) => record[c]);
}

/** Streams rows to a CSV file; returns the byte size. */
export async function writePayrollCsv(
  path: string,
  rows: Iterable<PayrollRecord> | AsyncIterable<PayrollRecord>,
  variant: CsvVariant,
  columns: readonly PayrollColumn[] = PAYROLL_COLUMNS,
): Promise<number> {
  async function* records() {
    for await (const r of rows as AsyncIterable<PayrollRecord>) yield recordValues(r, columns);
  }
  return writeAll(createWriteStream(path), csvChunks(columns, records(), variant));
}

export interface XlsxVariant {
  /** Write amounts and days as numeric cells (as Excel users do). Default false (text cells). */
  numeric?: boolean;
  /** Use a shared strings table (as Excel does) instead of inline strings. Default false. */
  sharedStrings?: boolean;
  sheetName?: string;
}

const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  'sueldo_cotizable',
  'dias_cotizados',
  'ret_prestamo_corto',
  'ret_prestamo_hipotecario',
  'ret_otros',
]);

/** Writes an XLSX with header + rows (string cells) using exceljs's streaming writer. */
export async function writeXlsx(
  path: string,
  header: readonly string[],
  records: Iterable<readonly (string | number | null)[]> | AsyncIterable<readonly (string | number | null)[]>,
  variant: XlsxVariant = {},
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: variant.sharedStrings ?? false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet(variant.sheetName ?? 'Nomina');
  sheet.addRow([...header]).commit();
  for await (const record of records as AsyncIterable<readonly (string | number | null)[]>) {
    sheet.addRow([...record]).commit();
  }
  sheet.commit();
  await workbook.commit();
}

/** Streams rows to an XLSX file. */
export async function writePayrollXlsx(
  path: string,
  rows: Iterable<PayrollRecord> | AsyncIterable<PayrollRecord>,
  variant: XlsxVariant = {},
  columns: readonly PayrollColumn[] = PAYROLL_COLUMNS,
): Promise<void> {
  async function* records() {
    for await (const r of rows as AsyncIterable<PayrollRecord>) {
      yield columns.map((c) => {
        const v = r[c];
        // Test data only: Excel stores numbers as binary doubles, which is what this mimics.
        if (variant.numeric && NUMERIC_COLUMNS.has(c) && v !== '' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
        return v;
      });
    }
  }
  await writeXlsx(path, columns, records(), variant);
}

// ---------------------------------------------------------------------------------------------
// Sources for readPayrollFile

export function fileSource(path: string): () => Promise<Readable> {
  return async () => createReadStream(path, { highWaterMark: 64 * 1024 });
}

export function bufferSource(buffer: Buffer, chunkSize = 64 * 1024): () => Promise<Readable> {
  return async () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < buffer.length; i += chunkSize) chunks.push(buffer.subarray(i, i + chunkSize));
    return Readable.from(chunks, { objectMode: false });
  };
}

/**
 * A source produced on the fly by a generator of chunks (e.g. a 10 MB line), never held in
 * memory; `pulled()` tells how many bytes the reader actually consumed.
 */
export function generatedSource(make: () => Iterable<Buffer> | AsyncIterable<Buffer>): {
  source: () => Promise<Readable>;
  pulled: () => number;
} {
  let pulled = 0;
  return {
    source: async () => {
      async function* counted() {
        for await (const chunk of make() as AsyncIterable<Buffer>) {
          pulled += chunk.length;
          yield chunk;
        }
      }
      return Readable.from(counted(), { objectMode: false });
    },
    pulled: () => pulled,
  };
}

// ---------------------------------------------------------------------------------------------
// Hand-built zips and XLSX parts (broken or hostile files)

/** A zip archive in memory from named parts. */
export async function zipBuffer(
  entries: { name: string; data: Buffer | string | Readable }[],
  level = 9,
): Promise<Buffer> {
  const { ZipArchive } = await import('archiver');
  const archive = new ZipArchive({ zlib: { level } });
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  for (const e of entries) archive.append(e.data, { name: e.name });
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Spreadsheet column letters: 1 → A, 27 → AA. */
export function columnLetters(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<row>` elements with inline-string cells, rows numbered from `firstRow`. */
export function sheetRowsXml(rows: readonly (readonly string[])[], firstRow = 1): string {
  return rows
    .map((cells, i) => {
      const r = firstRow + i;
      const cs = cells
        .map((v, j) => (v === '' ? '' : `<c r="${columnLetters(j + 1)}${r}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`))
        .join('');
      return `<row r="${r}">${cs}</row>`;
    })
    .join('');
}

const SPREADSHEET_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A minimal XLSX whose first sheet is the given `<sheetData>` content. */
export async function minimalXlsx(sheetData: string | Readable, options: { level?: number } = {}): Promise<Buffer> {
  const sheet =
    typeof sheetData === 'string'
      ? `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${SPREADSHEET_NS}"><sheetData>${sheetData}</sheetData></worksheet>`
      : sheetData;
  return zipBuffer(
    [
      {
        name: '[Content_Types].xml',
        data: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      },
      {
        name: '_rels/.rels',
        data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      },
      {
        name: 'xl/workbook.xml',
        data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${SPREADSHEET_NS}" xmlns:r="${REL_NS}"><sheets><sheet name="Nomina" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      },
      { name: 'xl/worksheets/sheet1.xml', data: sheet },
    ],
    options.level ?? 9,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading everything (small files in tests)

export interface ReadOutcome {
  result: PayrollFileReadResult;
  /** Validated rows (empty when the file was rejected). */
  rows: ValidatedPayrollRow[];
  /** File-level findings: those of the header, or the E002 thrown part-way. */
  fileFindings: Finding[];
  /** Every finding, file-level first, then by row. */
  findings: Finding[];
  /** The E002 thrown while reading rows, if any. */
  thrown: Finding | null;
}

export async function readAndValidate(
  source: () => Promise<Readable>,
  context: PayrollRowsContext = { period: '202604' },
  options: ReadPayrollFileOptions = {},
): Promise<ReadOutcome> {
  const result = await readPayrollFile(source, options);
  if (!result.ok) {
    return { result, rows: [], fileFindings: result.findings, findings: result.findings, thrown: null };
  }
  const rows: ValidatedPayrollRow[] = [];
  let thrown: Finding | null = null;
  try {
    for await (const row of validatePayrollRows(result.rows, context)) rows.push(row);
  } catch (error) {
    if (!(error instanceof PayrollFileError)) throw error;
    thrown = error.finding;
  }
  const fileFindings = thrown ? [...result.findings, thrown] : result.findings;
  return { result, rows, fileFindings, findings: [...fileFindings, ...rows.flatMap((r) => r.findings)], thrown };
}
