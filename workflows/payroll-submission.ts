import {
  type ActivityOptions,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { addDays, endOfMexicoDay, mexicoDateOf } from '../domain/dates';
import type { PaymentState } from '../activities/payments';
import { BusinessDomain, InstitutionClave, Period, RejectedRows, RowCount, Stage, SubmissionVersion } from './search-attributes';
import { bulkTaskQueue, LARGE_FILE_BYTES, LARGE_FILE_ROWS } from './task-queues';

/**
 * One quincenal submission of one institution, end to end: each uploaded file version is
 * staged, validated and computed; the institution corrects (new version), accepts the valid
 * rows, or withdraws; accepted rows update the registry; a línea de captura is issued and the
 * workflow waits (durably) for deposits until the due date, then re-issues it with accessories;
 * once paid in full the CFDI is issued and every centavo dispersed. Rows and personal data never
 * enter this history: activities take ids and work in PostgreSQL.
 */
export interface PayrollSubmissionInput {
  submissionId: string;
  institutionClave: string;
  period: string;
  /** Carried across continue-as-new. */
  state?: PayrollSubmissionState;
  /** How long before the due date reminders go out (ms). Default 3 days and 1 day. */
  reminderOffsetsMs?: number[];
  /** Days after the due date when an unpaid period becomes a crédito fiscal. Default 60. */
  creditoFiscalDays?: number;
  /** From when a file is large (its heavy activities go to the bulk queue). Default LARGE_FILE_ROWS / LARGE_FILE_BYTES. */
  largeFile?: { rows: number; bytes: number };
}

export interface FileUploaded {
  fileId: string;
  version: number;
  kind: 'full' | 'complementary';
  /** Size of the upload: routes its staging before the rows are counted. */
  bytes?: number;
}

export type Decision = { action: 'accept'; fileId: string } | { action: 'withdraw' };

export interface PayrollSubmissionState {
  stage: string;
  queue: FileUploaded[];
  decisions: Decision[];
  depositsPending: boolean;
  /** The latest full version processed (the one an acceptance refers to). */
  currentFileId: string | null;
  currentVersion: number;
  acceptedFileIds: string[];
  remindersSent: string[];
  dueDate: string | null;
  paymentStarted: boolean;
  lineasIssued: number;
  activeLineaValidUntil: string | null;
  creditoFiscalRecorded: boolean;
  /** Files with at least `largeFile.rows` rows (optional: states carried from before it existed). */
  largeFileIds?: string[];
}

export interface SubmissionStatus {
  stage: string;
  currentVersion: number;
  currentFileId: string | null;
  acceptedFileIds: string[];
  queued: number;
}

export const fileUploadedSignal = defineSignal<[FileUploaded]>('fileUploaded');
export const decisionSignal = defineSignal<[Decision]>('decision');
export const depositReceivedSignal = defineSignal<[{ depositId: string }]>('depositReceived');
export const submissionStatusQuery = defineQuery<SubmissionStatus>('submissionStatus');

const STAGING_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
};
const HEAVY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['PermanentIntegrationError', 'LedgerInvariantViolation'] },
};
// On the workflow's own task queue; large files use the same options on the bulk queue.
const staging = proxyActivities<Activities>(STAGING_OPTIONS);
const heavy = proxyActivities<Activities>(HEAVY_OPTIONS);
const { computeDeterminacion } = heavy;
const { issueCfdi } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', nonRetryableErrorTypes: ['PermanentIntegrationError'] },
});
const BOOKKEEPING_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};
/**
 * The short bookkeeping steps (a stage on the timeline, a file's status, the due date): one
 * idempotent statement each. As local activities they run inside the workflow task that asks for
 * them, instead of a round trip through the task queue plus one more workflow task each — about
 * seven fewer of each per submission, which is what a statewide quincena waits for (bench/notes.md,
 * session 10). Histories from before this change replay with the queued ones.
 */
