import { CFDI_NAMESPACE, CfdiParseError, TFD_NAMESPACE, childOf, childrenOf, parseXmlDocument } from './xml';

/**
 * Reads the data of a CFDI 4.0 (stamped or not) that the printed representation, storage and
 * the API need. Parsing is fast-xml-parser through xml.ts (namespace-aware; entities decoded).
 */
export interface CfdiConceptoData {
  claveProdServ: string;
  noIdentificacion?: string;
  cantidad: string;
  claveUnidad: string;
  unidad?: string;
  descripcion: string;
  valorUnitario: string;
  importe: string;
  objetoImp: string;
}

export interface CfdiTimbreData {
  version: string;
  uuid: string;
  fechaTimbrado: string;
  rfcProvCertif: string;
  leyenda?: string;
  selloCfd: string;
  noCertificadoSat: string;
  selloSat: string;
}

export interface CfdiData {
  version: string;
  serie?: string;
  folio?: string;
  fecha: string;
  sello: string;
  formaPago?: string;
  noCertificado: string;
  certificado: string;
  subTotal: string;
  descuento?: string;
  moneda: string;
  total: string;
  tipoDeComprobante: string;
  exportacion: string;
  metodoPago?: string;
  lugarExpedicion: string;
  emisor: { rfc: string; nombre: string; regimenFiscal: string };
  receptor: { rfc: string; nombre: string; domicilioFiscalReceptor: string; regimenFiscalReceptor: string; usoCfdi: string };
  conceptos: CfdiConceptoData[];
  /** The TimbreFiscalDigital, when the CFDI has been stamped. */
  timbre?: CfdiTimbreData;
}

/** Parses a CFDI 4.0; throws CfdiParseError when it is not well-formed or not a CFDI 4.0. */
export function readCfdi(xml: string): CfdiData {
  const root = parseXmlDocument(xml);
  if (root.ns !== CFDI_NAMESPACE || root.local !== 'Comprobante') {
    throw new CfdiParseError(`el elemento raíz debe ser Comprobante del espacio de nombres ${CFDI_NAMESPACE}`);
  }
  const a = root.attrs;
  const req = (attrs: Readonly<Record<string, string>>, name: string, where: string): string => {
    const value = attrs[name];
    if (value === undefined) throw new CfdiParseError(`falta el atributo ${name} en ${where}`);
    return value;
  };
  const emisorEl = childOf(root, CFDI_NAMESPACE, 'Emisor');
  const receptorEl = childOf(root, CFDI_NAMESPACE, 'Receptor');
  if (!emisorEl) throw new CfdiParseError('falta el nodo cfdi:Emisor');
  if (!receptorEl) throw new CfdiParseError('falta el nodo cfdi:Receptor');
  const conceptos = childrenOf(root, CFDI_NAMESPACE, 'Conceptos')
    .flatMap((c) => childrenOf(c, CFDI_NAMESPACE, 'Concepto'))
    .map((c, i) => {
      const where = `cfdi:Concepto ${i + 1}`;
      return {
        claveProdServ: req(c.attrs, 'ClaveProdServ', where),
        noIdentificacion: c.attrs.NoIdentificacion,
        cantidad: req(c.attrs, 'Cantidad', where),
        claveUnidad: req(c.attrs, 'ClaveUnidad', where),
        unidad: c.attrs.Unidad,
        descripcion: req(c.attrs, 'Descripcion', where),
        valorUnitario: req(c.attrs, 'ValorUnitario', where),
        importe: req(c.attrs, 'Importe', where),
        objetoImp: req(c.attrs, 'ObjetoImp', where),
      };
    });
  const tfdEl = childrenOf(root, CFDI_NAMESPACE, 'Complemento')
    .flatMap((c) => c.children)
    .find((el) => el.ns === TFD_NAMESPACE && el.local === 'TimbreFiscalDigital');
  const t = tfdEl?.attrs;
  const where = 'cfdi:Comprobante';
  return {
    version: req(a, 'Version', where),
    serie: a.Serie,
    folio: a.Folio,
    fecha: req(a, 'Fecha', where),
    sello: req(a, 'Sello', where),
    formaPago: a.FormaPago,
    noCertificado: req(a, 'NoCertificado', where),
    certificado: req(a, 'Certificado', where),
    subTotal: req(a, 'SubTotal', where),
    descuento: a.Descuento,
    moneda: req(a, 'Moneda', where),
    total: req(a, 'Total', where),
    tipoDeComprobante: req(a, 'TipoDeComprobante', where),
    exportacion: req(a, 'Exportacion', where),
    metodoPago: a.MetodoPago,
    lugarExpedicion: req(a, 'LugarExpedicion', where),
    emisor: {
      rfc: req(emisorEl.attrs, 'Rfc', 'cfdi:Emisor'),
      nombre: req(emisorEl.attrs, 'Nombre', 'cfdi:Emisor'),
      regimenFiscal: req(emisorEl.attrs, 'RegimenFiscal', 'cfdi:Emisor'),
    },
    receptor: {
      rfc: req(receptorEl.attrs, 'Rfc', 'cfdi:Receptor'),
      nombre: req(receptorEl.attrs, 'Nombre', 'cfdi:Receptor'),
      domicilioFiscalReceptor: req(receptorEl.attrs, 'DomicilioFiscalReceptor', 'cfdi:Receptor'),
      regimenFiscalReceptor: req(receptorEl.attrs, 'RegimenFiscalReceptor', 'cfdi:Receptor'),
      usoCfdi: req(receptorEl.attrs, 'UsoCFDI', 'cfdi:Receptor'),
    },
    conceptos,
    timbre: t
      ? {
          version: req(t, 'Version', 'tfd:TimbreFiscalDigital'),
          uuid: req(t, 'UUID', 'tfd:TimbreFiscalDigital'),
          fechaTimbrado: req(t, 'FechaTimbrado', 'tfd:TimbreFiscalDigital'),
          rfcProvCertif: req(t, 'RfcProvCertif', 'tfd:TimbreFiscalDigital'),
          leyenda: t.Leyenda,
          selloCfd: req(t, 'SelloCFD', 'tfd:TimbreFiscalDigital'),
          noCertificadoSat: req(t, 'NoCertificadoSAT', 'tfd:TimbreFiscalDigital'),
          selloSat: req(t, 'SelloSAT', 'tfd:TimbreFiscalDigital'),
        }
      : undefined,
  };
}
