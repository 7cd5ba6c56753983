import { createHash, randomBytes } from 'node:crypto';

/** API keys carry 32 random bytes, so a plain SHA-256 is a sound (and fast) stored form. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `ek_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
