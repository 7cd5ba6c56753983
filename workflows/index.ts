// Workflows barrel: the worker's `workflowsPath`. Workflow code only (deterministic, sandboxed).
export * from './institution-registration';
export * from './movement-notice';
export * from './payroll-submission';
export * from './shm-workflows';
