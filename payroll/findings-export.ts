/**
 * Findings reports: CSV (contracts §8 field names `row, column, code, severity, value, message`)
 * streamed or in one string, and the same findings grouped by code for JSON/PDF summaries.
 *
 * CSV safety: the values come from institutions' files, so any cell that a spreadsheet would
 * read as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with an
 * apostrophe (OWASP "CSV injection"). Output is RFC 4180 (CRLF, fields with `,` `"` CR LF quoted,
 * quotes doubled) in UTF-8 with a BOM so Excel shows accents correctly.
 */
import { Readable, type Writable } from 'node:stream';
import { once } from 'node:events';
import {
  FINDING_CATALOGUE,
  isFindingCode,
  type FindingSeverity,
} from '../domain/payroll/findings';

/** A finding as stored or computed; `code`/`severity` may come untyped from the database. */
export interface FindingLike {
  row: number | null;
  column: string | null;
  code: string;
  severity: string;
  value: string | null;
  message: string;
}

export const FINDINGS_CSV_HEADER = ['row', 'column', 'code', 'severity', 'value', 'message'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes an apostrophe to text a spreadsheet would evaluate as a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV field: neutralised, then quoted if needed. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : neutralizeFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function findingCsvLine(f: FindingLike): string {
  return `${[f.row, f.column, f.code, f.severity, f.value, f.message].map(csvField).join(',')}\r\n`;
}

export interface FindingsCsvOptions {
  /** Start with a UTF-8 BOM (default true; Excel needs it to show accents). */
  bom?: boolean;
}

function headerLine(options: FindingsCsvOptions): string {
  return `${options.bom === false ? '' : '\uFEFF'}${FINDINGS_CSV_HEADER.join(',')}\r\n`;
}

/** The whole report as one string (for small sets; use the stream for large ones). */
export function findingsToCsv(findings: Iterable<FindingLike>, options: FindingsCsvOptions = {}): string {
  const parts = [headerLine(options)];
  for (const f of findings) parts.push(findingCsvLine(f));
  return parts.join('');
}

/**
 * A readable stream of the CSV report, pulling findings lazily (e.g. from a database cursor),
 * batching lines into chunks of about 64 KiB. Memory stays flat whatever the number of findings.
 */
export function findingsCsvStream(
  findings: Iterable<FindingLike> | AsyncIterable<FindingLike>,
  options: FindingsCsvOptions = {},
): Readable {
  async function* generate(): AsyncGenerator<string> {
    let buffer = headerLine(options);
    for await (const f of findings as AsyncIterable<FindingLike>) {
      buffer += findingCsvLine(f);
      if (buffer.length >= 64 * 1024) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  }
  return Readable.from(generate(), { objectMode: false, encoding: 'utf8' });
}

/** Writes the CSV report to `out` with backpressure; does not end `out`. */
export async function writeFindingsCsv(
  findings: Iterable<FindingLike> | AsyncIterable<FindingLike>,
  out: Writable,
  options: FindingsCsvOptions = {},
): Promise<void> {
  for await (const chunk of findingsCsvStream(findings, options)) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

// ---------------------------------------------------------------------------------------------
// Grouped by code

export interface FindingGroupItem {
  row: number | null;
  column: string | null;
  value: string | null;
  message: string;
}

export interface FindingGroup {
  code: string;
  severity: FindingSeverity;
  /** Catalogue title and fix (the same texts for every report). */
  title: string;
  fix: string;
  /** Total findings with this code. */
  count: number;
  /** Distinct rows affected (file-level findings not counted). */
  rows: number;
  /** The findings, in arrival order, up to `maxItemsPerCode`. */
  items: FindingGroupItem[];
  /** Findings not kept in `items` because of the cap. */
  omitted: number;
}

export interface GroupOptions {
  /** Keep at most this many items per code (default: all). Counts stay exact. */
  maxItemsPerCode?: number;
}

/**
 * Accumulates findings by code. Errors first, then warnings; within each, by code. Memory is
 * bounded by `maxItemsPerCode` per code (plus one row-number set per code for `rows`).
 */
export class FindingsGrouper {
  private readonly groups = new Map<string, FindingGroup & { rowSet: Set<number> }>();

  constructor(private readonly options: GroupOptions = {}) {}

  add(f: FindingLike): void {
    let group = this.groups.get(f.code);
    if (!group) {
      const def = isFindingCode(f.code) ? FINDING_CATALOGUE[f.code] : null;
      group = {
        code: f.code,
        severity: def?.severity ?? (f.severity === 'warning' ? 'warning' : 'error'),
        title: def?.title ?? f.code,
        fix: def?.fix ?? '',
        count: 0,
        rows: 0,
        items: [],
        omitted: 0,
        rowSet: new Set<number>(),
      };
      this.groups.set(f.code, group);
    }
    group.count += 1;
    if (f.row !== null && f.row > 0) group.rowSet.add(f.row);
    if (group.items.length < (this.options.maxItemsPerCode ?? Number.POSITIVE_INFINITY)) {
      group.items.push({ row: f.row, column: f.column, value: f.value, message: f.message });
    } else {
      group.omitted += 1;
    }
  }

  result(): FindingGroup[] {
    return [...this.groups.values()]
      .map(({ rowSet, ...g }) => ({ ...g, rows: rowSet.size }))
      .sort((a, b) =>
        a.severity !== b.severity ? (a.severity === 'error' ? -1 : 1) : a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
      );
  }
}

export function groupFindingsByCode(findings: Iterable<FindingLike>, options: GroupOptions = {}): FindingGroup[] {
  const grouper = new FindingsGrouper(options);
  for (const f of findings) grouper.add(f);
  return grouper.result();
}

export interface FindingsSummary {
  errors: number;
  warnings: number;
  byCode: { code: string; severity: FindingSeverity; title: string; count: number }[];
}

/** Counts per code (for the period timeline's `findingsSummary`). */
export function summarizeFindings(groups: readonly FindingGroup[]): FindingsSummary {
  let errors = 0;
  let warnings = 0;
  for (const g of groups) {
    if (g.severity === 'error') errors += g.count;
    else warnings += g.count;
  }
  return { errors, warnings, byCode: groups.map((g) => ({ code: g.code, severity: g.severity, title: g.title, count: g.count })) };
}
