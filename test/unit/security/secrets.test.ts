/**
 * Secrets come only from the environment: no defaults, the API process refuses to start
 * without them (before opening the database or Temporal), and buildApp refuses a config
 * without the bank webhook secret.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app';
import { createDatabase } from '../../../db/client';
import { createTokenService } from '../../../identity/tokens';
import { loadConfig, requireSecret } from '../../../platform/config';
import { createLocalStorage } from '../../../platform/storage';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SECRETS = ['JWT_SECRET', 'BANK_WEBHOOK_SECRET', 'STORAGE_ENCRYPTION_KEY'] as const;

/** Runs api/server.ts with exactly `env` (plus PATH) and returns how it ended. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

// Nothing listens here: a process that tried to connect before checking its secrets would hang or fail differently.
const UNREACHABLE = { DATABASE_URL: 'postgres://nadie@127.0.0.1:9/ninguna', TEMPORAL_ADDRESS: '127.0.0.1:9' };
const GOOD = { JWT_SECRET: 'x'.repeat(48), STORAGE_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), BANK_WEBHOOK_SECRET: 'secreto-del-banco' };

describe('secrets only from the environment', () => {
  it('have no defaults in the configuration', () => {
    const config = loadConfig({});
    for (const name of SECRETS) {
      expect(config[name]).toBeUndefined();
      expect(() => requireSecret(config, name)).toThrow(`${name} must be set in the environment`);
    }
  });

  it('refuses a JWT secret shorter than 32 characters', () => {
    expect(() => loadConfig({ JWT_SECRET: 'corto' })).toThrow(/JWT_SECRET/);
  });

  // One process start (a few seconds of CPU); api/server.ts checks the three secrets in the same way, first.
  it('the API process refuses to start without JWT_SECRET, before connecting to anything', async () => {
    const { JWT_SECRET: _omitted, ...env } = { ...UNREACHABLE, ...GOOD };
    const outcome = await runServer(env);
    expect(outcome.code, outcome.stderr).not.toBe(0);
    expect(outcome.code).not.toBeNull();
    expect(outcome.stderr).toContain('JWT_SECRET must be set in the environment');
    expect(outcome.stderr).not.toMatch(/ECONNREFUSED|connect/i);
  }, 60_000);

  it('api/server.ts checks every secret before it opens the database or Temporal', async () => {
    const source = await readFile(path.join(ROOT, 'api', 'server.ts'), 'utf8');
    const firstConnection = Math.min(source.indexOf('openDatabase('), source.indexOf('connectTemporalClient('), source.indexOf('chooseDatabase('));
    for (const name of SECRETS) {
      const check = source.indexOf(`requireSecret(config, '${name}')`);
      expect(check, name).toBeGreaterThan(0);
      expect(check, `${name} is checked after connecting`).toBeLessThan(firstConnection);
    }
  });

  it('buildApp refuses a configuration without the bank webhook secret', async () => {
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: GOOD.JWT_SECRET });
    const database = createDatabase(UNREACHABLE.DATABASE_URL, { max: 1 });
    try {
      await expect(
        buildApp({
          config,
          database,
          databaseKind: 'configured',
          temporal: {} as never,
          tokens: createTokenService(GOOD.JWT_SECRET, 900),
          storage: createLocalStorage({ rootDir: path.join(ROOT, 'var', 'never-used'), encryptionKey: Buffer.alloc(32) }),
        }),
      ).rejects.toThrow('BANK_WEBHOOK_SECRET must be set in the environment');
    } finally {
      await database.close();
    }
  });
});
