import { createHmac } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * What the stamping simulator checks in a CFDI and how it adds the TimbreFiscalDigital 1.1.
 * The XML is never re-serialised: the stamp is inserted as text, so every byte of the issuer's
 * document (and therefore its Sello) is preserved.
 */
export const CFDI_NAMESPACE = 'http://www.sat.gob.mx/cfd/4';
export const TFD_NAMESPACE = 'http://www.sat.gob.mx/TimbreFiscalDigital';
export const TFD_SCHEMA_LOCATION = 'http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd';
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
export const RFC_PROV_CERTIF = 'SPR190613I52';
export const NO_CERTIFICADO_SAT = '00001000000509846663';
/** SelloCFD used when the Comprobante carries no Sello (development documents are not signed). */
export const PLACEHOLDER_SELLO_CFD = Buffer.from('SELLO CFD NO PRESENTE (SIMULADOR)').toString('base64');

/** A rejection in the style of a PAC: stable code, Spanish message, a machine-readable reason. */
export interface CfdiRejection {
  code: string;
  message: string;
  reason: 'not-well-formed' | 'not-cfdi-40' | 'version' | 'missing-emisor' | 'missing-receptor' | 'missing-conceptos' | 'already-stamped';
}

export interface CfdiInfo {
  /** Prefix of the CFDI namespace in this document ('' for a default namespace). */
  prefix: string;
  /** Sello attribute of the Comprobante, when present and not empty. */
  sello: string | undefined;
}

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
});

function children(node: XmlNode, qname: string): XmlNode[] {
  const value = node[qname];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : {}));
}

