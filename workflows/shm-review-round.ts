/**
 * The review loop shared by the SHM registration and appeal workflows. The queue lives in
 * PostgreSQL: signals only say "look again" (so they are idempotent and may repeat), and each
 * iteration reads the round's state from the database. The SLA clock runs in virtual time
 * (domain/shm/clock.ts): paused while corrections are outstanding, escalated after the target,
 * breached after the maximum.
 */
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SlaDeadlinesView } from '../activities/shm';
import { realDelayMs, virtualNow, type SlaClock } from '../domain/shm/clock';
import type { SlaTargets } from '../domain/shm/sla';
import { Reviewer, SlaBreached, SlaDueAt, Stage } from './search-attributes';

export const shmActivities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['PermanentIntegrationError'] },
});

/** A reviewer claimed (or was assigned) a task: updates the Reviewer search attribute. */
export const shmTaskClaimedSignal = defineSignal<[{ taskId: string; reviewerId: string }]>('shmTaskClaimed');
/** A decision was recorded in PostgreSQL. */
export const shmTaskDecidedSignal = defineSignal<[{ taskId: string }]>('shmTaskDecided');
/** The applicant re-submitted corrected documents. */
export const shmCorrectionsSubmittedSignal = defineSignal<[{ registrationId: string }]>('shmCorrectionsSubmitted');

export interface ShmDeadlines {
  escalateOn: string;
  breachOn: string;
  dueAt: string;
  breachAt: string;
}
/** Returns the round's SLA deadlines once the clock started (used by the API to answer the submission). */
export const shmDeadlinesUpdate = defineUpdate<ShmDeadlines, []>('shmDeadlines');

export interface ShmRoundStatus {
  stage: string;
  paused: boolean;
  escalated: boolean;
  breached: boolean;
  reviewer: string | null;
  deadlines: ShmDeadlines | null;
}
export const shmRoundStatusQuery = defineQuery<ShmRoundStatus>('shmRoundStatus');

export interface ShmRoundInput {
  registrationId: string;
  clock: SlaClock;
  targets: SlaTargets;
}

export interface RoundState {
  dirty: boolean;
  stage: string;
  reviewer: string | null;
  paused: boolean;
  deadlines: SlaDeadlinesView | null;
}

/** Safety net: re-read the queue at least this often even if a signal was lost. */
const SAFETY_POLL_MS = 10 * 60 * 1000;

const view = (d: SlaDeadlinesView): ShmDeadlines => ({
  escalateOn: d.escalateOn,
  breachOn: d.breachOn,
  dueAt: new Date(d.dueAt).toISOString(),
  breachAt: new Date(d.breachAt).toISOString(),
});

export function newRoundState(stage: string): RoundState {
  return { dirty: false, stage, reviewer: null, paused: false, deadlines: null };
}

export function installRoundHandlers(state: RoundState): void {
  setHandler(shmTaskClaimedSignal, ({ reviewerId }) => {
    state.reviewer = reviewerId;
    state.dirty = true;
  });
  setHandler(shmTaskDecidedSignal, () => {
    state.dirty = true;
  });
  setHandler(shmCorrectionsSubmittedSignal, () => {
    state.dirty = true;
  });
  setHandler(shmDeadlinesUpdate, async () => {
    await condition(() => state.deadlines !== null);
    return view(state.deadlines!);
  });
  setHandler(shmRoundStatusQuery, () => ({
    stage: state.stage,
    paused: state.paused,
    escalated: state.deadlines?.escalated ?? false,
    breached: state.deadlines?.breached ?? false,
    reviewer: state.reviewer,
    deadlines: state.deadlines ? view(state.deadlines) : null,
  }));
}

export async function setStage(registrationId: string, state: RoundState, stage: string): Promise<void> {
  if (state.stage === stage) return;
  markStage(state, stage);
  await shmActivities.setShmRegistrationStage({ registrationId, stage });
}

/** The search attribute only (the activity that changed the state already wrote the stage). */
function markStage(state: RoundState, stage: string): void {
  if (state.stage === stage) return;
  state.stage = stage;
  upsertSearchAttributes([{ key: Stage, value: stage }]);
}

export function publishDeadlines(state: RoundState, deadlines: SlaDeadlinesView): void {
  state.deadlines = deadlines;
  upsertSearchAttributes([
    { key: SlaDueAt, value: new Date(deadlines.dueAt) },
    { key: SlaBreached, value: deadlines.breached },
  ]);
}

/**
 * Runs one review round until every task has a final decision and no correction is pending.
 * `stages` names the stages of this round (the appeal round uses its own).
 */
export async function runReviewRound(
  input: ShmRoundInput,
  round: 'review' | 'appeal',
  state: RoundState,
  stages: { review: string; waiting: string; escalated: string },
): Promise<void> {
  const { registrationId, clock } = input;
  const vnow = () => virtualNow(clock, Date.now());
  let publishedReviewer: string | null = null;
  for (;;) {
    state.dirty = false;
    const s = await shmActivities.getShmReviewState({ registrationId, round });
    const reviewer = state.reviewer ?? s.lastClaimant;
    if (reviewer && reviewer !== publishedReviewer) {
      upsertSearchAttributes([{ key: Reviewer, value: reviewer }]);
      publishedReviewer = reviewer;
    }
    if (s.complete) return;
    if (s.correctionsOutstanding > 0 && !state.paused) {
      await shmActivities.pauseShmSlaClock({ registrationId, round, at: vnow(), stage: stages.waiting });
      state.paused = true;
      markStage(state, stages.waiting);
    } else if (s.correctionsOutstanding === 0 && state.paused) {
      publishDeadlines(state, await shmActivities.resumeShmSlaClock({ registrationId, round, at: vnow(), stages }));
      state.paused = false;
      markStage(state, state.deadlines!.escalated ? stages.escalated : stages.review);
    }
    if (!state.paused) {
      const d = state.deadlines!;
      const now = vnow();
      if (!d.escalated && now > d.dueAt) {
        await shmActivities.escalateShmRegistration({ registrationId, round, at: now, stage: stages.escalated });
        d.escalated = true;
        markStage(state, stages.escalated);
      }
      if (!d.breached && now > d.breachAt) {
        await shmActivities.markShmSlaBreach({ registrationId, round, at: now });
        d.breached = true;
        upsertSearchAttributes([{ key: SlaBreached, value: true }]);
      }
    }
    // Sleep until the next SLA instant (virtual time scaled to real time) or a signal.
    const d = state.deadlines!;
    const next = state.paused ? null : !d.escalated ? d.dueAt : !d.breached ? d.breachAt : null;
    const wait = next === null ? SAFETY_POLL_MS : Math.min(SAFETY_POLL_MS, realDelayMs(clock, next - vnow() + 1));
    await condition(() => state.dirty, wait);
  }
}
