/**
 * A complete, private stack for fault injection: its own PostgreSQL cluster (initdb into a temp
 * dir with the Debian binaries, pg_ctl on a free port), its own Temporal dev server persisted to
 * a temp SQLite file, the three simulators, N workers and the API — each a separate process
 * group on 127.0.0.1 that can be SIGKILLed and started again. Nothing here touches the shared
 * PostgreSQL on 5432 or any process it did not start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startTsProcess, startWorkerProcess, waitForHttp, waitForPort, type ManagedProcess } from '../../scripts/lib/processes';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';

export interface StackOptions {
  workers: number;
  /** Extra environment for the worker and API processes. */
  env?: Record<string, string>;
  simSeed?: string;
  log?: (msg: string) => void;
}

export interface Ports {
  pg: number;
  temporal: number;
  api: number;
  renapo: number;
  bank: number;
  stamping: number;
}

type Role = 'api' | 'temporal' | `worker-${number}` | 'renapo-sim' | 'bank-sim' | 'stamping-sim';

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no initdb under /usr/lib/postgresql/*/bin');
  return path.join(root, versions[0]!, 'bin');
}

/** initdb refuses to run as root: run the cluster as the `postgres` system user then. */
function asPgUser(): { uid: number; gid: number; wrap: (cmd: string, args: string[]) => [string, string[]] } {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, wrap: (c, a) => [c, a] };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid, wrap: (c, a) => ['runuser', ['-u', 'postgres', '--', c, ...a]] };
}

export class FaultStack {
  readonly runDir: string;
  readonly logDir: string;
  readonly secrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    BANK_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
    STORAGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  ports!: Ports;
  readonly taskQueue = `faults-${randomBytes(3).toString('hex')}`;
  private readonly procs = new Map<Role, ManagedProcess>();
  private readonly pgDir: string;
  private readonly pgSock: string;
  private readonly pgBin = pgBinDir();
  private readonly pgUser = asPgUser();
  private pgRunning = false;
  private stopped = false;
  private readonly log: (msg: string) => void;

  constructor(private readonly options: StackOptions) {
    this.runDir = mkdtempSync(path.join(os.tmpdir(), 'edomex-faults-'));
    chmodSync(this.runDir, 0o755);
    this.logDir = path.join(this.runDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.pgDir = path.join(this.runDir, 'pgdata');
    this.pgSock = path.join(this.runDir, 'pgsock');
    this.log = options.log ?? ((m) => console.log(m));
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.ports.pg}/edomex_faults`;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }
  url(sim: 'renapo' | 'bank' | 'stamping'): string {
    return `http://127.0.0.1:${this.ports[sim]}`;
  }

  /** Environment shared by the worker and API processes. */
  env(): Record<string, string> {
    return {
      NODE_ENV: 'production',
      DATABASE_URL: this.databaseUrl,
      DATABASE_KIND: '',
      DATABASE_POOL_MAX: '8',
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      ...this.secrets,
      API_HOST: '127.0.0.1',
      API_PORT: String(this.ports.api),
      RENAPO_URL: this.url('renapo'),
      BANK_SIM_URL: this.url('bank'),
      STAMPING_URL: this.url('stamping'),
      STORAGE_DIR: path.join(this.runDir, 'storage'),
      ACCESS_TOKEN_TTL_SECONDS: '7200',
      LOG_LEVEL: 'warn',
      ...(this.options.env ?? {}),
    };
  }

  async start(): Promise<void> {
    this.ports = {
      pg: await freePort(),
      temporal: await freePort(),
      api: await freePort(),
      renapo: await freePort(),
      bank: await freePort(),
      stamping: await freePort(),
    };
    process.once('exit', () => this.killAllSync());
    const t0 = Date.now();
    await this.startPostgres();
    this.log(`  postgres ${this.pgBin} on 127.0.0.1:${this.ports.pg} (${Date.now() - t0} ms)`);
    await Promise.all([this.startTemporal(), this.startSimulators()]);
    this.log(`  temporal on ${this.temporalAddress}, simulators up (${Date.now() - t0} ms)`);
    // The API applies the migrations and the reference data at start-up; workers follow.
    await this.startApi();
    this.log(`  api on ${this.apiUrl} (${Date.now() - t0} ms)`);
    await Promise.all(Array.from({ length: this.options.workers }, (_, i) => this.startWorker(i)));
    this.log(`  ${this.options.workers} worker(s) on task queue ${this.taskQueue} (${Date.now() - t0} ms)`);
  }

  // ---------------------------------------------------------------- PostgreSQL

