import { existsSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/search-attributes';
import { startProcess, waitForPort, type ManagedProcess } from './processes';

export const TEMPORAL_BIN = path.resolve('.tools/bin/temporal');

/**
 * Starts the pinned Temporal CLI dev server with the project's search attributes registered.
 * `dbFile` persists workflows across restarts (demo); tests run it in memory.
 */
export async function startTemporalDevServer(options: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  logDir: string;
  name?: string;
}): Promise<ManagedProcess> {
  if (!existsSync(TEMPORAL_BIN)) {
    throw new Error(`Temporal CLI not found at ${TEMPORAL_BIN}: run scripts/install-temporal.sh (make does it)`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push(...SEARCH_ATTRIBUTE_FLAGS);
  // Fast visibility for tests and dashboards; the dev server defaults are fine otherwise.
  const proc = startProcess(options.name ?? 'temporal', TEMPORAL_BIN, args, { logDir: options.logDir });
  await waitForPort(options.port, '127.0.0.1', 90_000);
  return proc;
}
