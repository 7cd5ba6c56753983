/**
 * The benchmark's own real stack on free ports: a Temporal dev server (in memory), a fresh
 * PostgreSQL database `edomex_bench_<random>` on the local server (dropped at the end), the three
 * simulators, one worker and the API, each a separate process started like `scripts/stack.ts`
 * does. The worker and the API can be restarted between scenarios so each one's peak memory
 * (VmHWM) belongs to that scenario alone.
 */
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { createDatabase, type Database } from '../../db/client';
import { openDatabase } from '../../db/open';
import { freePort, startProcess, startTsProcess, waitForHttp, WORKER_NODE_ARGS, type ManagedProcess } from '../../scripts/lib/processes';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { cpuSecondsOf, programPid } from './proc';

export interface BenchStackOptions {
  workDir: string;
  adminUrl: string;
  /** RENAPO calls per second allowed to the worker (RENAPO_RATE_PER_SECOND). */
  renapoRate: number;
  /** Extra environment for the worker (e.g. NODE_OPTIONS=--cpu-prof). */
  workerEnv?: NodeJS.ProcessEnv;
  keepDatabase?: boolean;
}

export interface Program {
  name: string;
  entry: string;
  proc: ManagedProcess;
  /** The node process running the program (tsx's child). */
  pid: number | null;
}

export class BenchStack {
  readonly dbName = `edomex_bench_run_${randomBytes(4).toString('hex')}`;
  dbUrl = '';
  database!: Database;
  temporal!: Client;
  private temporalConnection!: Connection;
  private temporalProc!: ManagedProcess;
  private sims: ManagedProcess[] = [];
  worker!: Program;
  api!: Program;
  readonly ports = { temporal: 0, api: 0, renapo: 0, bank: 0, stamping: 0 };
  readonly secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    BANK_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    STORAGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  readonly logDir: string;
  readonly probeDir: string;
  private restarts = 0;

  constructor(readonly options: BenchStackOptions) {
    this.logDir = path.join(options.workDir, 'logs');
    this.probeDir = path.join(options.workDir, 'probe');
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(this.probeDir, { recursive: true });
  }

