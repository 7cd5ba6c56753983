/**
 * Per-test-file world on the real parts from global-setup: a fresh database cloned from the
 * template, a real worker on its own task queue, and the API built with buildApp. Tests drive
 * it through HTTP (`app.inject`) exactly as institutions' systems do.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createDatabase, type Database } from '../../db/client';
import { createTokenService } from '../../identity/tokens';
import { loadConfig, type AppConfig } from '../../platform/config';
import { createActivityDeps } from '../../worker/activity-deps';
import { createWorkers } from '../../worker/workers';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestWorld {
  app: Awaited<ReturnType<typeof buildApp>>;
  database: Database;
  temporal: Client;
  config: AppConfig;
  taskQueue: string;
  stop(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const TEST_STORAGE_KEY = Buffer.alloc(32, 7).toString('base64');

// The native runtime is per process: install it once, quiet (warnings and errors only).
let runtimeInstalled = false;
function installQuietRuntime() {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `edomex_it_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject('templateDatabase')}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function startTestWorld(overrides: Partial<Record<keyof AppConfig, string>> = {}): Promise<TestWorld> {
  const testDb = await createTestDatabase();
  const database = createDatabase(testDb.url, { max: 5 });
  const taskQueue = `it-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    RENAPO_URL: inject('renapoUrl'),
    BANK_SIM_URL: inject('bankSimUrl'),
    STAMPING_URL: inject('stampingUrl'),
    BANK_WEBHOOK_SECRET: inject('bankWebhookSecret'),
    JWT_SECRET: TEST_JWT_SECRET,
    STORAGE_ENCRYPTION_KEY: TEST_STORAGE_KEY,
    STORAGE_DIR: mkdtempSync(path.join(os.tmpdir(), 'edomex-storage-')),
    LOG_LEVEL: 'silent',
    ...overrides,
  });

  installQuietRuntime();
  const activityDeps = createActivityDeps(config, database);
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workers = await createWorkers({
    connection: workerConnection,
    taskQueue,
    workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
    activities: createActivities(activityDeps),
    bulkSlots: config.WORKER_BULK_ACTIVITY_SLOTS,
  });
  const workerRuns = workers.map((w) => w.run());

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection });
  const app = await buildApp({
    config,
    database,
    databaseKind: 'configured',
    temporal,
    tokens: createTokenService(TEST_JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS),
    storage: activityDeps.storage,
  });
  await app.ready();

  return {
    app,
    database,
    temporal,
    config,
    taskQueue,
    async stop() {
      await app.close();
      for (const w of workers) w.shutdown();
      await Promise.all(workerRuns);
      await workerConnection.close();
      await connection.close();
      await database.close();
      await testDb.drop();
      rmSync(config.STORAGE_DIR, { recursive: true, force: true });
    },
  };
}
