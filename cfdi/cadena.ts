import { CFDI_NAMESPACE, TFD_NAMESPACE, childOf, childrenOf, parseXmlDocument, type XmlElement } from './xml';

/**
 * Cadena original (Anexo 20) computed in code, in the order SAT's XSLT defines
 * (sat/cfd/4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt and
 * sat/cfd/TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt), so no XSLT 2.0 processor (Saxon,
 * Java) is needed. "Requerido" emits `|value` always; "Opcional" only when the attribute is
 * present; every value goes through normalize-space.
 *
 * Covers every node of the CFDI 4.0 itself (InformacionGlobal, CfdiRelacionados, Emisor,
 * Receptor, Conceptos with Impuestos/ACuentaTerceros/InformacionAduanera/CuentaPredial/Parte,
 * Impuestos). Complements other than the TimbreFiscalDigital (which the CFDI's cadena ignores)
 * and ComplementoConcepto contents are not implemented: such documents throw, so nobody signs a
 * wrong cadena.
 */

function normalizeSpace(value: string): string {
  return value.replace(/[ \t\r\n]+/g, ' ').trim();
}

class Cadena {
  private readonly parts: string[] = [];
  req(el: XmlElement | undefined, name: string): this {
    this.parts.push(normalizeSpace(el?.attrs[name] ?? ''));
    return this;
  }
  opt(el: XmlElement | undefined, name: string): this {
    const value = el?.attrs[name];
    if (value !== undefined) this.parts.push(normalizeSpace(value));
    return this;
  }
  toString(): string {
    return `||${this.parts.join('|')}||`;
  }
}

const kids = (el: XmlElement | undefined, local: string) => (el ? childrenOf(el, CFDI_NAMESPACE, local) : []);

function concepto(c: Cadena, el: XmlElement): void {
  c.req(el, 'ClaveProdServ').opt(el, 'NoIdentificacion').req(el, 'Cantidad').req(el, 'ClaveUnidad').opt(el, 'Unidad')
    .req(el, 'Descripcion').req(el, 'ValorUnitario').req(el, 'Importe').opt(el, 'Descuento').req(el, 'ObjetoImp');
  const impuestos = kids(el, 'Impuestos');
  for (const t of impuestos.flatMap((i) => kids(i, 'Traslados')).flatMap((t) => kids(t, 'Traslado'))) {
    c.req(t, 'Base').req(t, 'Impuesto').req(t, 'TipoFactor').opt(t, 'TasaOCuota').opt(t, 'Importe');
  }
  for (const r of impuestos.flatMap((i) => kids(i, 'Retenciones')).flatMap((r) => kids(r, 'Retencion'))) {
    c.req(r, 'Base').req(r, 'Impuesto').req(r, 'TipoFactor').req(r, 'TasaOCuota').req(r, 'Importe');
  }
  for (const a of kids(el, 'ACuentaTerceros')) {
    c.req(a, 'RfcACuentaTerceros').req(a, 'NombreACuentaTerceros').req(a, 'RegimenFiscalACuentaTerceros').req(a, 'DomicilioFiscalACuentaTerceros');
  }
  for (const a of kids(el, 'InformacionAduanera')) c.req(a, 'NumeroPedimento');
  for (const p of kids(el, 'CuentaPredial')) c.req(p, 'Numero');
  for (const cc of kids(el, 'ComplementoConcepto')) {
    if (cc.children.length > 0) throw new Error('cadenaOriginal: ComplementoConcepto no está soportado');
  }
  for (const p of kids(el, 'Parte')) {
    c.req(p, 'ClaveProdServ').opt(p, 'NoIdentificacion').req(p, 'Cantidad').opt(p, 'Unidad').req(p, 'Descripcion')
      .opt(p, 'ValorUnitario').opt(p, 'Importe');
    for (const a of kids(p, 'InformacionAduanera')) c.req(a, 'NumeroPedimento');
  }
}

