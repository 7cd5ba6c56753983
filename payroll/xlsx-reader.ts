/**
 * Streaming reader of the first worksheet of an XLSX file, with zip-bomb defences. Used by
 * `file-reader.ts`; not meant to be called directly.
 *
 * It drives exceljs 4.4.0's streaming classes (WorkbookReader's part parsers and
 * WorksheetReader) over the zip entries itself instead of calling `WorkbookReader.parse()`,
 * because exceljs gives no way to bound what it inflates. Every entry is inflated through an
 * `EntryGuard` that enforces:
 * - a budget of uncompressed bytes for the whole file and a smaller one for sharedStrings.xml
 *   (exceljs keeps the shared strings in memory);
 * - a maximum run of XML text or tag without `<`/`>` (a single giant cell or attribute) and a
 *   maximum size of one `<row>` element, so no single row can take unbounded memory;
 * - a maximum number of entries.
 * `unzipper` (exceljs's own dependency, resolved from exceljs so it is the very copy exceljs was
 * tested with) does not notice a truncated file by itself: its parse error is forwarded to the
 * entry being read, and the end-of-central-directory record must have been seen.
 *
 * Like exceljs, a worksheet that arrives before sharedStrings.xml and styles.xml (the usual order
 * in files saved by Excel) is spooled to a temporary file and parsed once the zip has been read;
 * the file is deleted afterwards. The spool holds personal data, so it is encrypted (AES-256-CTR)
 * with a key that exists only in this process's memory: a spool left behind by a crash is
 * unreadable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline as pipelineCallback, Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);
const requireFromExceljs = createRequire(require.resolve('exceljs'));
/* eslint-disable @typescript-eslint/no-explicit-any -- exceljs internals are untyped */
const unzipper: any = requireFromExceljs('unzipper');
const WorkbookReader: any = require('exceljs/lib/stream/xlsx/workbook-reader');
const WorksheetReader: any = require('exceljs/lib/stream/xlsx/worksheet-reader');
const iterateStream: (stream: Readable) => AsyncIterable<any> = require('exceljs/lib/utils/iterate-stream');

export interface XlsxLimits {
  /** Total bytes inflated from the zip. */
  maxUncompressedBytes: number;
  /** Bytes of xl/sharedStrings.xml (held in memory). */
  maxSharedStringsBytes: number;
  /** Number of zip entries. */
  maxEntries: number;
  /** Longest XML text node or tag (bytes between `<`/`>`), i.e. the largest single cell. */
  maxTextRunBytes: number;
  /** Largest `<row>` element of the worksheet. */
  maxRowXmlBytes: number;
}

export type XlsxFailure = 'truncated' | 'corrupt' | 'not-xlsx' | 'ods' | 'no-sheet' | 'too-large' | 'cell-too-large' | 'row-too-large' | 'too-many-entries';

export class XlsxReadError extends Error {
  constructor(
    readonly reason: XlsxFailure,
    message: string,
  ) {
    super(message);
    this.name = 'XlsxReadError';
  }
}

/** The input stream itself failed (storage, network): not a problem of the file's content. */
export class SourceStreamError extends Error {
  constructor(readonly sourceError: unknown) {
    super(sourceError instanceof Error ? sourceError.message : String(sourceError));
    this.name = 'SourceStreamError';
  }
}

export type XlsxEvent =
  | { type: 'sheet'; name: string; date1904: boolean }
  /** `values[0]` is column A; cells are exceljs values (string, number, Date, rich text…). */
  | { type: 'row'; number: number; values: unknown[] };

interface Budget {
  used: number;
  readonly max: number;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;

function isXmlSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * Byte-level limits on an XML part, see the module comment. Jumps between `<` and `>` with
 * `indexOf`, so it costs little next to the XML parsing itself.
 */
class XmlShapeGuard {
  /** Bytes since the last `<` or `>`. */
  private run = 0;
  /** Absolute offset of the start of the next chunk. */
  private offset = 0;
  private inRow = false;
  private rowStart = 0;
  /** Bytes after a `<` at the very end of the previous chunk. */
  private pendingTag: Buffer | null = null;

  constructor(
    private readonly maxRun: number,
    private readonly maxRow: number,
  ) {}

