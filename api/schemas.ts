import { z } from 'zod';

/** The error body of contracts §8, for the OpenAPI document. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  requestId: z.string(),
});

export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  422: errorBody,
} as const;

export const institutionClaveParam = z
  .string()
  .regex(/^\d{5}$/, 'La clave de institución tiene 5 dígitos, por ejemplo 20511.');
