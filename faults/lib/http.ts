/**
 * The load driver's HTTP client: it must live through an API that is SIGKILLed and restarted,
 * a Temporal server that is away for a while and a PostgreSQL crash-restart. Connection errors,
 * timeouts and 5xx answers are retried with exponential backoff, bounded in attempts and time.
 * Only requests that are safe to repeat are sent through it (each caller says how a repeat is
 * recognised: same bytes join the same upload, an acceptance is recorded once, ...).
 */
export interface HttpStats {
  requests: number;
  retried: number;
  connectionErrors: number;
  serverErrors: number;
  gaveUp: number;
}

export interface Answer {
  status: number;
  text: string;
  json: any;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string>;
  /** Total time allowed including retries (default 150 s). */
  budgetMs?: number;
  /** Per-attempt timeout (default 30 s). */
  attemptTimeoutMs?: number;
  /** Answers that are final even if 5xx (default: 5xx and 429 are retried). */
  retryOn?: (status: number) => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RetryingClient {
  readonly stats: HttpStats = { requests: 0, retried: 0, connectionErrors: 0, serverErrors: 0, gaveUp: 0 };

  constructor(private readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const budget = options.budgetMs ?? 150_000;
    const deadline = Date.now() + budget;
    const retryOn = options.retryOn ?? ((s: number) => s >= 500 || s === 429);
    let delay = 250;
    let lastError = '';
    for (let attempt = 1; attempt <= 60; attempt++) {
      this.stats.requests += 1;
      try {
        const headers: Record<string, string> = { ...(options.headers ?? {}) };
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        let body: string | Buffer | undefined;
        if (options.json !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(options.json);
        } else if (options.body) body = options.body;
        const res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: body as string | undefined,
          signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 30_000),
        });
        const text = await res.text();
        if (!retryOn(res.status)) {
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = null;
          }
          return { status: res.status, text, json };
        }
        this.stats.serverErrors += 1;
        lastError = `HTTP ${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        this.stats.connectionErrors += 1;
        lastError = err instanceof Error ? `${err.name}: ${(err.cause as Error | undefined)?.message ?? err.message}` : String(err);
      }
      if (Date.now() + delay > deadline) break;
      this.stats.retried += 1;
      await sleep(delay);
      delay = Math.min(delay * 2, 4000);
    }
    this.stats.gaveUp += 1;
    throw new Error(`${method} ${this.baseUrl}${path} gave up after ${budget} ms: ${lastError}`);
  }
}

/** Polls `fn` until `done` holds, bounded in time; returns the last value or throws. */
export async function pollUntil<T>(what: string, fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (let i = 0; i < 100_000; i++) {
    try {
      last = await fn();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) break;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)} ${lastError ? String(lastError) : ''}`);
}

export function multipartFile(file: Buffer, filename: string, contentType = 'application/octet-stream', fields: Record<string, string> = {}): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----faults${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
