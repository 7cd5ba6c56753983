import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { mexicoCityCfdiFecha } from '../../cfdi/build.js';
import { registerFaults } from '../shared/faults.js';
import { resolveDataDir, resolveSeed, type SimulatorBaseOptions } from '../shared/options.js';
import { JsonStateFile } from '../shared/state-file.js';
import {
  NO_CERTIFICADO_SAT,
  PLACEHOLDER_SELLO_CFD,
  RFC_PROV_CERTIF,
  insertTfd,
  inspectCfdi,
  simulatedSelloSat,
  tfdCadenaOriginal,
  tfdElement,
} from './cfdi.js';

/**
 * CFDI stamping provider (PAC) simulator.
 *
 * `POST /stamp` (body: the CFDI 4.0 XML, content-type application/xml or text/xml):
 * - 200 `{uuid, fechaTimbrado, xml, previouslyStamped}` with `cfdi:Complemento/tfd:TimbreFiscalDigital`
 *   (1.1) added; the same body stamped again returns the original stamp (`previouslyStamped: true`),
 *   keyed by the SHA-256 of the body and persisted in `<dataDir>/stamping.json`;
 * - 422 `{code, message, reason}` when the document is not well-formed XML ('301'), not a CFDI 4.0
 *   Comprobante ('301'), has another Version ('CFDI40001'), lacks Emisor ('CFDI40002'), Receptor
 *   ('CFDI40003') or Conceptos with a Concepto ('CFDI40004'), or already carries a stamp ('307').
 *   '301' and '307' are SAT's codes for those cases; the CFDI40xxx codes are the simulator's own.
 * The simulator does not verify the issuer's Sello or the 72-hour window of Fecha.
 */
export interface StampingSimulatorOptions extends SimulatorBaseOptions {
  /** Key of the simulated SAT seal (SelloSAT). Default env STAMPING_SIM_SECRET, else 'dev-stamping-secret'. */
  sealSecret?: string;
  /** Clock for FechaTimbrado (tests). */
  now?: () => Date;
}

interface StoredStamp {
  uuid: string;
  fechaTimbrado: string;
  xml: string;
  stampedAt: string;
}

interface StampingState {
  version: 1;
  stamps: Record<string, StoredStamp>;
}

export function buildStampingSimulator(options: StampingSimulatorOptions = {}): FastifyInstance {
  const sealSecret = options.sealSecret ?? process.env.STAMPING_SIM_SECRET ?? 'dev-stamping-secret';
  const now = options.now ?? (() => new Date());
  const app = Fastify({ logger: options.logger ?? false });
  const state: StampingState = { version: 1, stamps: {} };
  const store = new JsonStateFile<StampingState>(resolveDataDir(options.dataDir), 'stamping.json', () => state);
  const loaded = store.load();
  if (loaded) state.stamps = loaded.stamps ?? {};

  registerFaults(app, { name: 'stamping', seed: resolveSeed(options.seed), initial: options.faults });

  app.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.post('/stamp', async (request, reply) => {
    if (typeof request.body !== 'string') {
      return reply.code(415).send({ code: '415', message: 'El cuerpo debe ser el XML del CFDI (application/xml o text/xml).' });
    }
    const xml = request.body;
    const key = createHash('sha256').update(xml, 'utf8').digest('hex');
    const previous = state.stamps[key];
    if (previous) {
      return { uuid: previous.uuid, fechaTimbrado: previous.fechaTimbrado, xml: previous.xml, previouslyStamped: true };
    }
    const inspected = inspectCfdi(xml);
    if (!inspected.ok) return reply.code(422).send(inspected.rejection);

    const base = {
      Version: '1.1' as const,
      UUID: randomUUID().toUpperCase(),
      FechaTimbrado: mexicoCityCfdiFecha(now()),
      RfcProvCertif: RFC_PROV_CERTIF,
      SelloCFD: inspected.info.sello ?? PLACEHOLDER_SELLO_CFD,
      NoCertificadoSAT: NO_CERTIFICADO_SAT,
    };
    const tfd = { ...base, SelloSAT: simulatedSelloSat(tfdCadenaOriginal(base), sealSecret) };
    const stamped: StoredStamp = {
      uuid: tfd.UUID,
      fechaTimbrado: tfd.FechaTimbrado,
      xml: insertTfd(xml, inspected.info.prefix, tfdElement(tfd)),
      stampedAt: now().toISOString(),
    };
    state.stamps[key] = stamped;
    await store.persist();
    return { uuid: stamped.uuid, fechaTimbrado: stamped.fechaTimbrado, xml: stamped.xml, previouslyStamped: false };
  });

  app.addHook('onClose', async () => {
    await store.persist();
  });

  return app;
}
