import { inject } from 'vitest';
import { createBankSimulatorClient } from '../../integrations/simulator-control';
import { freePort, startTsProcess, waitForHttp, type ManagedProcess } from '../../scripts/lib/processes';
import type { TestWorld } from './world';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The bank simulator delivers its signed webhooks to one URL: a test file that needs them gets
 * its own simulator process pointing at its own API, which listens on a free port.
 */
export async function startBankFor(world: TestWorld): Promise<{ bank: ReturnType<typeof createBankSimulatorClient>; url: string; process: ManagedProcess; stop(): Promise<void> }> {
  await world.app.listen({ host: '127.0.0.1', port: 0 });
  const address = world.app.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : 0;
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bank-sim-'));
  const proc = startTsProcess(`bank-sim-${port}`, 'simulators/bank/main.ts', {
    logDir: dir,
    env: {
      BANK_SIM_PORT: String(port),
      SIM_DATA_DIR: path.join(dir, 'data'),
      SIM_SEED: '7',
      BANK_WEBHOOK_URL: `http://127.0.0.1:${apiPort}/v1/bank/notifications`,
      BANK_WEBHOOK_SECRET: inject('bankWebhookSecret'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  return { bank: createBankSimulatorClient({ baseUrl: url }), url, process: proc, stop: () => proc.stop() };
}
