import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKeys } from '../../db/schema';
import { generateApiKey } from '../../identity/api-keys';
import { ROLES } from '../../identity/principal';
import { authenticate, createUser } from '../../identity/users';
import type { AppDeps } from '../app';
import { AppError, notFound } from '../errors';
import { requirePrincipal } from '../plugins/auth';
import { errorResponses, institutionClaveParam } from '../schemas';

export const authRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;

  app.post(
    '/v1/auth/login',
    {
      config: {
        access: { public: true },
        // Per IP and username: slows guessing without letting one attacker lock out an office.
        // Counted at preValidation: in onRequest (the default) the body is not parsed yet, so
        // the key would be the IP alone and one office behind a NAT would share 10 logins a minute.
        rateLimit: {
          hook: 'preValidation',
          max: 10,
          timeWindow: '1 minute',
          keyGenerator: (req) => `${req.ip}:${String((req.body as { username?: string } | undefined)?.username ?? '')}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; returns a short-lived access token',
        body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
        response: { 200: z.object({ accessToken: z.string(), expiresIn: z.number(), role: z.enum(ROLES) }), ...errorResponses },
      },
    },
    async (request) => {
      const outcome = await authenticate(db, request.body.username, request.body.password, request.ip);
      if (!outcome.ok) {
        if (outcome.reason === 'locked') {
          request.log.warn({ event: 'login_lockout' }, 'login refused: account locked');
          throw new AppError(401, 'ACCOUNT_LOCKED', 'La cuenta está bloqueada temporalmente por intentos fallidos; intente en 15 minutos o contacte a soporte.');
        }
        throw new AppError(401, 'INVALID_CREDENTIALS', 'Usuario o contraseña incorrectos.');
      }
      const token = await deps.tokens.issue(outcome.principal);
      return { ...token, role: outcome.principal.role };
    },
  );

  app.get(
    '/v1/auth/me',
    {
      config: { access: { roles: ROLES } },
      schema: {
        tags: ['auth'],
        summary: 'Who am I',
        response: {
          200: z.object({ id: z.string(), kind: z.enum(['user', 'apiKey']), username: z.string(), role: z.enum(ROLES), institutionClave: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return { id: p.id, kind: p.kind, username: p.username, role: p.role, institutionClave: p.institutionClave };
    },
  );

  app.post(
    '/v1/users',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['auth'],
        summary: 'Create a user (admin)',
        body: z
          .object({
            username: z.string().min(3).max(100),
            password: z.string().min(12, 'La contraseña debe tener al menos 12 caracteres.').max(200),
            role: z.enum(ROLES),
            institutionClave: institutionClaveParam.optional(),
            displayName: z.string().max(200).optional(),
          })
          .refine((u) => u.role !== 'institution' || u.institutionClave, {
            message: 'Un usuario de institución requiere institutionClave.',
            path: ['institutionClave'],
          }),
        response: { 201: z.object({ id: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await createUser(db, request.body);
      if (!result.created) throw new AppError(409, 'USERNAME_TAKEN', 'El nombre de usuario ya existe; elija otro.');
      return reply.status(201).send({ id: result.id });
    },
  );

  app.post(
    '/v1/institutions/:clave/api-keys',
    {
      config: { access: { roles: ['admin', 'operator'] } },
      schema: {
        tags: ['auth'],
        summary: "Issue an API key for an institution's payroll system (shown once)",
        params: z.object({ clave: institutionClaveParam }),
        body: z.object({ name: z.string().min(1).max(100) }),
        response: { 201: z.object({ id: z.string(), key: z.string(), prefix: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const generated = generateApiKey();
      const [row] = await db
        .insert(apiKeys)
        .values({ keyHash: generated.hash, prefix: generated.prefix, name: request.body.name, institutionClave: request.params.clave, createdBy: principal.kind === 'user' ? principal.id : null })
        .returning({ id: apiKeys.id });
      return reply.status(201).send({ id: row!.id, key: generated.key, prefix: generated.prefix });
    },
  );

  app.delete(
    '/v1/institutions/:clave/api-keys/:id',
    {
      config: { access: { roles: ['admin', 'operator'] } },
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key',
        params: z.object({ clave: institutionClaveParam, id: z.string().uuid() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const revoked = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, request.params.id), eq(apiKeys.institutionClave, request.params.clave), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (revoked.length === 0) throw notFound('La clave de API');
      return reply.status(204).send(null);
    },
  );
};
