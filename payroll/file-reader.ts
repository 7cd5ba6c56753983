/**
 * Streaming reader of payroll files, layout v1 (contracts §2): detects the format (XLSX by the
 * ZIP magic bytes, CSV otherwise), the CSV encoding and delimiter, matches the header and yields
 * the raw rows one at a time (`rows`) or a source chunk's worth at a time (`batches`), in memory
 * independent of the file's size. Node I/O, no database.
 *
 *   const file = await readPayrollFile(() => storage.openRead(key));
 *   if (!file.ok) return file.findings;               // E001/E002/E004 (+ W003)
 *   for await (const raw of file.rows) { … validateRow(raw.cells, …) … }
 *
 * `source` is called more than once (a sniffing pass, then the parsing pass) and must return
 * the same bytes each time. Iterating `rows` can throw `PayrollFileError` (an E002 finding, e.g.
 * a 10 MB line, a truncated XLSX) after some rows were already produced: the file as a whole is
 * then unreadable and its rows must be discarded. Iterate `rows` to the end or call `close()`.
 *
 * Decisions (payroll/README.md):
 * - Encoding: a UTF-8 BOM means UTF-8; otherwise the first non-ASCII bytes decide: valid UTF-8
 *   → UTF-8, else Windows-1252 (a superset of ISO-8859-1's printable characters). The file is
 *   scanned only up to its first non-ASCII byte, so a Latin-1 file whose first accent is on row
 *   90,000 is still read as Latin-1. Bytes that later turn out not to be UTF-8 become U+FFFD and
 *   the row gets E044 from the row validation instead of rejecting the file.
 * - Delimiter: `,` or `|`, whichever occurs more often (outside quotes) in the header line.
 *   A header separated by `;` or tabs is E002 with a message saying so.
 * - Row numbers: 1 = first data row = spreadsheet row 2. Blank rows (all fields empty, e.g.
 *   trailing `,,,,` lines Excel leaves) are skipped silently but keep their number, so numbers
 *   always match what the clerk sees in Excel.
 * - A row whose field count differs from the header's is E005 (row-level): its cells are still
 *   filled by position, but it must not be validated further (the values are probably shifted).
 * - A row longer than `maxRowBytes`, more than `maxRows` rows, or a header with more than
 *   `maxColumns` columns make the file unreadable (E002): such a file is broken or hostile.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { CsvError, Parser as CsvParser, type Info, type Options as ParserOptions } from 'csv-parse';
import iconv from 'iconv-lite';
import { makeFinding, type Finding } from '../domain/payroll/findings';
import {
  matchHeader,
  type DuplicateHeader,
  type PayrollCells,
  type PayrollColumn,
  type UnknownHeader,
} from '../domain/payroll/layout';
import {
  readFirstSheet,
  SourceStreamError,
  xlsxCellText,
  XlsxReadError,
  type XlsxEvent,
  type XlsxLimits,
} from './xlsx-reader';

export type PayrollFileFormat = 'csv' | 'xlsx';
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';
export type CsvDelimiter = ',' | '|';

export interface ReadPayrollFileOptions {
  /** Force a format instead of detecting it from the bytes (leave undefined to detect). */
  kind?: PayrollFileFormat;
  /** Largest row (CSV record or XLSX cell text), in bytes. Default 64 KiB. */
  maxRowBytes?: number;
  /** Largest number of header columns. Default 256. */
  maxColumns?: number;
  /** Largest number of data rows. Default 1,000,000. */
  maxRows?: number;
  /** XLSX zip-bomb limits; see `DEFAULT_XLSX_LIMITS`. */
  xlsx?: Partial<XlsxLimits>;
  /** Where an XLSX worksheet may be spooled (encrypted) while the zip is read. Default os.tmpdir(). */
  tempDir?: string;
}

