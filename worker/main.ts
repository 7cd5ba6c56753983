// Worker process: `npm run worker`. Polls TEMPORAL_TASK_QUEUE with every workflow and activity,
// and its bulk queue with the heavy activities of large payroll files (worker/workers.ts).
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { chooseDatabase } from '../db/resolve';
import { openDatabase } from '../db/open';
import { loadConfig } from '../platform/config';
import { createActivityDeps } from './activity-deps';
import { workflowsPath } from './workflows-path';
import { createWorkers } from './workers';

const config = loadConfig();
const chosen = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : await chooseDatabase(undefined);
const { database } = await openDatabase({ url: chosen.url, poolMax: config.DATABASE_POOL_MAX });
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const workers = await createWorkers({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflows: { workflowsPath },
  activities: createActivities(createActivityDeps(config, database)),
  bulkSlots: config.WORKER_BULK_ACTIVITY_SLOTS,
});
console.log(`worker polling task queues "${config.TEMPORAL_TASK_QUEUE}" and its bulk queue (${config.WORKER_BULK_ACTIVITY_SLOTS} slots) on ${config.TEMPORAL_ADDRESS}`);
// Either poller stopping (a signal, a fatal error) stops the other; both drain before the
// connections close, and a fatal error still ends the process with it.
const runs = workers.map((w) => w.run());
try {
  await Promise.race(runs);
} finally {
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await Promise.allSettled(runs);
}
await connection.close();
await database.close();
