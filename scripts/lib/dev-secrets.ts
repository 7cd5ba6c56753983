import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  BANK_WEBHOOK_SECRET: string;
  STORAGE_ENCRYPTION_KEY: string;
  demoPasswords: Record<string, string>;
}

/**
 * Secrets for a local run, generated once into var/dev-secrets.json (git-ignored). Values in the
 * environment win, so production-like runs pass their own.
 */
export function loadOrCreateDevSecrets(varDir: string): DevSecrets {
  const file = path.join(varDir, 'dev-secrets.json');
  let secrets: DevSecrets;
  if (existsSync(file)) {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    secrets = {
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BANK_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
      STORAGE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      demoPasswords: {},
    };
    mkdirSync(varDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return {
    ...secrets,
    JWT_SECRET: process.env.JWT_SECRET ?? secrets.JWT_SECRET,
    BANK_WEBHOOK_SECRET: process.env.BANK_WEBHOOK_SECRET ?? secrets.BANK_WEBHOOK_SECRET,
    STORAGE_ENCRYPTION_KEY: process.env.STORAGE_ENCRYPTION_KEY ?? secrets.STORAGE_ENCRYPTION_KEY,
  };
}

export function demoPassword(varDir: string, username: string): string {
  const file = path.join(varDir, 'dev-secrets.json');
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  secrets.demoPasswords ??= {};
  if (!secrets.demoPasswords[username]) {
    secrets.demoPasswords[username] = `demo-${randomBytes(6).toString('base64url')}`;
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets.demoPasswords[username]!;
}
