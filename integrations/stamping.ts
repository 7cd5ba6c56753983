import { z } from 'zod';
import { PermanentIntegrationError } from './errors.js';
import { httpRequest, normaliseBaseUrl, parseJsonBody, throwForStatus } from './http.js';

/**
 * Adapter to the CFDI stamping provider (PAC). The base URL is configuration: the local simulator
 * (simulators/stamping) in development and tests. The PAC adds the TimbreFiscalDigital 1.1 and
 * answers the stamped XML; stamping the same document again returns the original stamp.
 *
 * A PAC rejection (HTTP 422 with `{code, message}`, e.g. '301' XML mal formado) is a
 * PermanentIntegrationError carrying `code`; 5xx, timeouts and network failures are transient.
 */
export interface StampResult {
  /** Folio fiscal, uppercase UUID. */
  uuid: string;
  /** `YYYY-MM-DDThh:mm:ss`, Mexico City time. */
  fechaTimbrado: string;
  /** The CFDI with `cfdi:Complemento/tfd:TimbreFiscalDigital`. */
  xml: string;
}

export interface StampingClientOptions {
  baseUrl: string;
  /** Per-request timeout. Default 15000 ms. */
  timeoutMs?: number;
}

export interface StampingClient {
  stamp(xml: string): Promise<StampResult>;
}

const SERVICE = 'stamping';

const stampResponseSchema = z.object({
  uuid: z.string().regex(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i),
  fechaTimbrado: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
  xml: z.string().min(1),
});

const rejectionSchema = z.object({ code: z.union([z.string(), z.number()]), message: z.string() });

export function createStampingClient(options: StampingClientOptions): StampingClient {
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 15_000;

  return {
    async stamp(xml) {
      const result = await httpRequest({
        service: SERVICE,
        method: 'POST',
        url: `${baseUrl}/stamp`,
        timeoutMs,
        headers: { 'content-type': 'application/xml; charset=utf-8', accept: 'application/json' },
        body: xml,
      });
      throwForStatus(SERVICE, result, (body) => {
        const parsed = rejectionSchema.safeParse(body);
        return parsed.success ? { code: String(parsed.data.code), message: parsed.data.message } : {};
      });
      const parsed = stampResponseSchema.safeParse(parseJsonBody(SERVICE, result));
      if (!parsed.success) {
        throw new PermanentIntegrationError(`${SERVICE}: malformed stamp response: ${parsed.error.message}`, {
          service: SERVICE,
          status: result.status,
          body: result.text.slice(0, 2000),
        });
      }
      return { uuid: parsed.data.uuid.toUpperCase(), fechaTimbrado: parsed.data.fechaTimbrado, xml: parsed.data.xml };
    },
  };
}
