// SHM workflows and their signals/updates/queries (re-exported from the workflows barrel).
export { shmApplicantVerificationWorkflow, shmApplicantWorkflowId } from './shm-applicant';
export { shmArcoDeadlineUpdate, shmArcoRequestWorkflow, shmArcoResolvedSignal, shmArcoWorkflowId } from './shm-arco';
export { shmCertificationsChangedSignal, shmCertificationWatchWorkflow, shmCertificationWatchWorkflowId } from './shm-certification-watch';
export { shmAppealWorkflow, shmAppealWorkflowId, shmRegistrationWorkflow, shmRegistrationWorkflowId } from './shm-registration';
export type { ShmRegistrationInput, ShmRegistrationResult } from './shm-registration';
export { shmCorrectionsSubmittedSignal, shmDeadlinesUpdate, shmRoundStatusQuery, shmTaskClaimedSignal, shmTaskDecidedSignal } from './shm-review-round';
export type { ShmDeadlines, ShmRoundStatus } from './shm-review-round';