/** Checks a CFDI 4.0 as far as the simulator cares; returns the rejection or what stamping needs. */
export function inspectCfdi(xml: string): { ok: true; info: CfdiInfo } | { ok: false; rejection: CfdiRejection } {
  const reject = (reason: CfdiRejection['reason'], code: string, message: string) => ({ ok: false as const, rejection: { code, message, reason } });
  if (xml.trim() === '') return reject('not-well-formed', '301', 'XML mal formado: el documento está vacío.');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return reject('not-well-formed', '301', `XML mal formado: ${valid.err.msg} (línea ${valid.err.line}, columna ${valid.err.col}).`);
  }
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (error) {
    return reject('not-well-formed', '301', `XML mal formado: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const rootNames = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#') && !k.startsWith('@_'));
  const rootName = rootNames.length === 1 ? rootNames[0]! : undefined;
  const match = rootName === undefined ? null : /^(?:([^:]+):)?Comprobante$/.exec(rootName);
  if (!rootName || !match) {
    return reject('not-cfdi-40', '301', 'XML mal formado: el elemento raíz debe ser cfdi:Comprobante.');
  }
  const prefix = match[1] ?? '';
  const root = children(doc, rootName)[0] ?? {};
  const nsAttr = prefix ? `@_xmlns:${prefix}` : '@_xmlns';
  if (root[nsAttr] !== CFDI_NAMESPACE) {
    return reject('not-cfdi-40', '301', `XML mal formado: el Comprobante debe pertenecer al espacio de nombres ${CFDI_NAMESPACE}.`);
  }
  if (root['@_Version'] !== '4.0') {
    return reject('version', 'CFDI40001', 'El atributo Version del Comprobante debe tener el valor "4.0".');
  }
  const q = (local: string) => (prefix ? `${prefix}:${local}` : local);
  if (children(root, q('Emisor')).length !== 1) {
    return reject('missing-emisor', 'CFDI40002', 'El Comprobante debe contener exactamente un nodo cfdi:Emisor.');
  }
  if (children(root, q('Receptor')).length !== 1) {
    return reject('missing-receptor', 'CFDI40003', 'El Comprobante debe contener exactamente un nodo cfdi:Receptor.');
  }
  const conceptos = children(root, q('Conceptos'));
  if (conceptos.length !== 1 || children(conceptos[0]!, q('Concepto')).length === 0) {
    return reject('missing-conceptos', 'CFDI40004', 'El Comprobante debe contener el nodo cfdi:Conceptos con al menos un cfdi:Concepto.');
  }
  for (const complemento of children(root, q('Complemento'))) {
    if (Object.keys(complemento).some((k) => /(^|:)TimbreFiscalDigital$/.test(k))) {
      return reject('already-stamped', '307', 'El CFDI contiene un timbre previo.');
    }
  }
  const sello = root['@_Sello'];
  return { ok: true, info: { prefix, sello: typeof sello === 'string' && sello.trim() !== '' ? sello.trim() : undefined } };
}

export interface TimbreFiscalDigital {
  Version: '1.1';
  UUID: string;
  FechaTimbrado: string;
  RfcProvCertif: string;
  SelloCFD: string;
  NoCertificadoSAT: string;
  SelloSAT: string;
}

/** Cadena original of the stamp, per SAT's cadenaoriginal_TFD_1_1.xslt (no Leyenda). */
export function tfdCadenaOriginal(tfd: Omit<TimbreFiscalDigital, 'SelloSAT'>): string {
  const fields = [tfd.Version, tfd.UUID, tfd.FechaTimbrado, tfd.RfcProvCertif, tfd.SelloCFD, tfd.NoCertificadoSAT];
  return `||${fields.map((f) => f.replace(/\s+/g, ' ').trim()).join('|')}||`;
}

/** The simulator's stand-in for SAT's seal: base64 of HMAC-SHA256 of the cadena original. */
export function simulatedSelloSat(cadena: string, secret: string): string {
  return createHmac('sha256', secret).update(cadena, 'utf8').digest('base64');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;');
}

export function tfdElement(tfd: TimbreFiscalDigital): string {
  const attrs: [string, string][] = [
    ['xmlns:tfd', TFD_NAMESPACE],
    ['xmlns:xsi', XSI_NAMESPACE],
    ['xsi:schemaLocation', `${TFD_NAMESPACE} ${TFD_SCHEMA_LOCATION}`],
    ['Version', tfd.Version],
    ['UUID', tfd.UUID],
    ['FechaTimbrado', tfd.FechaTimbrado],
    ['RfcProvCertif', tfd.RfcProvCertif],
    ['SelloCFD', tfd.SelloCFD],
    ['NoCertificadoSAT', tfd.NoCertificadoSAT],
    ['SelloSAT', tfd.SelloSAT],
  ];
  return `<tfd:TimbreFiscalDigital ${attrs.map(([k, v]) => `${k}="${escapeAttr(v)}"`).join(' ')}/>`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Inserts the stamp into the document: inside the existing `Complemento` if there is one,
 * otherwise in a new `Complemento` placed before `Addenda` (Anexo 20 order) or before the
 * Comprobante's closing tag.
 */
export function insertTfd(xml: string, prefix: string, tfd: string): string {
  const q = (local: string) => (prefix ? `${prefix}:${local}` : local);
  const complemento = new RegExp(`<${escapeRe(q('Complemento'))}(\\s[^>]*?)?(/?)>`).exec(xml);
  if (complemento) {
    const start = complemento.index;
    const end = start + complemento[0].length;
    if (complemento[2] === '/') {
      const open = complemento[0].slice(0, -2).trimEnd();
      return `${xml.slice(0, start)}${open}>${tfd}</${q('Complemento')}>${xml.slice(end)}`;
    }
    const close = xml.indexOf(`</${q('Complemento')}`, end);
    if (close >= 0) return `${xml.slice(0, close)}${tfd}${xml.slice(close)}`;
  }
  const wrapped = `<${q('Complemento')}>${tfd}</${q('Complemento')}>`;
  const addenda = new RegExp(`<${escapeRe(q('Addenda'))}[\\s/>]`).exec(xml);
  if (addenda) return `${xml.slice(0, addenda.index)}${wrapped}${xml.slice(addenda.index)}`;
  const rootClose = xml.lastIndexOf(`</${q('Comprobante')}`);
  if (rootClose < 0) throw new Error('Comprobante closing tag not found');
  return `${xml.slice(0, rootClose)}${wrapped}${xml.slice(rootClose)}`;
}
