import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client';
import type { Principal, Role } from '../../identity/principal';
import type { TokenService } from '../../identity/tokens';
import { principalForApiKey } from '../../identity/users';
import { forbidden, unauthorized } from '../errors';

/**
 * Every route declares who may call it in `config.access`; a route without a declaration
 * makes the app refuse to start (fail closed).
 * - `{ public: true }`: no authentication (login, health, bank webhook with its own signature).
 * - `{ roles, tenant? }`: an authenticated principal with one of `roles`; with
 *   `tenant: 'institution'`, an `institution` principal may only touch the `:clave` in the URL.
 */
export type AccessRule = { public: true } | { roles: readonly Role[]; tenant?: 'institution' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db; tokens: TokenService }) => {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: AccessRule } | undefined)?.access;
    const isDocs = route.url.startsWith('/docs');
    if (!access && !isDocs && route.method !== 'HEAD') {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare config.access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return;

    const header = request.headers.authorization;
    const apiKey = request.headers['x-api-key'];
    let principal: Principal | null = null;
    if (header?.startsWith('Bearer ')) {
      principal = await opts.tokens.verify(header.slice('Bearer '.length).trim());
      if (!principal) throw unauthorized('El token es inválido o expiró; inicie sesión de nuevo.');
    } else if (typeof apiKey === 'string' && apiKey.length > 0) {
      principal = await principalForApiKey(opts.db, apiKey);
      if (!principal) throw unauthorized('La clave de API es inválida o fue revocada.');
    } else {
      throw unauthorized();
    }
    request.principal = principal;

    if (!access.roles.includes(principal.role)) throw forbidden();

    // Tenant check on the raw `:clave` of the route (known once routed), before the body is
    // read or validated: another institution's request is refused whatever it carries.
    if (access.tenant === 'institution' && principal.role === 'institution') {
      const clave = (request.params as { clave?: string } | undefined)?.clave;
      if (!clave || principal.institutionClave !== clave) {
        throw forbidden('Solo puede consultar u operar los datos de su propia institución.');
      }
    }
  });
});
