// API process: `npm run api`. Listens on API_HOST:API_PORT (default 127.0.0.1:3000).
import { chooseDatabase } from '../db/resolve';
import { openDatabase } from '../db/open';
import { createTokenService } from '../identity/tokens';
import { loadConfig, requireSecret } from '../platform/config';
import { apiLoggerOptions } from '../platform/logging';
import { createLocalStorage, parseEncryptionKey } from '../platform/storage';
import { connectTemporalClient } from '../platform/temporal';
import { buildApp } from './app';

const config = loadConfig();
// Secrets first: without them the API refuses to start before touching the database or Temporal.
const tokens = createTokenService(requireSecret(config, 'JWT_SECRET'), config.ACCESS_TOKEN_TTL_SECONDS);
const storage = createLocalStorage({ rootDir: config.STORAGE_DIR, encryptionKey: parseEncryptionKey(requireSecret(config, 'STORAGE_ENCRYPTION_KEY')) });
requireSecret(config, 'BANK_WEBHOOK_SECRET');
const chosen = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : await chooseDatabase(undefined);
const { database, kind } = await openDatabase({ url: chosen.url, poolMax: config.DATABASE_POOL_MAX, migrate: true });
const temporal = await connectTemporalClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
const app = await buildApp({ config, database, databaseKind: kind, temporal, tokens, storage, logger: apiLoggerOptions(config.LOG_LEVEL) });
await app.listen({ host: config.API_HOST, port: config.API_PORT });
app.log.info(`database in use: ${kind}`);

const shutdown = async () => {
  await app.close();
  await temporal.connection.close();
  await database.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
