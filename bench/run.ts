/**
 * `make bench` / `make bench-smoke`: measures the PRISMA pipeline on its own real stack and
 * rewrites BENCHMARKS.md. Options (environment; `--name=value` flags work too):
 *
 *   BENCH_SIZES=10000,100000,400000   single-institution file sizes (rows); empty: none
 *   BENCH_STATEWIDE=1                 the statewide quincena (all institutions at once)
 *   BENCH_STATEWIDE_PEOPLE=375000     people in the statewide quincena
 *   BENCH_INSTITUTIONS=1000           institutions in it; BENCH_LARGEST=110000 the biggest one
 *   BENCH_RENAPO=warm|cold            warm: the registry's people were in the previous quincena
 *                                     (RENAPO cache rows present, last quincena's SCI credits in
 *                                     the subsidiary ledger); cold: every CURP is asked
 *   BENCH_RENAPO_RATE=1000            RENAPO calls/s allowed to the worker (production default 20)
 *   BENCH_UPLOAD_CONCURRENCY=8        concurrent uploads of the statewide client
 *   BENCH_LOAD_REQUESTS=2000          requests per endpoint of the latency test (concurrency 32)
 *   BENCH_CPU_PROF=1                  worker runs with --cpu-prof (profiles in var/bench/<run>/prof)
 *   BENCH_WORKER_MAX_HEAP_MB=0        if > 0, the worker runs with --max-old-space-size=<MB> (memory bound)
 *   BENCH_OUT=BENCHMARKS.md           where the report goes; BENCH_SEED=202611 the data seed
 *   BENCH_TIMEOUT_MINUTES=180         per scenario
 *   BENCH_RENDER=path/results.json    only re-render the report from a previous run's results
 *   BENCH_KEEP_FROM=path/results.json sections this invocation does not run (singles, statewide,
 *                                     latency, shm) are copied from that run's results; the report
 *                                     says which run each section comes from. E.g. only SHM:
 *                                     BENCH_SIZES= BENCH_STATEWIDE=0 BENCH_KEEP_FROM=var/bench/<run>/results.json
 *
 * SHM scenario (bench/lib/shm.ts; after the payroll ones):
 *   BENCH_SHM_APPLICANTS=500          applicants who register, fill the cédula, upload and submit; 0: no SHM
 *   BENCH_SHM_REVIEWERS=8             reviewers working the queues at the same time
 *   BENCH_SHM_CONCURRENCY=16          applicants active at the same time (client bound)
 *   BENCH_SHM_DOC_KB=48               size of each supporting PDF
 *   BENCH_SHM_BACKLOG=0.1             unreviewed registrations submitted afterwards (fraction of the
 *                                     applicants, at least 5) so the queue-listing latency sees a queue
 *   BENCH_SHM_LOAD_REQUESTS=1000      requests per SHM endpoint of the latency test (talent search, queue)
 *   BENCH_SHM_TIMEOUT_MINUTES=20      deadline for every registration to be scored (the run fails otherwise)
 *
 * The database is `edomex_bench_run_<random>` on the local server (postgres://postgres@127.0.0.1:5432
 * unless BENCH_ADMIN_URL), created and dropped by the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addDays } from '../domain/dates';
import { periodOfDate } from '../domain/periods';
import { createUser } from '../identity/users';
import { payrollWorkflowId } from '../payroll/intake';
import { driveSubmissions, stagesOf, type SubmissionTiming } from './lib/drive';
import { measureFloor, type FloorResult } from './lib/floor';
import { measureContractBound, type ContractBoundResult } from './lib/contract-bound';
import { loadRatesForPeriod } from '../activities/payroll';
import { planInstitutions } from './lib/population';
import { machine, memoryOf, MemorySampler, probeWindow } from './lib/proc';
import { renderReport } from './lib/report';
import { seedScenario, type RenapoMode } from './lib/seed';
import { runShmScenario, type ShmResult } from './lib/shm';
import { queueWaits, type QueueWaits } from './lib/queue-waits';
import { BenchStack } from './lib/stack';
import type { LoadResult } from './load';

const flags = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [k, v] = a.slice(2).split('=');
      return [k!.toUpperCase().replace(/-/g, '_'), v ?? '1'] as const;
    }),
);
const opt = (name: string, fallback: string) => flags.get(name.replace(/^BENCH_/, '')) ?? flags.get(name) ?? process.env[name] ?? fallback;
const num = (name: string, fallback: number) => Number(opt(name, String(fallback)));

export interface SingleResult {
  rows: number;
  bytes: number;
  floor: FloorResult;
  /** Absent in results of runs before session 6. */
  bound?: ContractBoundResult;
  timing: SubmissionTiming;
  stages: Record<string, number | null>;
  cpu: Record<string, number>;
  memory: { workerPeakRssMb: number; workerHwmMb: number; workerLiveHeapMb: number; workerProbeRssMb: number; apiPeakRssMb: number; apiHwmMb: number; apiLiveHeapMb: number };
  loadavg: number[];
  renapoCalls: number;
}

