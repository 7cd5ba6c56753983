import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CURP_CHANGE_STATUSES, RENAPO_STATUSES, RENAPO_STATUS_DESCRIPTIONS, type RenapoStatus } from '../../integrations/renapo.js';
import { isValidIsoDate } from '../../domain/dates.js';
import { registerFaults } from '../shared/faults.js';
import { validationError } from '../shared/http.js';
import { resolveDataDir, resolveSeed, type SimulatorBaseOptions } from '../shared/options.js';
import { JsonStateFile } from '../shared/state-file.js';

/**
 * RENAPO simulator: a ConsultaPorCurp-style service over a registry that tests and the demo seed.
 *
 * - `GET /curp/:curp` → 200 with `statusOper: 'EXITOSO'` and the record, or 200 with
 *   `statusOper: 'NO EXITOSO'` (codigoError '06' not found, '01' malformed CURP), like the real service.
 * - `PUT /registry/:curp` seeds or changes one person (201 created, 200 changed).
 * - `POST /registry/bulk` upserts an array `[{curp, ...record}]` in one write (benchmarks).
 * - `DELETE /registry/:curp` removes a person (tests).
 * The registry is persisted in `<dataDir>/renapo.json`.
 */

/** Structure of a CURP (domain-reference §2.1), sex H, M or X; the check digit is not enforced. */
export const CURP_PATTERN =
  /^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX](AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d$/;

export const STATE_NAMES: Readonly<Record<string, string>> = {
  AS: 'AGUASCALIENTES',
  BC: 'BAJA CALIFORNIA',
  BS: 'BAJA CALIFORNIA SUR',
  CC: 'CAMPECHE',
  CL: 'COAHUILA',
  CM: 'COLIMA',
  CS: 'CHIAPAS',
  CH: 'CHIHUAHUA',
  DF: 'CIUDAD DE MEXICO',
  DG: 'DURANGO',
  GT: 'GUANAJUATO',
  GR: 'GUERRERO',
  HG: 'HIDALGO',
  JC: 'JALISCO',
  MC: 'MEXICO',
  MN: 'MICHOACAN',
  MS: 'MORELOS',
  NT: 'NAYARIT',
  NL: 'NUEVO LEON',
  OC: 'OAXACA',
  PL: 'PUEBLA',
  QT: 'QUERETARO',
  QR: 'QUINTANA ROO',
  SP: 'SAN LUIS POTOSI',
  SL: 'SINALOA',
  SR: 'SONORA',
  TC: 'TABASCO',
  TS: 'TAMAULIPAS',
  TL: 'TLAXCALA',
  VZ: 'VERACRUZ',
  YN: 'YUCATAN',
  ZS: 'ZACATECAS',
  NE: 'NACIDO EN EL EXTRANJERO',
};

const curpSchema = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.string().regex(CURP_PATTERN, 'CURP con formato inválido'));

const name = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .transform((s) => s.toLocaleUpperCase('es-MX'));

export const registryRecordSchema = z
  .object({
    nombres: name(80),
    apellido1: name(50),
    apellido2: name(50).optional(),
    sexo: z.enum(['H', 'M', 'X']),
    fechNac: z.string().refine(isValidIsoDate, 'fechNac debe ser una fecha YYYY-MM-DD'),
    cveEntidadNac: z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .refine((s) => s in STATE_NAMES, 'cveEntidadNac desconocida'),
    estatusCURP: z.enum(RENAPO_STATUSES),
    curpNueva: curpSchema.optional(),
    nacionalidad: z.string().trim().min(3).max(3).optional(),
    docProbatorio: z.number().int().min(1).max(99).optional(),
  })
  .superRefine((r, ctx) => {
    if (CURP_CHANGE_STATUSES.has(r.estatusCURP) && !r.curpNueva) {
      ctx.addIssue({ code: 'custom', path: ['curpNueva'], message: `curpNueva es obligatoria con estatus ${r.estatusCURP}` });
    }
  });

export type RegistryRecordInput = z.input<typeof registryRecordSchema>;
type RegistryRecord = z.output<typeof registryRecordSchema>;
type StoredRecord = RegistryRecord & { curp: string; updatedAt: string };

