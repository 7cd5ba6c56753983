/**
 * Throughput and peak memory of reading + validating a payroll file (file layer only: reader and
 * row rules, no database). Not a test: it prints figures.
 *
 *   npx tsx scripts/measure-parse.ts                 # 100,000 rows, every format
 *   npx tsx scripts/measure-parse.ts --rows 400000 --format csv-utf8
 *
 * Files are generated (seeded) into a temporary directory, then each is measured in a fresh
 * child process so that the peak RSS (getrusage maxrss) belongs to that file alone. The
 * baseline is the RSS of the child after loading the modules, before opening the file. "Live
 * heap" is what is still referenced after a forced GC, sampled at every tenth of the file: the
 * figure that must not grow with the file (peak RSS/heap also include garbage V8 has not yet
 * collected, which it lets grow on longer runs).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPayrollFile } from '../payroll/file-reader';
import { validatePayrollRows } from '../payroll/validate-rows';
import { fileSource, generatePayrollRows, writePayrollCsv, writePayrollXlsx } from '../synthetic/payroll-files';

const FORMATS = {
  'csv-utf8': (path: string, rows: number) => writePayrollCsv(path, generatePayrollRows({ rows }), { encoding: 'utf-8', delimiter: ',' }),
  'csv-latin1-pipe': (path: string, rows: number) =>
    writePayrollCsv(path, generatePayrollRows({ rows }), { encoding: 'windows-1252', delimiter: '|' }),
  // As Excel saves it: numbers as numeric cells, text in the shared strings table.
  'xlsx-excel-like': (path: string, rows: number) =>
    writePayrollXlsx(path, generatePayrollRows({ rows }), { numeric: true, sharedStrings: true }),
  'xlsx-inline': (path: string, rows: number) => writePayrollXlsx(path, generatePayrollRows({ rows })),
} as const;
type Format = keyof typeof FORMATS;

interface Measurement {
  rows: number;
  validRows: number;
  findings: number;
  ms: number;
  rowsPerSecond: number;
  /** CPU time (user + system) of the reading, less sensitive than wall time to a busy machine. */
  cpuMs: number;
  rowsPerCpuSecond: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Largest heap still in use right after a forced GC, sampled at every tenth of the file. */
  liveHeapMb: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

async function measure(path: string, expectedRows: number): Promise<Measurement> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const every = Math.max(1, Math.floor(expectedRows / 10));
  let liveHeap = 0;
  const baselineRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const file = await readPayrollFile(fileSource(path));
  if (!file.ok) throw new Error(`file rejected: ${JSON.stringify(file.findings)}`);
  let rows = 0;
  let validRows = 0;
  let findings = 0;
  for await (const row of validatePayrollRows(file.rows, { period: '202604' })) {
    rows += 1;
    if (row.row) validRows += 1;
    findings += row.findings.length;
    if (gc && rows % every === 0) {
      gc();
      liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
    }
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  clearInterval(sampler);
  return {
    rows,
    validRows,
    findings,
    ms: Math.round(ms),
    rowsPerSecond: Math.round((rows / ms) * 1000),
    cpuMs: Math.round(cpuMs),
    rowsPerCpuSecond: Math.round((rows / cpuMs) * 1000),
    baselineRssMb: mb(baselineRss),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
    peakHeapMb: mb(peakHeap),
    liveHeapMb: mb(liveHeap),
  };
}

function runChild(path: string, rows: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, script, '--measure', path, '--rows', String(rows)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`measurement of ${path} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Measurement);
    });
  });
}

async function main(): Promise<void> {
  const measurePath = arg('measure');
  if (measurePath) {
    process.stdout.write(`${JSON.stringify(await measure(measurePath, Number(arg('rows') ?? 100_000)))}\n`);
    return;
  }
  const rows = Number(arg('rows') ?? 100_000);
  const only = arg('format');
  const formats = (Object.keys(FORMATS) as Format[]).filter((f) => !only || only.split(',').includes(f));
  const dir = await mkdtemp(join(tmpdir(), 'payroll-measure-'));
  try {
    console.log(`node ${process.version}, ${rows.toLocaleString('en-US')} rows per file`);
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall-time figures depend on it)`);
    console.log('format              size MB   rows/s   rows/CPU-s   time s   baseline RSS MB   peak RSS MB   peak heap MB   live heap MB');
    for (const format of formats) {
      const path = join(dir, format);
      await FORMATS[format](path, rows);
      const size = (await stat(path)).size;
      const m = await runChild(path, rows);
      if (m.rows !== rows || m.findings !== 0) throw new Error(`${format}: ${m.rows} rows, ${m.findings} findings`);
      console.log(
        `${format.padEnd(18)} ${String(mb(size)).padStart(8)} ${String(m.rowsPerSecond).padStart(8)} ${String(m.rowsPerCpuSecond).padStart(12)} ${String(m.ms / 1000).padStart(8)} ${String(m.baselineRssMb).padStart(17)} ${String(m.peakRssMb).padStart(13)} ${String(m.peakHeapMb).padStart(14)} ${String(m.liveHeapMb).padStart(14)}`,
      );
      await rm(path, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
