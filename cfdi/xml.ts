import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Minimal namespace-aware reading of a CFDI with fast-xml-parser: the document becomes a tree of
 * elements (namespace URI, local name, attributes, children in document order), so callers
 * match on namespaces rather than on whatever prefixes the issuer or the PAC chose.
 *
 * Entities: the five XML entities and numeric character references are decoded
 * (`htmlEntities` is what makes fast-xml-parser decode `&#209;`; it also accepts HTML named
 * entities, which a well-formed CFDI never contains).
 */
export const CFDI_NAMESPACE = 'http://www.sat.gob.mx/cfd/4';
export const TFD_NAMESPACE = 'http://www.sat.gob.mx/TimbreFiscalDigital';
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
export const CFDI_SCHEMA_LOCATION = 'http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd';
export const TFD_SCHEMA_LOCATION = 'http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd';

export interface XmlElement {
  /** Namespace URI ('' when none). */
  ns: string;
  local: string;
  /** Attributes without namespace declarations, keyed by their qualified name as written. */
  attrs: Readonly<Record<string, string>>;
  children: readonly XmlElement[];
}

export class CfdiParseError extends Error {
  override name = 'CfdiParseError';
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function toElements(nodes: readonly OrderedNode[], scope: ReadonlyMap<string, string>): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const qname = Object.keys(node).find((k) => k !== ':@');
    if (!qname || qname.startsWith('#') || qname.startsWith('?')) continue;
    const rawAttrs = node[':@'] ?? {};
    const local = new Map(scope);
    const attrs: Record<string, string> = {};
    for (const [name, value] of Object.entries(rawAttrs)) {
      if (name === 'xmlns') local.set('', String(value));
      else if (name.startsWith('xmlns:')) local.set(name.slice(6), String(value));
      else attrs[name] = String(value);
    }
    const colon = qname.indexOf(':');
    const prefix = colon >= 0 ? qname.slice(0, colon) : '';
    const ns = local.get(prefix);
    if (ns === undefined && prefix !== '') throw new CfdiParseError(`prefijo de espacio de nombres no declarado: ${prefix}`);
    const kids = node[qname];
    out.push({
      ns: ns ?? '',
      local: colon >= 0 ? qname.slice(colon + 1) : qname,
      attrs,
      children: Array.isArray(kids) ? toElements(kids as OrderedNode[], local) : [],
    });
  }
  return out;
}

/** Parses a well-formed XML document into its root element; throws CfdiParseError otherwise. */
export function parseXmlDocument(xml: string): XmlElement {
  const check = XMLValidator.validate(xml);
  if (check !== true) {
    throw new CfdiParseError(`XML mal formado: ${check.err.msg} (línea ${check.err.line}, columna ${check.err.col})`);
  }
  const roots = toElements(parser.parse(xml) as OrderedNode[], new Map());
  if (roots.length !== 1) throw new CfdiParseError('el documento debe tener exactamente un elemento raíz');
  return roots[0]!;
}

export function childrenOf(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.ns === ns && c.local === local);
}

export function childOf(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return childrenOf(el, ns, local)[0];
}
