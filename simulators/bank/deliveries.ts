import { BANK_SIGNATURE_HEADER, signBankPayload } from '../../integrations/bank-signature.js';

/**
 * Webhook delivery of the bank simulator: each delivery is a persisted record with the exact raw
 * body (so every retry carries the same bytes and signature); attempts follow exponential backoff
 * until a 2xx or `maxAttempts`. Pending deliveries are rescheduled when the simulator starts again.
 */
export interface Delivery {
  id: string;
  trackingKey: string;
  bank: string;
  /** 1 for the notification, 2 for a simulated duplicate of it. */
  copy: number;
  /** The JSON body, byte for byte what is sent and signed. */
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  createdAt: string;
  lastAttemptAt?: string;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
  url?: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Delay before attempt n+1 after n failed attempts: base·2^(n−1), capped. */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
}

export interface DispatcherOptions {
  webhookUrl: string;
  webhookSecret: string;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Looks a delivery up in the live state. */
  find: (id: string) => Delivery | undefined;
  /** Persists the state after a delivery changed. */
  persist: () => Promise<void>;
  log: { warn: (obj: object, msg: string) => void };
}

export class DeliveryDispatcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private running = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Starts delivering; schedules every pending delivery given. */
  start(pending: Iterable<Delivery>): void {
    this.running = true;
    for (const delivery of pending) this.schedule(delivery);
  }

  schedule(delivery: Delivery): void {
    if (!this.running || delivery.status !== 'pending' || this.timers.has(delivery.id)) return;
    const delay = Math.max(0, delivery.nextAttemptAt - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(delivery.id);
      const run = this.attempt(delivery.id).finally(() => this.inflight.delete(run));
      this.inflight.add(run);
    }, delay);
    this.timers.set(delivery.id, timer);
  }

  /** Stops scheduling, aborts attempts in flight (they stay pending and resume on restart). */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private async attempt(id: string): Promise<void> {
    const delivery = this.options.find(id);
    if (!this.running || !delivery || delivery.status !== 'pending') return;
    const { webhookUrl, webhookSecret, retry, timeoutMs } = this.options;
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [BANK_SIGNATURE_HEADER]: signBankPayload(delivery.body, webhookSecret),
          'x-bank-delivery-id': delivery.id,
          'x-bank-delivery-attempt': String(delivery.attempts + 1),
        },
        body: delivery.body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.cause instanceof Error ? e.cause.message : e.message}` : String(e);
    }
    // Shut down mid-attempt: leave the delivery as it was, it is retried after a restart.
    if (!this.running) return;

    delivery.attempts += 1;
    delivery.lastAttemptAt = new Date().toISOString();
    delivery.url = webhookUrl;
    if (status !== undefined) delivery.lastStatus = status;
    if (status !== undefined && status >= 200 && status < 300) {
      delivery.status = 'delivered';
      delivery.deliveredAt = delivery.lastAttemptAt;
      delete delivery.lastError;
    } else {
      delivery.lastError = error ?? `HTTP ${status}`;
      if (delivery.attempts >= retry.maxAttempts) {
        delivery.status = 'failed';
        this.options.log.warn({ deliveryId: id, attempts: delivery.attempts, lastError: delivery.lastError }, 'webhook delivery gave up');
      } else {
        delivery.nextAttemptAt = Date.now() + backoffDelay(retry, delivery.attempts);
      }
    }
    await this.options.persist().catch((e: unknown) => this.options.log.warn({ err: e }, 'could not persist bank state'));
    this.schedule(delivery);
  }
}