  get apiUrl() {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  get renapoUrl() {
    return `http://127.0.0.1:${this.ports.renapo}`;
  }
  get bankUrl() {
    return `http://127.0.0.1:${this.ports.bank}`;
  }

  async start(): Promise<void> {
    for (const k of Object.keys(this.ports) as (keyof typeof this.ports)[]) this.ports[k] = await freePort();
    const admin = postgres(this.options.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${this.dbName}`);
    } finally {
      await admin.end();
    }
    const url = new URL(this.options.adminUrl);
    url.pathname = `/${this.dbName}`;
    this.dbUrl = url.toString();
    const migrated = await openDatabase({ url: this.dbUrl, migrate: true });
    await migrated.database.close();
    this.database = createDatabase(this.dbUrl, { max: 4 });

    this.temporalProc = await startTemporalDevServer({ port: this.ports.temporal, logDir: this.logDir, name: 'temporal' });
    this.temporalConnection = await Connection.connect({ address: `127.0.0.1:${this.ports.temporal}` });
    this.temporal = new Client({ connection: this.temporalConnection });

    const simEnv = this.env();
    this.sims = [
      startTsProcess('renapo-sim', 'simulators/renapo/main.ts', { logDir: this.logDir, env: simEnv }),
      startTsProcess('bank-sim', 'simulators/bank/main.ts', { logDir: this.logDir, env: simEnv }),
      startTsProcess('stamping-sim', 'simulators/stamping/main.ts', { logDir: this.logDir, env: simEnv }),
    ];
    await Promise.all([waitForHttp(`${this.renapoUrl}/health`), waitForHttp(`${this.bankUrl}/health`), waitForHttp(`http://127.0.0.1:${this.ports.stamping}/health`)]);
    await this.startApps();
  }

  env(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'production',
      DATABASE_URL: this.dbUrl,
      DATABASE_KIND: '',
      TEMPORAL_ADDRESS: `127.0.0.1:${this.ports.temporal}`,
      TEMPORAL_TASK_QUEUE: 'backoffice',
      ...this.secrets,
      API_PORT: String(this.ports.api),
      RENAPO_SIM_PORT: String(this.ports.renapo),
      BANK_SIM_PORT: String(this.ports.bank),
      STAMPING_SIM_PORT: String(this.ports.stamping),
      RENAPO_URL: this.renapoUrl,
      BANK_SIM_URL: this.bankUrl,
      STAMPING_URL: `http://127.0.0.1:${this.ports.stamping}`,
      BANK_WEBHOOK_URL: `${this.apiUrl}/v1/bank/notifications`,
      SIM_DATA_DIR: path.join(this.options.workDir, 'simulators'),
      STORAGE_DIR: path.join(this.options.workDir, 'storage'),
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
      RENAPO_RATE_PER_SECOND: String(this.options.renapoRate),
      UPLOAD_MAX_BYTES: String(512 * 1024 * 1024),
    };
  }

  private program(name: string, entry: string, extra: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): ManagedProcess {
    const probe = path.resolve('bench/lib/heap-probe.mjs');
    const nodeOptions = [process.env.NODE_OPTIONS ?? '', extra.NODE_OPTIONS ?? '', '--expose-gc', `--import=${probe}`].filter(Boolean).join(' ');
    const env = { ...this.env(), ...extra, NODE_OPTIONS: nodeOptions, BENCH_PROBE_DIR: this.probeDir, BENCH_PROBE_NAME: name, BENCH_PROBE_ENTRY: entry };
    if (extra.CPU_PROF_DIR) {
      // --cpu-prof is refused in NODE_OPTIONS: node itself runs the entry with tsx's loader.
      mkdirSync(extra.CPU_PROF_DIR, { recursive: true });
      return startProcess(name, process.execPath, ['--cpu-prof', `--cpu-prof-dir=${extra.CPU_PROF_DIR}`, ...nodeArgs, '--import', 'tsx', entry], { logDir: this.logDir, env });
    }
    return startTsProcess(name, entry, { logDir: this.logDir, env, nodeArgs });
  }

  /** (Re)starts the worker and the API; returns when the API answers /health. */
  async startApps(): Promise<void> {
    const n = this.restarts++;
    const worker = this.program(`worker-${n}`, 'worker/main.ts', this.options.workerEnv, WORKER_NODE_ARGS);
    const api = this.program(`api-${n}`, 'api/server.ts');
    await waitForHttp(`${this.apiUrl}/health`, 180_000);
    // The worker logs once it polls.
    const deadline = Date.now() + 180_000;
    const { readFileSync } = await import('node:fs');
    while (!readFileSync(worker.logFile, 'utf8').includes('worker polling')) {
      if (Date.now() > deadline) throw new Error(`worker did not start; see ${worker.logFile}`);
      if (worker.child.exitCode !== null) throw new Error(`worker exited; see ${worker.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    this.worker = { name: worker.name, entry: 'worker/main.ts', proc: worker, pid: programPid(worker.child.pid!, 'worker/main.ts') };
    this.api = { name: api.name, entry: 'api/server.ts', proc: api, pid: programPid(api.child.pid!, 'api/server.ts') };
  }

  async stopApps(): Promise<void> {
    await Promise.all([this.worker?.proc.stop(), this.api?.proc.stop()]);
  }

  async restartApps(): Promise<void> {
    await this.stopApps();
    await this.startApps();
  }

  /** CPU seconds used so far by each process of the stack (PostgreSQL: this database's backends). */
  async cpu(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const add = (name: string, pid: number | null | undefined) => {
      if (!pid) return;
      const s = cpuSecondsOf(pid);
      if (s !== null) out[name] = (out[name] ?? 0) + s;
    };
    add('worker', this.worker?.pid);
    add('api', this.api?.pid);
    for (const p of this.sims) add(p.name, programPid(p.child.pid!, `${p.name.replace('-sim', '')}/main.ts`));
    add('temporal', this.temporalProc.child.pid);
    const backends = (await this.database.sql`select pid from pg_stat_activity where datname = ${this.dbName}`) as unknown as { pid: number }[];
    for (const b of backends) add(`postgres:${b.pid}`, b.pid);
    return out;
  }

  /** CPU seconds per process kind between two `cpu()` snapshots (a backend new since `before` counts whole). */
  static cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(after)) {
      const kind = key.split(':')[0]!;
      out[kind] = (out[kind] ?? 0) + Math.max(0, value - (before[key] ?? 0));
    }
    for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 10) / 10;
    return out;
  }

  async stop(): Promise<void> {
    await this.stopApps().catch(() => {});
    for (const p of this.sims) await p.stop().catch(() => {});
    await this.temporalConnection?.close().catch(() => {});
    await this.temporalProc?.stop().catch(() => {});
    await this.database?.close().catch(() => {});
    if (!this.options.keepDatabase && this.dbUrl) {
      const admin = postgres(this.options.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists ${this.dbName} with (force)`);
      } finally {
        await admin.end();
      }
    }
    rmSync(path.join(this.options.workDir, 'storage'), { recursive: true, force: true });
    rmSync(path.join(this.options.workDir, 'simulators'), { recursive: true, force: true });
  }
}
