import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../../platform/storage';
import { rotateStorageKey } from '../../../scripts/rotate-storage-key';

describe('rotating STORAGE_ENCRYPTION_KEY', () => {
  it('re-encrypts every stored file under the new key, skips what is already rotated, and reports what neither key opens', async () => {
    const rootDir = mkdtempSync(path.join(os.tmpdir(), 'rotate-'));
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createLocalStorage({ rootDir, encryptionKey: oldKey });
    const a = await before.putBuffer('payroll', 'curp,rfc\nAAAA800101HMCXXX01,AAAA800101AB1\n');
    const b = await before.putBuffer('shm/documents', randomBytes(100_000));

    const first = await rotateStorageKey({ rootDir, oldKey, newKey });
    expect(first).toEqual({ rotated: 2, alreadyNew: 0, unreadable: [] });
    const after = createLocalStorage({ rootDir, encryptionKey: newKey });
    expect((await after.getBuffer(a.key)).toString()).toBe('curp,rfc\nAAAA800101HMCXXX01,AAAA800101AB1\n');
    expect((await after.getBuffer(b.key)).length).toBe(100_000);
    await expect(before.getBuffer(a.key)).rejects.toThrow();

    // Running it again (e.g. after an interrupted run) changes nothing.
    expect(await rotateStorageKey({ rootDir, oldKey, newKey })).toEqual({ rotated: 0, alreadyNew: 2, unreadable: [] });

    // A file under some third key is reported, never overwritten.
    const stray = path.join(rootDir, 'payroll', 'f'.repeat(64));
    writeFileSync(stray, randomBytes(64));
    const third = await rotateStorageKey({ rootDir, oldKey, newKey });
    expect(third.unreadable).toEqual([path.join('payroll', 'f'.repeat(64))]);
  });
});