export const DEFAULT_MAX_ROW_BYTES = 64 * 1024;
export const DEFAULT_MAX_COLUMNS = 256;
export const DEFAULT_MAX_ROWS = 1_000_000;
/** Rows of a spreadsheet delivered per batch (a CSV batch is a source chunk's records). */
const XLSX_BATCH_ROWS = 256;
export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxSharedStringsBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
  maxTextRunBytes: DEFAULT_MAX_ROW_BYTES,
  maxRowXmlBytes: 1024 * 1024,
};

/** Bytes read to sniff format, encoding and header. */
const SNIFF_BYTES = 64 * 1024;

export interface HeaderInfo {
  /** Header names as written. */
  names: string[];
  /** Layout column of each position, or null for an ignored column. */
  columns: (PayrollColumn | null)[];
  found: PayrollColumn[];
  /** Unknown columns (W003). */
  unknown: UnknownHeader[];
  /** Required columns missing (E001). */
  missingRequired: PayrollColumn[];
  /** Columns present twice (E004). */
  duplicates: DuplicateHeader[];
}

export type PayrollFileInfo =
  | { format: 'csv'; encoding: CsvEncoding; delimiter: CsvDelimiter; header: HeaderInfo }
  | { format: 'xlsx'; sheetName: string; header: HeaderInfo };

export interface RawPayrollRow {
  /** 1 = first data row (spreadsheet row − 1). */
  rowNumber: number;
  /** CSV: line of the file where the record starts (1 = header); XLSX: the sheet's row number. */
  sourceLine: number;
  /** Text of each layout column present in the header, as read (not trimmed). */
  cells: PayrollCells;
  /** Every field in file order, including unknown columns, for the report. */
  rawCells: string[];
  /** Findings of the reader for this row (E005). When one is an error, do not validate the row. */
  findings: Finding[];
}

export type PayrollFileReadResult =
  | {
      ok: true;
      info: PayrollFileInfo;
      /** File-level warnings (W003). */
      findings: Finding[];
      /** Single-use. May throw `PayrollFileError` (E002) part-way. */
      rows: AsyncIterable<RawPayrollRow>;
      /**
       * The same rows in batches (hundreds per step), for hot loops: a generator step per row costs
       * more than reading it. Iterate either `rows` or `batches`, not both.
       */
      batches: AsyncIterable<RawPayrollRow[]>;
      /** Releases the file (streams, temporary files) if `rows` is not iterated to the end. */
      close(): Promise<void>;
    }
  | {
      ok: false;
      /** Known when the header could be read (E001/E004), null for E002. */
      info: PayrollFileInfo | null;
      /** E001, E002, E004, and W003 when the header was read. */
      findings: Finding[];
    };

/** The file became unreadable while reading its rows; `finding` is the E002 to report. */
export class PayrollFileError extends Error {
  constructor(readonly finding: Finding) {
    super(finding.message);
    this.name = 'PayrollFileError';
  }
}

/** E002 with a message that already says what to do (the catalogue's generic fix is not appended). */
function e002(message: string, row: number | null = null, value: string | null = null): Finding {
  return makeFinding('E002', { row, column: null, value, message });
}

