import { randomInt } from 'node:crypto';
import path from 'node:path';
import type { FaultSettings } from './faults.js';

/** Options every simulator builder accepts. Unset values fall back to the environment. */
export interface SimulatorBaseOptions {
  /** Directory for the persisted JSON state. Default: env SIM_DATA_DIR, else `var/simulators`. */
  dataDir?: string;
  /** PRNG seed for fault injection. Default: env SIM_SEED, else a random seed. */
  seed?: string | number;
  /** Initial fault settings (all zero by default). */
  faults?: Partial<FaultSettings>;
  /** Fastify logger option; off by default (main.ts turns it on with env SIM_LOG_LEVEL). */
  logger?: boolean | { level: string };
}

export function resolveDataDir(dataDir: string | undefined): string {
  return path.resolve(dataDir ?? process.env.SIM_DATA_DIR ?? 'var/simulators');
}

export function resolveSeed(seed: string | number | undefined): string | number {
  if (seed !== undefined) return seed;
  const env = process.env.SIM_SEED;
  if (env !== undefined && env !== '') return env;
  return randomInt(0, 2 ** 32 - 1);
}
