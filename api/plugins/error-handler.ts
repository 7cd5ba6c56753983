import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors';

/** One error shape for every route: `{ error: { code, message, details? }, requestId }`. */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const requestId = request.id;
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.status(400).send({
        error: {
          code: 'VALIDATION_ERROR',
          message: 'La solicitud tiene datos inválidos; revise los campos indicados en details.',
          details: err.validation.map((v) => ({
            field: [v.instancePath?.replace(/^\//, '').replace(/\//g, '.') || err.validationContext].filter(Boolean).join(''),
            message: v.message,
          })),
        },
        requestId,
      });
    }
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send({
        error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
        requestId,
      });
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err }, 'response did not match its schema');
    } else if (err.statusCode === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'El archivo o la solicitud excede el tamaño máximo permitido; divida el archivo o comprímalo.' },
        requestId,
      });
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err.statusCode === 400 && /prototype property/.test(err.message))) {
      return reply.status(400).send({
        error: { code: 'INVALID_JSON', message: 'El cuerpo de la solicitud no es JSON válido (o usa la propiedad reservada "__proto__" o "constructor"); revise su sintaxis y reenvíelo.' },
        requestId,
      });
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Tipo de contenido no admitido: envíe el cuerpo como application/json (o multipart/form-data para subir archivos).' },
        requestId,
      });
    } else if (err.statusCode === 429) {
      return reply.status(429).send({
        error: { code: 'TOO_MANY_REQUESTS', message: 'Demasiados intentos; espere un momento antes de volver a intentar.' },
        requestId,
      });
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({
        error: { code: err.code ?? 'BAD_REQUEST', message: 'Solicitud inválida: ' + err.message },
        requestId,
      });
    } else {
      request.log.error({ err }, 'unhandled error');
    }
    return reply.status(500).send({
      error: { code: 'INTERNAL_ERROR', message: 'Error interno; si persiste, reporte este requestId a soporte.' },
      requestId,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `La ruta ${request.method} ${request.url.split('?')[0]} no existe; consulte /docs.` },
      requestId: request.id,
    }),
  );
});
