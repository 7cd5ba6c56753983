import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentIntegrationError, TransientIntegrationError } from '../../../integrations/errors.js';
import { createStampingClient } from '../../../integrations/stamping.js';
import { buildStampingSimulator } from '../../../simulators/stamping/app.js';
import { PLACEHOLDER_SELLO_CFD } from '../../../simulators/stamping/cfdi.js';
import { listen, tempDataDir } from './helpers.js';

const SEAL_SECRET = 'test-seal';
// SAT's schemas as vendored in the repository (cfdi/sat mirrors the paths of sat.gob.mx/sitio_internet/cfd).
const SAT_FILES: Record<string, string> = {
  'TimbreFiscalDigitalv11.xsd': 'cfdi/sat/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd',
  'tdCFDI.xsd': 'cfdi/sat/cfd/tipoDatos/tdCFDI/tdCFDI.xsd',
};
const NOW = new Date('2026-03-02T18:30:05Z'); // 12:30:05 in Mexico City (UTC−6, no DST since 2022)

/** A pattern from SAT's XSD files, anchored as XSD patterns are. */
function xsdPattern(file: string, after: string): RegExp {
  const relative = SAT_FILES[file];
  if (!relative) throw new Error(`unknown SAT schema ${file}`);
  const text = readFileSync(path.resolve(import.meta.dirname, '../../..', relative), 'utf8');
  const start = text.indexOf(after);
  const match = /<xs:pattern value="([^"]+)"/.exec(text.slice(start));
  if (start < 0 || !match?.[1]) throw new Error(`pattern after ${after} not found in ${file}`);
  const value = match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  return new RegExp(`^(?:${value})$`, 'u');
}

function cfdi(opts: { version?: string; sello?: string | null; body?: string; tail?: string; ns?: string; folio?: string } = {}): string {
  const version = opts.version ?? '4.0';
  const sello = opts.sello === null ? '' : ` Sello="${opts.sello ?? 'U2VsbG9EZWxFbWlzb3I='}"`;
  const body =
    opts.body ??
    `<cfdi:Emisor Rfc="ISS690101AB1" Nombre="INSTITUTO DE SEGURIDAD SOCIAL" RegimenFiscal="603"/>` +
      `<cfdi:Receptor Rfc="GEM850101BJ3" Nombre="GOBIERNO DEL ESTADO" DomicilioFiscalReceptor="50000" RegimenFiscalReceptor="603" UsoCFDI="S01"/>` +
      `<cfdi:Conceptos><cfdi:Concepto ClaveProdServ="84111506" Cantidad="1" ClaveUnidad="E48" Descripcion="Cuotas quincena 202604 &amp; aportaciones" ValorUnitario="100.00" Importe="100.00" ObjetoImp="01"/></cfdi:Conceptos>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<cfdi:Comprobante xmlns:cfdi="${opts.ns ?? 'http://www.sat.gob.mx/cfd/4'}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xsi:schemaLocation="http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd" Version="${version}" ` +
    `Folio="${opts.folio ?? '1'}" Fecha="2026-03-02T10:00:00"${sello} SubTotal="100.00" Moneda="MXN" Total="100.00" TipoDeComprobante="I" Exportacion="01" LugarExpedicion="50000">` +
    `${body}${opts.tail ?? ''}</cfdi:Comprobante>`
  );
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function setup() {
  const data = tempDataDir();
  cleanups.push(data.cleanup);
  const build = () => {
    const app = buildStampingSimulator({ dataDir: data.dir, seed: 3, sealSecret: SEAL_SECRET, now: () => NOW });
    cleanups.push(() => app.close());
    return app;
  };
  return { build };
}

const stamp = (app: ReturnType<ReturnType<typeof setup>['build']>, xml: string, contentType = 'application/xml') =>
  app.inject({ method: 'POST', url: '/stamp', headers: { 'content-type': contentType }, payload: xml });

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false });

function tfdOf(xml: string): Record<string, string> {
  const doc = parser.parse(xml);
  return doc['cfdi:Comprobante']['cfdi:Complemento']['tfd:TimbreFiscalDigital'];
}

