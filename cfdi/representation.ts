import { renderPdf, sha256Hex, type DocumentSpec } from '../documents';
import { Decimal } from '../domain/money';
import { CFDI_PLACEHOLDERS, mexicoCityCfdiFecha } from './build';
import { tfdCadenaOriginal } from './cadena';
import { describeKey } from './catalogs';
import { readCfdi, type CfdiData, type CfdiTimbreData } from './read';
import { CfdiParseError } from './xml';

/**
 * Representación impresa (printed representation) of a stamped CFDI 4.0, in Spanish, with the
 * documents/ PDF toolkit: emisor, receptor, folio fiscal (UUID), dates, conceptos, totals, the
 * seals and the cadena original of the stamp, and the QR code with SAT's verification
 * expression (Anexo 20, "estándar de la representación impresa"):
 *   https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=UUID&re=RFC_EMISOR&rr=RFC_RECEPTOR&tt=TOTAL&fe=ÚLTIMOS_8_DEL_SELLO
 * The footer's verification code is the SHA-256 of the stamped XML as stored.
 */

export const SAT_VERIFICATION_BASE = 'https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx';
export const CFDI_REPRESENTATION_LEGEND = 'Este documento es una representación impresa de un CFDI.';

/** `tt`: total with up to 6 decimals, no superfluous zeros, at least one decimal ("1241.03", "1000.0"). */
export function formatQrTotal(total: string): string {
  const text = new Decimal(total).toDecimalPlaces(6).toString();
  return text.includes('.') ? text : `${text}.0`;
}

/** RFCs go into the expression XML-escaped (an RFC may contain `&`), as SAT's standard says. */
function formatQrRfc(rfc: string): string {
  return rfc.replace(/&/g, '&amp;');
}

/** SAT's verification expression for a stamped CFDI 4.0 (the QR code's content). */
export function satVerificationUrl(args: { uuid: string; rfcEmisor: string; rfcReceptor: string; total: string; selloCfd: string }): string {
  return (
    `${SAT_VERIFICATION_BASE}?id=${args.uuid}` +
    `&re=${formatQrRfc(args.rfcEmisor)}` +
    `&rr=${formatQrRfc(args.rfcReceptor)}` +
    `&tt=${formatQrTotal(args.total)}` +
    `&fe=${args.selloCfd.slice(-8)}`
  );
}

/** Converts a Mexico City wall-clock `YYYY-MM-DDTHH:mm:ss` to the instant it denotes. */
export function mexicoCityLocalToDate(local: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new CfdiParseError(`fecha con formato inesperado: ${local}`);
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Mexico City is UTC-6 (UTC-5 under the daylight saving time abolished in 2022): try both.
  for (const offsetHours of [6, 5]) {
    const candidate = new Date(asUtc + offsetHours * 3_600_000);
    if (mexicoCityCfdiFecha(candidate) === local) return candidate;
  }
  return new Date(asUtc + 6 * 3_600_000);
}

function pesos(amount: string): string {
  const text = new Decimal(amount).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString();
  const [intPart = '0', frac = ''] = text.split('.');
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `$${grouped}.${frac.padEnd(2, '0')}`;
}

function localDateTime(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(local);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : local;
}

function isPlaceholderSigned(cfdi: CfdiData): boolean {
  return cfdi.sello === CFDI_PLACEHOLDERS.sello || /^0{20}$/.test(cfdi.noCertificado);
}