  /** Recognises `<row` and `</row` from the bytes after a `<`. */
  private classify(buf: Buffer, k: number, at: number): void {
    if (buf[k] === 0x72 && buf[k + 1] === 0x6f && buf[k + 2] === 0x77) {
      const next = buf[k + 3];
      if (isXmlSpace(next) || next === GT || next === SLASH) {
        this.inRow = true;
        this.rowStart = at;
      }
    } else if (buf[k] === SLASH && buf[k + 1] === 0x72 && buf[k + 2] === 0x6f && buf[k + 3] === 0x77) {
      this.inRow = false; // </row
    } else if (buf[k] === SLASH && buf[k + 1] === 0x73 && buf[k + 2] === 0x68 && buf[k + 3] === 0x65) {
      this.inRow = false; // </sheetData, after a last self-closing <row/>
    }
  }

  check(chunk: Buffer): XlsxReadError | null {
    const n = chunk.length;
    if (this.pendingTag) {
      this.classify(Buffer.concat([this.pendingTag, chunk.subarray(0, 4)]), 0, this.offset);
      this.pendingTag = null;
    }
    let i = 0;
    let nextLt = chunk.indexOf(LT, 0);
    let nextGt = chunk.indexOf(GT, 0);
    for (;;) {
      if (nextLt !== -1 && nextLt < i) nextLt = chunk.indexOf(LT, i);
      if (nextGt !== -1 && nextGt < i) nextGt = chunk.indexOf(GT, i);
      const d = nextLt === -1 ? nextGt : nextGt === -1 ? nextLt : Math.min(nextLt, nextGt);
      if (d === -1) {
        this.run += n - i;
        break;
      }
      this.run += d - i;
      if (this.run > this.maxRun) break;
      this.run = 0;
      if (d === nextLt) {
        if (d + 4 < n) this.classify(chunk, d + 1, this.offset + d);
        else this.pendingTag = Buffer.from(chunk.subarray(d + 1));
      }
      i = d + 1;
    }
    this.offset += n;
    if (this.run > this.maxRun) {
      return new XlsxReadError('cell-too-large', `XML text or tag longer than ${this.maxRun} bytes`);
    }
    if (this.inRow && this.offset - this.rowStart > this.maxRow) {
      return new XlsxReadError('row-too-large', `row element larger than ${this.maxRow} bytes`);
    }
    return null;
  }
}

class EntryGuard extends Transform {
  private entryUsed = 0;

