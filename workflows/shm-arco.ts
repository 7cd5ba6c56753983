import { condition, defineSignal, defineUpdate, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { realDelayMs, virtualNow, type SlaClock } from '../domain/shm/clock';
import { shmActivities } from './shm-review-round';
import { BusinessDomain, ProfileId, SlaBreached, SlaDueAt, Stage } from './search-attributes';

/**
 * An ARCO request (acceso, rectificación, cancelación, oposición): the legal deadline of 20
 * business days is computed from the calendar table; past it the request is marked overdue and
 * supervisors are notified; once answered, a granted cancellation or opposition is carried out.
 */
export const shmArcoResolvedSignal = defineSignal('shmArcoResolved');
export const shmArcoDeadlineUpdate = defineUpdate<{ dueOn: string; dueAt: string }, []>('shmArcoDeadline');
export const shmArcoWorkflowId = (requestId: string) => `shm-arco/${requestId}`;

const SAFETY_POLL_MS = 10 * 60 * 1000;

export async function shmArcoRequestWorkflow(input: { requestId: string; profileId: string | null; clock: SlaClock }): Promise<{ requestId: string; overdue: boolean }> {
  let resolved = false;
  let deadline: { dueOn: string; dueAt: number } | null = null;
  setHandler(shmArcoResolvedSignal, () => {
    resolved = true;
  });
  setHandler(shmArcoDeadlineUpdate, async () => {
    await condition(() => deadline !== null);
    return { dueOn: deadline!.dueOn, dueAt: new Date(deadline!.dueAt).toISOString() };
  });
  const vnow = () => virtualNow(input.clock, Date.now());
  upsertSearchAttributes([
    { key: BusinessDomain, value: 'shm' },
    { key: Stage, value: 'arco-open' },
    ...(input.profileId ? [{ key: ProfileId, value: input.profileId }] : []),
  ]);
  deadline = await shmActivities.computeShmArcoDeadline({ requestId: input.requestId, at: vnow() });
  upsertSearchAttributes([
    { key: SlaDueAt, value: new Date(deadline.dueAt) },
    { key: SlaBreached, value: false },
  ]);
  let overdue = false;
  while (!resolved) {
    const remaining = deadline.dueAt - vnow();
    if (!overdue && remaining < 0) {
      await shmActivities.markShmArcoOverdue({ requestId: input.requestId, at: vnow() });
      overdue = true;
      upsertSearchAttributes([
        { key: SlaBreached, value: true },
        { key: Stage, value: 'arco-overdue' },
      ]);
    }
    await condition(() => resolved, overdue ? SAFETY_POLL_MS : Math.min(SAFETY_POLL_MS, realDelayMs(input.clock, remaining + 1)));
  }
  await shmActivities.executeShmArcoResolution({ requestId: input.requestId });
  upsertSearchAttributes([{ key: Stage, value: 'arco-answered' }]);
  return { requestId: input.requestId, overdue };
}