describe('stamping simulator', () => {
  it('adds a TimbreFiscalDigital 1.1 that matches SAT’s schema and leaves the rest untouched', async () => {
    const app = setup().build();
    const input = cfdi();
    const res = await stamp(app, input);
    expect(res.statusCode).toBe(200);
    const { uuid, fechaTimbrado, xml, previouslyStamped } = res.json();

    expect(uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(fechaTimbrado).toBe('2026-03-02T12:30:05');
    expect(previouslyStamped).toBe(false);
    expect(XMLValidator.validate(xml)).toBe(true);

    const tfd = tfdOf(xml);
    expect(tfd).toMatchObject({
      'xmlns:tfd': 'http://www.sat.gob.mx/TimbreFiscalDigital',
      'xsi:schemaLocation':
        'http://www.sat.gob.mx/TimbreFiscalDigital http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd',
      Version: '1.1',
      UUID: uuid,
      FechaTimbrado: fechaTimbrado,
      RfcProvCertif: 'SPR190613I52',
      SelloCFD: 'U2VsbG9EZWxFbWlzb3I=',
      NoCertificadoSAT: '00001000000509846663',
    });
    expect(tfd.UUID).toMatch(xsdPattern('TimbreFiscalDigitalv11.xsd', 'name="UUID"'));
    expect(tfd.NoCertificadoSAT).toMatch(xsdPattern('TimbreFiscalDigitalv11.xsd', 'name="NoCertificadoSAT"'));
    expect(tfd.FechaTimbrado).toMatch(xsdPattern('tdCFDI.xsd', 'name="t_FechaH"'));
    expect(tfd.RfcProvCertif).toMatch(xsdPattern('tdCFDI.xsd', 'name="t_RFC_PM"'));

    const cadena = `||1.1|${uuid}|2026-03-02T12:30:05|SPR190613I52|U2VsbG9EZWxFbWlzb3I=|00001000000509846663||`;
    expect(tfd.SelloSAT).toBe(createHmac('sha256', SEAL_SECRET).update(cadena).digest('base64'));

    // The issuer's bytes are preserved: removing the Complemento gives the input back.
    expect(xml.replace(/<cfdi:Complemento>.*<\/cfdi:Complemento>/s, '')).toBe(input);
    expect(xml.indexOf('<cfdi:Complemento>')).toBeGreaterThan(xml.indexOf('</cfdi:Conceptos>'));
  });

  it('uses a placeholder SelloCFD when the Comprobante has no Sello', async () => {
    const app = setup().build();
    const { xml } = (await stamp(app, cfdi({ sello: null }), 'text/xml')).json();
    expect(tfdOf(xml).SelloCFD).toBe(PLACEHOLDER_SELLO_CFD);
    expect(Buffer.from(PLACEHOLDER_SELLO_CFD, 'base64').toString('base64')).toBe(PLACEHOLDER_SELLO_CFD);
  });

  it('puts the stamp in an existing Complemento and before an Addenda', async () => {
    const app = setup().build();
    const selfClosing = (await stamp(app, cfdi({ tail: '<cfdi:Complemento />' }))).json().xml;
    expect(selfClosing).toMatch(/<cfdi:Complemento><tfd:TimbreFiscalDigital [^>]+\/><\/cfdi:Complemento><\/cfdi:Comprobante>$/);

    const withOther = (await stamp(app, cfdi({ tail: '<cfdi:Complemento><otro:Nodo xmlns:otro="urn:x"/></cfdi:Complemento>' }))).json().xml;
    expect(withOther).toMatch(/<cfdi:Complemento><otro:Nodo xmlns:otro="urn:x"\/><tfd:TimbreFiscalDigital [^>]+\/><\/cfdi:Complemento>/);

    const withAddenda = (await stamp(app, cfdi({ tail: '<cfdi:Addenda><a>1</a></cfdi:Addenda>' }))).json().xml;
    expect(withAddenda).toMatch(/<\/cfdi:Conceptos><cfdi:Complemento><tfd:TimbreFiscalDigital [^>]+\/><\/cfdi:Complemento><cfdi:Addenda>/);
    for (const xml of [selfClosing, withOther, withAddenda]) expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('returns the original stamp for the same document, a new one for another, across restarts', async () => {
    const { build } = setup();
    const first = build();
    const a = (await stamp(first, cfdi())).json();
    const again = (await stamp(first, cfdi())).json();
    expect(again).toEqual({ ...a, previouslyStamped: true });
    const other = (await stamp(first, cfdi({ folio: '2' }))).json();
    expect(other.uuid).not.toBe(a.uuid);
    await first.close();

    const second = build();
    const afterRestart = (await stamp(second, cfdi())).json();
    expect(afterRestart).toMatchObject({ uuid: a.uuid, xml: a.xml, previouslyStamped: true });
  });

  it('rejects documents a PAC would reject with 422, a code and a Spanish message', async () => {
    const app = setup().build();
    const cases: [string, string, string][] = [
      ['<cfdi:Comprobante><cfdi:Emisor></cfdi:Comprobante>', '301', 'not-well-formed'],
      ['', '301', 'not-well-formed'],
      ['<Factura Version="4.0"/>', '301', 'not-cfdi-40'],
      [cfdi({ ns: 'http://www.sat.gob.mx/cfd/3' }), '301', 'not-cfdi-40'],
      [cfdi({ version: '3.3' }), 'CFDI40001', 'version'],
      [cfdi({ body: '<cfdi:Receptor Rfc="X"/><cfdi:Conceptos><cfdi:Concepto/></cfdi:Conceptos>' }), 'CFDI40002', 'missing-emisor'],
      [cfdi({ body: '<cfdi:Emisor Rfc="X"/><cfdi:Conceptos><cfdi:Concepto/></cfdi:Conceptos>' }), 'CFDI40003', 'missing-receptor'],
      [cfdi({ body: '<cfdi:Emisor Rfc="X"/><cfdi:Receptor Rfc="Y"/>' }), 'CFDI40004', 'missing-conceptos'],
      [cfdi({ body: '<cfdi:Emisor Rfc="X"/><cfdi:Receptor Rfc="Y"/><cfdi:Conceptos></cfdi:Conceptos>' }), 'CFDI40004', 'missing-conceptos'],
    ];
    for (const [xml, code, reason] of cases) {
      const res = await stamp(app, xml);
      expect(res.statusCode, xml).toBe(422);
      expect(res.json(), xml).toMatchObject({ code, reason });
      expect(res.json().message).toMatch(/[a-záéíóúñ]/);
    }
    const stamped = (await stamp(app, cfdi())).json().xml;
    expect((await stamp(app, stamped)).json()).toMatchObject({ code: '307', message: 'El CFDI contiene un timbre previo.' });
  });

  it('accepts only XML content types', async () => {
    const app = setup().build();
    expect((await stamp(app, cfdi(), 'application/xml; charset=utf-8')).statusCode).toBe(200);
    expect((await stamp(app, cfdi({ folio: '9' }), 'text/xml')).statusCode).toBe(200);
    const json = await app.inject({ method: 'POST', url: '/stamp', payload: { xml: cfdi() } });
    expect(json.statusCode).toBe(415);
  });
});

describe('stamping adapter (integrations/stamping.ts)', () => {
  it('stamps through HTTP and maps rejections and failures to the error taxonomy', async () => {
    const app = setup().build();
    const baseUrl = await listen(app);
    const client = createStampingClient({ baseUrl, timeoutMs: 2000 });

    const result = await client.stamp(cfdi());
    expect(Object.keys(result).sort()).toEqual(['fechaTimbrado', 'uuid', 'xml']);
    expect(tfdOf(result.xml).UUID).toBe(result.uuid);

    const rejected = await client.stamp('<nope').catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(PermanentIntegrationError);
    expect(rejected).toMatchObject({ status: 422, code: '301', service: 'stamping' });

    await app.inject({ method: 'POST', url: '/control', payload: { errorRate: 1 } });
    expect(await client.stamp(cfdi()).catch((e: unknown) => e)).toBeInstanceOf(TransientIntegrationError);
  });

  it('treats a malformed success response as permanent', async () => {
    const fake = Fastify();
    cleanups.push(() => fake.close());
    fake.addContentTypeParser('application/xml', { parseAs: 'string' }, (_r, body, done) => done(null, body));
    fake.post('/stamp', async () => ({ uuid: 'not-a-uuid', fechaTimbrado: 'x', xml: '' }));
    const client = createStampingClient({ baseUrl: await listen(fake) });
    expect(await client.stamp(cfdi()).catch((e: unknown) => e)).toBeInstanceOf(PermanentIntegrationError);
  });
});