export interface StatewideResult {
  institutions: number;
  people: number;
  largest: number;
  wallSeconds: number;
  uploadSeconds: number;
  workflowsPerSecond: number;
  rowsPerSecond: number;
  e2e: { p50: number; p95: number; max: number };
  slowest: { clave: string; rows: number; seconds: number; stages: Record<string, number | null> };
  largestInstitution: { clave: string; rows: number; seconds: number; stages: Record<string, number | null> };
  postgres: Record<string, number | string>;
  temporal: { workflows: number; historyEvents: number; maxHistory: number };
  cpu: Record<string, number>;
  memory: { workerPeakRssMb: number; workerLiveHeapMb: number; apiPeakRssMb: number };
  loadavgStart: number[];
  loadavgEnd: number[];
  latencyDuring: LoadResult | null;
  renapoCalls: number;
  /** Task-queue waits against run times, from the submissions' Temporal histories (absent in older runs). */
  queueWaits?: QueueWaits;
}

/** The report's sections that BENCH_KEEP_FROM can carry over from an earlier run. */
export const SECTIONS = ['singles', 'statewide', 'latency', 'shm'] as const;
export type SectionKey = (typeof SECTIONS)[number];
export interface RunRef {
  startedAt: string;
  finishedAt: string;
  command: string;
  file: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: ReturnType<typeof machine>;
  settings: Record<string, string | number>;
  singles: SingleResult[];
  statewide: StatewideResult | null;
  latency: { status: LoadResult; findings: LoadResult; concurrency: number; after: string } | null;
  /** Absent in results written before SHM was benchmarked. */
  shm?: ShmResult | null;
  /** Sections copied from an earlier run (BENCH_KEEP_FROM); absent: all from this run. */
  sources?: Partial<Record<SectionKey, RunRef>>;
  notes: string[];
}