/** Cadena original of a CFDI 4.0 (what the issuer signs with its CSD to produce Sello). */
export function cadenaOriginal(xml: string): string {
  const root = parseXmlDocument(xml);
  if (root.ns !== CFDI_NAMESPACE || root.local !== 'Comprobante') throw new Error('cadenaOriginal: el elemento raíz debe ser cfdi:Comprobante 4.0');
  const c = new Cadena();
  c.req(root, 'Version').opt(root, 'Serie').opt(root, 'Folio').req(root, 'Fecha').opt(root, 'FormaPago').req(root, 'NoCertificado')
    .opt(root, 'CondicionesDePago').req(root, 'SubTotal').opt(root, 'Descuento').req(root, 'Moneda').opt(root, 'TipoCambio')
    .req(root, 'Total').req(root, 'TipoDeComprobante').req(root, 'Exportacion').opt(root, 'MetodoPago').req(root, 'LugarExpedicion')
    .opt(root, 'Confirmacion');
  for (const g of kids(root, 'InformacionGlobal')) c.req(g, 'Periodicidad').req(g, 'Meses').req(g, 'Año');
  for (const rel of kids(root, 'CfdiRelacionados')) {
    c.req(rel, 'TipoRelacion');
    for (const r of kids(rel, 'CfdiRelacionado')) c.req(r, 'UUID');
  }
  const emisor = childOf(root, CFDI_NAMESPACE, 'Emisor');
  c.req(emisor, 'Rfc').req(emisor, 'Nombre').req(emisor, 'RegimenFiscal').opt(emisor, 'FacAtrAdquirente');
  const receptor = childOf(root, CFDI_NAMESPACE, 'Receptor');
  c.req(receptor, 'Rfc').req(receptor, 'Nombre').req(receptor, 'DomicilioFiscalReceptor').opt(receptor, 'ResidenciaFiscal')
    .opt(receptor, 'NumRegIdTrib').req(receptor, 'RegimenFiscalReceptor').req(receptor, 'UsoCFDI');
  for (const el of kids(root, 'Conceptos').flatMap((cs) => kids(cs, 'Concepto'))) concepto(c, el);
  for (const imp of kids(root, 'Impuestos')) {
    for (const r of kids(imp, 'Retenciones').flatMap((r) => kids(r, 'Retencion'))) c.req(r, 'Impuesto').req(r, 'Importe');
    c.opt(imp, 'TotalImpuestosRetenidos');
    for (const t of kids(imp, 'Traslados').flatMap((t) => kids(t, 'Traslado'))) {
      c.req(t, 'Base').req(t, 'Impuesto').req(t, 'TipoFactor').opt(t, 'TasaOCuota').opt(t, 'Importe');
    }
    c.opt(imp, 'TotalImpuestosTrasladados');
  }
  for (const comp of kids(root, 'Complemento')) {
    for (const el of comp.children) {
      if (!(el.ns === TFD_NAMESPACE && el.local === 'TimbreFiscalDigital')) {
        throw new Error(`cadenaOriginal: el complemento ${el.local} (${el.ns}) no está soportado`);
      }
    }
  }
  return c.toString();
}

export interface TimbreFiscalDigitalAttributes {
  Version: string;
  UUID: string;
  FechaTimbrado: string;
  RfcProvCertif: string;
  Leyenda?: string;
  SelloCFD: string;
  NoCertificadoSAT: string;
}

/** Cadena original del complemento de certificación digital del SAT (TFD 1.1), printed on the representation. */
export function tfdCadenaOriginal(tfd: TimbreFiscalDigitalAttributes): string {
  const el: XmlElement = { ns: TFD_NAMESPACE, local: 'TimbreFiscalDigital', attrs: { ...tfd } as Record<string, string>, children: [] };
  const c = new Cadena();
  c.req(el, 'Version').req(el, 'UUID').req(el, 'FechaTimbrado').req(el, 'RfcProvCertif').opt(el, 'Leyenda').req(el, 'SelloCFD').req(el, 'NoCertificadoSAT');
  return c.toString();
}
