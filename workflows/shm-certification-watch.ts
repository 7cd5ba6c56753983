import { condition, defineSignal, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { realDelayMs, virtualNow, type SlaClock } from '../domain/shm/clock';
import { shmActivities } from './shm-review-round';
import { BusinessDomain, ProfileId, Stage } from './search-attributes';

/**
 * Watches the approved certifications of a scored profile: reminds the applicant before a
 * certificate expires and, the day after it expires, recomputes the score without it. Ends
 * when nothing is left to watch; a new score restarts it (or signals it).
 */
export const shmCertificationsChangedSignal = defineSignal('shmCertificationsChanged');
export const shmCertificationWatchWorkflowId = (profileId: string) => `shm-certifications/${profileId}`;

export async function shmCertificationWatchWorkflow(input: { profileId: string; clock: SlaClock }): Promise<{ events: number }> {
  let changed = false;
  setHandler(shmCertificationsChangedSignal, () => {
    changed = true;
  });
  upsertSearchAttributes([
    { key: ProfileId, value: input.profileId },
    { key: BusinessDomain, value: 'shm' },
    { key: Stage, value: 'watching-certifications' },
  ]);
  const vnow = () => virtualNow(input.clock, Date.now());
  let events = 0;
  for (let i = 0; i < 500; i++) {
    changed = false;
    const next = await shmActivities.planShmCertificationWatch({ profileId: input.profileId });
    if (!next) break;
    const wait = next.startsAt - vnow();
    if (wait > 0) {
      await condition(() => changed, realDelayMs(input.clock, wait));
      if (changed) continue;
    }
    await shmActivities.handleShmCertificationEvent({ profileId: input.profileId, key: next.key, kind: next.kind, itemId: next.itemId, expiresOn: next.expiresOn, on: next.on, daysBefore: next.daysBefore });
    events++;
  }
  upsertSearchAttributes([{ key: Stage, value: 'certifications-done' }]);
  return { events };
}
