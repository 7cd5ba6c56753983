/**
 * RELIABILITY.md is written by several commands (`make faults-smoke`, `make faults`,
 * `make fault-validation`): each replaces only its own section, between markers, and keeps the rest.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RELIABILITY_FILE = path.resolve(process.env.RELIABILITY_FILE ?? 'RELIABILITY.md');

const HEADER = `# Reliability

Measured by the fault-injection commands in \`faults/\` (see \`faults/README.md\` and
\`docs/runbook.md\`). Each section below is rewritten by the command named in it; the numbers are
those of the last run of that command on this machine.
`;

export function writeSection(name: string, markdown: string): void {
  const start = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  let text = existsSync(RELIABILITY_FILE) ? readFileSync(RELIABILITY_FILE, 'utf8') : HEADER;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RELIABILITY_FILE, text);
}

export function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
