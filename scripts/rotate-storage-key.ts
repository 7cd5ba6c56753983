/**
 * Re-encrypts every stored file from the old STORAGE_ENCRYPTION_KEY to a new one
 * (docs/runbook.md, "Rotate STORAGE_ENCRYPTION_KEY"). Run it with the API and the workers
 * stopped:
 *
 *   OLD_STORAGE_ENCRYPTION_KEY=<old> NEW_STORAGE_ENCRYPTION_KEY=<new> STORAGE_DIR=var/storage \
 *     npx tsx scripts/rotate-storage-key.ts
 *
 * Files carry no key id (layout: IV | ciphertext | GCM tag), so the GCM tag tells which key a
 * file is under: a file that authenticates with the new key is skipped, one that authenticates
 * with the old key is decrypted, re-encrypted with a fresh IV into a temp file, checked, and
 * renamed over the original (atomic per file). Interrupted runs are resumed by running it again.
 * A file that opens with neither key is reported and left alone; the exit code is then 1.
 * Storage keys are SHA-256 of the plaintext, so no database row changes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseEncryptionKey } from '../platform/storage';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function decrypt(data: Buffer, key: Buffer): Buffer | null {
  if (data.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

function encrypt(plain: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

async function* storedFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* storedFiles(full);
    else if (/^[0-9a-f]{64}$/.test(entry.name)) yield full;
  }
}

export interface RotationReport {
  rotated: number;
  alreadyNew: number;
  unreadable: string[];
}

/** Files are read whole: stored objects are bounded by UPLOAD_MAX_BYTES (200 MB by default). */
export async function rotateStorageKey(options: { rootDir: string; oldKey: Buffer; newKey: Buffer }): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, alreadyNew: 0, unreadable: [] };
  for await (const file of storedFiles(options.rootDir)) {
    const data = await readFile(file);
    if (decrypt(data, options.newKey)) {
      report.alreadyNew += 1;
      continue;
    }
    const plain = decrypt(data, options.oldKey);
    if (!plain) {
      report.unreadable.push(path.relative(options.rootDir, file));
      continue;
    }
    const tmp = path.join(path.dirname(file), `.rotate-${randomBytes(6).toString('hex')}`);
    const sealed = encrypt(plain, options.newKey);
    if (!decrypt(sealed, options.newKey)?.equals(plain)) throw new Error(`re-encryption check failed for ${file}`);
    try {
      await writeFile(tmp, sealed);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    report.rotated += 1;
  }
  return report;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const oldValue = process.env.OLD_STORAGE_ENCRYPTION_KEY;
  const newValue = process.env.NEW_STORAGE_ENCRYPTION_KEY;
  if (!oldValue || !newValue) {
    console.error('Set OLD_STORAGE_ENCRYPTION_KEY and NEW_STORAGE_ENCRYPTION_KEY (32 bytes, base64) and STORAGE_DIR.');
    process.exit(2);
  }
  const rootDir = path.resolve(process.env.STORAGE_DIR ?? 'var/storage');
  const report = await rotateStorageKey({ rootDir, oldKey: parseEncryptionKey(oldValue), newKey: parseEncryptionKey(newValue) });
  console.log(`storage ${rootDir}: ${report.rotated} re-encrypted, ${report.alreadyNew} already under the new key, ${report.unreadable.length} unreadable`);
  for (const f of report.unreadable) console.log(`  unreadable with either key: ${f}`);
  process.exit(report.unreadable.length > 0 ? 1 : 0);
}
