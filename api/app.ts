import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client';
import type { DatabaseKind } from '../db/resolve';
import type { TokenService } from '../identity/tokens';
import type { AppConfig } from '../platform/config';
import type { FileStorage } from '../platform/storage';
import { authPlugin, type AccessRule } from './plugins/auth';
import { errorHandlerPlugin } from './plugins/error-handler';
import { hardeningPlugin } from './plugins/hardening';
import { authRoutes } from './routes/auth';
import { healthRoutes } from './routes/health';
import { institutionRoutes } from './routes/institutions';
import { movementRoutes } from './routes/movements';
import { peopleRoutes } from './routes/people';
import { payrollRoutes } from './routes/payroll';
import { bankRoutes } from './routes/bank';
import { shmRoutes } from './routes/shm';
import { accountRoutes } from './routes/accounts';

export interface AppDeps {
  config: AppConfig;
  database: Database;
  databaseKind: DatabaseKind;
  temporal: Client;
  tokens: TokenService;
  storage: FileStorage;
  logger?: FastifyServerOptions['logger'];
}

/** A route the app exposes and the access it declared (null only for the OpenAPI pages under /docs). */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: AccessRule | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered (HEAD twins of GET routes left out); the access-matrix test checks it. */
    declaredRoutes: readonly DeclaredRoute[];
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : randomUUID()),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  const declaredRoutes: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declaredRoutes);
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: AccessRule } | undefined)?.access ?? null;
    for (const method of [route.method].flat()) if (method !== 'HEAD') declaredRoutes.push({ method, url: route.url, access });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Back office PRISMA (ISSEMyM) y SHM (IHAEM)',
        description: 'API for institutions\' payroll systems, banks, reviewers and operators. Contract: shared/contracts.md §8.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: deps.config.UPLOAD_MAX_BYTES, files: 1, fields: 10 } });
  await app.register(errorHandlerPlugin);
  await app.register(hardeningPlugin);
  await app.register(authPlugin, { db: deps.database.db, tokens: deps.tokens });

  await app.register(healthRoutes, { deps });
  await app.register(authRoutes, { deps });
  await app.register(institutionRoutes, { deps });
  await app.register(movementRoutes, { deps });
  await app.register(peopleRoutes, { deps });
  await app.register(payrollRoutes, { deps });
  await app.register(bankRoutes, { deps });
  await app.register(shmRoutes, { deps });
  await app.register(accountRoutes, { deps });
  return app;
}
