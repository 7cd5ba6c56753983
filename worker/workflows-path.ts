import { fileURLToPath } from 'node:url';

/** The workflows barrel, bundled by the worker (and by tests) into the workflow sandbox. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
