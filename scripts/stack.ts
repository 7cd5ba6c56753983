/**
 * Starts the whole system locally: Temporal dev server (pinned CLI, persisted, Web UI 8233),
 * PostgreSQL (DATABASE_URL, else the local server, else embedded PGlite), the three simulators,
 * the worker and the API. With --demo it then runs the demo against the API. It keeps running
 * until Ctrl-C (or exits after the demo with --exit / DEMO_EXIT=1).
 */
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chooseDatabase } from '../db/resolve';
import { openDatabase } from '../db/open';
import { runDemo } from './demo';
import { loadOrCreateDevSecrets } from './lib/dev-secrets';
import { startTsProcess, startWorkerProcess, waitForHttp, waitForPort, type ManagedProcess } from './lib/processes';
import { startTemporalDevServer } from './lib/temporal-dev-server';

const args = new Set(process.argv.slice(2));
const withDemo = args.has('--demo');
const exitAfterDemo = args.has('--exit') || process.env.DEMO_EXIT === '1';
const varDir = path.resolve(process.env.VAR_DIR ?? 'var');
const logDir = path.join(varDir, 'logs');
const processes: ManagedProcess[] = [];
let shuttingDown = false;

const ports = {
  api: Number(process.env.API_PORT ?? 3000),
  renapo: Number(process.env.RENAPO_SIM_PORT ?? 4010),
  bank: Number(process.env.BANK_SIM_PORT ?? 4020),
  stamping: Number(process.env.STAMPING_SIM_PORT ?? 4030),
  temporal: 7233,
  temporalUi: 8233,
};

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function shutdown(code = 0): Promise<never> {
  shuttingDown = true;
  for (const p of [...processes].reverse()) await p.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const secrets = loadOrCreateDevSecrets(varDir);
  for (const [name, port] of Object.entries({ api: ports.api, renapo: ports.renapo, bank: ports.bank, stamping: ports.stamping })) {
    if (await isListening(port)) throw new Error(`port ${port} (${name}) is already in use: is another stack running? Stop it first.`);
  }

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    temporalAddress = `127.0.0.1:${ports.temporal}`;
    if (await isListening(ports.temporal)) {
      console.log(`Temporal: reusing the server already listening on ${temporalAddress}`);
    } else {
      console.log('Temporal: starting the dev server (SQLite in var/temporal, Web UI on 8233)...');
      mkdirSync(path.join(varDir, 'temporal'), { recursive: true });
      processes.push(
        await startTemporalDevServer({ port: ports.temporal, uiPort: ports.temporalUi, dbFile: path.join(varDir, 'temporal', 'dev.sqlite'), logDir }),
      );
    }
  } else {
    console.log(`Temporal: using TEMPORAL_ADDRESS=${temporalAddress}`);
  }

  const chosen = await chooseDatabase(process.env.DATABASE_URL);
  if (chosen.kind === 'embedded') {
    console.log('PostgreSQL: no server reachable and no DATABASE_URL; starting embedded PGlite (data in var/pglite)');
    processes.push(startTsProcess('pglite', 'db/embedded-server.ts', { logDir, env: { PGLITE_DATA_DIR: path.join(varDir, 'pglite') } }));
    await waitForPort(5433);
    process.env.DATABASE_KIND = 'embedded';
  }
  console.log(`PostgreSQL: using the ${chosen.kind} database (${new URL(chosen.url).host}${new URL(chosen.url).pathname})`);
  const migrated = await openDatabase({ url: chosen.url, migrate: true });
  await migrated.database.close();

  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: chosen.url,
    DATABASE_KIND: chosen.kind === 'embedded' ? 'embedded' : '',
    TEMPORAL_ADDRESS: temporalAddress,
    JWT_SECRET: secrets.JWT_SECRET,
    BANK_WEBHOOK_SECRET: secrets.BANK_WEBHOOK_SECRET,
    STORAGE_ENCRYPTION_KEY: secrets.STORAGE_ENCRYPTION_KEY,
    API_PORT: String(ports.api),
    RENAPO_SIM_PORT: String(ports.renapo),
    BANK_SIM_PORT: String(ports.bank),
    STAMPING_SIM_PORT: String(ports.stamping),
    RENAPO_URL: `http://127.0.0.1:${ports.renapo}`,
    BANK_SIM_URL: `http://127.0.0.1:${ports.bank}`,
    STAMPING_URL: `http://127.0.0.1:${ports.stamping}`,
    BANK_WEBHOOK_URL: `http://127.0.0.1:${ports.api}/v1/bank/notifications`,
    SIM_DATA_DIR: path.join(varDir, 'simulators'),
    STORAGE_DIR: path.join(varDir, 'storage'),
  };
  processes.push(startTsProcess('renapo-sim', 'simulators/renapo/main.ts', { logDir, env }));
  processes.push(startTsProcess('bank-sim', 'simulators/bank/main.ts', { logDir, env }));
  processes.push(startTsProcess('stamping-sim', 'simulators/stamping/main.ts', { logDir, env }));
  processes.push(startWorkerProcess('worker', { logDir, env }));
  processes.push(startTsProcess('api', 'api/server.ts', { logDir, env }));
  await Promise.all([
    waitForHttp(`${env.RENAPO_URL}/health`),
    waitForHttp(`${env.BANK_SIM_URL}/health`),
    waitForHttp(`${env.STAMPING_URL}/health`),
    waitForHttp(`http://127.0.0.1:${ports.api}/health`, 120_000),
  ]);
  for (const p of processes) {
    p.child.once('exit', (code, signal) => {
      if (!shuttingDown) console.error(`process ${p.name} exited (${code ?? signal}); see ${p.logFile}`);
    });
  }
  console.log(`All processes up; logs in ${logDir}`);

  if (withDemo) {
    await runDemo({ apiUrl: `http://127.0.0.1:${ports.api}`, renapoUrl: env.RENAPO_URL!, bankSimUrl: env.BANK_SIM_URL!, databaseUrl: chosen.url, varDir });
  }

  console.log(`
  API              http://127.0.0.1:${ports.api}        (health: /health)
  API docs         http://127.0.0.1:${ports.api}/docs
  Temporal UI      http://127.0.0.1:${ports.temporalUi}  (filter e.g. BusinessDomain="prisma")
  Simulators       RENAPO ${env.RENAPO_URL}  bank ${env.BANK_SIM_URL}  CFDI ${env.STAMPING_URL}
  Logs             ${logDir}
`);
  if (exitAfterDemo) await shutdown(0);
  console.log('Press Ctrl-C to stop everything.');
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
}
