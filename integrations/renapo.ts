import { z } from 'zod';
import { PermanentIntegrationError } from './errors.js';
import { httpRequest, normaliseBaseUrl, parseJsonBody, throwForStatus } from './http.js';

/**
 * Adapter to RENAPO's ConsultaPorCurp service (domain-reference §3). The base URL is configuration:
 * the local simulator (simulators/renapo) in development and tests, the agreement's endpoint (or a
 * proxy in front of it) in production.
 *
 * RENAPO answers HTTP 200 both when it finds the CURP (`statusOper: 'EXITOSO'`) and when it does not
 * (`'NO EXITOSO'` with `codigoError`, '06' = not in the database): both are results, not errors.
 */

export const RENAPO_STATUSES = [
  'AN',
  'AH',
  'CRA',
  'RCN',
  'RCC',
  'BD',
  'BDA',
  'BCC',
  'BCN',
  'BAP',
  'BSU',
  'BDM',
  'BDP',
  'BJD',
] as const;

export type RenapoStatus = (typeof RENAPO_STATUSES)[number];

/** Statuses of a CURP that is in force (contracts §2: any other status is finding E013). */
export const ACTIVE_RENAPO_STATUSES: ReadonlySet<RenapoStatus> = new Set<RenapoStatus>(['AN', 'AH', 'CRA', 'RCN', 'RCC']);

/** RENAPO's descriptions of each `estatusCURP` (desEstatusCURP). */
export const RENAPO_STATUS_DESCRIPTIONS: Readonly<Record<RenapoStatus, string>> = {
  AN: 'Alta normal',
  AH: 'Alta con homonimia',
  CRA: 'CURP reactivada',
  RCN: 'Registro de cambio no afectando a CURP',
  RCC: 'Registro de cambio afectando a CURP',
  BD: 'Baja por defunción',
  BDA: 'Baja por duplicidad',
  BCC: 'Baja por cambio en CURP',
  BCN: 'Baja no afectando a CURP',
  BAP: 'Baja por documento apócrifo',
  BSU: 'Baja sin uso',
  BDM: 'Baja administrativa',
  BDP: 'Baja por adopción',
  BJD: 'Baja judicial',
};

/** Statuses that point to a new CURP (`curpNueva`): the person's key changed. */
export const CURP_CHANGE_STATUSES: ReadonlySet<RenapoStatus> = new Set<RenapoStatus>(['RCC', 'BCC']);

export function isActiveRenapoStatus(status: string): boolean {
  return ACTIVE_RENAPO_STATUSES.has(status as RenapoStatus);
}

/** ConsultaPorCurp record as RENAPO sends it (extra fields are kept in `raw`). */
const foundSchema = z.object({
  statusOper: z.literal('EXITOSO'),
  curp: z.string().min(18).max(18),
  nombres: z.string().min(1),
  apellido1: z.string().min(1),
  apellido2: z.string().nullish(),
  sexo: z.enum(['H', 'M', 'X']),
  fechNac: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  nacionalidad: z.string().nullish(),
  cveEntidadNac: z.string().min(2).max(2),
  estatusCURP: z.enum(RENAPO_STATUSES),
  desEstatusCURP: z.string().nullish(),
  docProbatorio: z.union([z.number(), z.string()]).nullish(),
  curpNueva: z.string().nullish(),
});

const notFoundSchema = z.object({
  statusOper: z.literal('NO EXITOSO'),
  message: z.string().nullish(),
  codigoError: z.union([z.string(), z.number()]).nullish(),
});

export type RenapoRaw = Record<string, unknown>;

export interface RenapoRecord {
  curp: string;
  givenNames: string;
  firstSurname: string;
  /** null when the person has no second surname. */
  secondSurname: string | null;
  sex: 'H' | 'M' | 'X';
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** Two-letter state of birth (`NE` born abroad). */
  stateCode: string;
  nationality: string | null;
  status: RenapoStatus;
  statusDescription: string;
  /** true for AN, AH, CRA, RCN, RCC. */
  active: boolean;
  /** For RCC/BCC: the CURP that replaces this one. */
  newCurp?: string;
  probatoryDocument: string | null;
}

export type RenapoResult =
  | { found: true; record: RenapoRecord; raw: RenapoRaw }
  | { found: false; raw: RenapoRaw; errorCode: string | null; message: string | null };

export interface RenapoClientOptions {
  baseUrl: string;
  /** Per-request timeout. Default 5000 ms. */
  timeoutMs?: number;
}

export interface RenapoClient {
  consultaPorCurp(curp: string): Promise<RenapoResult>;
}

const SERVICE = 'renapo';

export function createRenapoClient(options: RenapoClientOptions): RenapoClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 5000;

  return {
    async consultaPorCurp(curp) {
      const key = curp.trim().toUpperCase();
      const result = await httpRequest({
        service: SERVICE,
        method: 'GET',
        url: `${baseUrl}/curp/${encodeURIComponent(key)}`,
        timeoutMs,
        headers: { accept: 'application/json' },
      });
      throwForStatus(SERVICE, result);
      return parseConsultaPorCurp(parseJsonBody(SERVICE, result));
    },
  };
}

/** Interprets a ConsultaPorCurp answer; exported for callers that receive the JSON another way. */
export function parseConsultaPorCurp(body: unknown): RenapoResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw malformed('response is not an object', body);
  }
  const raw = body as RenapoRaw;
  if (raw.statusOper === 'NO EXITOSO') {
    const parsed = notFoundSchema.safeParse(raw);
    if (!parsed.success) throw malformed(parsed.error.message, body);
    const code = parsed.data.codigoError;
    return {
      found: false,
      raw,
      errorCode: code === null || code === undefined ? null : String(code),
      message: parsed.data.message ?? null,
    };
  }
  const parsed = foundSchema.safeParse(raw);
  if (!parsed.success) throw malformed(parsed.error.message, body);
  const r = parsed.data;
  const [dd, mm, yyyy] = r.fechNac.split('/') as [string, string, string];
  const newCurp = r.curpNueva?.trim() ? r.curpNueva.trim().toUpperCase() : undefined;
  const record: RenapoRecord = {
    curp: r.curp.toUpperCase(),
    givenNames: r.nombres.trim(),
    firstSurname: r.apellido1.trim(),
    secondSurname: r.apellido2?.trim() ? r.apellido2.trim() : null,
    sex: r.sexo,
    birthDate: `${yyyy}-${mm}-${dd}`,
    stateCode: r.cveEntidadNac.toUpperCase(),
    nationality: r.nacionalidad?.trim() ? r.nacionalidad.trim() : null,
    status: r.estatusCURP,
    statusDescription: r.desEstatusCURP?.trim() ? r.desEstatusCURP.trim() : RENAPO_STATUS_DESCRIPTIONS[r.estatusCURP],
    active: ACTIVE_RENAPO_STATUSES.has(r.estatusCURP),
    ...(newCurp ? { newCurp } : {}),
    probatoryDocument: r.docProbatorio === null || r.docProbatorio === undefined ? null : String(r.docProbatorio),
  };
  return { found: true, record, raw };
}

function malformed(detail: string, body: unknown): PermanentIntegrationError {
  return new PermanentIntegrationError(`${SERVICE}: malformed ConsultaPorCurp response: ${detail}`, {
    service: SERVICE,
    status: 200,
    body,
  });
}
