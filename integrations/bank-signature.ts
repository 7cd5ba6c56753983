import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signature of the bank's payment notifications (contracts §5):
 * `X-Bank-Signature: sha256=<hex HMAC-SHA256 of the exact raw body with the shared secret>`.
 * The bank simulator signs with `signBankPayload`; the API verifies with `verifyBankSignature`
 * over the raw bytes it received (never over re-serialised JSON).
 */
export const BANK_SIGNATURE_HEADER = 'x-bank-signature';

const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** Returns the full header value, `sha256=<64 lowercase hex>`. */
export function signBankPayload(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Constant-time check of a header value against the raw body. Anything but `sha256=<64 hex>`
 * (missing, repeated header, other algorithm, wrong length) is rejected.
 */
export function verifyBankSignature(
  rawBody: string | Buffer,
  headerValue: string | readonly string[] | null | undefined,
  secret: string,
): boolean {
  if (typeof headerValue !== 'string') return false;
  const match = SIGNATURE_FORMAT.exec(headerValue.trim());
  if (!match?.[1]) return false;
  const received = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}