const log = (m: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

function runLoad(spec: { baseUrl: string; token: string; paths: string[]; requests: number; concurrency: number; deadlineSeconds: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['bench/load.ts', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function renapoCallsSoFar(stack: BenchStack): Promise<number> {
  const [r] = (await stack.database.sql`select count(*)::int as n from renapo_checks`) as unknown as { n: number }[];
  return r!.n;
}

async function login(stack: BenchStack): Promise<string> {
  const username = 'bench-operator';
  const password = 'una-contraseña-larga-de-benchmark';
  await createUser(stack.database.db, { username, password, role: 'operator' });
  const res = await fetch(`${stack.apiUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function main() {
  const render = opt('BENCH_RENDER', '');
  const out = opt('BENCH_OUT', 'BENCHMARKS.md');
  if (render) {
    const results = JSON.parse(readFileSync(render, 'utf8')) as BenchResults;
    writeFileSync(out, renderReport(results, readNotes()));
    log(`rendered ${out} from ${render}`);
    return;
  }
  const sizes = opt('BENCH_SIZES', '10000,100000,400000').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const statewide = opt('BENCH_STATEWIDE', '1') === '1';
  const renapoMode = opt('BENCH_RENAPO', 'warm') as RenapoMode;
  const seed = num('BENCH_SEED', 202611);
  const settings = {
    sizes: sizes.join(','),
    statewide: statewide ? 1 : 0,
    statewidePeople: num('BENCH_STATEWIDE_PEOPLE', 375_000),
    institutions: num('BENCH_INSTITUTIONS', 1000),
    largest: num('BENCH_LARGEST', 110_000),
    renapo: renapoMode,
    renapoRate: num('BENCH_RENAPO_RATE', 1000),
    uploadConcurrency: num('BENCH_UPLOAD_CONCURRENCY', 8),
    loadRequests: num('BENCH_LOAD_REQUESTS', 2000),
    loadConcurrency: num('BENCH_LOAD_CONCURRENCY', 32),
    seed,
    timeoutMinutes: num('BENCH_TIMEOUT_MINUTES', 180),
    cpuProf: opt('BENCH_CPU_PROF', '0'),
    workerMaxHeapMb: num('BENCH_WORKER_MAX_HEAP_MB', 0),
    shmApplicants: num('BENCH_SHM_APPLICANTS', 500),
    shmReviewers: num('BENCH_SHM_REVIEWERS', 8),
    shmConcurrency: num('BENCH_SHM_CONCURRENCY', 16),
    shmDocumentKb: num('BENCH_SHM_DOC_KB', 48),
    shmBacklog: num('BENCH_SHM_BACKLOG', 0.1),
    shmLoadRequests: num('BENCH_SHM_LOAD_REQUESTS', 1000),
    shmTimeoutMinutes: num('BENCH_SHM_TIMEOUT_MINUTES', 20),
    keepFrom: opt('BENCH_KEEP_FROM', ''),
  };
  // Read the kept run first: a wrong path fails before the stack starts.
  const kept = settings.keepFrom ? (JSON.parse(readFileSync(settings.keepFrom, 'utf8')) as BenchResults) : null;
  const attempted = new Set<SectionKey>();
  const runId = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const workDir = path.resolve('var/bench', runId);
  mkdirSync(workDir, { recursive: true });
  const filesDir = path.join(workDir, 'files');
  mkdirSync(filesDir, { recursive: true });
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    command: process.env.BENCH_COMMAND ?? `npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    settings,
    singles: [],
    statewide: null,
    latency: null,
    shm: null,
    notes: [],
  };
  const period = periodOfDate(addDays(new Date(Date.now() - 6 * 3600_000).toISOString().slice(0, 10), 20));
  const workerEnv: NodeJS.ProcessEnv = settings.cpuProf === '1' ? { CPU_PROF_DIR: path.join(workDir, 'prof') } : {};
  // A hard cap on the worker's V8 heap: if the largest file still finishes under it, the worker's
  // memory is bounded by that constant whatever the file size (issue 4).
  if (settings.workerMaxHeapMb > 0) workerEnv.NODE_OPTIONS = `--max-old-space-size=${settings.workerMaxHeapMb}`;
  const stack = new BenchStack({ workDir, adminUrl: opt('BENCH_ADMIN_URL', 'postgres://postgres@127.0.0.1:5432/postgres'), renapoRate: settings.renapoRate, workerEnv, keepDatabase: opt('BENCH_KEEP_DB', '0') === '1' });
  const stopAll = async () => {
    log('stopping the stack');
    await stack.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  log(`run ${runId}: period ${period}, sizes [${sizes.join(', ')}], statewide ${statewide ? 'yes' : 'no'}, RENAPO ${renapoMode} (${settings.renapoRate}/s); machine load ${results.machine.loadavg.join(' ')}`);
  try {
    await stack.start();
    log(`stack up: database ${stack.dbName}, API ${stack.apiUrl}, Temporal 127.0.0.1:${stack.ports.temporal}`);
    const token = await login(stack);
    let nextIndex = 0;
    let nextClave = 10_000;
    const deadlineFor = () => Date.now() + settings.timeoutMinutes * 60_000;

    if (sizes.length > 0) attempted.add('singles');
    if (statewide) attempted.add('statewide');
    for (const size of sizes) {
      log(`single institution, ${size.toLocaleString('en-US')} rows: seeding`);
      const plan = planInstitutions({ seed, count: 1, totalPeople: size, largest: size, firstIndex: nextIndex, firstClave: nextClave });
      nextIndex += size;
      nextClave += 1;
      const [inst] = await seedScenario({ sql: stack.database.sql, renapoUrl: stack.renapoUrl, institutions: plan, period, seed, dir: filesDir, renapo: renapoMode, log });
      await stack.restartApps(); // fresh worker and API: their peak memory belongs to this size alone
      const sampler = new MemorySampler(() => new Map([['worker', stack.worker.pid], ['api', stack.api.pid]])).start();
      const cpu0 = await stack.cpu();
      const renapo0 = await renapoCallsSoFar(stack);
      const loadStart = machine().loadavg;
      log(`single institution ${inst!.clave}, ${size} rows (${(inst!.bytes / 1048576).toFixed(1)} MB): running`);
      const [timing] = await driveSubmissions({
        sql: stack.database.sql, apiUrl: stack.apiUrl, bankUrl: stack.bankUrl, token, period, institutions: [inst!],
        uploadConcurrency: 1, actionConcurrency: 2, pollMs: 100, deadline: deadlineFor(), log,
      });
      const cpu1 = await stack.cpu();
      const peaks = sampler.stop();
      const renapoCalls = (await renapoCallsSoFar(stack)) - renapo0;
      const workerMem = memoryOf(stack.worker.pid!);
      const apiMem = memoryOf(stack.api.pid!);
      const wProbe = probeWindow(path.join(stack.probeDir, `${stack.worker.name}.jsonl`), timing!.uploadStart, timing!.done!);
      const aProbe = probeWindow(path.join(stack.probeDir, `${stack.api.name}.jsonl`), timing!.uploadStart, timing!.done!);
      const loadEnd = machine().loadavg;
      log(`  pipeline done in ${(((timing!.events.dispersed ?? 0) - timing!.uploadStart) / 1000).toFixed(1)} s; measuring the floor`);
      const floor = await measureFloor(stack.database.sql, inst!.file);
      const bound = await measureContractBound(stack.database.sql, inst!.file, {
        period, institutionClave: inst!.clave, rates: await loadRatesForPeriod(stack.database.db, period),
      });
      const stages = stagesOf(timing!);
      results.singles.push({
        rows: size, bytes: inst!.bytes, floor, bound, timing: timing!, stages, cpu: BenchStack.cpuDelta(cpu0, cpu1),
        memory: {
          workerPeakRssMb: mb(peaks.get('worker') ?? 0), workerHwmMb: mb(workerMem?.hwmKb ?? 0), workerLiveHeapMb: wProbe.live, workerProbeRssMb: wProbe.rss,
          apiPeakRssMb: mb(peaks.get('api') ?? 0), apiHwmMb: mb(apiMem?.hwmKb ?? 0), apiLiveHeapMb: aProbe.live,
        },
        loadavg: [...loadStart, ...loadEnd],
        renapoCalls,
      });
      log(`  contract bound: row work ${bound.rowWorkCpuSeconds.toFixed(2)} CPU-s, ${bound.credits} SCI credits ${bound.creditsSeconds.toFixed(2)} s`);
      log(`  floor ${floor.seconds.toFixed(2)} s; end to end ${stages.endToEnd?.toFixed(1)} s = ${((stages.endToEnd ?? 0) / floor.seconds).toFixed(1)}× floor; stages ${JSON.stringify(stages)}`);
      writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
      rmSync(inst!.file, { force: true });
    }

    let latencyPaths: { status: string[]; findings: string[] } = { status: [], findings: [] };
    if (statewide) {
      log(`statewide quincena: ${settings.institutions} institutions, ${settings.statewidePeople.toLocaleString('en-US')} people: seeding`);
      const plan = planInstitutions({ seed: seed + 1, count: settings.institutions, totalPeople: settings.statewidePeople, largest: Math.min(settings.largest, settings.statewidePeople), firstIndex: nextIndex, firstClave: 20_000 });
      const seeded = await seedScenario({ sql: stack.database.sql, renapoUrl: stack.renapoUrl, institutions: plan, period, seed, dir: filesDir, renapo: renapoMode, log });
      await stack.restartApps();
      const sampler = new MemorySampler(() => new Map([['worker', stack.worker.pid], ['api', stack.api.pid]])).start();
      const cpu0 = await stack.cpu();
      const renapo0 = await renapoCallsSoFar(stack);
      const pg0 = await pgStats(stack);
      const loadavgStart = machine().loadavg;
      // Biggest first, as a real quincena's deadline pressure would not order them: interleave.
      const order = [...seeded].sort((a, b) => (Number(a.clave) * 7919) % 1000 - (Number(b.clave) * 7919) % 1000);
      let during: Promise<LoadResult> | null = null;
      const started = Date.now();
      let uploadsEnded = 0;
      const timings = await driveSubmissions({
        sql: stack.database.sql, apiUrl: stack.apiUrl, bankUrl: stack.bankUrl, token, period, institutions: order,
        uploadConcurrency: settings.uploadConcurrency, actionConcurrency: 16, pollMs: 500, deadline: deadlineFor(), log,
        onUploaded: () => (uploadsEnded = Date.now()),
        onProgress: (uploaded) => {
          if (during || uploaded.length < order.length / 4) return;
          log(`  latency of the status endpoint while the state is being processed (${uploaded.length} uploaded)`);
          during = runLoad({
            baseUrl: stack.apiUrl, token, paths: uploaded.map((c) => `/v1/institutions/${c}/periods/${period}`),
            requests: settings.loadRequests, concurrency: settings.loadConcurrency, deadlineSeconds: 300,
          });
        },
      });
      const wall = (Math.max(...timings.map((t) => t.events.dispersed ?? 0)) - Math.min(...timings.map((t) => t.uploadStart))) / 1000;
      const cpu1 = await stack.cpu();
      const peaks = sampler.stop();
      const latencyDuring = during ? await (during as Promise<LoadResult>) : null;
      const pg1 = await pgStats(stack);
      const temporal = await temporalLoad(stack);
      const wProbe = probeWindow(path.join(stack.probeDir, `${stack.worker.name}.jsonl`), started, Date.now());
      const e2e = timings.map((t) => ({ t, s: stagesOf(t) })).sort((a, b) => (a.s.endToEnd ?? 0) - (b.s.endToEnd ?? 0));
      const pct = (p: number) => e2e[Math.min(e2e.length - 1, Math.ceil((p / 100) * e2e.length) - 1)]!.s.endToEnd ?? 0;
      const slowest = e2e.at(-1)!;
      const largest = e2e.reduce((a, b) => (b.t.rows > a.t.rows ? b : a));
      const totalRows = timings.reduce((a, t) => a + t.rows, 0);
      const waits = await queueWaits(
        stack.temporal,
        timings.map((t) => payrollWorkflowId(t.clave, period)),
        [payrollWorkflowId(largest.t.clave, period), payrollWorkflowId(slowest.t.clave, period)],
      );
      results.statewide = {
        institutions: timings.length, people: totalRows, largest: largest.t.rows, wallSeconds: Math.round(wall * 10) / 10,
        uploadSeconds: Math.round(((uploadsEnded || Date.now()) - started) / 100) / 10,
        workflowsPerSecond: Math.round((timings.length / wall) * 100) / 100,
        rowsPerSecond: Math.round(totalRows / wall),
        e2e: { p50: pct(50), p95: pct(95), max: pct(100) },
        slowest: { clave: slowest.t.clave, rows: slowest.t.rows, seconds: slowest.s.endToEnd ?? 0, stages: slowest.s },
        largestInstitution: { clave: largest.t.clave, rows: largest.t.rows, seconds: largest.s.endToEnd ?? 0, stages: largest.s },
        postgres: diffStats(pg0, pg1),
        temporal,
        cpu: BenchStack.cpuDelta(cpu0, cpu1),
        memory: { workerPeakRssMb: mb(peaks.get('worker') ?? 0), workerLiveHeapMb: wProbe.live, apiPeakRssMb: mb(peaks.get('api') ?? 0) },
        loadavgStart,
        loadavgEnd: machine().loadavg,
        latencyDuring,
        renapoCalls: (await renapoCallsSoFar(stack)) - renapo0,
        queueWaits: waits,
      };
      log(`  statewide done: ${wall.toFixed(0)} s wall, slowest ${slowest.t.clave} (${slowest.t.rows} rows) ${slowest.s.endToEnd?.toFixed(0)} s`);
      writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
      const sample = seeded.filter((_, i) => i % Math.max(1, Math.floor(seeded.length / 200)) === 0);
      latencyPaths = {
        status: sample.map((i) => `/v1/institutions/${i.clave}/periods/${period}`),
        findings: sample.map((i) => `/v1/institutions/${i.clave}/periods/${period}/findings`),
      };
      for (const s of seeded) rmSync(s.file, { force: true });
    } else if (results.singles.length > 0) {
      const claves = results.singles.map((s) => s.timing.clave);
      latencyPaths = {
        status: claves.map((c) => `/v1/institutions/${c}/periods/${period}`),
        findings: claves.map((c) => `/v1/institutions/${c}/periods/${period}/findings`),
      };
    }

    if (latencyPaths.status.length > 0) {
      attempted.add('latency');
      log(`API latency: ${settings.loadRequests} requests per endpoint, concurrency ${settings.loadConcurrency}, from a separate process`);
      const spec = { baseUrl: stack.apiUrl, token, requests: settings.loadRequests, concurrency: settings.loadConcurrency, deadlineSeconds: 300 };
      const status = await runLoad({ ...spec, paths: latencyPaths.status });
      const findings = await runLoad({ ...spec, paths: latencyPaths.findings });
      results.latency = { status, findings, concurrency: settings.loadConcurrency, after: statewide ? 'after the statewide quincena (a sample of its institutions)' : 'after the single-institution runs' };
      log(`  status p50/p95/p99 ${status.p50}/${status.p95}/${status.p99} ms; findings ${findings.p50}/${findings.p95}/${findings.p99} ms`);
    }

    if (settings.shmApplicants > 0) {
      attempted.add('shm');
      const { result, load } = await runShmScenario(stack, {
        applicants: settings.shmApplicants,
        reviewers: settings.shmReviewers,
        concurrency: settings.shmConcurrency,
        documentKb: settings.shmDocumentKb,
        backlog: Math.max(5, Math.ceil(settings.shmApplicants * settings.shmBacklog)),
        seed,
        deadline: Date.now() + settings.shmTimeoutMinutes * 60_000,
        log,
      });
      results.shm = result;
      writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
      log(
        `  SHM: ${result.applicants} scored in ${result.wallSeconds} s (${result.registrationsPerSecond}/s), submit → scored p50/p95/max ${result.submitToScored.p50}/${result.submitToScored.p95}/${result.submitToScored.max} s; ${result.uploads.documents} documents (${result.uploads.perSecond}/s), ${result.review.decisions} decisions (${result.review.perSecond}/s)`,
      );
      log(`  SHM latency: ${settings.shmLoadRequests} requests per endpoint, concurrency ${settings.loadConcurrency}, ${load.openTasks} open tasks in the queues`);
      const spec = { baseUrl: stack.apiUrl, requests: settings.shmLoadRequests, concurrency: settings.loadConcurrency, deadlineSeconds: 300 };
      const talent = await runLoad({ ...spec, token: load.recruiterToken, paths: load.talentPaths });
      const queue = await runLoad({ ...spec, token: load.reviewerToken, paths: load.queuePaths });
      for (const [name, l] of [['talent search', talent], ['review queue', queue]] as const) {
        if (l.errors > 0) throw new Error(`SHM latency: ${name} had ${l.errors} errors (${JSON.stringify(l.statuses)})`);
      }
      result.latency = { concurrency: settings.loadConcurrency, backlogRegistrations: load.backlogRegistrations, openTasks: load.openTasks, talent, queue, talentPaths: load.talentPaths, queuePaths: load.queuePaths };
      log(`  talent search p50/p95/p99 ${talent.p50}/${talent.p95}/${talent.p99} ms; review queue ${queue.p50}/${queue.p95}/${queue.p99} ms`);
    }
  } finally {
    if (kept) keepSections(results, kept, settings.keepFrom, attempted);
    results.finishedAt = new Date().toISOString();
    writeFileSync(path.join(workDir, 'results.json'), JSON.stringify(results, null, 2));
    await stopAll();
    rmSync(filesDir, { recursive: true, force: true });
  }
  writeFileSync(out, renderReport(results, readNotes()));
  log(`wrote ${out} (raw results: ${path.join(workDir, 'results.json')})`);
}

/** Copies from an earlier run's results the sections this invocation did not attempt, with where they come from. */
function keepSections(results: BenchResults, kept: BenchResults, file: string, attempted: Set<SectionKey>): void {
  const ref: RunRef = { startedAt: kept.startedAt, finishedAt: kept.finishedAt, command: kept.command, file };
  const sources: Partial<Record<SectionKey, RunRef>> = {};
  for (const key of SECTIONS) {
    if (attempted.has(key)) continue;
    const present = key === 'singles' ? kept.singles.length > 0 : (kept[key] ?? null) !== null;
    if (!present) continue;
    if (key === 'singles') results.singles = kept.singles;
    else if (key === 'statewide') results.statewide = kept.statewide;
    else if (key === 'latency') results.latency = kept.latency;
    else results.shm = kept.shm ?? null;
    // A section the earlier run itself kept still names the run that measured it.
    sources[key] = kept.sources?.[key] ?? ref;
    log(`kept ${key} from ${sources[key]!.file} (run of ${sources[key]!.startedAt})`);
  }
  if (Object.keys(sources).length > 0) results.sources = sources;
}

function readNotes(): string {
  const file = path.resolve('bench/notes.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

async function pgStats(stack: BenchStack): Promise<Record<string, number>> {
  const [r] = (await stack.database.sql`
    select xact_commit::float8, xact_rollback::float8, tup_inserted::float8, tup_updated::float8, tup_deleted::float8, tup_fetched::float8, tup_returned::float8,
           blks_read::float8, blks_hit::float8, temp_bytes::float8, pg_database_size(current_database())::float8 as size_bytes
      from pg_stat_database where datname = current_database()`) as unknown as Record<string, number>[];
  return r!;
}

function diffStats(a: Record<string, number>, b: Record<string, number>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const k of Object.keys(b)) out[k] = k === 'size_bytes' ? b[k]! : b[k]! - (a[k] ?? 0);
  out.size_growth_mb = Math.round((b.size_bytes! - a.size_bytes!) / 1048576);
  out.size_mb = Math.round(b.size_bytes! / 1048576);
  return out;
}

async function temporalLoad(stack: BenchStack): Promise<{ workflows: number; historyEvents: number; maxHistory: number }> {
  let workflows = 0;
  let historyEvents = 0;
  let maxHistory = 0;
  for await (const wf of stack.temporal.workflow.list({ query: 'WorkflowType = "payrollSubmissionWorkflow"' })) {
    workflows++;
    historyEvents += wf.historyLength;
    maxHistory = Math.max(maxHistory, wf.historyLength);
    if (workflows > 100_000) break;
  }
  return { workflows, historyEvents, maxHistory };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
