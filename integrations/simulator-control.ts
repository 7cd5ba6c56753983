import type { Deposit } from '../simulators/bank/app.js';
import type { Delivery } from '../simulators/bank/deliveries.js';
import type { FaultSettings } from '../simulators/shared/faults.js';
import { httpRequest, normaliseBaseUrl, parseJsonBody, throwForStatus } from './http.js';

/**
 * Small client for the local simulators' own control surface (contracts §9), used by the demo,
 * the stack script and tests. Not for production code paths: real services have no such endpoints.
 */
export type { FaultSettings } from '../simulators/shared/faults.js';

/** A deposit as the bank simulator records it; `deliveryIds` only in the answer to POST /payments. */
export type SimulatedDeposit = Deposit & { deliveryIds?: string[] };

/** A webhook delivery as GET /deliveries lists it. */
export type SimulatedDelivery = Pick<Delivery, 'id' | 'trackingKey' | 'copy' | 'status' | 'attempts' | 'lastStatus' | 'lastError' | 'deliveredAt'>;

/** A person as the RENAPO simulator's registry takes it (fechNac `YYYY-MM-DD`). */
export interface RenapoSeedRecord {
  nombres: string;
  apellido1: string;
  apellido2?: string;
  sexo: 'H' | 'M' | 'X';
  fechNac: string;
  cveEntidadNac: string;
  estatusCURP: string;
  /** Required for RCC and BCC. */
  curpNueva?: string;
  nacionalidad?: string;
  docProbatorio?: number;
}

export interface SimulatorClientOptions {
  baseUrl: string;
  timeoutMs?: number;
}

function client(service: string, options: SimulatorClientOptions) {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ json: () => unknown; text: string }> => {
    const result = await httpRequest({
      service,
      method,
      url: `${baseUrl}${path}`,
      timeoutMs,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    throwForStatus(service, result);
    return { json: () => parseJsonBody(service, result), text: result.text };
  };
  return {
    call,
    control: async (faults: Partial<FaultSettings>) => (await call('POST', '/control', faults)).json() as FaultSettings,
    health: async () => (await call('GET', '/health')).json() as { status: string; simulator: string },
  };
}

export function createBankSimulatorClient(options: SimulatorClientOptions) {
  const { call, control, health } = client('bank-simulator', options);
  return {
    control,
    health,
    /** Makes the bank receive a deposit and notify the API. */
    pay: async (payment: { reference: string; amount: string; operationDate?: string; valueDate?: string; bank?: string; payerName?: string }) =>
      (await call('POST', '/payments', payment)).json() as SimulatedDeposit,
    /** The day's statement CSV. */
    statement: async (date: string) => (await call('GET', `/statements/${encodeURIComponent(date)}`)).text,
    payments: async (reference?: string) =>
      (await call('GET', `/payments${reference ? `?reference=${encodeURIComponent(reference)}` : ''}`)).json() as SimulatedDeposit[],
    deliveries: async (trackingKey?: string) =>
      (await call('GET', `/deliveries${trackingKey ? `?trackingKey=${encodeURIComponent(trackingKey)}` : ''}`)).json() as SimulatedDelivery[],
  };
}

export function createRenapoSimulatorClient(options: SimulatorClientOptions) {
  const { call, control, health } = client('renapo-simulator', options);
  return {
    control,
    health,
    seed: async (curp: string, record: RenapoSeedRecord) => (await call('PUT', `/registry/${encodeURIComponent(curp)}`, record)).json(),
    seedBulk: async (records: (RenapoSeedRecord & { curp: string })[]) =>
      (await call('POST', '/registry/bulk', records)).json() as { upserted: number; created: number; total: number },
  };
}

export function createStampingSimulatorClient(options: SimulatorClientOptions) {
  const { control, health } = client('stamping-simulator', options);
  return { control, health };
}

/** Polls `GET /health` until the simulator answers (for scripts that start simulators). */
export async function waitForSimulator(baseUrl: string, timeoutMs = 15_000): Promise<void> {
  const { health } = client('simulator', { baseUrl, timeoutMs: 1000 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await health();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