function fileFailure(detail: string): PayrollFileReadResult {
  return { ok: false, info: null, findings: [e002(detail)] };
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** One record of either format before mapping to columns. */
interface SourceRecord {
  sourceLine: number;
  /** Row number for XLSX (sheet row − 1); CSV rows are numbered by their order. */
  rowNumber?: number;
  fields: string[];
}

interface OpenedSource {
  infoBase: { format: 'csv'; encoding: CsvEncoding; delimiter: CsvDelimiter } | { format: 'xlsx'; sheetName: string };
  header: string[];
  /** The records in batches (a source chunk's worth), in order. */
  records: AsyncGenerator<SourceRecord[]>;
  /** Releases streams and temporary files; safe to call more than once. */
  close(): Promise<void>;
}

type Opened = { ok: true; source: OpenedSource } | { ok: false; finding: Finding };

// ---------------------------------------------------------------------------------------------
// Sniffing

interface Sniffed {
  prefix: Buffer;
  /** The whole file is in `prefix`. */
  complete: boolean;
  /** Bytes around the first non-ASCII byte (when it is beyond the prefix), for the encoding. */
  firstNonAscii: Buffer | null;
  firstNonAsciiAtEnd: boolean;
}

async function sniff(source: () => Promise<Readable>): Promise<Sniffed> {
  const stream = await source();
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = false;
  const next = async (): Promise<Buffer | null> => {
    const r = await iterator.next();
    if (r.done) return null;
    return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  };
  try {
    while (size < SNIFF_BYTES) {
      const chunk = await next();
      if (!chunk) {
        complete = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    const prefix = Buffer.concat(chunks);
    let firstNonAscii: Buffer | null = null;
    let firstNonAsciiAtEnd = false;
    if (!complete && isAscii(prefix)) {
      // Undecided: everything so far is ASCII. Scan on (without keeping anything) to the first
      // non-ASCII byte and keep a window from there.
      for (;;) {
        const chunk = await next();
        if (!chunk) break;
        if (isAscii(chunk)) continue;
        let at = 0;
        while (chunk[at]! < 0x80) at += 1;
        let window = chunk.subarray(at, at + 4096);
        let atEnd = false;
        if (window.length < 4096) {
          const more = await next();
          if (more) window = Buffer.concat([window, more.subarray(0, 4096 - window.length)]);
          else atEnd = true;
        }
        firstNonAscii = window;
        firstNonAsciiAtEnd = atEnd;
        break;
      }
    }
    return { prefix, complete, firstNonAscii, firstNonAsciiAtEnd };
  } finally {
    await iterator.return?.();
    stream.destroy();
  }
}

/** Drops an incomplete UTF-8 sequence cut at the end of a window. */
function trimIncompleteUtf8(buf: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= buf.length; back++) {
    const b = buf[buf.length - back]!;
    if (b < 0x80) return buf; // ASCII: nothing pending
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? buf.subarray(0, buf.length - back) : buf;
    }
  }
  return buf;
}

/**
 * Whether a window of bytes reads as UTF-8. A window that is valid UTF-8 is; otherwise, when
 * it mixes valid UTF-8 sequences and bytes that are not (rows pasted from another system), the
 * majority decides, so that only the minority rows come out unreadable (and get E044) instead
 * of silently garbling the majority.
 */
function looksUtf8(window: Buffer, atEnd: boolean): boolean {
  const bytes = atEnd ? window : trimIncompleteUtf8(window);
  if (isUtf8(bytes)) return true;
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= bytes.length && isUtf8(bytes.subarray(i, i + len))) {
      valid += 1;
      i += len;
    } else {
      invalid += 1;
      i += 1;
    }
  }
  return valid > invalid;
}

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];