  constructor(
    private readonly budget: Budget,
    private readonly entryMax: number,
    private readonly shape: XmlShapeGuard | null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.budget.used += chunk.length;
    this.entryUsed += chunk.length;
    if (this.budget.used > this.budget.max) {
      callback(new XlsxReadError('too-large', `uncompressed size above ${this.budget.max} bytes`));
      return;
    }
    if (this.entryUsed > this.entryMax) {
      callback(new XlsxReadError('too-large', `zip entry above ${this.entryMax} bytes`));
      return;
    }
    const shapeError = this.shape?.check(chunk);
    if (shapeError) {
      callback(shapeError);
      return;
    }
    callback(null, chunk);
  }
}

const SHEET_ENTRY = /^xl\/worksheets\/sheet(\d+)\.xml$/;

function firstSheet(workbook: any): { sheetNo: number; name: string } | null {
  const sheet = workbook.model?.sheets?.[0];
  const rels: any[] | undefined = workbook.workbookRels;
  if (!sheet || !rels) return null;
  const rel = rels.find((r) => r.Id === sheet.rId);
  const m = typeof rel?.Target === 'string' ? /sheet(\d+)\.xml$/.exec(rel.Target) : null;
  return m ? { sheetNo: Number(m[1]), name: String(sheet.name ?? '') } : null;
}

/**
 * The shared strings table as plain, self-contained strings. exceljs's own cache keeps what the
 * XML parser produced: rich-text objects and strings that V8 stores as slices of the 64 KiB
 * chunk they were cut from, so a few retained cells would keep the whole sharedStrings.xml
 * alive (about 3x the memory, measured). Re-encoding each string copies it out.
 */
async function collectSharedStrings(events: AsyncIterable<{ index: number; text: unknown }>): Promise<string[]> {
  const strings: string[] = [];
  for await (const { index, text } of events) {
    const plain = xlsxCellText(text, { column: null, date1904: false });
    strings[index] = plain.length > 12 ? Buffer.from(plain, 'utf8').toString('utf8') : plain;
  }
  return strings;
}

async function drain(stream: Readable): Promise<void> {
  await pipeline(
    stream,
    new Writable({
      write(_chunk, _enc, cb) {
        cb();
      },
    }),
  );
}

/**
 * Reads the first worksheet (workbook order) of an XLSX stream: one `sheet` event, then its
 * non-empty rows in order. Throws `XlsxReadError` (or the underlying zip/XML error) when the
 * file is not a readable XLSX or breaks a limit. Destroys `input` when done or abandoned.
 */
export async function* readFirstSheet(
  input: Readable,
  limits: XlsxLimits,
  options: { tempDir?: string } = {},
): AsyncGenerator<XlsxEvent> {
  const workbook = new WorkbookReader(null, {
    worksheets: 'emit',
    sharedStrings: 'emit', // collected below as compact plain strings
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  const zip = unzipper.Parse({ forceStream: true });
  let failure: Error | null = null;
  let sawEndOfCentralDirectory = false;
  let current: Transform | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    current?.destroy(failure);
    if (!zip.destroyed) zip.destroy(failure);
  };
  const readEocd = zip._readEndOfCentralDirectoryRecord;
  zip._readEndOfCentralDirectoryRecord = function (this: unknown, ...args: unknown[]) {
    sawEndOfCentralDirectory = true;
    return readEocd.apply(this, args);
  };
  zip.on('error', fail);
  input.on('error', (error: Error) => fail(new SourceStreamError(error)));
  input.pipe(zip);

  const budget: Budget = { used: 0, max: limits.maxUncompressedBytes };
  let tmpDir: string | null = null;
  let spoolReader: Readable | null = null;
  const spooled = new Map<number, { file: string; iv: Buffer }>();
  const spoolKey = randomBytes(32);
  let entries = 0;
  let seenWorkbook = false;
  let seenStyles = false;
  let seenSharedStrings = false;
  let looksLikeOds = false;

  const parseSheet = async function* (chunks: AsyncIterable<Buffer | string>, sheetNo: number, name: string): AsyncGenerator<XlsxEvent> {
    const reader = new WorksheetReader({ workbook, id: sheetNo, iterator: chunks, options: workbook.options });
    yield { type: 'sheet', name, date1904: Boolean(workbook.properties?.model?.date1904) };
    let last = 0;
    for await (const events of reader.parse() as AsyncIterable<{ eventType: string; value: any }[]>) {
      for (const { eventType, value } of events) {
        if (eventType !== 'row') continue;
        const values: unknown[] = value.values; // 1-based, sparse
        // `r` is optional in the XML; without it a row follows the previous one.
        const number = Number.isInteger(value.number) && value.number > 0 ? (value.number as number) : last + 1;
        last = number;
        yield { type: 'row', number, values: values.slice(1) };
      }
    }
  };

  try {
    for await (const entry of iterateStream(zip)) {
      entries += 1;
      if (entries > limits.maxEntries) {
        throw new XlsxReadError('too-many-entries', `more than ${limits.maxEntries} zip entries`);
      }
      const path = String(entry.path);
      const declared = Number(entry.vars?.uncompressedSize ?? 0);
      if (declared > limits.maxUncompressedBytes) {
        entry.autodrain();
        throw new XlsxReadError('too-large', `entry ${path} declares ${declared} bytes`);
      }
      const sheetMatch = SHEET_ENTRY.exec(path);
      const isSharedStrings = path === 'xl/sharedStrings.xml';
      const shape = sheetMatch || isSharedStrings ? new XmlShapeGuard(limits.maxTextRunBytes, limits.maxRowXmlBytes) : null;
      const guard = new EntryGuard(budget, isSharedStrings ? limits.maxSharedStringsBytes : limits.maxUncompressedBytes, shape);
      // exceljs decodes every chunk on its own, which garbles a UTF-8 character split between two
      // chunks (Á → ��). Decoding here, with a streaming decoder, hands it whole characters.
      guard.setEncoding('utf8');
      // fail() destroys the guard with the error (e.g. corrupt deflate data, Z_DATA_ERROR) and
      // keeps it in `failure`, which the loop rethrows. When no consumer is listening at that
      // moment the 'error' event would be uncaught and take the worker process down.
      guard.on('error', () => {});
      current = guard;
      entry.on('error', fail);
      entry.pipe(guard);
      if (failure) guard.destroy(failure);

      if (path === 'xl/_rels/workbook.xml.rels') {
        await workbook._parseRels(guard);
      } else if (path === 'xl/workbook.xml') {
        await workbook._parseWorkbook(guard);
        seenWorkbook = true;
      } else if (isSharedStrings) {
        workbook.sharedStrings = await collectSharedStrings(workbook._parseSharedStrings(guard));
        seenSharedStrings = true;
      } else if (path === 'xl/styles.xml') {
        await workbook._parseStyles(guard);
        seenStyles = true;
      } else if (sheetMatch) {
        const sheetNo = Number(sheetMatch[1]);
        const first = seenWorkbook ? firstSheet(workbook) : null;
        if (first && first.sheetNo !== sheetNo) {
          await drain(guard);
        } else if (first && seenSharedStrings && seenStyles) {
          // Everything the sheet needs is known: parse it straight from the zip and stop there.
          yield* parseSheet(guard, sheetNo, first.name);
          return;
        } else {
          tmpDir ??= await mkdtemp(join(options.tempDir ?? tmpdir(), 'payroll-xlsx-'));
          const file = join(tmpDir, `sheet${sheetNo}.xml.enc`);
          const iv = randomBytes(16);
          await pipeline(guard, createCipheriv('aes-256-ctr', spoolKey, iv), createWriteStream(file, { mode: 0o600 }));
          spooled.set(sheetNo, { file, iv });
        }
      } else {
        if (path === 'content.xml' || path === 'mimetype') looksLikeOds = true;
        await drain(guard);
      }
      current = null;
      if (failure) throw failure;
    }
    if (failure) throw failure;
    if (!sawEndOfCentralDirectory) throw new XlsxReadError('truncated', 'zip ended before its central directory');
    if (!seenWorkbook) {
      throw looksLikeOds
        ? new XlsxReadError('ods', 'OpenDocument spreadsheet')
        : new XlsxReadError('not-xlsx', 'zip without xl/workbook.xml');
    }
    const first = firstSheet(workbook);
    const sheetNo = first?.sheetNo ?? Math.min(...spooled.keys());
    const spool = spooled.get(sheetNo);
    if (!spool) throw new XlsxReadError('no-sheet', 'first worksheet not found');
    const plain = createDecipheriv('aes-256-ctr', spoolKey, spool.iv);
    plain.setEncoding('utf8'); // whole characters for exceljs, see above
    spoolReader = plain;
    pipelineCallback(createReadStream(spool.file, { highWaterMark: 64 * 1024 }), plain, () => {});
    yield* parseSheet(plain, sheetNo, first?.name ?? `Hoja${sheetNo}`);
  } finally {
    current?.destroy();
    current = null;
    spoolReader?.destroy();
    input.unpipe(zip);
    input.destroy();
    zip.destroy?.();
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
  }
}

export interface XlsxCellContext {
  /** The layout column the cell belongs to, if any (for claves and dates). */
  column: string | null;
  date1904: boolean;
}

/**
 * Text of an XLSX cell as a payroll clerk sees it:
 * - numbers: the value Excel displays at its 15 significant digits, without exponent for usual
 *   magnitudes (1234.56 stored as 1234.5600000000001 reads "1234.56"); exact decimal validation
 *   of that text happens afterwards (domain/money.ts). In `clave_issemym` an integer is
 *   left-padded to 8 digits (Excel drops the leading zeros of a numeric cell); in
 *   `fecha_movimiento` an integer is read as an Excel date serial;
 * - dates: `YYYY-MM-DD`;
 * - rich text: its plain text; formulas: their cached result; errors: "#N/A" etc.
 */
export function xlsxCellText(value: unknown, context: XlsxCellContext): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value, context);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return (v.richText as { text?: unknown }[]).map((r) => (typeof r.text === 'string' ? r.text : '')).join('');
    }
    if ('formula' in v || 'sharedFormula' in v) return xlsxCellText(v.result, context);
    if (typeof v.error === 'string') return v.error;
    if (typeof v.text === 'string') return v.text;
  }
  return '';
}

function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const y = date.getUTCFullYear();
  if (y < 1 || y > 9999) return '';
  return `${String(y).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

const EXCEL_MAX_SERIAL = 2_958_465; // 9999-12-31

function numberText(n: number, context: XlsxCellContext): string {
  if (!Number.isFinite(n)) return '';
  if (context.column === 'clave_issemym' && Number.isInteger(n) && n >= 0 && n < 1e8) {
    return String(n).padStart(8, '0');
  }
  if (context.column === 'fecha_movimiento' && Number.isInteger(n) && n >= 61 && n <= EXCEL_MAX_SERIAL) {
    // Serial 61 = 1900-03-01 (Excel's fictitious 1900-02-29 lies below); 25569 = 1970-01-01.
    const days = n - 25569 + (context.date1904 ? 1462 : 0);
    return dateText(new Date(days * 86_400_000));
  }
  // Excel keeps 15 significant digits; this reproduces the value it displays as text.
  return String(Number(n.toPrecision(15)));
}
