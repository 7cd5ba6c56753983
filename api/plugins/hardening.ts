import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

/**
 * Small HTTP hygiene for every route:
 * - `X-Content-Type-Options: nosniff`, so JSON, CSV and downloads that quote what users typed
 *   (names, file names: possibly HTML) are never sniffed and rendered as a page by a browser;
 * - U+0000 refused in params, query and body with a 400: PostgreSQL text cannot store it, so it
 *   would otherwise fail later as a 500 (or half-way through a change). Checked in preHandler,
 *   after a route's own preValidation (the bank webhook verifies its signature first).
 */
export const hardeningPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('preHandler', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw new AppError(400, 'INVALID_CHARACTER', 'La solicitud contiene el carácter nulo (U+0000), que no se admite en ningún dato; quítelo y vuelva a enviarla.');
    }
  });
});