/** A reason the bytes are not a CSV file at all, or null. */
function binaryReason(prefix: Buffer): string | null {
  if (startsWith(prefix, [0x50, 0x4b])) {
    return 'El archivo es un ZIP vacío o dañado, no un libro de Excel .xlsx ni un CSV.';
  }
  if (startsWith(prefix, [0xd0, 0xcf, 0x11, 0xe0])) {
    return 'El archivo es un libro de Excel 97-2003 (.xls), formato que no se acepta. Ábralo en Excel y use "Guardar como" → "Libro de Excel (.xlsx)" o "CSV UTF-8".';
  }
  if (startsWith(prefix, [0x25, 0x50, 0x44, 0x46])) {
    return 'El archivo es un PDF. Envíe la nómina como CSV o como libro de Excel .xlsx, no un reporte impreso.';
  }
  if (startsWith(prefix, [0xff, 0xfe]) || startsWith(prefix, [0xfe, 0xff])) {
    return 'El archivo está guardado como texto Unicode (UTF-16), que no se acepta. En Excel use "Guardar como" → "CSV UTF-8 (delimitado por comas)".';
  }
  if (startsWith(prefix, [0x1f, 0x8b]) || startsWith(prefix, [0x52, 0x61, 0x72, 0x21]) || startsWith(prefix, [0x37, 0x7a, 0xbc, 0xaf])) {
    return 'El archivo está comprimido (gzip, RAR o 7z). Envíe el CSV o el .xlsx sin comprimir.';
  }
  let controls = 0;
  for (const b of prefix) {
    if (b === 0) {
      return 'El archivo contiene datos binarios (bytes nulos): no es un CSV de texto ni un libro de Excel .xlsx. Si es Unicode (UTF-16), guárdelo como "CSV UTF-8".';
    }
    // Controls other than tab, LF, VT, FF, CR and Ctrl-Z (DOS end of file).
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1a) controls += 1;
  }
  if (controls > 8 && controls * 100 > prefix.length) {
    return 'El archivo contiene datos binarios: no es un CSV de texto ni un libro de Excel .xlsx.';
  }
  return null;
}

/** Counts `,`, `|`, `;` and tabs outside quotes in the first line of `text`. */
function headerDelimiterCounts(text: string): Record<',' | '|' | ';' | '\t', number> {
  const counts = { ',': 0, '|': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && (ch === ',' || ch === '|' || ch === ';' || ch === '\t')) counts[ch] += 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// CSV

function csvErrorFinding(error: unknown, rowNumber: number, maxRowBytes: number): Finding {
  const row = rowNumber === 0 ? 0 : rowNumber;
  const where = rowNumber === 0 ? 'El encabezado' : `La fila ${rowNumber}`;
  if (error instanceof CsvError) {
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      return e002(
        `${where} mide más de ${kib(maxRowBytes)}, lo que no corresponde a una nómina: casi siempre es una comilla doble (") que abre un dato y nunca se cierra, y hace que el resto del archivo parezca un solo dato. Revise las comillas de esa fila.`,
        row,
      );
    }
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      return e002(
        `${where} abre una comilla doble (") que nunca se cierra antes del fin del archivo. Cierre la comilla o quítela; dentro de un dato entre comillas, una comilla se escribe doble ("").`,
        row,
      );
    }
    return e002(`${where} no tiene formato CSV válido (${error.code}). Revise comillas y separadores en esa fila.`, row);
  }
  return e002(
    `No se pudo terminar de leer el archivo en ${rowNumber === 0 ? 'el encabezado' : `la fila ${rowNumber}`}. Vuelva a enviarlo; si el problema continúa, ábralo en Excel y guárdelo de nuevo como "CSV UTF-8 (delimitado por comas)".`,
    row,
  );
}

