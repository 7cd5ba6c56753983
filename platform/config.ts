import { z } from 'zod';

/**
 * Process configuration, read once from the environment and validated.
 * Every external endpoint is configuration: the defaults point at the local simulators.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('backoffice'),
  /** Concurrent heavy activities of large payroll files per worker (workflows/task-queues.ts). */
  WORKER_BULK_ACTIVITY_SLOTS: z.coerce.number().int().positive().default(2),
  /** A payroll file this large (rows, or upload bytes before staging) runs on the bulk queue. */
  PAYROLL_LARGE_FILE_ROWS: z.coerce.number().int().positive().default(5_000),
  PAYROLL_LARGE_FILE_BYTES: z.coerce.number().int().positive().default(512 * 1024),
  RENAPO_URL: z.string().url().default('http://127.0.0.1:4010'),
  BANK_SIM_URL: z.string().url().default('http://127.0.0.1:4020'),
  STAMPING_URL: z.string().url().default('http://127.0.0.1:4030'),
  BANK_WEBHOOK_SECRET: z.string().min(8).optional(),
  /** Optional cap of sueldo_cotizable per quincena (finding E041); unset: no cap. */
  PAYROLL_SALARY_CAP: z.string().regex(/^\d+(\.\d{1,2})?$/).optional(),
  /** The issuer of the CFDI (ISSEMyM's SAT record; placeholders until its constancia is loaded). */
  CFDI_EMISOR_RFC: z.string().default('ISS690101AB1'),
  CFDI_EMISOR_NOMBRE: z.string().default('INSTITUTO DE SEGURIDAD SOCIAL DEL ESTADO DE MEXICO Y MUNICIPIOS'),
  CFDI_EMISOR_REGIMEN: z.string().default('603'),
  CFDI_LUGAR_EXPEDICION: z.string().regex(/^\d{5}$/).default('50090'),
  CFDI_USO: z.string().default('S01'),
  /** The institute's collection account printed on the formato de pago. */
  COLLECTION_ACCOUNT_CLABE: z.string().regex(/^\d{18}$/).default('012180001183597211'),
  /** A RENAPO answer younger than this is reused instead of asking again (30 days). */
  RENAPO_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(30 * 24 * 3600),
  JWT_SECRET: z.string().min(32).optional(),
  /** 32 bytes, base64: encrypts every stored file (payroll files, documents) at rest. */
  STORAGE_ENCRYPTION_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  STORAGE_DIR: z.string().default('var/storage'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(200 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = z.infer<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** Secrets never have defaults: a process that needs one refuses to start without it. */
export function requireSecret(config: AppConfig, name: 'JWT_SECRET' | 'BANK_WEBHOOK_SECRET' | 'STORAGE_ENCRYPTION_KEY'): string {
  const value = config[name];
  if (!value) throw new Error(`${name} must be set in the environment (see README, "Configuration")`);
  return value;
}
