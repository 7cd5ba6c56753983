/**
 * The API as `api/server.ts` builds it — production logger options (`apiLoggerOptions`) — but
 * writing its pino lines to memory, on the parts of a running test world (same database,
 * Temporal, storage directory and secrets). Security tests scan what it logged.
 */
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { buildApp } from '../../api/app';
import { createTokenService } from '../../identity/tokens';
import { apiLoggerOptions } from '../../platform/logging';
import { createLocalStorage, parseEncryptionKey, type FileStorage } from '../../platform/storage';
import { TEST_JWT_SECRET, TEST_STORAGE_KEY, type TestWorld } from './world';

export interface CapturedLogs {
  /** Every line written so far (one JSON object each). */
  lines(): string[];
  records(): Array<Record<string, unknown>>;
  text(): string;
}

/** The world's file storage (same directory and key as its API and worker). */
export function worldStorage(world: TestWorld): FileStorage {
  return createLocalStorage({ rootDir: world.config.STORAGE_DIR, encryptionKey: parseEncryptionKey(TEST_STORAGE_KEY) });
}

export async function startLoggedApp(world: TestWorld, level = 'trace'): Promise<{ app: FastifyInstance; logs: CapturedLogs }> {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const app = await buildApp({
    config: world.config,
    database: world.database,
    databaseKind: 'configured',
    temporal: world.temporal,
    tokens: createTokenService(TEST_JWT_SECRET, world.config.ACCESS_TOKEN_TTL_SECONDS),
    storage: worldStorage(world),
    logger: { ...(apiLoggerOptions(level) as object), stream },
  });
  await app.ready();
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '');
  return {
    app,
    logs: {
      lines,
      records: () => lines().map((l) => JSON.parse(l) as Record<string, unknown>),
      text: () => chunks.join(''),
    },
  };
}
