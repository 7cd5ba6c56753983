import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { BusinessDomain, InstitutionClave, Stage } from './search-attributes';

const { verifyInstitutionContact, activateInstitution, rejectInstitution } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['PermanentIntegrationError'] },
});

export interface InstitutionRegistrationResult {
  clave: string;
  status: 'active' | 'rejected';
  reason?: string;
}

function setStage(stage: string): void {
  upsertSearchAttributes([{ key: Stage, value: stage }]);
}

/**
 * Onboards an institution: its payroll liaison's CURP is confirmed at RENAPO, then the
 * institution becomes active. Input is the clave only: the request itself (with personal
 * data) lives in PostgreSQL, never in workflow history.
 */
export async function institutionRegistrationWorkflow(input: { clave: string }): Promise<InstitutionRegistrationResult> {
  upsertSearchAttributes([
    { key: InstitutionClave, value: input.clave },
    { key: BusinessDomain, value: 'prisma' },
    { key: Stage, value: 'verifying-contact' },
  ]);
  const contact = await verifyInstitutionContact({ clave: input.clave });
  if (!contact.accepted) {
    setStage('rejected');
    await rejectInstitution({ clave: input.clave, reason: contact.reason });
    return { clave: input.clave, status: 'rejected', reason: contact.reason };
  }
  setStage('activating');
  await activateInstitution({ clave: input.clave, workflowId: workflowInfo().workflowId });
  setStage('active');
  return { clave: input.clave, status: 'active' };
}

export const institutionRegistrationWorkflowId = (clave: string) => `institution-registration/${clave}`;