/** The document spec (exported for tests and for callers that want the blocks). */
export function cfdiDocumentSpec(cfdi: CfdiData, timbre: CfdiTimbreData, xmlHash: string): DocumentSpec {
  const serieFolio = [cfdi.serie, cfdi.folio].filter((v) => v !== undefined && v !== '').join('-');
  const qrPayload = satVerificationUrl({
    uuid: timbre.uuid,
    rfcEmisor: cfdi.emisor.rfc,
    rfcReceptor: cfdi.receptor.rfc,
    total: cfdi.total,
    selloCfd: timbre.selloCfd,
  });
  return {
    issuer: { name: cfdi.emisor.nombre, unit: `RFC ${cfdi.emisor.rfc} · Comprobante fiscal digital por Internet` },
    title: `Factura electrónica (CFDI ${cfdi.version})`,
    subtitle: [`Comprobante de tipo ${describeKey('tipoDeComprobante', cfdi.tipoDeComprobante)}`, serieFolio && `serie y folio ${serieFolio}`]
      .filter(Boolean)
      .join(' · '),
    folio: timbre.uuid,
    issuedAt: mexicoCityLocalToDate(timbre.fechaTimbrado),
    author: cfdi.emisor.nombre,
    subject: `CFDI ${timbre.uuid}`,
    blocks: [
      ...(isPlaceholderSigned(cfdi)
        ? [
            {
              kind: 'paragraph' as const,
              style: 'warning' as const,
              text: 'DOCUMENTO DE PRUEBA: este CFDI no está firmado con un certificado de sello digital (CSD) real y su timbre proviene de un simulador; no tiene efectos fiscales.',
            },
          ]
        : []),
      {
        kind: 'keyValue',
        title: 'Emisor',
        rows: [
          ['RFC', cfdi.emisor.rfc],
          ['Nombre o razón social', cfdi.emisor.nombre],
          ['Régimen fiscal', describeKey('regimenFiscal', cfdi.emisor.regimenFiscal)],
          ['Lugar de expedición (C.P.)', cfdi.lugarExpedicion],
        ],
      },
      {
        kind: 'keyValue',
        title: 'Receptor',
        rows: [
          ['RFC', cfdi.receptor.rfc],
          ['Nombre o razón social', cfdi.receptor.nombre],
          ['Domicilio fiscal (C.P.)', cfdi.receptor.domicilioFiscalReceptor],
          ['Régimen fiscal', describeKey('regimenFiscal', cfdi.receptor.regimenFiscalReceptor)],
          ['Uso del CFDI', describeKey('usoCfdi', cfdi.receptor.usoCfdi)],
        ],
      },
      {
        kind: 'keyValue',
        title: 'Comprobante',
        rows: [
          ['Folio fiscal (UUID)', timbre.uuid],
          ['Serie y folio', serieFolio || null],
          ['Fecha y hora de emisión', localDateTime(cfdi.fecha)],
          ['Fecha y hora de certificación', localDateTime(timbre.fechaTimbrado)],
          ['Tipo de comprobante', describeKey('tipoDeComprobante', cfdi.tipoDeComprobante)],
          ['Exportación', describeKey('exportacion', cfdi.exportacion)],
          ['Método de pago', describeKey('metodoPago', cfdi.metodoPago)],
          ['Forma de pago', describeKey('formaPago', cfdi.formaPago)],
          ['Moneda', describeKey('moneda', cfdi.moneda)],
          ['No. de certificado del emisor', cfdi.noCertificado],
          ['No. de certificado del SAT', timbre.noCertificadoSat],
          ['RFC del proveedor de certificación', timbre.rfcProvCertif],
        ],
      },
      {
        kind: 'table',
        title: 'Conceptos',
        columns: [
          { header: 'Clave prod./serv.', weight: 1.15 },
          { header: 'Cant.', weight: 0.55, align: 'right' },
          { header: 'Unidad', weight: 0.75 },
          { header: 'Descripción', weight: 4 },
          { header: 'Objeto imp.', weight: 0.75 },
          { header: 'Valor unitario', weight: 1.25, align: 'right' },
          { header: 'Importe', weight: 1.25, align: 'right' },
        ],
        rows: cfdi.conceptos.map((c) => [
          c.claveProdServ,
          c.cantidad,
          c.claveUnidad,
          c.descripcion,
          c.objetoImp,
          pesos(c.valorUnitario),
          pesos(c.importe),
        ]),
        totals: ['', '', '', 'Total', '', '', pesos(cfdi.total)],
      },
      {
        kind: 'keyValue',
        title: 'Totales',
        rows: [
          ['Subtotal', pesos(cfdi.subTotal)],
          ...(cfdi.descuento !== undefined ? [['Descuento', pesos(cfdi.descuento)] as const] : []),
          ['Impuestos', 'No aplica (conceptos no objeto de impuesto)'],
          ['Total', `${pesos(cfdi.total)} ${cfdi.moneda}`],
        ],
      },
      { kind: 'paragraph', style: 'note', text: `Sello digital del CFDI: ${cfdi.sello}` },
      { kind: 'paragraph', style: 'note', text: `Sello digital del SAT: ${timbre.selloSat}` },
      {
        kind: 'paragraph',
        style: 'note',
        text: `Cadena original del complemento de certificación digital del SAT: ${tfdCadenaOriginal({
          Version: timbre.version,
          UUID: timbre.uuid,
          FechaTimbrado: timbre.fechaTimbrado,
          RfcProvCertif: timbre.rfcProvCertif,
          Leyenda: timbre.leyenda,
          SelloCFD: timbre.selloCfd,
          NoCertificadoSAT: timbre.noCertificadoSat,
        })}`,
      },
      { kind: 'paragraph', text: CFDI_REPRESENTATION_LEGEND },
    ],
    verification: {
      hash: xmlHash,
      qrPayload,
      note: 'Verifique este CFDI en el portal del SAT (verificacfdi.facturaelectronica.sat.gob.mx) con el código QR o con el folio fiscal, el RFC del emisor, el RFC del receptor y el total. El código de verificación es el SHA-256 del XML timbrado.',
    },
  };
}

/** Renders the printed representation of a stamped CFDI 4.0 (throws CfdiParseError if it has no TimbreFiscalDigital). */
export async function renderCfdiPdf(stampedXml: string): Promise<Buffer> {
  const cfdi = readCfdi(stampedXml);
  if (!cfdi.timbre) throw new CfdiParseError('el CFDI no está timbrado: falta cfdi:Complemento/tfd:TimbreFiscalDigital');
  return renderPdf(cfdiDocumentSpec(cfdi, cfdi.timbre, sha256Hex(stampedXml)));
}
