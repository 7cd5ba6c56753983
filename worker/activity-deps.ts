import type { ActivityDeps } from '../activities';
import type { Database } from '../db/client';
import { createRenapoClient } from '../integrations/renapo';
import { createStampingClient } from '../integrations/stamping';
import { requireSecret, type AppConfig } from '../platform/config';
import { createLocalStorage, parseEncryptionKey } from '../platform/storage';

/** The real dependencies of every activity, from configuration. Tests call the same factory. */
export function createActivityDeps(config: AppConfig, database: Database): ActivityDeps {
  return {
    config,
    db: database.db,
    sql: database.sql,
    renapo: createRenapoClient({ baseUrl: config.RENAPO_URL, timeoutMs: 5000 }),
    stamping: createStampingClient({ baseUrl: config.STAMPING_URL, timeoutMs: 10_000 }),
    storage: createLocalStorage({ rootDir: config.STORAGE_DIR, encryptionKey: parseEncryptionKey(requireSecret(config, 'STORAGE_ENCRYPTION_KEY')) }),
  };
}
