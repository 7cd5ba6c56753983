// Barrel of the database schema, split by domain.
export * from './identity';
export * from './reference';
export * from './registry';
export * from './payroll';
export * from './notifications';
export * from './shm';
export * from './payments';
export * from './ledger';
