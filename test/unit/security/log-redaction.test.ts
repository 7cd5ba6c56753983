/**
 * The API's logger options (platform/logging.ts) on the real error handler: an unexpected
 * failure is logged with enough to debug it, but never the personal data it carried — a failed
 * query's bound values (drizzle puts them in the message, the stack and `params`), PostgreSQL's
 * "Key (curp)=(…)" detail, CURPs/RFCs in messages and URLs, or credentials in headers.
 */
import { DrizzleQueryError } from 'drizzle-orm';
import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { errorHandlerPlugin } from '../../../api/plugins/error-handler';
import { apiLoggerOptions, redactPersonalData, serializeError } from '../../../platform/logging';

const CURP = 'GALJ600220HMCRPN00';
const RFC = 'GALJ600220132';
const NAME = 'JUANA GALINDO';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function uniqueViolation() {
  const cause = Object.assign(new Error('duplicate key value violates unique constraint "people_curp_unique"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (curp)=(${CURP}) already exists.`,
    constraint_name: 'people_curp_unique',
    table_name: 'people',
  });
  return new DrizzleQueryError('insert into "people" ("curp", "rfc", "given_names") values ($1, $2, $3)', [CURP, RFC, NAME], cause);
}

describe('serializeError', () => {
  it('keeps the SQL text, codes and constraint of a failed query, drops its values', () => {
    const out = serializeError(uniqueViolation());
    const text = JSON.stringify(out);
    expect(out).toMatchObject({ type: 'DrizzleQueryError', message: expect.stringContaining('insert into "people"') });
    expect(out.cause).toMatchObject({ code: '23505', constraint_name: 'people_curp_unique', table_name: 'people', detail: 'Key (curp)=([redacted]) already exists.' });
    expect(out.stack).toMatch(/\n {4}at /);
    for (const secret of [CURP, RFC, NAME]) expect(text).not.toContain(secret);
  });

  it('empties the row PostgreSQL quotes in a constraint violation', () => {
    const err = Object.assign(new Error('null value in column "rfc" violates not-null constraint'), { code: '23502', detail: `Failing row contains (1, ${CURP}, null, ${NAME}).` });
    expect(serializeError(err)).toMatchObject({ code: '23502', detail: 'Failing row contains ([redacted]).' });
  });

  it('masks CURPs and RFCs in any error message, stack and cause', () => {
    const err = new Error(`no se encontró ${CURP} ni ${RFC.toLowerCase()}`, { cause: new Error(`persona ${CURP}`) });
    const text = JSON.stringify(serializeError(err));
    expect(text).toContain('[CURP]');
    expect(text.toUpperCase()).not.toContain(CURP);
    expect(text.toUpperCase()).not.toContain(RFC);
  });

  it('copes with things that are not errors', () => {
    expect(serializeError(`texto ${CURP}`)).toMatchObject({ type: 'string', message: 'texto [CURP]' });
    expect(serializeError(undefined)).toMatchObject({ type: 'undefined' });
  });
});

describe('redactPersonalData', () => {
  it('masks CURPs and RFCs (física and moral) in URLs, in any case, and leaves the rest', () => {
    expect(redactPersonalData(`/v1/people/${CURP}/vigencia?date=2026-03-10`)).toBe('/v1/people/[CURP]/vigencia?date=2026-03-10');
    expect(redactPersonalData(`/v1/people/${CURP.toLowerCase()}`)).toBe('/v1/people/[CURP]');
    expect(redactPersonalData(`/v1/people/${RFC}`)).toBe('/v1/people/[RFC]');
    expect(redactPersonalData('/x?rfc=MTO850101AB1')).toBe('/x?rfc=[RFC]');
    expect(redactPersonalData('/v1/institutions/20511/periods/202604/findings?format=csv')).toBe('/v1/institutions/20511/periods/202604/findings?format=csv');
  });
});

describe('the API logger on the error handler', () => {
  it('logs a failed query as a 500 with its SQL but without its values; the client gets only a requestId', async () => {
    const logs = capture();
    const app = Fastify({ logger: { ...(apiLoggerOptions('trace') as object), stream: logs.stream } });
    await app.register(errorHandlerPlugin);
    app.post('/v1/people/:curp', async () => {
      throw uniqueViolation();
    });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/people/${CURP}?rfc=${RFC}`,
      headers: { authorization: 'Bearer secreto.token.valor', 'x-api-key': 'ek_clave-secreta', cookie: 'sesion=abc' },
      payload: { curp: CURP, nombres: NAME },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toContain(CURP);
    await app.close();

    const failure = logs.lines().find((l) => l.msg === 'unhandled error');
    expect(failure?.err).toMatchObject({ type: 'DrizzleQueryError', cause: { code: '23505' } });
    const text = logs.text();
    for (const secret of [CURP, RFC, NAME, 'secreto.token.valor', 'ek_clave-secreta', 'sesion=abc']) expect(text).not.toContain(secret);
  });

  it('redacts credentials wherever a plugin logs request headers', () => {
    const logs = capture();
    const app = Fastify({ logger: { ...(apiLoggerOptions('trace') as object), stream: logs.stream } });
    app.log.trace({ busboyOptions: { headers: { authorization: 'Bearer secreto', 'x-api-key': 'ek_x', cookie: 'c=1', 'content-type': 'multipart/form-data' } } }, 'Providing options to busboy');
    const [line] = logs.lines();
    expect(line!.busboyOptions).toEqual({ headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', cookie: '[redacted]', 'content-type': 'multipart/form-data' } });
  });
});
