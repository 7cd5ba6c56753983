import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** 400 with the zod issues, the simulators' single validation-error shape. */
export function validationError(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: 'validation failed',
    details: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}