async function openCsv(source: () => Promise<Readable>, sniffed: Sniffed, options: Required<Pick<ReadPayrollFileOptions, 'maxRowBytes' | 'maxColumns'>>): Promise<Opened> {
  const { prefix } = sniffed;
  let encoding: CsvEncoding;
  if (startsWith(prefix, [0xef, 0xbb, 0xbf])) encoding = 'utf-8-bom';
  else if (!isAscii(prefix)) encoding = looksUtf8(prefix, sniffed.complete) ? 'utf-8' : 'windows-1252';
  else if (sniffed.firstNonAscii) encoding = looksUtf8(sniffed.firstNonAscii, sniffed.firstNonAsciiAtEnd) ? 'utf-8' : 'windows-1252';
  else encoding = 'utf-8';

  const prefixText =
    encoding === 'windows-1252' ? iconv.decode(prefix, 'win1252') : trimIncompleteUtf8(prefix).toString('utf8').replace(/^\uFEFF/, '');
  if (prefixText.trim() === '') {
    return { ok: false, finding: e002('El archivo está vacío o solo contiene líneas en blanco: falta el encabezado y las filas de la nómina.') };
  }
  const counts = headerDelimiterCounts(prefixText);
  const best = Math.max(counts[','], counts['|']);
  if (counts[';'] > best || counts['\t'] > best) {
    const which = counts[';'] > counts['\t'] ? 'punto y coma (;)' : 'tabuladores';
    return {
      ok: false,
      finding: e002(
        `El encabezado está separado por ${which}. El layout v1 acepta solo coma (,) o barra vertical (|) como separador: guarde el archivo como "CSV UTF-8 (delimitado por comas)".`,
        0,
      ),
    };
  }
  const delimiter: CsvDelimiter = counts['|'] > counts[','] ? '|' : ',';

  const stream = await source();
  const parser = csvRecords(encoding === 'windows-1252' ? decodeWindows1252(stream) : stream, {
    delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: options.maxRowBytes,
    bom: encoding !== 'windows-1252',
  });
  const close = async () => {
    stream.destroy();
    await parser.return(undefined).catch(() => undefined);
  };
  // The header is the first record; the rest of its batch are the first data records.
  let firstBatch: CsvRecord[] = [];
  try {
    for (;;) {
      const r = await parser.next();
      if (r.done || r.value.length > 0) {
        firstBatch = r.done ? [] : r.value;
        break;
      }
    }
  } catch (error) {
    await close();
    if (error instanceof CsvError) return { ok: false, finding: csvErrorFinding(error, 0, options.maxRowBytes) };
    throw error; // the source failed: not the file's fault
  }
  const first = firstBatch[0];
  if (!first) {
    await close();
    return { ok: false, finding: e002('El archivo está vacío: falta el encabezado y las filas de la nómina.') };
  }
  let lastLine = first.lines;
  const pushedBack = firstBatch.slice(1);
  async function* records(): AsyncGenerator<SourceRecord[]> {
    let ordinal = 0; // data records delivered so far
    let pending: CsvRecord[] | null = pushedBack;
    try {
      for (;;) {
        let parsed: CsvRecord[];
        if (pending) {
          parsed = pending;
          pending = null;
        } else {
          let r: IteratorResult<CsvRecord[]>;
          try {
            r = await parser.next();
          } catch (error) {
            if (error instanceof CsvError) throw new PayrollFileError(csvErrorFinding(error, ordinal + 1, options.maxRowBytes));
            throw error;
          }
          if (r.done) return;
          parsed = r.value;
        }
        const batch: SourceRecord[] = new Array(parsed.length);
        for (let i = 0; i < parsed.length; i++) {
          const record = parsed[i]!;
          batch[i] = { sourceLine: lastLine + 1, fields: record.record };
          lastLine = record.lines;
        }
        ordinal += batch.length;
        if (batch.length > 0) yield batch;
      }
    } finally {
      await close();
    }
  }
  return {
    ok: true,
    source: { infoBase: { format: 'csv', encoding, delimiter }, header: first.record, records: records(), close },
  };
}

interface CsvRecord {
  record: string[];
  /** Lines of the file read when the record ended (csv-parse's `info.lines`). */
  lines: number;
}

/**
 * Drives csv-parse's parser (the `api` its stream class wraps) chunk by chunk. Unlike iterating
 * the csv-parse stream, records parsed before an error are all delivered before the error is
 * thrown, and nothing is read ahead of the consumer: one source chunk at a time.
 */
async function* csvRecords(chunks: AsyncIterable<Buffer | string>, options: ParserOptions): AsyncGenerator<CsvRecord[]> {
  const api = (new CsvParser(options) as unknown as { api: CsvParserApi }).api;
  let out: CsvRecord[] = [];
  let closed = false;
  // The line count is read from the parser's own state when it hands over a record: its `info`
  // option would build two objects per record with every counter (~0.4 s per 100,000 rows).
  const push = (record: string[]) => {
    out.push({ record, lines: api.info.lines });
  };
  const close = () => {
    closed = true;
  };
  // One batch per source chunk: a generator step per record would cost more than the parsing.
  const take = () => {
    const batch = out;
    out = [];
    return batch;
  };
  for await (const chunk of chunks) {
    const error = api.parse(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false, push, close);
    yield take();
    if (error) throw error;
    if (closed) return;
  }
  const error = api.parse(undefined, true, push, close);
  yield take();
  if (error) throw error;
}

