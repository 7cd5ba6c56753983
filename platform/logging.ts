import type { FastifyServerOptions } from 'fastify';

// CURP (18) and RFC (12/13) shapes; URLs such as /v1/people/{curp} must not leak into logs.
const CURP_LIKE = /[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d/gi;
const RFC_LIKE = /\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b/gi;

export function redactPersonalData(text: string): string {
  return text.replace(CURP_LIKE, '[CURP]').replace(RFC_LIKE, '[RFC]');
}

/** Error fields that are safe to log as they are (codes and names, never values). */
const SAFE_ERROR_FIELDS = ['code', 'statusCode', 'severity', 'routine', 'constraint_name', 'table_name', 'column_name', 'schema_name'] as const;

/**
 * Errors as logged by the API: type, code, message and stack frames, with CURP/RFC masked.
 * A failed query (drizzle's DrizzleQueryError puts every bound value in its message, stack and
 * `params`) is logged by its SQL text only, and PostgreSQL's `detail` ("Key (curp)=(…)") loses
 * its values: query parameters are personal data (CURP, RFC, names).
 */
export function serializeError(err: unknown, depth = 0): { type: string; message: string; stack: string; [field: string]: unknown } {
  if (!(err instanceof Error)) return { type: typeof err, message: redactPersonalData(String(err)), stack: '' };
  const e = err as Error & Record<string, unknown>;
  const failedQuery = typeof e.query === 'string' && 'params' in e;
  const message = redactPersonalData(failedQuery ? `Failed query: ${e.query as string}` : e.message);
  const stack = typeof e.stack === 'string' ? e.stack : '';
  const frames = stack.indexOf('\n    at ') >= 0 ? stack.slice(stack.indexOf('\n    at ')) : '';
  const type = e.name !== 'Error' ? e.name : (e.constructor?.name ?? 'Error');
  const out: { type: string; message: string; stack: string; [field: string]: unknown } = { type, message, stack: `${type}: ${message}${redactPersonalData(frames)}` };
  for (const field of SAFE_ERROR_FIELDS) {
    const value = e[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = typeof value === 'string' ? redactPersonalData(value) : value;
  }
  if (typeof e.detail === 'string') {
    // "Key (curp)=(…) already exists." / "Failing row contains (…)." quote the row's values.
    const detail = e.detail.replace(/\)=\(.*?\)( already| is not|$)/g, ')=([redacted])$1').replace(/(Failing row contains )\(.*\)/s, '$1([redacted])');
    out.detail = redactPersonalData(detail);
  }
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** pino options for the API: no bodies, no auth headers, no CURP/RFC in URLs or errors. */
export function apiLoggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    // `*.headers`: plugins log request headers under their own keys too (at trace level
    // @fastify/multipart logs `busboyOptions.headers`, bearer token included).
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.headers.authorization', '*.headers["x-api-key"]', '*.headers.cookie'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; id: string }) {
        return { method: request.method, url: redactPersonalData(request.url), id: request.id };
      },
      err: serializeError,
    },
  };
}
