import { create } from 'xmlbuilder2';
import { Decimal, parseAmount, sumAmounts, toAmountString, ZERO } from '../domain/money';
import { isValidPeriod, periodLabel } from '../domain/periods';
import { CFDI_NAMESPACE, CFDI_SCHEMA_LOCATION, XSI_NAMESPACE } from './xml';

/**
 * CFDI 4.0 "ingreso" for an institution's payment of a period (domain-reference §6.1):
 * Version 4.0, TipoDeComprobante I, MetodoPago PUE with a real FormaPago (03 by default),
 * Moneda MXN, Exportacion 01, one Concepto per bucket with Cantidad 1, ValorUnitario = Importe,
 * ObjetoImp 01 and therefore no Impuestos node; SubTotal = Total = Σ Importe, exact decimals.
 *
 * The XML is produced with xmlbuilder2 (namespace-aware DOM builder and serializer), which
 * escapes attribute values (`&`, `<`, `>`, `"`), so names such as `Pérez & Hijos "Ñandú"` are
 * safe. Free text is whitespace-collapsed first, as SAT's schema (xs:whiteSpace collapse) and
 * the cadena original (normalize-space) treat it anyway.
 *
 * The builder checks what it computes (amounts, totals, date format, PUE/FormaPago, text that
 * SAT forbids such as `|`); formats and catalogs (RFC, postal codes, regimes, uses) are
 * checked by validateCfdiXml against SAT's XSD, which callers run before stamping.
 *
 * Signing: there is no CSD (certificado de sello digital) in this project yet, so Sello,
 * NoCertificado and Certificado default to the clearly marked placeholders below. A real
 * deployment computes cadenaOriginal(xml) (cadena.ts), signs it with the CSD private key
 * (RSA-SHA256, e.g. @nodecfdi/credentials), and sets Sello (base64 signature), NoCertificado
 * (the certificate's serial, 20 digits) and Certificado (the .cer in base64).
 */

/** Placeholders for an unsigned development CFDI. A PAC in production rejects them. */
export const CFDI_PLACEHOLDERS = Object.freeze({
  noCertificado: '00000000000000000000',
  certificado: 'SIN-CERTIFICADO-CSD-NO-CONFIGURADO-DOCUMENTO-DE-DESARROLLO',
  sello: 'SIN-SELLO-CSD-DOCUMENTO-DE-DESARROLLO-NO-FIRMADO',
});

/** c_FormaPago 03: transferencia electrónica de fondos (how institutions pay). */
export const FORMA_PAGO_TRANSFERENCIA = '03';
/** c_ClaveUnidad E48: unidad de servicio. */
export const CLAVE_UNIDAD_SERVICIO = 'E48';
/**
 * c_ClaveProdServ for every concepto. [ASSUMPTION] 93161700 — in SAT's catalog "Administración
 * tributaria" (UNSPSC family 9316 taxation), a code public bodies use for contributions and
 * duties they collect; chosen pending confirmation by ISSEMyM's tax area (domain-reference §6.1).
 */
export const CLAVE_PROD_SERV_CONTRIBUCIONES = '93161700';

export interface CfdiConceptoInput {
  /** c_ClaveProdServ (8 digits). */
  claveProdServ: string;
  /** c_ClaveUnidad. Default E48. */
  claveUnidad?: string;
  descripcion: string;
  /** Amount in pesos as a decimal string with up to 2 decimals, e.g. "1234.50". Must be > 0. */
  importe: string;
}

export interface IngresoCfdiInput {
  serie: string;
  folio: string;
  /** Local Mexico City time of issue, `YYYY-MM-DDTHH:mm:ss`, no zone (see mexicoCityCfdiFecha). */
  fecha: string;
  /** c_FormaPago, default '03'. '99' (por definir) is not allowed with PUE. */
  formaPago?: string;
  /** Issuer's postal code (c_CodigoPostal). */
  lugarExpedicion: string;
  emisor: { rfc: string; nombre: string; regimenFiscal: string };
  receptor: {
    rfc: string;
    nombre: string;
    /** Receiver's fiscal postal code, as in its SAT record. */
    domicilioFiscalReceptor: string;
    regimenFiscalReceptor: string;
    usoCfdi: string;
  };
  conceptos: readonly CfdiConceptoInput[];
  /** CSD data; placeholders (CFDI_PLACEHOLDERS) when absent. */
  noCertificado?: string;
  certificado?: string;
  sello?: string;
}

/** The input cannot make a valid CFDI (Spanish message saying what to fix). */
export class CfdiInputError extends Error {
  override name = 'CfdiInputError';
}

