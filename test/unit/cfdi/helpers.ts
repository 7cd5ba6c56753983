import { PDFParse } from 'pdf-parse';
import { insertTfd, simulatedSelloSat, tfdCadenaOriginal, tfdElement } from '../../../simulators/stamping/cfdi';
import type { IngresoCfdiInput } from '../../../cfdi';

/** A realistic input: ISSEMyM invoicing a municipality for quincena 04 of 2026. */
export function sampleInput(overrides: Partial<IngresoCfdiInput> = {}): IngresoCfdiInput {
  return {
    serie: 'PRISMA',
    folio: '20511-202604',
    fecha: '2026-03-02T10:15:00',
    lugarExpedicion: '50000',
    emisor: { rfc: 'ISS690101AB1', nombre: 'INSTITUTO DE SEGURIDAD SOCIAL DEL ESTADO DE MEXICO Y MUNICIPIOS', regimenFiscal: '603' },
    receptor: {
      rfc: 'MTO850101XY2',
      nombre: 'MUNICIPIO DE TOLUCA',
      domicilioFiscalReceptor: '50090',
      regimenFiscalReceptor: '603',
      usoCfdi: 'S01',
    },
    conceptos: [
      { claveProdServ: '93161700', descripcion: 'Cuotas de seguridad social, Quincena 04 del 2026', importe: '1234.50' },
      { claveProdServ: '93161700', descripcion: 'Aportaciones de seguridad social, Quincena 04 del 2026', importe: '2345.67' },
    ],
    ...overrides,
  };
}

export const STAMP = {
  uuid: '6F1C2E3A-4B5D-4E6F-8A9B-0C1D2E3F4A5B',
  fechaTimbrado: '2026-03-02T10:16:40',
  rfcProvCertif: 'SPR190613I52',
  noCertificadoSat: '00001000000509846663',
};

/** Adds a TimbreFiscalDigital 1.1 the way the stamping simulator does, without a process. */
export function stampLocally(xml: string, sello: string, overrides: Record<string, string> = {}): string {
  const base = {
    Version: '1.1' as const,
    UUID: STAMP.uuid,
    FechaTimbrado: STAMP.fechaTimbrado,
    RfcProvCertif: STAMP.rfcProvCertif,
    SelloCFD: sello,
    NoCertificadoSAT: STAMP.noCertificadoSat,
  };
  const tfd = { ...base, SelloSAT: simulatedSelloSat(tfdCadenaOriginal(base), 'unit-test'), ...overrides } as Parameters<typeof tfdElement>[0];
  return insertTfd(xml, 'cfdi', tfdElement(tfd));
}

export async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}
