import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createPrng, type Prng } from './prng.js';
import { validationError } from './http.js';

/**
 * Fault injection shared by every simulator (contracts §9):
 * `POST /control {latencyMs?, errorRate?, duplicateRate?}` changes the settings (unset fields are kept)
 * and answers the current settings; `GET /control` reads them; `GET /health` is always healthy.
 *
 * An `onRequest` hook delays business requests by `latencyMs` and then, with probability `errorRate`,
 * answers `503 {error: 'simulated failure'}` before the handler runs (so nothing is recorded).
 * `/control`, `/health` and the routes a simulator lists as exempt (seeding and inspection endpoints
 * for tests) are never delayed or failed. `duplicateRate` is read by simulators that deliver
 * messages (the bank's webhooks); the others accept and ignore it.
 *
 * Decisions come from a seeded PRNG (env SIM_SEED) so a test run is repeatable.
 */
export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  duplicateRate: number;
}

export const faultSettingsSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    duplicateRate: z.number().min(0).max(1).optional(),
  })
  .strict();

export type FaultSettingsInput = z.infer<typeof faultSettingsSchema>;

export interface Faults {
  /** Current settings (a copy). */
  settings(): FaultSettings;
  /** Changes the settings; unset fields are kept. */
  update(input: FaultSettingsInput): FaultSettings;
  /** Draws true with probability `rate`, from the seeded PRNG (0 and 1 draw nothing). */
  chance(rate: number): boolean;
}

export interface RegisterFaultsOptions {
  name: string;
  seed: string | number;
  initial?: Partial<FaultSettings> | undefined;
  /** `METHOD /route-pattern` entries (e.g. `PUT /registry/:curp`) never delayed or failed. */
  exempt?: readonly string[];
}

const ALWAYS_EXEMPT = ['GET /health', 'GET /control', 'POST /control'];

export function registerFaults(app: FastifyInstance, options: RegisterFaultsOptions): Faults {
  const prng: Prng = createPrng(options.seed);
  const initial = faultSettingsSchema.parse(options.initial ?? {});
  let current: FaultSettings = { latencyMs: 0, errorRate: 0, duplicateRate: 0, ...initial };
  const exempt = new Set([...ALWAYS_EXEMPT, ...(options.exempt ?? [])]);

  const faults: Faults = {
    settings: () => ({ ...current }),
    update(input) {
      current = { ...current, ...stripUndefined(input) };
      return { ...current };
    },
    chance(rate) {
      if (rate <= 0) return false;
      if (rate >= 1) return true;
      return prng() < rate;
    },
  };

  app.get('/health', async () => ({ status: 'ok', simulator: options.name }));
  app.get('/control', async () => faults.settings());
  app.post('/control', async (request, reply) => {
    const parsed = faultSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return validationError(reply, parsed.error);
    return faults.update(parsed.data);
  });

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && exempt.has(`${request.method} ${route}`)) return;
    const { latencyMs, errorRate } = current;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (faults.chance(errorRate)) {
      reply.code(503).send({ error: 'simulated failure' });
      return reply;
    }
  });

  return faults;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
