import { ActivityFailure, ApplicationFailure, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { BusinessDomain, InstitutionClave, Stage } from './search-attributes';

/**
 * Registry workflows (issue 3). Inputs, outputs and search attributes carry ids and statuses
 * only: the notice (with its CURP, names, RFC) lives in `movement_notices`.
 */

const registry = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** RENAPO: transient failures (timeouts, 5xx, 429) retried with backoff; permanent ones are not. */
const renapo = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['PermanentIntegrationError'],
  },
});

export type MovementNoticeStatus = 'applied' | 'rejected' | 'failed';

export interface MovementNoticeResult {
  noticeId: string;
  status: MovementNoticeStatus;
  folio?: string;
}

export const movementNoticeWorkflowId = (noticeId: string) => `movement-notice/${noticeId}`;
export const personVerificationWorkflowId = (personId: string) => `person-renapo-verification/${personId}`;

function stage(value: string): void {
  upsertSearchAttributes([{ key: Stage, value }]);
}

function isPermanent(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'PermanentIntegrationError';
}

/**
 * One aviso de movimiento: validate the fields, confirm the CURP at RENAPO, apply the movement to
 * the registry (same code as the quincenal file) and issue the aviso (folio, hash, QR).
 */
export async function movementNoticeWorkflow(input: { noticeId: string }): Promise<MovementNoticeResult> {
  const { noticeId } = input;
  upsertSearchAttributes([
    { key: BusinessDomain, value: 'prisma' },
    { key: Stage, value: 'validating' },
  ]);
  const fields = await registry.validateMovementNotice({ noticeId });
  upsertSearchAttributes([{ key: InstitutionClave, value: fields.institutionClave }]);
  if (fields.blocking) {
    await registry.rejectMovementNotice({ noticeId });
    stage('rejected');
    return { noticeId, status: 'rejected' };
  }

  stage('renapo');
  try {
    const checked = await renapo.verifyMovementNoticeAtRenapo({ noticeId });
    if (checked.blocking) {
      await registry.rejectMovementNotice({ noticeId });
      stage('rejected');
      return { noticeId, status: 'rejected' };
    }
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await registry.failMovementNotice({
      noticeId,
      code: 'RENAPO_UNAVAILABLE',
      message: isPermanent(err)
        ? 'RENAPO rechazó la consulta de la CURP; el aviso no se registró. Verifique la CURP y envíe el aviso de nuevo con otra clave de idempotencia, o repórtelo a soporte del Instituto.'
        : 'RENAPO no respondió después de varios intentos; el aviso no se registró. Envíelo de nuevo más tarde con otra clave de idempotencia.',
    });
    stage('failed');
    return { noticeId, status: 'failed' };
  }

  stage('applying');
  const applied = await registry.applyMovementNotice({ noticeId });
  if (applied.status === 'rejected') {
    stage('rejected');
    return { noticeId, status: 'rejected' };
  }
  stage('issuing');
  const { folio } = await registry.issueMovementAviso({ noticeId });
  stage('applied');
  return { noticeId, status: 'applied', folio };
}

export interface PersonVerificationResult {
  found: boolean;
  status: string | null;
  curpChanged: boolean;
  suspended: boolean;
  conflict: boolean;
}

/**
 * An operator's fresh RENAPO check of a person (bypasses the cache): applies a CURP change
 * (RCC/BCC) and stops vigencia on BD. Input: the person's surrogate id only.
 */
export async function personVerificationWorkflow(input: { personId: string }): Promise<PersonVerificationResult> {
  upsertSearchAttributes([
    { key: BusinessDomain, value: 'prisma' },
    { key: Stage, value: 'renapo' },
  ]);
  const result = await renapo.reverifyPersonAtRenapo({ personId: input.personId });
  stage('verified');
  return result;
}
