import type { Sql, TransactionSql } from 'postgres';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** Encodes one value for PostgreSQL's COPY text format (NULL as \N, escapes per the manual). */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * The first `count` values of a row in COPY text format, tab-separated, without the newline. A
 * caller that appends more columns adds "\t" + value. Joined, not concatenated: `+=` would build
 * a rope of ~55 pieces per staged row, and staging keeps each line until its chunk commits, so
 * every young-generation GC in between copied all those pieces (and promoted them).
 */
export function copyFields(row: ReadonlyArray<string | number | boolean | null | undefined>, count = row.length): string {
  const fields: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const value = row[i];
    if (value === null || value === undefined) fields[i] = '\\N';
    else if (typeof value === 'string') fields[i] = NEEDS_ESCAPE.test(value) ? copyValue(value) : value;
    else fields[i] = String(value);
  }
  return fields.join('\t');
}

/** One row in COPY text format, newline included. */
export function copyLine(row: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return copyFields(row) + '\n';
}

/**
 * Streams already-encoded COPY text (each line newline-terminated) into `copyStatement`
 * (`copy … from stdin`) inside the given transaction, in writes of ~256 KB that wait for the
 * socket to drain: one round trip per chunk instead of one per row, memory bounded by the buffer.
 */
export async function copyLines(tx: TransactionSql | Sql, copyStatement: string, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const writable = await tx.unsafe(copyStatement).writable();
  const done = new Promise<void>((resolve, reject) => {
    writable.once('finish', resolve);
    writable.once('error', reject);
  });
  let buffer = '';
  // Returns a promise only when the socket must drain, so the common case costs no microtask.
  const append = (line: string): Promise<void> | null => {
    buffer += line;
    if (buffer.length <= 256 * 1024) return null;
    const full = buffer;
    buffer = '';
    return writable.write(full) ? null : new Promise<void>((r) => writable.once('drain', () => r()));
  };
  if (Symbol.asyncIterator in lines) {
    for await (const line of lines) await append(line);
  } else {
    // A plain loop for in-memory rows: `for await` would add a microtask per line to staging's hot path.
    for (const line of lines) {
      const drained = append(line);
      if (drained) await drained;
    }
  }
  if (buffer) writable.write(buffer);
  writable.end();
  await done;
}

function* encoded(rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>>): Generator<string> {
  for (const row of rows) yield copyLine(row);
}

/** Streams rows into `table` with COPY inside the given transaction (see `copyLines`). */
export async function copyRows(
  tx: TransactionSql | Sql,
  table: string,
  columns: readonly string[],
  rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>>,
): Promise<void> {
  await copyLines(tx, `copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`, encoded(rows));
}
