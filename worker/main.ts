// Worker process: `npm run worker`. Polls TEMPORAL_TASK_QUEUE with every workflow and activity.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { chooseDatabase } from '../db/resolve';
import { openDatabase } from '../db/open';
import { loadConfig } from '../platform/config';
import { createActivityDeps } from './activity-deps';
import { workflowsPath } from './workflows-path';

const config = loadConfig();
const chosen = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : await chooseDatabase(undefined);
const { database } = await openDatabase({ url: chosen.url, poolMax: config.DATABASE_POOL_MAX });
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflowsPath,
  activities: createActivities(createActivityDeps(config, database)),
});
console.log(`worker polling task queue "${config.TEMPORAL_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS}`);
await worker.run();
await connection.close();
await database.close();