const LOCAL_BOOKKEEPING = 'local-bookkeeping';
const queuedBookkeeping = proxyActivities<Activities>(BOOKKEEPING_OPTIONS);
const localBookkeeping = proxyLocalActivities<Activities>(BOOKKEEPING_OPTIONS);

const {
  sendSubmissionReminder,
  issueLinea,
  applyPendingDeposits,
  expireLineas,
  recordCreditoFiscal,
  sendPaymentNotice,
} = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const DAY = 24 * 60 * 60 * 1000;
/** `patched()` id: the dispersion starts with the CFDI instead of after it. */
const CFDI_BESIDE_DISPERSION = 'cfdi-beside-dispersion';
const todayMx = () => mexicoDateOf(Date.now());

export async function payrollSubmissionWorkflow(input: PayrollSubmissionInput): Promise<SubmissionStatus> {
  const state: PayrollSubmissionState = input.state ?? {
    stage: 'uploaded',
    queue: [],
    decisions: [],
    depositsPending: false,
    currentFileId: null,
    currentVersion: 0,
    acceptedFileIds: [],
    remindersSent: [],
    dueDate: null,
    paymentStarted: false,
    lineasIssued: 0,
    activeLineaValidUntil: null,
    creditoFiscalRecorded: false,
  };
  const { submissionId } = input;
  const { recordSubmissionStage, markFileStatus, submissionDueDate } = patched(LOCAL_BOOKKEEPING) ? localBookkeeping : queuedBookkeeping;
  // Heavy activities of large files on the bulk queue, so small submissions do not wait behind them.
  const bulkQueue = bulkTaskQueue(workflowInfo().taskQueue);
  const bulkStaging = proxyActivities<Activities>({ ...STAGING_OPTIONS, taskQueue: bulkQueue });
  const bulkHeavy = proxyActivities<Activities>({ ...HEAVY_OPTIONS, taskQueue: bulkQueue });
  const largeRows = input.largeFile?.rows ?? LARGE_FILE_ROWS;
  const largeBytes = input.largeFile?.bytes ?? LARGE_FILE_BYTES;
  const isLarge = (fileId: string) => (state.largeFileIds ?? []).includes(fileId);

  setHandler(fileUploadedSignal, (file) => {
    // The API may signal the same file twice (retries): ignore what was already seen.
    if (state.queue.some((f) => f.fileId === file.fileId) || (file.kind === 'full' && file.version <= state.currentVersion)) return;
    state.queue.push(file);
  });
  setHandler(decisionSignal, (decision) => {
    if (decision.action === 'accept' && state.acceptedFileIds.includes(decision.fileId)) return;
    state.decisions.push(decision);
  });
  setHandler(depositReceivedSignal, () => {
    state.depositsPending = true;
  });
  setHandler(submissionStatusQuery, () => statusOf(state));

  upsertSearchAttributes([
    { key: InstitutionClave, value: input.institutionClave },
    { key: Period, value: input.period },
    { key: BusinessDomain, value: 'prisma' },
  ]);
  const setStage = async (stage: string, eventKey: string, detail: Record<string, unknown> = {}) => {
    state.stage = stage;
    upsertSearchAttributes([{ key: Stage, value: stage }]);
    await recordSubmissionStage({ submissionId, stage, eventKey, detail });
  };

  state.dueDate ??= await submissionDueDate({ period: input.period });
  const dueDate = state.dueDate;
  const reminderOffsets = input.reminderOffsetsMs ?? [3 * DAY, 1 * DAY];
  const creditoFiscalDays = input.creditoFiscalDays ?? 60;

  async function processQueuedFiles() {
    // Only the newest full version matters; older queued ones are superseded unseen.
    const queued = state.queue.splice(0, state.queue.length);
    const fulls = queued.filter((f) => f.kind === 'full');
    const latest = fulls.length > 0 ? fulls.reduce((a, b) => (b.version > a.version ? b : a)) : null;
    for (const f of fulls) if (f !== latest) await markFileStatus({ fileId: f.fileId, status: 'superseded' });
    for (const file of latest ? [latest, ...queued.filter((f) => f.kind === 'complementary')] : queued) {
      if (file.kind === 'full' && state.currentFileId && state.acceptedFileIds.length === 0) {
        await markFileStatus({ fileId: state.currentFileId, status: 'superseded' });
      }
      const stageBefore = state.stage;
      await setStage('validating', `validating:v${file.version}`, { version: file.version, kind: file.kind });
      upsertSearchAttributes([{ key: SubmissionVersion, value: file.version }]);
      const staged = await ((file.bytes ?? 0) >= largeBytes ? bulkStaging : staging).stagePayrollFile({ fileId: file.fileId });
      if (staged.rowCount >= largeRows) state.largeFileIds = [...(state.largeFileIds ?? []), file.fileId];
      const checked = staged.fileRejected ? staged : await (isLarge(file.fileId) ? bulkHeavy : heavy).checkPayrollFile({ fileId: file.fileId });
      upsertSearchAttributes([
        { key: RowCount, value: checked.rowCount },
        { key: RejectedRows, value: checked.rejectedRows },
      ]);
      if (checked.fileRejected) {
        await setStage('file-rejected', `file-rejected:v${file.version}`, { version: file.version });
      } else {
        const determinacion = await computeDeterminacion({ fileId: file.fileId });
        await setStage('awaiting-decision', `computed:v${file.version}`, {
          version: file.version,
          kind: file.kind,
          rows: checked.rowCount,
          rejectedRows: checked.rejectedRows,
          totalDue: determinacion.totalDue,
        });
      }
      if (file.kind === 'full') {
        state.currentFileId = file.fileId;
        state.currentVersion = file.version;
      } else if (state.paymentStarted && stageBefore !== 'validating') {
        // A complement validated while the period awaits payment: the línea still stands.
        state.stage = stageBefore;
        upsertSearchAttributes([{ key: Stage, value: stageBefore }]);
      }
    }
  }

  async function issueNextLinea(reason: string) {
    const issued = await issueLinea({ submissionId, asOf: todayMx(), dueDate, issueKey: `${submissionId}:linea:${state.lineasIssued + 1}` });
    state.lineasIssued += 1;
    state.activeLineaValidUntil = issued?.validUntil ?? null;
    if (issued) {
      await setStage(issued.late ? 'overdue' : 'awaiting-payment', `linea:${issued.linea}`, {
        reason,
        linea: issued.linea,
        amount: issued.amount,
        validUntil: issued.validUntil,
      });
    }
  }

  /** True when the period is finished (paid, invoiced and dispersed). */
  async function afterPayments(ps: PaymentState): Promise<boolean> {
    if (ps.paidInFull) {
      await setStage('paid', 'paid', { paymentDate: ps.lastPaymentDate });
      const disperse = () => (state.acceptedFileIds.some(isLarge) ? bulkHeavy : heavy).disperseSubmission({ submissionId });
      // Dispersion needs the money, not the invoice: it runs while the CFDI is built and stamped
      // (PostgreSQL's work beside the worker's and the stamping provider's). The timeline still
      // reads paid → invoiced → dispersed. Histories from before this change replay sequentially.
      const dispersing = patched(CFDI_BESIDE_DISPERSION) ? disperse() : null;
      dispersing?.catch(() => {}); // awaited below; marked handled so a failure while the CFDI runs is not an unhandled rejection
      const cfdi = await issueCfdi({ submissionId });
      await setStage('invoiced', 'invoiced', { uuid: cfdi.uuid });
      const dispersion = await (dispersing ?? disperse());
      await setStage('dispersed', 'dispersed', { totalCredits: dispersion.totalCredits, people: dispersion.individualAccounts });
      return true;
    }
    if (ps.depositsApplied > 0) await setStage('partially-paid', `partial:${ps.balance}`, { balance: ps.balance });
    if (!ps.activeLineaCurrent) await issueNextLinea('balance-changed');
    return false;
  }

  interface Timer {
    at: number;
    fire: () => Promise<void>;
  }
  function nextTimer(): Timer | undefined {
    const timers: Timer[] = [];
    for (const [index, offset] of reminderOffsets.entries()) {
      const key = `${state.paymentStarted ? 'pay' : 'accept'}:${index}`;
      if (state.remindersSent.includes(key)) continue;
      const at = Date.parse(`${dueDate}T09:00:00-06:00`) - offset;
      if (at < Date.now() - DAY) continue; // the moment is long gone: no stale reminder
      timers.push({
        at,
        fire: async () => {
          state.remindersSent.push(key);
          if (state.paymentStarted) await sendPaymentNotice({ submissionId, kind: 'payment-reminder', key, dueDate });
          else await sendSubmissionReminder({ submissionId, reminderIndex: index, dueDate });
        },
      });
    }
    if (state.paymentStarted && state.activeLineaValidUntil) {
      // The línea's validity ends: it expires and a late one (with accessories) replaces it.
      timers.push({
        at: endOfMexicoDay(state.activeLineaValidUntil) + 1,
        fire: async () => {
          await expireLineas({ submissionId, asOf: addDays(state.activeLineaValidUntil!, 1) });
          await sendPaymentNotice({ submissionId, kind: 'payment-overdue', key: `overdue:${state.lineasIssued}`, dueDate });
          await issueNextLinea('expired');
        },
      });
    }
    if (state.paymentStarted && !state.creditoFiscalRecorded) {
      timers.push({
        at: endOfMexicoDay(addDays(dueDate, creditoFiscalDays)) + 1,
        fire: async () => {
          state.creditoFiscalRecorded = true;
          await recordCreditoFiscal({ submissionId });
        },
      });
    }
    return timers.sort((a, b) => a.at - b.at)[0];
  }

  for (;;) {
    if (state.queue.length > 0) {
      await processQueuedFiles();
      continue;
    }
    if (state.decisions.length > 0) {
      const decision = state.decisions.shift()!;
      if (decision.action === 'withdraw') {
        if (state.paymentStarted) continue; // accepted periods cannot be withdrawn (the API says so)
        if (state.currentFileId) await markFileStatus({ fileId: state.currentFileId, status: 'withdrawn' });
        await setStage('withdrawn', 'withdrawn');
        return statusOf(state);
      }
      const applied = await (isLarge(decision.fileId) ? bulkHeavy : heavy).applyAcceptedMovements({ fileId: decision.fileId });
      state.acceptedFileIds.push(decision.fileId);
      await setStage('accepted', `accepted:${decision.fileId}`, { fileId: decision.fileId, movementsApplied: applied.movementsApplied });
      state.paymentStarted = true;
      // Any payment already made counts; the new línea asks for the remaining balance.
      const ps = await applyPendingDeposits({ submissionId });
      if (ps.paidInFull) {
        if (await afterPayments(ps)) return statusOf(state);
        continue;
      }
      await issueNextLinea(state.lineasIssued === 0 ? 'accepted' : 'complement-accepted');
      continue;
    }
    if (state.depositsPending && state.paymentStarted) {
      state.depositsPending = false;
      const ps = await applyPendingDeposits({ submissionId });
      if (await afterPayments(ps)) return statusOf(state);
      continue;
    }

    const timer = nextTimer();
    const woke = await condition(
      () => state.queue.length > 0 || state.decisions.length > 0 || (state.depositsPending && state.paymentStarted),
      timer ? Math.max(timer.at - Date.now(), 1) : undefined,
    );
    if (!woke && timer) await timer.fire();
    if (workflowInfo().continueAsNewSuggested && state.queue.length === 0 && state.decisions.length === 0) {
      await continueAsNew<typeof payrollSubmissionWorkflow>({ ...input, state });
    }
  }
}

function statusOf(state: PayrollSubmissionState): SubmissionStatus {
  return {
    stage: state.stage,
    currentVersion: state.currentVersion,
    currentFileId: state.currentFileId,
    acceptedFileIds: state.acceptedFileIds,
    queued: state.queue.length,
  };
}
