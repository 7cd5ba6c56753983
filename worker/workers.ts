import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { bulkTaskQueue } from '../workflows/task-queues';

/**
 * The worker's two pollers: the main task queue (every workflow and activity) and the bulk queue
 * (the heavy activities of large payroll files, `workflows/task-queues.ts`) with `bulkSlots`
 * concurrent activities, so large files cannot take every slot from the small ones.
 */
export async function createWorkers(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  workflows: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;
  activities: object;
  bulkSlots: number;
}): Promise<Worker[]> {
  const common = { connection: options.connection, namespace: options.namespace, activities: options.activities };
  const main = await Worker.create({ ...common, ...options.workflows, taskQueue: options.taskQueue });
  const bulk = await Worker.create({ ...common, taskQueue: bulkTaskQueue(options.taskQueue), maxConcurrentActivityTaskExecutions: options.bulkSlots });
  return [main, bulk];
}
