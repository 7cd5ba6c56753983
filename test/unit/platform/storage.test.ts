import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLocalStorage, TooLargeError } from '../../../platform/storage';

function storage() {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'storage-'));
  return { rootDir, store: createLocalStorage({ rootDir, encryptionKey: randomBytes(32) }) };
}

describe('encrypted file storage', () => {
  it('round-trips a multi-chunk stream and addresses it by the SHA-256 of its content', async () => {
    const { store } = storage();
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.from(`fila ${i},ÁÉÍ\n`.repeat(1000)));
    const whole = Buffer.concat(parts);
    const stored = await store.put('payroll', Readable.from(parts));
    expect(stored.sha256).toBe(createHash('sha256').update(whole).digest('hex'));
    expect(stored.key).toBe(`payroll/${stored.sha256}`);
    expect(stored.size).toBe(whole.length);
    expect((await store.getBuffer(stored.key)).equals(whole)).toBe(true);
  });

  it('never writes the plaintext to disk', async () => {
    const { rootDir, store } = storage();
    const secret = 'CURP LOOA531113HTCPBN07 RFC COSC8001137NA';
    const stored = await store.putBuffer('documents', secret);
    const onDisk = readFileSync(path.join(rootDir, stored.key));
    expect(onDisk.includes(Buffer.from('LOOA531113HTCPBN07'))).toBe(false);
  });

  it('detects a tampered file instead of returning altered content', async () => {
    const { rootDir, store } = storage();
    const stored = await store.putBuffer('documents', 'contenido original del documento');
    const file = path.join(rootDir, stored.key);
    const bytes = readFileSync(file);
    bytes[14] = bytes[14]! ^ 0xff;
    writeFileSync(file, bytes);
    await expect(store.getBuffer(stored.key)).rejects.toThrow();
  });

  it('stops an upload past the size limit and leaves nothing behind', async () => {
    const { rootDir, store } = storage();
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(store.put('payroll', big, { maxBytes: 1000 })).rejects.toBeInstanceOf(TooLargeError);
    expect(readdirSync(path.join(rootDir, 'payroll'))).toEqual([]);
  });

  it('stores an empty file', async () => {
    const { store } = storage();
    const stored = await store.putBuffer('payroll', '');
    expect((await store.getBuffer(stored.key)).length).toBe(0);
  });
});