const FECHA_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
// Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Collapses whitespace; rejects empty text, `|` (forbidden by SAT's patterns) and non-XML characters. */
function cleanText(value: string, field: string): string {
  if (INVALID_XML_CHARS.test(value)) throw new CfdiInputError(`${field} contiene caracteres de control no permitidos en XML; elimínelos.`);
  const text = value.replace(/[\s\u00a0]+/g, ' ').trim();
  if (text === '') throw new CfdiInputError(`${field} es obligatorio y no puede estar vacío.`);
  if (text.includes('|')) throw new CfdiInputError(`${field} no puede contener el carácter "|" (lo prohíbe el Anexo 20 del SAT).`);
  return text;
}

/** Codes and keys: trimmed, no inner whitespace allowed (the XSD then checks the format). */
function cleanCode(value: string, field: string): string {
  const text = value.trim();
  if (text === '' || /\s/.test(text) || INVALID_XML_CHARS.test(text)) {
    throw new CfdiInputError(`${field} debe ser una clave sin espacios (recibido: ${JSON.stringify(value)}).`);
  }
  return text;
}

function positiveAmount(text: string, field: string): Decimal {
  const amount = parseAmount(text);
  if (amount === null) throw new CfdiInputError(`${field} debe ser un importe con hasta 2 decimales, sin signo ni separadores (recibido: ${JSON.stringify(text)}).`);
  if (!amount.greaterThan(ZERO)) throw new CfdiInputError(`${field} debe ser mayor que cero; omita los conceptos sin importe.`);
  return amount;
}

