import { ParentClosePolicy, getExternalWorkflowHandle, startChild, upsertSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { virtualNow } from '../domain/shm/clock';
import { shmCertificationWatchWorkflow, shmCertificationsChangedSignal, shmCertificationWatchWorkflowId } from './shm-certification-watch';
import { installRoundHandlers, newRoundState, publishDeadlines, runReviewRound, setStage, shmActivities, type ShmRoundInput } from './shm-review-round';
import { BusinessDomain, ProfileId, SlaBreached, Stage } from './search-attributes';

/**
 * One submitted version of an SHM profile: the SLA clock starts at submission, automatic
 * checks run, a review task per document goes to the Postgres queues, reviewers decide (with
 * correction loops that pause the clock), and the score is computed per rubric v1 from the
 * approved items. Ids only: the cédula and the applicant's identity stay in PostgreSQL.
 */
export interface ShmRegistrationInput extends ShmRoundInput {
  profileId: string;
  version: number;
}

export interface ShmRegistrationResult {
  registrationId: string;
  status: 'scored' | 'rejected';
  stars?: number;
  total?: string;
}

export const shmRegistrationWorkflowId = (profileId: string, version: number) => `shm-registration/${profileId}/v${version}`;
export const shmAppealWorkflowId = (profileId: string, version: number) => `shm-appeal/${profileId}/v${version}`;

/** Starts (or signals) the profile's certification watcher once a score exists. */
async function watchCertifications(profileId: string, input: ShmRoundInput): Promise<void> {
  const workflowId = shmCertificationWatchWorkflowId(profileId);
  try {
    await startChild(shmCertificationWatchWorkflow, {
      workflowId,
      args: [{ profileId, clock: input.clock }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    await getExternalWorkflowHandle(workflowId).signal(shmCertificationsChangedSignal);
  }
}

export async function shmRegistrationWorkflow(input: ShmRegistrationInput): Promise<ShmRegistrationResult> {
  const { registrationId } = input;
  const vnow = () => virtualNow(input.clock, Date.now());
  const state = newRoundState('submitted');
  installRoundHandlers(state);
  upsertSearchAttributes([
    { key: ProfileId, value: input.profileId },
    { key: BusinessDomain, value: 'shm' },
    { key: Stage, value: 'submitted' },
    { key: SlaBreached, value: false },
  ]);

  publishDeadlines(state, await shmActivities.startShmSlaClock({ registrationId, round: 'review', at: vnow(), clock: input.clock, targets: input.targets }));
  await setStage(registrationId, state, 'checking');
  const checks = await shmActivities.runShmAutomaticChecks({ registrationId, at: vnow() });
  if (!checks.ok) {
    await shmActivities.stopShmSlaClock({ registrationId, round: 'review', at: vnow() });
    await setStage(registrationId, state, 'rejected-checks');
    return { registrationId, status: 'rejected' };
  }
  await shmActivities.createShmReviewTasks({ registrationId });
  await setStage(registrationId, state, 'in-review');
  await runReviewRound(input, 'review', state, { review: 'in-review', waiting: 'waiting-applicant', escalated: 'escalated' });

  await shmActivities.stopShmSlaClock({ registrationId, round: 'review', at: vnow() });
  const score = await shmActivities.scoreShmRegistration({ registrationId, reason: 'review', at: vnow() });
  await setStage(registrationId, state, 'scored');
  await watchCertifications(input.profileId, input);
  return { registrationId, status: 'scored', stars: score.stars, total: score.total };
}

/** Appeal of a scored version: every rejected document goes to a second reviewer; then the score is recomputed. */
export async function shmAppealWorkflow(input: ShmRegistrationInput): Promise<ShmRegistrationResult> {
  const { registrationId } = input;
  const vnow = () => virtualNow(input.clock, Date.now());
  const state = newRoundState('appeal-review');
  installRoundHandlers(state);
  upsertSearchAttributes([
    { key: ProfileId, value: input.profileId },
    { key: BusinessDomain, value: 'shm' },
    { key: Stage, value: 'appeal-review' },
    { key: SlaBreached, value: false },
  ]);
  publishDeadlines(state, await shmActivities.startShmSlaClock({ registrationId, round: 'appeal', at: vnow(), clock: input.clock, targets: input.targets }));
  await shmActivities.createShmAppealTasks({ registrationId });
  await shmActivities.setShmRegistrationStage({ registrationId, stage: 'appeal-review' });
  await runReviewRound(input, 'appeal', state, { review: 'appeal-review', waiting: 'appeal-waiting-applicant', escalated: 'appeal-escalated' });
  await shmActivities.stopShmSlaClock({ registrationId, round: 'appeal', at: vnow() });
  const score = await shmActivities.scoreShmRegistration({ registrationId, reason: 'appeal', at: vnow() });
  await setStage(registrationId, state, 'scored');
  await watchCertifications(input.profileId, input);
  return { registrationId, status: 'scored', stars: score.stars, total: score.total };
}
