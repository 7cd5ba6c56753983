import { PermanentIntegrationError, TransientIntegrationError } from './errors.js';

/** Internal HTTP helper of the adapters: fetch with a timeout and the error taxonomy applied. */
export interface HttpResult {
  status: number;
  text: string;
  contentType: string;
}

export interface HttpRequest {
  service: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Statuses that mean "try again later". */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Sends the request; throws TransientIntegrationError on network failure or timeout. Does not judge
 * the status: callers decide, usually through `throwForStatus`.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResult> {
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (error) {
    throw networkError(req, error);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw networkError(req, error);
  }
  return { status: response.status, text, contentType: response.headers.get('content-type') ?? '' };
}

function networkError(req: HttpRequest, error: unknown): TransientIntegrationError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransientIntegrationError(`${req.service}: ${req.method} ${req.url} timed out after ${req.timeoutMs} ms`, {
      service: req.service,
      cause: error,
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TransientIntegrationError(`${req.service}: ${req.method} ${req.url} failed: ${detail}`, {
    service: req.service,
    cause: error,
  });
}

/** Parses a body as JSON; a body that is not JSON is a contract violation (permanent). */
export function parseJsonBody(service: string, result: HttpResult): unknown {
  try {
    return JSON.parse(result.text);
  } catch (error) {
    throw new PermanentIntegrationError(`${service}: response is not JSON (HTTP ${result.status})`, {
      service,
      status: result.status,
      body: result.text.slice(0, 2000),
      cause: error,
    });
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 2000);
  }
}

/** Throws the right error class for a non-2xx status; returns normally for 2xx. */
export function throwForStatus(service: string, result: HttpResult, describe?: (body: unknown) => { code?: string; message?: string }): void {
  if (result.status >= 200 && result.status < 300) return;
  const body = tryJson(result.text);
  const described = describe?.(body) ?? {};
  const message = `${service}: HTTP ${result.status}${described.message ? `: ${described.message}` : ''}`;
  const details = { service, status: result.status, body, ...(described.code ? { code: described.code } : {}) };
  if (isRetryableStatus(result.status)) throw new TransientIntegrationError(message, details);
  throw new PermanentIntegrationError(message, details);
}

/** `baseUrl` without trailing slashes, validated once when a client is created. */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`invalid base URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`base URL must be http(s): ${baseUrl}`);
  return baseUrl.replace(/\/+$/, '');
}
