import { Readable } from 'node:stream';
import { Decimal, toAmountString, ZERO } from '../domain/money';
import type { FileStorage } from '../platform/storage';

/**
 * Files for account administrators other than ISSEMYM (AFOREs, domain-reference §10.2): one file
 * per dispersion batch with one record per person and origin. The real layouts (CONSAR/Procesar)
 * are not known yet, so the layout sits behind this interface; `csv-v1` is the documented default.
 */
export interface AdministratorBatchHeader {
  administrator: string;
  institutionClave: string;
  period: string;
  entryKey: string;
}

export interface AdministratorRecord {
  curp: string;
  claveIssemym: string;
  /** Sub-account of the individual account (`SCI`). */
  subAccount: string;
  /** Decimal string with 2 decimals. */
  amount: string;
  /** `cuota` (servant) or `aportacion` (institution). */
  origin: string;
  period: string;
}

export interface WrittenAdministratorFile {
  storageKey: string;
  sha256: string;
  size: number;
  format: string;
  /** Control totals counted while writing: the caller compares them with the batch's. */
  recordCount: number;
  total: string;
}

export interface AdministratorFileAdapter {
  readonly format: string;
  /** Streams the records into FileStorage (constant memory) and returns the stored file. */
  write(batch: AdministratorBatchHeader, records: AsyncIterable<AdministratorRecord>): Promise<WrittenAdministratorFile>;
}

export const CSV_HEADER = ['curp', 'clave_issemym', 'subcuenta', 'importe', 'origen', 'periodo'] as const;

/** RFC 4180 field: quoted only when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecordLine(r: AdministratorRecord): string {
  return [r.curp, r.claveIssemym, r.subAccount, r.amount, r.origin, r.period].map(csvField).join(',') + '\n';
}

/**
 * `csv-v1`: UTF-8, `\n` line ends, a header line, then one line per record:
 * `curp,clave_issemym,subcuenta,importe,origen,periodo`. Stored under `dispersion-batches/`.
 */
export function createCsvAdministratorFileAdapter(storage: FileStorage): AdministratorFileAdapter {
  return {
    format: 'csv-v1',
    async write(_batch, records) {
      let recordCount = 0;
      let total: Decimal = ZERO;
      // Lines are grouped into ~64 KiB chunks; the stream is pulled, so memory stays flat.
      async function* chunks(): AsyncGenerator<Buffer> {
        let pending = CSV_HEADER.join(',') + '\n';
        for await (const r of records) {
          recordCount += 1;
          total = total.plus(r.amount);
          pending += csvRecordLine(r);
          if (pending.length >= 64 * 1024) {
            yield Buffer.from(pending, 'utf8');
            pending = '';
          }
        }
        if (pending) yield Buffer.from(pending, 'utf8');
      }
      const stored = await storage.put('dispersion-batches', Readable.from(chunks(), { objectMode: false }));
      return { storageKey: stored.key, sha256: stored.sha256, size: stored.size, format: 'csv-v1', recordCount, total: toAmountString(total) };
    },
  };
}
