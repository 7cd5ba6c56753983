/**
 * Error taxonomy of the adapters to external services.
 *
 * - `TransientIntegrationError`: worth retrying (timeout, connection refused/reset, HTTP 5xx, 408, 429).
 * - `PermanentIntegrationError`: retrying will not help (other 4xx, a response that does not match the
 *   service's contract, a business rejection such as a PAC refusing a CFDI).
 *
 * `name` is set to the class name so a Temporal retry policy can list
 * `'PermanentIntegrationError'` in `nonRetryableErrorTypes`.
 */
export interface IntegrationErrorDetails {
  /** Which service: 'renapo', 'stamping', 'bank-simulator', … */
  service: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Service-specific error code (e.g. a PAC's '301'). */
  code?: string;
  /** The response body (parsed JSON or text), when useful for diagnosis. */
  body?: unknown;
  cause?: unknown;
}

export abstract class IntegrationError extends Error {
  abstract readonly retryable: boolean;
  readonly service: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly body: unknown;

  constructor(message: string, details: IntegrationErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.service = details.service;
    this.status = details.status;
    this.code = details.code;
    this.body = details.body;
  }
}

export class TransientIntegrationError extends IntegrationError {
  readonly retryable = true;
  override readonly name = 'TransientIntegrationError';
}

export class PermanentIntegrationError extends IntegrationError {
  readonly retryable = false;
  override readonly name = 'PermanentIntegrationError';
}

export function isTransientIntegrationError(error: unknown): error is TransientIntegrationError {
  return error instanceof TransientIntegrationError;
}

export function isPermanentIntegrationError(error: unknown): error is PermanentIntegrationError {
  return error instanceof PermanentIntegrationError;
}
