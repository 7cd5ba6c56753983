/**
 * Where a submission's time went, read from its Temporal history: for every activity, how long
 * it waited in its task queue (scheduled → started) and how long it ran (started → closed), and
 * how long the workflow's own tasks waited for a worker. The stage boundaries the bench takes
 * from PostgreSQL include both; this tells scheduling from work.
 */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';

export interface ActivityTiming {
  type: string;
  queue: string;
  scheduledMs: number;
  waitMs: number;
  runMs: number;
  attempts: number;
}

export interface WorkflowTiming {
  workflowId: string;
  activities: ActivityTiming[];
  /** Sum of WorkflowTaskScheduled → WorkflowTaskStarted over the history. */
  workflowTaskWaitMs: number;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

const eventId = (e: HistoryEvent) => Number(e.eventId);

export async function workflowTiming(client: Client, workflowId: string): Promise<WorkflowTiming> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Map<number, { type: string; queue: string; at: number }>();
  const started = new Map<number, { at: number; attempts: number }>();
  const workflowTaskScheduled = new Map<number, number>();
  const activities: ActivityTiming[] = [];
  let workflowTaskWaitMs = 0;
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      scheduled.set(eventId(e), { type: a.activityType?.name ?? '?', queue: a.taskQueue?.name ?? '?', at });
    } else if (e.activityTaskStartedEventAttributes) {
      started.set(eventId(e), { at, attempts: e.activityTaskStartedEventAttributes.attempt ?? 1 });
    } else {
      const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      if (closed) {
        const s = scheduled.get(Number(closed.scheduledEventId));
        const st = started.get(Number(closed.startedEventId));
        if (s && st) activities.push({ type: s.type, queue: s.queue, scheduledMs: s.at, waitMs: st.at - s.at, runMs: at - st.at, attempts: st.attempts });
      } else if (e.workflowTaskScheduledEventAttributes) {
        workflowTaskScheduled.set(eventId(e), at);
      } else if (e.workflowTaskStartedEventAttributes) {
        const s = workflowTaskScheduled.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId));
        if (s !== undefined) workflowTaskWaitMs += at - s;
      }
    }
  }
  return { workflowId, activities, workflowTaskWaitMs };
}

export interface QueueSummary {
  queue: string;
  activities: number;
  waitSeconds: { total: number; p50: number; p95: number; max: number };
  runSeconds: { total: number; p50: number; p95: number; max: number };
}

export interface SubmissionBreakdown {
  workflowId: string;
  activityWaitSeconds: number;
  activityRunSeconds: number;
  workflowTaskWaitSeconds: number;
  /** The activities that waited longest in their queue, with what they then ran. */
  longestWaits: { type: string; queue: string; waitSeconds: number; runSeconds: number }[];
}

export interface QueueWaits {
  workflows: number;
  perQueue: QueueSummary[];
  workflowTaskWaitSeconds: { total: number; p50PerWorkflow: number; maxPerWorkflow: number };
  /** Per workflow: the share of (activity wait + run + workflow-task wait) spent waiting. */
  waitingShare: { p50: number; p95: number };
  breakdowns: SubmissionBreakdown[];
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { total: seconds(sorted.reduce((a, b) => a + b, 0)), p50: seconds(percentile(sorted, 50)), p95: seconds(percentile(sorted, 95)), max: seconds(sorted.at(-1) ?? 0) };
};

export function breakdownOf(t: WorkflowTiming): SubmissionBreakdown {
  return {
    workflowId: t.workflowId,
    activityWaitSeconds: seconds(t.activities.reduce((a, x) => a + x.waitMs, 0)),
    activityRunSeconds: seconds(t.activities.reduce((a, x) => a + x.runMs, 0)),
    workflowTaskWaitSeconds: seconds(t.workflowTaskWaitMs),
    longestWaits: [...t.activities]
      .sort((a, b) => b.waitMs - a.waitMs)
      .slice(0, 6)
      .map((x) => ({ type: x.type, queue: x.queue, waitSeconds: seconds(x.waitMs), runSeconds: seconds(x.runMs) })),
  };
}

/** Reads the histories of `workflowIds` (a few at a time) and summarises waits against work. */
export async function queueWaits(client: Client, workflowIds: readonly string[], detailed: readonly string[], concurrency = 8): Promise<QueueWaits> {
  const timings: WorkflowTiming[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < workflowIds.length) {
        const id = workflowIds[next++]!;
        timings.push(await workflowTiming(client, id));
      }
    }),
  );
  const byQueue = new Map<string, ActivityTiming[]>();
  for (const t of timings) {
    for (const a of t.activities) {
      const list = byQueue.get(a.queue) ?? [];
      list.push(a);
      byQueue.set(a.queue, list);
    }
  }
  const perWorkflowTaskWait = timings.map((t) => t.workflowTaskWaitMs).sort((a, b) => a - b);
  const shares = timings
    .map((t) => {
      const wait = t.activities.reduce((a, x) => a + x.waitMs, 0) + t.workflowTaskWaitMs;
      const run = t.activities.reduce((a, x) => a + x.runMs, 0);
      return wait + run > 0 ? wait / (wait + run) : 0;
    })
    .sort((a, b) => a - b);
  return {
    workflows: timings.length,
    perQueue: [...byQueue]
      .map(([queue, list]) => ({ queue, activities: list.length, waitSeconds: spread(list.map((a) => a.waitMs)), runSeconds: spread(list.map((a) => a.runMs)) }))
      .sort((a, b) => a.queue.localeCompare(b.queue)),
    workflowTaskWaitSeconds: {
      total: seconds(perWorkflowTaskWait.reduce((a, b) => a + b, 0)),
      p50PerWorkflow: seconds(percentile(perWorkflowTaskWait, 50)),
      maxPerWorkflow: seconds(perWorkflowTaskWait.at(-1) ?? 0),
    },
    waitingShare: { p50: Math.round(percentile(shares, 50) * 1000) / 1000, p95: Math.round(percentile(shares, 95) * 1000) / 1000 },
    breakdowns: timings.filter((t) => detailed.includes(t.workflowId)).map(breakdownOf),
  };
}
