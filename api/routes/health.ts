import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app';

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<boolean> {
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs))]);
    return true;
  } catch {
    return false;
  }
}

export const healthRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/health',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['platform'],
        summary: 'Connectivity of the API to PostgreSQL and Temporal',
        response: {
          200: z.object({ status: z.literal('ok'), database: z.object({ up: z.boolean(), kind: z.string() }), temporal: z.object({ up: z.boolean() }) }),
          503: z.object({ status: z.literal('degraded'), database: z.object({ up: z.boolean(), kind: z.string() }), temporal: z.object({ up: z.boolean() }) }),
        },
      },
    },
    async (_request, reply) => {
      const [databaseUp, temporalUp] = await Promise.all([
        probe(() => deps.database.sql`select 1`),
        probe(() => deps.temporal.workflowService.getSystemInfo({})),
      ]);
      const body = { database: { up: databaseUp, kind: deps.databaseKind }, temporal: { up: temporalUp } };
      return databaseUp && temporalUp ? reply.status(200).send({ status: 'ok', ...body }) : reply.status(503).send({ status: 'degraded', ...body });
    },
  );
};
