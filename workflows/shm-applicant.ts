import { upsertSearchAttributes } from '@temporalio/workflow';
import { shmActivities } from './shm-review-round';
import { BusinessDomain, Stage } from './search-attributes';

/** Confirms a new SHM applicant's CURP at RENAPO (input: the applicant id only). */
export const shmApplicantWorkflowId = (applicantId: string) => `shm-applicant/${applicantId}`;

export async function shmApplicantVerificationWorkflow(input: { applicantId: string }): Promise<{ applicantId: string; status: 'active' | 'rejected' }> {
  upsertSearchAttributes([
    { key: BusinessDomain, value: 'shm' },
    { key: Stage, value: 'verifying-curp' },
  ]);
  const result = await shmActivities.verifyShmApplicant({ applicantId: input.applicantId });
  upsertSearchAttributes([{ key: Stage, value: result.status }]);
  return { applicantId: input.applicantId, status: result.status };
}
