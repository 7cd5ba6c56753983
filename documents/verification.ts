import { createHash } from 'node:crypto';

/**
 * Verification of issued documents: a document's content is frozen as canonical JSON (keys
 * sorted, no whitespace) and its SHA-256 printed on the PDF with a QR code, so anyone holding
 * the paper can check it against the institute's records.
 */

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of `content`. */
export function verificationHash(content: unknown): string {
  return sha256Hex(canonicalJson(content));
}

/**
 * Text encoded in the QR code: `<system>|<document kind>|<folio>|<hash>`. Compact and free of
 * personal data; a verification service resolves folio + hash.
 */
export function verificationPayload(kind: string, folio: string, hash: string, system = 'ISSEMYM-PRISMA'): string {
  return `${system}|${kind}|${folio}|${hash}`;
}
