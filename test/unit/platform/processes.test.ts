import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../../../scripts/lib/processes';

describe('startProcess logs', () => {
  it('keeps logging stderr after the child closed its stdout (a killed process group does this) without crashing the parent', async () => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'procs-'));
    // stdout closes first, stderr writes later: sharing one log, the first end must not end it.
    const proc = startProcess('split-streams', 'sh', ['-c', 'echo early; exec 1>&-; sleep 0.3; echo late >&2'], { logDir });
    await new Promise<void>((resolve) => proc.child.once('close', () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(proc.logFile, 'utf8')).toBe('early\nlate\n');
  });
});
