import type { Db, Sql } from '../db/client';
import type { RenapoClient } from '../integrations/renapo';
import type { StampingClient } from '../integrations/stamping';
import type { AppConfig } from '../platform/config';
import type { FileStorage } from '../platform/storage';
import { createInstitutionActivities } from './institutions';
import { createPayrollActivities } from './payroll';
import { createPaymentActivities } from './payments';
import { createInvoicingActivities } from './invoicing';
import { createRegistryActivities } from './registry';
import { createShmActivities } from './shm';
import { createDispersionActivities } from './dispersion';

/** Everything activities need from the outside world, injected by the worker (or a test). */
export interface ActivityDeps {
  config: AppConfig;
  db: Db;
  /** The raw postgres.js pool, for COPY and set-based SQL that drizzle does not express. */
  sql: Sql;
  renapo: RenapoClient;
  stamping: StampingClient;
  storage: FileStorage;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createInstitutionActivities(deps),
    ...createPayrollActivities(deps),
    ...createPaymentActivities(deps),
    ...createInvoicingActivities(deps),
    ...createRegistryActivities(deps),
    ...createShmActivities(deps),
    ...createDispersionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