const bulkSchema = z
  .array(z.object({ curp: curpSchema }).passthrough())
  .max(200_000)
  .transform((items, ctx) => {
    const out: StoredRecord[] = [];
    const now = new Date().toISOString();
    items.forEach((item, index) => {
      const { curp, ...rest } = item;
      const parsed = registryRecordSchema.safeParse(rest);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: issue.message });
        }
        return;
      }
      out.push({ curp, ...parsed.data, updatedAt: now });
    });
    return out;
  });

interface RenapoState {
  version: 1;
  records: Record<string, StoredRecord>;
}

export interface RenapoSimulatorOptions extends SimulatorBaseOptions {}

/** The ConsultaPorCurp answer for a stored record. */
export function consultaRecord(r: StoredRecord): Record<string, unknown> {
  const [y, m, d] = r.fechNac.split('-');
  return {
    statusOper: 'EXITOSO',
    message: 'La consulta fue exitosa',
    curp: r.curp,
    nombres: r.nombres,
    apellido1: r.apellido1,
    apellido2: r.apellido2 ?? '',
    sexo: r.sexo,
    fechNac: `${d}/${m}/${y}`,
    nacionalidad: r.nacionalidad ?? (r.cveEntidadNac === 'NE' ? 'EXT' : 'MEX'),
    cveEntidadNac: r.cveEntidadNac,
    desEntidadNac: STATE_NAMES[r.cveEntidadNac] ?? '',
    estatusCURP: r.estatusCURP,
    desEstatusCURP: RENAPO_STATUS_DESCRIPTIONS[r.estatusCURP as RenapoStatus],
    docProbatorio: r.docProbatorio ?? 1,
    ...(r.curpNueva ? { curpNueva: r.curpNueva } : {}),
  };
}

export const NOT_FOUND_ANSWER = {
  statusOper: 'NO EXITOSO',
  message: 'La CURP no se encuentra en la base de datos',
  codigoError: '06',
} as const;

export const MALFORMED_ANSWER = {
  statusOper: 'NO EXITOSO',
  message: 'La CURP no cumple con el formato especificado',
  codigoError: '01',
} as const;

export function buildRenapoSimulator(options: RenapoSimulatorOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  const state: RenapoState = { version: 1, records: {} };
  const store = new JsonStateFile<RenapoState>(resolveDataDir(options.dataDir), 'renapo.json', () => state);
  const loaded = store.load();
  if (loaded) state.records = loaded.records ?? {};

  registerFaults(app, {
    name: 'renapo',
    seed: resolveSeed(options.seed),
    initial: options.faults,
    exempt: ['PUT /registry/:curp', 'POST /registry/bulk', 'DELETE /registry/:curp', 'GET /registry'],
  });

  app.get<{ Params: { curp: string } }>('/curp/:curp', async (request) => {
    const curp = request.params.curp.trim().toUpperCase();
    if (!CURP_PATTERN.test(curp)) return MALFORMED_ANSWER;
    const record = state.records[curp];
    return record ? consultaRecord(record) : NOT_FOUND_ANSWER;
  });

  app.put<{ Params: { curp: string } }>('/registry/:curp', async (request, reply) => {
    const curp = curpSchema.safeParse(request.params.curp);
    if (!curp.success) return validationError(reply, curp.error);
    const body = registryRecordSchema.safeParse(request.body ?? {});
    if (!body.success) return validationError(reply, body.error);
    const created = !(curp.data in state.records);
    const record: StoredRecord = { curp: curp.data, ...body.data, updatedAt: new Date().toISOString() };
    state.records[curp.data] = record;
    await store.persist();
    return reply.code(created ? 201 : 200).send(consultaRecord(record));
  });

  app.post('/registry/bulk', { bodyLimit: 256 * 1024 * 1024 }, async (request, reply) => {
    const parsed = bulkSchema.safeParse(request.body);
    if (!parsed.success) return validationError(reply, parsed.error);
    let created = 0;
    for (const record of parsed.data) {
      if (!(record.curp in state.records)) created++;
      state.records[record.curp] = record;
    }
    await store.persist();
    return { upserted: parsed.data.length, created, total: Object.keys(state.records).length };
  });

  app.delete<{ Params: { curp: string } }>('/registry/:curp', async (request, reply) => {
    const curp = request.params.curp.trim().toUpperCase();
    if (!(curp in state.records)) return reply.code(404).send({ error: 'not found' });
    delete state.records[curp];
    await store.persist();
    return reply.code(204).send();
  });

  app.get('/registry', async () => ({ total: Object.keys(state.records).length }));

  app.addHook('onClose', async () => {
    await store.persist();
  });

  return app;
}
