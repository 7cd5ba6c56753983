import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Private file storage on local disk. Files (payroll files, documents, generated reports) hold
 * personal data, so every file is encrypted at rest with AES-256-GCM (key from the
 * environment). Keys are content addresses (`area/sha256-of-plaintext`): the same bytes are
 * stored once, which makes duplicate uploads free and idempotent.
 *
 * Layout on disk: 12-byte IV | ciphertext | 16-byte GCM tag.
 */
export interface StoredObject {
  key: string;
  sha256: string;
  size: number;
}

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file exceeds ${maxBytes} bytes`);
    this.name = 'TooLargeError';
  }
}

export interface FileStorage {
  /** Streams `source` in with constant memory; aborts with TooLargeError past `maxBytes`. */
  put(area: string, source: Readable, options?: { maxBytes?: number }): Promise<StoredObject>;
  putBuffer(area: string, data: Buffer | string): Promise<StoredObject>;
  /** Plaintext stream of a stored object (authenticated: tampering fails the stream). */
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function parseEncryptionKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('STORAGE_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  return key;
}

export function createLocalStorage(options: { rootDir: string; encryptionKey: Buffer }): FileStorage {
  const { rootDir, encryptionKey } = options;
  const fileFor = (key: string) => {
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*\/[0-9a-f]{64}$/.test(key)) throw new Error(`invalid storage key: ${key}`);
    return path.join(rootDir, key);
  };

  async function put(area: string, source: Readable, opts: { maxBytes?: number } = {}): Promise<StoredObject> {
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(area)) throw new Error(`invalid storage area: ${area}`);
    const dir = path.join(rootDir, area);
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.upload-${randomBytes(8).toString('hex')}`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) return done(new TooLargeError(opts.maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const out = createWriteStream(tmp);
    try {
      out.write(iv);
      // `end: false` keeps the file open to append the GCM tag after the ciphertext.
      await pipeline(source, meter, cipher, out, { end: false });
      await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), () => resolve()).on('error', reject));
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    const key = `${area}/${sha256}`;
    await rename(tmp, fileFor(key));
    return { key, sha256, size };
  }

  async function get(key: string): Promise<Readable> {
    const file = fileFor(key);
    const { size } = await stat(file);
    const handle = await open(file, 'r');
    const header = Buffer.alloc(IV_BYTES);
    const tag = Buffer.alloc(TAG_BYTES);
    try {
      await handle.read(header, 0, IV_BYTES, 0);
      await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    } finally {
      await handle.close();
    }
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, header);
    decipher.setAuthTag(tag);
    const end = size - TAG_BYTES - 1;
    const body = end >= IV_BYTES ? createReadStream(file, { start: IV_BYTES, end }) : Readable.from([]);
    return body.pipe(decipher);
  }

  return {
    put,
    putBuffer: (area, data) => put(area, Readable.from([Buffer.isBuffer(data) ? data : Buffer.from(data)])),
    get,
    async getBuffer(key) {
      const chunks: Buffer[] = [];
      for await (const chunk of await get(key)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async exists(key) {
      try {
        await stat(fileFor(key));
        return true;
      } catch {
        return false;
      }
    },
    async remove(key) {
      await rm(fileFor(key), { force: true });
    },
  };
}
