/**
 * Determinism guard: recorded histories of real runs are replayed against the current workflow
 * code. A change that would break running workflows (a non-deterministic edit without
 * `patched()`) fails here. After a deliberately versioned change, add a history of the new code
 * with `RECORD_HISTORIES=<name> npx vitest run test/integration/payments.test.ts`, keeping the old
 * ones: payroll-submission.json predates the session-10 patches (`cfdi-beside-dispersion`,
 * `local-bookkeeping`), payroll-submission-local-bookkeeping.json has both.
 */
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';

const dir = 'test/fixtures/histories';

describe('workflow determinism', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`replays ${file} with the current workflow code`, async () => {
      const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
    });
  }
});
