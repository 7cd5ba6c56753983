/**
 * Integration-test world, started once per run: a real Temporal dev server (the pinned CLI,
 * in memory) unless TEMPORAL_ADDRESS points at one, a template PostgreSQL database with the
 * migrations and reference data applied, the three simulators as separate processes, and the
 * workflow bundle. Nothing here is skipped: if a part cannot start, the run fails.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { seedReferenceData } from '../db/seed';
import { freePort, startTsProcess, waitForHttp, type ManagedProcess } from '../scripts/lib/processes';
import { startTemporalDevServer } from '../scripts/lib/temporal-dev-server';
import { workflowsPath } from '../worker/workflows-path';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresAdminUrl: string;
    templateDatabase: string;
    renapoUrl: string;
    bankSimUrl: string;
    stampingUrl: string;
    workflowBundlePath: string;
    bankWebhookSecret: string;
  }
}

const BANK_WEBHOOK_SECRET = 'test-bank-webhook-secret';

export default async function setup(project: TestProject) {
  const processes: ManagedProcess[] = [];
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'edomex-it-'));
  const logDir = path.join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const port = await freePort();
    processes.push(await startTemporalDevServer({ port, logDir, name: 'temporal-test' }));
    temporalAddress = `127.0.0.1:${port}`;
  }

  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const templateDatabase = `edomex_it_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${templateDatabase}`);
  await admin.unsafe(`create database ${templateDatabase}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${templateDatabase}`;
  const template = createDatabase(templateUrl.toString(), { max: 2 });
  await applyMigrations(template);
  await seedReferenceData(template.db);
  await template.close();

  const simEnv = { SIM_DATA_DIR: path.join(runDir, 'simulators'), SIM_SEED: '42', BANK_WEBHOOK_SECRET };
  const [renapoPort, bankPort, stampingPort] = [await freePort(), await freePort(), await freePort()];
  processes.push(startTsProcess('renapo-sim', 'simulators/renapo/main.ts', { logDir, env: { ...simEnv, RENAPO_SIM_PORT: String(renapoPort) } }));
  processes.push(startTsProcess('bank-sim', 'simulators/bank/main.ts', { logDir, env: { ...simEnv, BANK_SIM_PORT: String(bankPort) } }));
  processes.push(startTsProcess('stamping-sim', 'simulators/stamping/main.ts', { logDir, env: { ...simEnv, STAMPING_SIM_PORT: String(stampingPort) } }));
  const renapoUrl = `http://127.0.0.1:${renapoPort}`;
  const bankSimUrl = `http://127.0.0.1:${bankPort}`;
  const stampingUrl = `http://127.0.0.1:${stampingPort}`;
  await Promise.all([waitForHttp(`${renapoUrl}/health`), waitForHttp(`${bankSimUrl}/health`), waitForHttp(`${stampingUrl}/health`)]);

  const bundle = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, info() {}, warn() {}, error: console.error, debug() {}, trace() {} } as never });
  const workflowBundlePath = path.join(runDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', temporalAddress);
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('renapoUrl', renapoUrl);
  project.provide('bankSimUrl', bankSimUrl);
  project.provide('stampingUrl', stampingUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('bankWebhookSecret', BANK_WEBHOOK_SECRET);

  return async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await admin.unsafe(`drop database if exists ${templateDatabase} with (force)`).catch(() => {});
    await admin.end();
    if (!process.env.KEEP_TEST_LOGS) rmSync(runDir, { recursive: true, force: true });
  };
}