  private pg(args: string[], timeoutMs = 120_000): void {
    const [cmd, full] = this.pgUser.wrap(path.join(this.pgBin, 'pg_ctl'), args);
    const res = spawnSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    if (res.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed: ${res.stderr?.toString()}${res.stdout?.toString()}`);
  }

  private async startPostgres(): Promise<void> {
    mkdirSync(this.pgDir, { recursive: true });
    mkdirSync(this.pgSock, { recursive: true });
    chownSync(this.pgDir, this.pgUser.uid, this.pgUser.gid);
    chownSync(this.pgSock, this.pgUser.uid, this.pgUser.gid);
    const [cmd, args] = this.pgUser.wrap(path.join(this.pgBin, 'initdb'), ['-D', this.pgDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-instructions']);
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    if (res.status !== 0) throw new Error(`initdb failed: ${res.stderr?.toString()}`);
    const opts = [
      `-p ${this.ports.pg}`,
      `-k ${this.pgSock}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=150',
      '-c shared_buffers=64MB',
      '-c log_min_messages=warning',
    ].join(' ');
    this.pg(['-D', this.pgDir, '-l', path.join(this.pgSock, 'postgres.log'), '-w', '-t', '90', '-o', opts, 'start']);
    this.pgRunning = true;
    await waitForPort(this.ports.pg);
    const [c2, a2] = this.pgUser.wrap(path.join(this.pgBin, 'psql'), ['-h', this.pgSock, '-p', String(this.ports.pg), '-U', 'postgres', '-d', 'postgres', '-qc', 'create database edomex_faults']);
    const created = spawnSync(c2, a2, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    if (created.status !== 0) throw new Error(`create database failed: ${created.stderr?.toString()}`);
  }

  /** Crash-restarts PostgreSQL (`pg_ctl restart -m immediate`: no checkpoint, WAL recovery on start). */
  restartPostgresImmediate(): void {
    this.pg(['-D', this.pgDir, '-l', path.join(this.pgSock, 'postgres.log'), '-m', 'immediate', '-w', '-t', '120', 'restart']);
  }

  // ---------------------------------------------------------------- processes

  private async startTemporal(): Promise<void> {
    const proc = await startTemporalDevServer({
      port: this.ports.temporal,
      dbFile: path.join(this.runDir, 'temporal.sqlite'),
      logDir: this.logDir,
      name: 'temporal',
    });
    this.procs.set('temporal', proc);
  }

  private async startSimulators(): Promise<void> {
    const simEnv = {
      SIM_DATA_DIR: path.join(this.runDir, 'simulators'),
      SIM_SEED: this.options.simSeed ?? '1',
      BANK_WEBHOOK_SECRET: this.secrets.BANK_WEBHOOK_SECRET,
      BANK_WEBHOOK_URL: `${this.apiUrl}/v1/bank/notifications`,
      RENAPO_SIM_PORT: String(this.ports.renapo),
      BANK_SIM_PORT: String(this.ports.bank),
      STAMPING_SIM_PORT: String(this.ports.stamping),
    };
    for (const [role, entry] of [
      ['renapo-sim', 'simulators/renapo/main.ts'],
      ['bank-sim', 'simulators/bank/main.ts'],
      ['stamping-sim', 'simulators/stamping/main.ts'],
    ] as const) {
      this.procs.set(role, startTsProcess(role, entry, { logDir: this.logDir, env: simEnv }));
    }
    await Promise.all([waitForHttp(`${this.url('renapo')}/health`), waitForHttp(`${this.url('bank')}/health`), waitForHttp(`${this.url('stamping')}/health`)]);
  }

  async startApi(): Promise<void> {
    this.procs.set('api', startTsProcess('api', 'api/server.ts', { logDir: this.logDir, env: this.env() }));
    await waitForHttp(`${this.apiUrl}/health`, 180_000);
  }

  async startWorker(index: number): Promise<void> {
    const logFile = path.join(this.logDir, `worker-${index}.log`);
    const offset = existsSync(logFile) ? statSync(logFile).size : 0;
    const proc = startWorkerProcess(`worker-${index}`, { logDir: this.logDir, env: this.env() });
    this.procs.set(`worker-${index}`, proc);
    await this.waitForLog(proc, 'worker polling task queue', 180_000, offset);
  }

  async restartTemporal(): Promise<void> {
    await this.startTemporal();
  }

  private async waitForLog(proc: ManagedProcess, text: string, timeoutMs: number, offset: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${proc.name} exited; see ${proc.logFile}`);
      try {
        if (readFileSync(proc.logFile).subarray(offset).toString('utf8').includes(text)) return;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${proc.name} did not report "${text}" in ${timeoutMs} ms; see ${proc.logFile}`);
  }

  process(role: Role): ManagedProcess | undefined {
    return this.procs.get(role);
  }

  /** SIGKILLs the process group of `role` and waits until it is gone (bounded). */
  async kill(role: Role): Promise<void> {
    const proc = this.procs.get(role);
    if (!proc) return;
    proc.kill('SIGKILL');
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      await Promise.race([new Promise((r) => proc.child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
    }
    this.procs.delete(role);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const order: Role[] = ['api', ...[...this.procs.keys()].filter((k) => k.startsWith('worker-')), 'bank-sim', 'renapo-sim', 'stamping-sim', 'temporal'] as Role[];
    for (const role of order) await this.procs.get(role)?.stop();
    this.procs.clear();
    if (this.pgRunning) {
      try {
        this.pg(['-D', this.pgDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      } catch (err) {
        this.log(`  pg_ctl stop: ${(err as Error).message}`);
      }
      this.pgRunning = false;
    }
    if (!process.env.FAULT_KEEP_RUN_DIR) rmSync(this.runDir, { recursive: true, force: true });
    else this.log(`  run dir kept: ${this.runDir}`);
  }

  /** Last resort on an abnormal exit: SIGKILL what we started and crash-stop our cluster. */
  private killAllSync(): void {
    if (this.stopped) return;
    for (const proc of this.procs.values()) proc.kill('SIGKILL');
    if (this.pgRunning) {
      const [cmd, args] = this.pgUser.wrap(path.join(this.pgBin, 'pg_ctl'), ['-D', this.pgDir, '-m', 'immediate', 'stop']);
      spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    }
  }
}
