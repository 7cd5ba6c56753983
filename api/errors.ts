/**
 * Errors the API answers with. `message` is read by end users (payroll clerks, applicants):
 * Spanish, saying what is wrong and how to fix it. `code` is stable for programs.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthorized = (message = 'Se requiere autenticación: envíe un token Bearer o la cabecera X-Api-Key.') =>
  new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'No tiene permiso para esta operación.') => new AppError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} no existe o no está disponible para usted.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);
