/**
 * Timing logs of the heavy activities without Temporal: one institution's file is seeded like in
 * `bench/run.ts`, then the same activity functions the worker runs are called in this process,
 * pass by pass, with the wall and CPU time of each (and of each set-based check). For finding
 * what to optimise; `bench/run.ts` gives the real figures.
 *
 *   npx tsx bench/profile-stages.ts --rows=100000 [--renapo=warm|cold] [--keep-db=1] [--stop-after=checks] [--cpu-prof via node]
 */
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { createActivities } from '../activities';
import { createDatabase } from '../db/client';
import { openDatabase } from '../db/open';
import { addDays } from '../domain/dates';
import { periodOfDate } from '../domain/periods';
import { loadConfig } from '../platform/config';
import { registerUpload } from '../payroll/intake';
import { runSetBasedChecks } from '../payroll/set-checks';
import { freePort, startTsProcess, waitForHttp } from '../scripts/lib/processes';
import { createActivityDeps } from '../worker/activity-deps';
import { measureFloor } from './lib/floor';
import { planInstitutions } from './lib/population';
import { seedScenario, type RenapoMode } from './lib/seed';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

async function main() {
  const rows = Number(arg('rows', '100000'));
  const renapoMode = arg('renapo', 'warm') as RenapoMode;
  const dir = path.resolve('var/bench', `profile-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `edomex_bench_prof_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const url = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const renapoPort = await freePort();
  const renapoSim = startTsProcess('renapo-sim', 'simulators/renapo/main.ts', { logDir: dir, env: { RENAPO_SIM_PORT: String(renapoPort), SIM_DATA_DIR: path.join(dir, 'sim') } });
  const t = (label: string, t0: number, c0: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(c0);
    console.log(`${label.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(2).padStart(8)} s wall  ${((c.user + c.system) / 1e6).toFixed(2).padStart(7)} s CPU (this process)`);
  };
  try {
    (await openDatabase({ url, migrate: true })).database.close();
    await waitForHttp(`http://127.0.0.1:${renapoPort}/health`);
    const database = createDatabase(url, { max: 10 });
    const config = loadConfig({ ...process.env, DATABASE_URL: url, RENAPO_URL: `http://127.0.0.1:${renapoPort}`, STORAGE_DIR: path.join(dir, 'storage'), STORAGE_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), LOG_LEVEL: 'silent' });
    const deps = createActivityDeps(config, database);
    const activities = createActivities(deps);
    const period = periodOfDate(addDays(new Date().toISOString().slice(0, 10), 20));
    const plan = planInstitutions({ seed: 202611, count: 1, totalPeople: rows, largest: rows, firstIndex: 0, firstClave: 10000 });
    const [inst] = await seedScenario({ sql: database.sql, renapoUrl: `http://127.0.0.1:${renapoPort}`, institutions: plan, period, seed: 202611, dir, renapo: renapoMode, log: console.log });
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    const floor = await measureFloor(database.sql, inst!.file);
    t('floor', t0, c0);
    const stored = await deps.storage.put('payroll', createReadStream(inst!.file));
    const upload = await registerUpload(database.db, { institutionClave: inst!.clave, period, stored, originalName: 'n.csv', uploadedBy: 'bench', kind: 'full' });
    t0 = performance.now();
    c0 = process.cpuUsage();
    await activities.stagePayrollFile({ fileId: upload.fileId });
    t('stagePayrollFile', t0, c0);
    t0 = performance.now();
    c0 = process.cpuUsage();
    let p0 = performance.now();
    await runSetBasedChecks(deps, {
      fileId: upload.fileId, institutionClave: inst!.clave, period, kind: 'full',
      onProgress: (d) => {
        if (d.pass === 'renapo' && d.done !== undefined) return;
        console.log(`  check ${d.pass.padEnd(20)} ${((performance.now() - p0) / 1000).toFixed(2).padStart(8)} s`);
        p0 = performance.now();
      },
    });
    console.log(`  final row-state update     ${((performance.now() - p0) / 1000).toFixed(2).padStart(8)} s`);
    t('set checks', t0, c0);
    // --stop-after=checks keeps the file staged and checked, not yet applied (for EXPLAIN of the later stages).
    for (const [name, fn] of arg('stop-after', '') === 'checks' ? [] : [
      ['checkPayrollFile (again)', () => activities.checkPayrollFile({ fileId: upload.fileId })],
      ['computeDeterminacion', () => activities.computeDeterminacion({ fileId: upload.fileId })],
      ['applyAcceptedMovements', () => activities.applyAcceptedMovements({ fileId: upload.fileId })],
    ] as const) {
      t0 = performance.now();
      c0 = process.cpuUsage();
      await fn();
      t(name, t0, c0);
    }
    console.log(`floor ${floor.seconds.toFixed(2)} s for ${floor.rows} rows`);
    await database.close();
  } finally {
    await renapoSim.stop();
    if (arg('keep-db', '0') !== '1') await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    else console.log(`kept database ${dbName}`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
