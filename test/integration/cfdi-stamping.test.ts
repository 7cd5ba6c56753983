import { PDFParse } from 'pdf-parse';
import { describe, expect, inject, it } from 'vitest';
import {
  buildIngresoCfdi,
  cadenaOriginal,
  cfdiConceptsForPeriod,
  mexicoCityCfdiFecha,
  readCfdi,
  renderCfdiPdf,
  satVerificationUrl,
  validateCfdiXml,
} from '../../cfdi';
import { createStampingClient } from '../../integrations/stamping';

/**
 * The CFDI of a paid period, end to end against the stamping-provider simulator running as its
 * own process (started by test/global-setup.ts): build → XSD-valid → stamped by the PAC →
 * the stamped XML (with the TimbreFiscalDigital) is still XSD-valid → printed representation.
 */
async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

function periodCfdi(folio: string): string {
  return buildIngresoCfdi({
    serie: 'PRISMA',
    folio,
    fecha: mexicoCityCfdiFecha(new Date()),
    lugarExpedicion: '50000',
    emisor: { rfc: 'ISS690101AB1', nombre: 'INSTITUTO DE SEGURIDAD SOCIAL DEL ESTADO DE MEXICO Y MUNICIPIOS', regimenFiscal: '603' },
    receptor: {
      rfc: 'MTO850101XY2',
      nombre: 'Municipio de Toluca & Organismos "Descentralizados" — Año 2026',
      domicilioFiscalReceptor: '50090',
      regimenFiscalReceptor: '603',
      usoCfdi: 'S01',
    },
    conceptos: cfdiConceptsForPeriod({
      period: '202604',
      totals: { cuotas: '10500.10', aportaciones: '21000.20', retenciones: '0.00', actualizacion: '37.81', recargos: '195.00' },
    }),
  });
}

describe('CFDI stamping at the PAC simulator', () => {
  const stamping = createStampingClient({ baseUrl: inject('stampingUrl') });

  it('stamps a built ingreso; the stamped CFDI validates against the SAT XSDs (TFD included) and prints', async () => {
    const xml = periodCfdi(`it-${Date.now()}`);
    expect(await validateCfdiXml(xml)).toEqual({ valid: true, errors: [] });

    const stamped = await stamping.stamp(xml);
    expect(stamped.uuid).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);

    const validation = await validateCfdiXml(stamped.xml);
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);

    const cfdi = readCfdi(stamped.xml);
    expect(cfdi.timbre).toMatchObject({ version: '1.1', uuid: stamped.uuid, fechaTimbrado: stamped.fechaTimbrado });
    expect(cfdi.timbre?.selloCfd).toBe(cfdi.sello);
    expect(cfdi.total).toBe('31733.11');
    expect(cfdi.conceptos.map((c) => c.importe)).toEqual(['10500.10', '21000.20', '37.81', '195.00']);
    expect(cfdi.receptor.nombre).toBe('Municipio de Toluca & Organismos "Descentralizados" — Año 2026');
    // The PAC only adds the stamp: the issuer's signed content (its cadena original) is untouched.
    expect(cadenaOriginal(stamped.xml)).toBe(cadenaOriginal(xml));

    const text = await pdfText(await renderCfdiPdf(stamped.xml));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(stamped.uuid);
    expect(flat).toContain('Municipio de Toluca & Organismos "Descentralizados" — Año 2026');
    expect(flat).toContain('Cuotas de seguridad social a cargo de los servidores públicos, Quincena 04 del 2026');
    expect(flat).toContain('$31,733.11');
    expect(flat).toContain('Este documento es una representación impresa de un CFDI');
    expect(satVerificationUrl({ uuid: stamped.uuid, rfcEmisor: 'ISS690101AB1', rfcReceptor: 'MTO850101XY2', total: cfdi.total, selloCfd: cfdi.timbre!.selloCfd })).toContain(
      `id=${stamped.uuid}&re=ISS690101AB1&rr=MTO850101XY2&tt=31733.11&fe=`,
    );
  });

  it('a retried stamp of the same document returns the same folio fiscal (no second CFDI)', async () => {
    const xml = periodCfdi(`it-retry-${Date.now()}`);
    const first = await stamping.stamp(xml);
    const again = await stamping.stamp(xml);
    expect(again.uuid).toBe(first.uuid);
    expect(again.xml).toBe(first.xml);
  });
});