/** Local Mexico City wall-clock time as CFDI's Fecha (`YYYY-MM-DDTHH:mm:ss`). */
export function mexicoCityCfdiFecha(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Mexico_City',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Builds the unsigned-or-signed CFDI 4.0 ingreso XML (UTF-8, no pretty printing). */
export function buildIngresoCfdi(input: IngresoCfdiInput): string {
  if (!FECHA_PATTERN.test(input.fecha)) {
    throw new CfdiInputError(`fecha debe tener el formato AAAA-MM-DDThh:mm:ss en hora local de la Ciudad de México, sin zona horaria (recibido: ${JSON.stringify(input.fecha)}).`);
  }
  const formaPago = cleanCode(input.formaPago ?? FORMA_PAGO_TRANSFERENCIA, 'formaPago');
  if (formaPago === '99') throw new CfdiInputError('Con método de pago PUE la forma de pago no puede ser 99 (por definir); indique la forma real, p. ej. 03.');
  if (input.conceptos.length === 0) throw new CfdiInputError('El CFDI debe tener al menos un concepto con importe mayor que cero.');

  const conceptos = input.conceptos.map((c, i) => {
    const importe = positiveAmount(c.importe, `conceptos[${i}].importe`);
    return {
      ClaveProdServ: cleanCode(c.claveProdServ, `conceptos[${i}].claveProdServ`),
      Cantidad: '1',
      ClaveUnidad: cleanCode(c.claveUnidad ?? CLAVE_UNIDAD_SERVICIO, `conceptos[${i}].claveUnidad`),
      Descripcion: cleanText(c.descripcion, `conceptos[${i}].descripcion`),
      ValorUnitario: toAmountString(importe),
      Importe: toAmountString(importe),
      ObjetoImp: '01',
      amount: importe,
    };
  });
  const total = toAmountString(sumAmounts(conceptos.map((c) => c.amount)));

  const comprobante = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(CFDI_NAMESPACE, 'cfdi:Comprobante')
    .att(XSI_NAMESPACE, 'xsi:schemaLocation', `${CFDI_NAMESPACE} ${CFDI_SCHEMA_LOCATION}`)
    .att({
      Version: '4.0',
      Serie: cleanText(input.serie, 'serie'),
      Folio: cleanText(input.folio, 'folio'),
      Fecha: input.fecha,
      Sello: cleanCode(input.sello ?? CFDI_PLACEHOLDERS.sello, 'sello'),
      FormaPago: formaPago,
      NoCertificado: cleanCode(input.noCertificado ?? CFDI_PLACEHOLDERS.noCertificado, 'noCertificado'),
      Certificado: cleanCode(input.certificado ?? CFDI_PLACEHOLDERS.certificado, 'certificado'),
      SubTotal: total,
      Moneda: 'MXN',
      Total: total,
      TipoDeComprobante: 'I',
      Exportacion: '01',
      MetodoPago: 'PUE',
      LugarExpedicion: cleanCode(input.lugarExpedicion, 'lugarExpedicion'),
    });
  comprobante.ele('cfdi:Emisor', {
    Rfc: cleanCode(input.emisor.rfc, 'emisor.rfc'),
    Nombre: cleanText(input.emisor.nombre, 'emisor.nombre'),
    RegimenFiscal: cleanCode(input.emisor.regimenFiscal, 'emisor.regimenFiscal'),
  });
  comprobante.ele('cfdi:Receptor', {
    Rfc: cleanCode(input.receptor.rfc, 'receptor.rfc'),
    Nombre: cleanText(input.receptor.nombre, 'receptor.nombre'),
    DomicilioFiscalReceptor: cleanCode(input.receptor.domicilioFiscalReceptor, 'receptor.domicilioFiscalReceptor'),
    RegimenFiscalReceptor: cleanCode(input.receptor.regimenFiscalReceptor, 'receptor.regimenFiscalReceptor'),
    UsoCFDI: cleanCode(input.receptor.usoCfdi, 'receptor.usoCfdi'),
  });
  const conceptosNode = comprobante.ele('cfdi:Conceptos');
  for (const { amount: _amount, ...attrs } of conceptos) conceptosNode.ele('cfdi:Concepto', attrs);

  return comprobante.end({ prettyPrint: false, wellFormed: true });
}

// ---------------------------------------------------------------------------------------------
// Period buckets → conceptos
// ---------------------------------------------------------------------------------------------

export const CFDI_BUCKETS = ['cuotas', 'aportaciones', 'retenciones', 'actualizacion', 'recargos'] as const;
export type CfdiBucket = (typeof CFDI_BUCKETS)[number];

/** A period's paid amounts per bucket: Decimal or a decimal string with up to 2 decimals. */
export interface CfdiPeriodTotals {
  /** Σ cuotas (party servidor). */
  cuotas: Decimal | string;
  /** Σ aportaciones (party institución). */
  aportaciones: Decimal | string;
  /** Σ retenciones de créditos (préstamos a corto plazo, hipotecarios, otros). */
  retenciones: Decimal | string;
  /** Accessories of a late payment (contracts §4); absent or 0 when paid on time. */
  actualizacion?: Decimal | string;
  recargos?: Decimal | string;
}

export interface CfdiPeriodConcepto extends CfdiConceptoInput {
  bucket: CfdiBucket;
}

const BUCKET_DESCRIPTIONS: Readonly<Record<CfdiBucket, string>> = {
  cuotas: 'Cuotas de seguridad social a cargo de los servidores públicos',
  aportaciones: 'Aportaciones de seguridad social a cargo de la institución pública',
  retenciones: 'Retenciones a servidores públicos por créditos otorgados por el ISSEMyM',
  actualizacion: 'Actualización por pago extemporáneo de cuotas, aportaciones y retenciones',
  recargos: 'Recargos por pago extemporáneo de cuotas, aportaciones y retenciones',
};

function bucketAmount(value: Decimal | string | undefined, bucket: CfdiBucket): Decimal {
  if (value === undefined) return ZERO;
  let amount: Decimal;
  try {
    amount = typeof value === 'string' ? new Decimal(value.trim()) : new Decimal(value);
  } catch {
    throw new CfdiInputError(`El importe de ${bucket} no es un número decimal (recibido: ${JSON.stringify(String(value))}).`);
  }
  if (!amount.isFinite() || amount.isNegative()) throw new CfdiInputError(`El importe de ${bucket} debe ser un número no negativo.`);
  if (amount.decimalPlaces() > 2) throw new CfdiInputError(`El importe de ${bucket} tiene más de 2 decimales; redondee a centavos antes de facturar.`);
  return amount;
}

/**
 * One concepto per non-zero bucket, in a fixed order (cuotas, aportaciones, retenciones,
 * actualización, recargos), each described in Spanish with the quincena ("Quincena 04 del
 * 2026"), ClaveProdServ CLAVE_PROD_SERV_CONTRIBUCIONES and ClaveUnidad E48.
 */
export function cfdiConceptsForPeriod(args: { period: string; totals: CfdiPeriodTotals }): CfdiPeriodConcepto[] {
  if (!isValidPeriod(args.period)) throw new CfdiInputError(`period debe ser una quincena AAAAQQ (01–24), p. ej. 202604 (recibido: ${JSON.stringify(args.period)}).`);
  const label = periodLabel(args.period);
  const out: CfdiPeriodConcepto[] = [];
  for (const bucket of CFDI_BUCKETS) {
    const amount = bucketAmount(args.totals[bucket], bucket);
    if (amount.isZero()) continue;
    out.push({
      bucket,
      claveProdServ: CLAVE_PROD_SERV_CONTRIBUCIONES,
      claveUnidad: CLAVE_UNIDAD_SERVICIO,
      descripcion: `${BUCKET_DESCRIPTIONS[bucket]}, ${label}`,
      importe: toAmountString(amount),
    });
  }
  return out;
}