interface CsvParserApi {
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  info: Info;
}

/** Windows-1252 bytes → UTF-8 bytes, streaming (iconv-lite keeps state between chunks). */
async function* decodeWindows1252(stream: Readable): AsyncGenerator<Buffer> {
  const decoder = iconv.getDecoder('win1252');
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const text = decoder.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (text) yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.end();
  if (tail) yield Buffer.from(tail, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// XLSX

function xlsxErrorFinding(error: unknown, rowNumber: number | null, maxRowBytes: number, limits: XlsxLimits): Finding {
  const where = rowNumber === null ? '' : rowNumber === 0 ? ' (en el encabezado)' : ` (después de la fila ${rowNumber})`;
  if (error instanceof XlsxReadError) {
    switch (error.reason) {
      case 'truncated':
        return e002(`El libro de Excel está incompleto o dañado${where}: el archivo se cortó al copiarlo o subirlo. Ábralo en Excel para confirmar que está completo, guárdelo de nuevo y vuelva a enviarlo.`, rowNumber);
      case 'not-xlsx':
        return e002('El archivo es un ZIP pero no un libro de Excel .xlsx. Si comprimió la nómina, envíe el CSV o el .xlsx sin comprimir.', rowNumber);
      case 'ods':
        return e002('El archivo es una hoja de cálculo de OpenDocument (.ods), formato que no se acepta. Guárdela como "Libro de Excel (.xlsx)" o como CSV UTF-8.', rowNumber);
      case 'no-sheet':
        return e002('El libro de Excel no tiene hojas con datos. La nómina debe estar en la primera hoja, con el encabezado en la fila 1.', rowNumber);
      case 'too-large':
        return e002(`El libro de Excel descomprimido excede el tamaño permitido (${kib(limits.maxUncompressedBytes)}, o ${kib(limits.maxSharedStringsBytes)} de textos)${where}. Envíe la nómina como CSV o quite hojas, imágenes y formatos que no sean parte del layout.`, rowNumber);
      case 'too-many-entries':
        return e002(`El libro de Excel contiene demasiadas partes internas (más de ${limits.maxEntries}). Copie solo la hoja de la nómina a un libro nuevo y envíelo.`, rowNumber);
      case 'cell-too-large':
        return e002(`Una celda del libro${where} contiene más de ${kib(maxRowBytes)} de texto, lo que no corresponde a una nómina. Revise la hoja y quite ese contenido.`, rowNumber);
      case 'row-too-large':
        return e002(`Una fila del libro${where} es demasiado grande (más de ${kib(limits.maxRowXmlBytes)}). Revise que la hoja solo contenga las columnas del layout.`, rowNumber);
      case 'corrupt':
        break;
    }
  }
  const message = error instanceof Error ? error.message : '';
  if (message === 'FILE_ENDED') {
    return e002(`El libro de Excel está incompleto${where}: el archivo se cortó al copiarlo o subirlo. Guárdelo de nuevo en Excel y vuelva a enviarlo.`, rowNumber);
  }
  return e002(`El libro de Excel está dañado y no se pudo leer${where}. Ábralo en Excel, guárdelo de nuevo como .xlsx (o como CSV UTF-8) y vuelva a enviarlo.`, rowNumber);
}

function rowIsBlank(values: readonly unknown[]): boolean {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    return false;
  }
  return true;
}

async function openXlsx(
  source: () => Promise<Readable>,
  options: Required<Pick<ReadPayrollFileOptions, 'maxRowBytes' | 'maxColumns'>> & Pick<ReadPayrollFileOptions, 'tempDir'>,
  limits: XlsxLimits,
): Promise<Opened> {
  const events = readFirstSheet(await source(), limits, { tempDir: options.tempDir });
  let sheetName = '';
  let date1904 = false;
  let headerValues: unknown[] | null = null;
  try {
    for (;;) {
      const r = await events.next();
      if (r.done) break;
      const event: XlsxEvent = r.value;
      if (event.type === 'sheet') {
        sheetName = event.name;
        date1904 = event.date1904;
        continue;
      }
      if (rowIsBlank(event.values)) continue;
      if (event.number !== 1) {
        await events.return(undefined);
        return {
          ok: false,
          finding: e002(`La fila 1 de la hoja "${sheetName}" está vacía: el encabezado del layout v1 debe estar en la fila 1 de la primera hoja, sin filas de título arriba.`, 0),
        };
      }
      headerValues = event.values;
      break;
    }
  } catch (error) {
    await events.return(undefined).catch(() => undefined);
    if (error instanceof SourceStreamError) throw error.sourceError; // the source failed, not the file
    return { ok: false, finding: xlsxErrorFinding(error, headerValues ? 0 : null, options.maxRowBytes, limits) };
  }
  if (!headerValues) {
    return { ok: false, finding: e002(`La primera hoja del libro ("${sheetName}") está vacía: falta el encabezado y las filas de la nómina.`) };
  }
  const header = trimTrailingEmpty(headerValues.map((v) => xlsxCellText(v, { column: null, date1904 })));
  const { columns } = matchHeader(header);

  const close = async () => {
    await events.return(undefined).catch(() => undefined);
  };
  async function* records(): AsyncGenerator<SourceRecord[]> {
    let lastRow = 0;
    let batch: SourceRecord[] = [];
    try {
      for (;;) {
        let r: IteratorResult<XlsxEvent>;
        try {
          r = await events.next();
        } catch (error) {
          if (error instanceof SourceStreamError) throw error.sourceError;
          if (batch.length > 0) yield batch; // the rows read before the damage are delivered first
          throw new PayrollFileError(xlsxErrorFinding(error, lastRow, options.maxRowBytes, limits));
        }
        if (r.done) break;
        const event = r.value;
        if (event.type !== 'row') continue;
        lastRow = event.number - 1;
        const fields = trimTrailingEmpty(
          event.values.map((v, i) => xlsxCellText(v, { column: columns[i] ?? null, date1904 })),
        );
        batch.push({ sourceLine: event.number, rowNumber: event.number - 1, fields });
        if (batch.length >= XLSX_BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await close();
    }
  }
  return { ok: true, source: { infoBase: { format: 'xlsx', sheetName }, header, records: records(), close } };
}

function trimTrailingEmpty(fields: string[]): string[] {
  let end = fields.length;
  while (end > 0 && (fields[end - 1] ?? '') === '') end -= 1;
  const out = fields.slice(0, end);
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = '';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Opens a payroll file and reads its header. See the module comment for the contract.
 * Never throws for bad file content (that is a finding); rethrows only errors of `source`.
 */
export async function readPayrollFile(
  source: () => Promise<Readable>,
  options: ReadPayrollFileOptions = {},
): Promise<PayrollFileReadResult> {
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const limits: XlsxLimits = { ...DEFAULT_XLSX_LIMITS, maxTextRunBytes: maxRowBytes, ...options.xlsx };

  let opened: Opened;
  if (options.kind === 'xlsx') {
    opened = await openXlsx(source, { maxRowBytes, maxColumns, tempDir: options.tempDir }, limits);
  } else {
    const sniffed = await sniff(source);
    if (sniffed.prefix.length === 0) {
      return fileFailure('El archivo está vacío (0 bytes). Envíe el CSV o el .xlsx de la nómina con su encabezado y filas.');
    }
    const isZip = startsWith(sniffed.prefix, ZIP_LOCAL);
    if (isZip && options.kind !== 'csv') {
      opened = await openXlsx(source, { maxRowBytes, maxColumns, tempDir: options.tempDir }, limits);
    } else {
      const reason = binaryReason(sniffed.prefix);
      if (reason) return fileFailure(reason);
      opened = await openCsv(source, sniffed, { maxRowBytes, maxColumns });
    }
  }
  if (!opened.ok) return { ok: false, info: null, findings: [opened.finding] };

  const { infoBase, header: names, records, close } = opened.source;
  if (names.every((n) => n.trim() === '')) {
    await close();
    return fileFailure('La primera fila del archivo está vacía: debe contener el encabezado con los nombres de columna del layout v1 (curp, rfc, primer_apellido, …).');
  }
  if (names.length > maxColumns) {
    await close();
    return {
      ok: false,
      info: null,
      findings: [
        e002(
          `El encabezado tiene ${names.length} columnas; se aceptan como máximo ${maxColumns} (el layout v1 tiene 15). Revise que el separador sea el correcto y quite las columnas que no son de la nómina.`,
          0,
        ),
      ],
    };
  }
  const match = matchHeader(names);
  const header: HeaderInfo = {
    names,
    columns: match.columns,
    found: match.found,
    unknown: match.unknown,
    missingRequired: match.missingRequired,
    duplicates: match.duplicates,
  };
  const info = { ...infoBase, header } as PayrollFileInfo;
  if (match.findings.some((f) => f.severity === 'error')) {
    await close();
    return { ok: false, info, findings: match.findings };
  }

  const width = names.length;
  const columns = match.columns;
  async function* batches(): AsyncGenerator<RawPayrollRow[]> {
    let ordinal = 0;
    for await (const sourceBatch of records) {
      const batch: RawPayrollRow[] = [];
      for (const record of sourceBatch) {
        ordinal += 1;
        const rowNumber = record.rowNumber ?? ordinal;
        if (rowNumber > maxRows) {
          if (batch.length > 0) yield batch;
          throw new PayrollFileError(
            e002(`El archivo tiene más de ${maxRows.toLocaleString('en-US')} filas, el máximo de un archivo de nómina. Verifique que sea el archivo correcto o divídalo en archivos complementarios.`, rowNumber),
          );
        }
        const fields = record.fields;
        if (rowIsBlank(fields)) continue;
        const cells: PayrollCells = {};
        for (let i = 0; i < width && i < fields.length; i++) {
          const column = columns[i];
          if (column) cells[column] = fields[i]!;
        }
        const findings: Finding[] = [];
        if (infoBase.format === 'csv' ? fields.length !== width : fields.length > width) {
          const more = fields.length > width;
          const detail =
            infoBase.format === 'csv'
              ? `La fila tiene ${fields.length} campos y el encabezado ${width}${more ? ': sobran separadores, probablemente un dato con coma o barra sin comillas' : ': faltan separadores'}.`
              : `La fila tiene datos en la columna ${fields.length}, pero el encabezado solo tiene ${width} columnas.`;
          findings.push(
            makeFinding('E005', {
              row: rowNumber,
              column: null,
              value: fields.join(infoBase.format === 'csv' ? infoBase.delimiter : ' | '),
              detail,
            }),
          );
        }
        batch.push({ rowNumber, sourceLine: record.sourceLine, cells, rawCells: fields, findings });
      }
      if (batch.length > 0) yield batch;
    }
  }
  const batchIterable = batches();
  async function* rows(): AsyncGenerator<RawPayrollRow> {
    for await (const batch of batchIterable) yield* batch;
  }
  const rowIterable = rows();
  return {
    ok: true,
    info,
    findings: match.findings,
    rows: rowIterable,
    batches: batchIterable,
    close: async () => {
      await rowIterable.return(undefined);
      await batchIterable.return(undefined);
      await close();
    },
  };
}
