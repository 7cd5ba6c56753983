import { describe, expect, it } from 'vitest';
import {
  buildIngresoCfdi,
  cfdiConceptsForPeriod,
  cfdiDocumentSpec,
  CFDI_PLACEHOLDERS,
  CfdiParseError,
  formatQrTotal,
  mexicoCityLocalToDate,
  readCfdi,
  renderCfdiPdf,
  satVerificationUrl,
} from '../../../cfdi';
import { sha256Hex } from '../../../documents';
import { pdfText, sampleInput, STAMP, stampLocally } from './helpers';

const SELLO = 'QmFzZTY0U2VsbG9EZWxFbWlzb3JBQkNERUZHSA==';

function stampedDocument() {
  const xml = buildIngresoCfdi(
    sampleInput({
      sello: SELLO,
      noCertificado: '30001000000500003416',
      certificado: 'TUlJRkNlcnQ=',
      receptor: { rfc: 'Ñ&A850101XY2', nombre: 'Pérez & Hijos "Ñandú"', domicilioFiscalReceptor: '50090', regimenFiscalReceptor: '603', usoCfdi: 'S01' },
      conceptos: cfdiConceptsForPeriod({ period: '202604', totals: { cuotas: '1234.50', aportaciones: '2345.67', retenciones: '0', recargos: '10.00' } }),
    }),
  );
  return stampLocally(xml, SELLO);
}

describe('SAT verification expression (QR)', () => {
  it('formats tt without superfluous zeros but with at least one decimal', () => {
    expect(formatQrTotal('3590.17')).toBe('3590.17');
    expect(formatQrTotal('1000.00')).toBe('1000.0');
    expect(formatQrTotal('0.30')).toBe('0.3');
    expect(formatQrTotal('000123.450000')).toBe('123.45');
  });

  it('builds id, re, rr, tt and fe (last 8 characters of the seal); RFCs with & are XML-escaped', () => {
    expect(
      satVerificationUrl({ uuid: STAMP.uuid, rfcEmisor: 'ISS690101AB1', rfcReceptor: 'Ñ&A850101XY2', total: '3590.17', selloCfd: SELLO }),
    ).toBe(
      `https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=${STAMP.uuid}&re=ISS690101AB1&rr=Ñ&amp;A850101XY2&tt=3590.17&fe=RUZHSA==`,
    );
  });

  it('is the QR payload of the representation, and the footer hash is the SHA-256 of the stamped XML', () => {
    const xml = stampedDocument();
    const cfdi = readCfdi(xml);
    const spec = cfdiDocumentSpec(cfdi, cfdi.timbre!, sha256Hex(xml));
    expect(spec.verification.qrPayload).toBe(
      `https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=${STAMP.uuid}&re=ISS690101AB1&rr=Ñ&amp;A850101XY2&tt=3590.17&fe=RUZHSA==`,
    );
    expect(spec.verification.hash).toBe(sha256Hex(xml));
    expect(spec.folio).toBe(STAMP.uuid);
  });
});

describe('renderCfdiPdf (representación impresa)', () => {
  it('prints emisor, receptor, folio fiscal, dates, conceptos, totals, seals and the legend', async () => {
    const xml = stampedDocument();
    // Table cells wrap: compare with runs of whitespace collapsed.
    const text = (await pdfText(await renderCfdiPdf(xml))).replace(/\s+/g, ' ');
    for (const expected of [
      'Factura electrónica (CFDI 4.0)',
      'INSTITUTO DE SEGURIDAD SOCIAL DEL ESTADO DE MEXICO Y MUNICIPIOS',
      'ISS690101AB1',
      '603 - Personas Morales con Fines no Lucrativos',
      'Pérez & Hijos "Ñandú"',
      'Ñ&A850101XY2',
      'S01 - Sin efectos fiscales',
      'Folio fiscal (UUID)',
      STAMP.uuid,
      '02/03/2026 10:15:00',
      '02/03/2026 10:16:40',
      'I - Ingreso',
      'PUE - Pago en una sola exhibición',
      '03 - Transferencia electrónica de fondos',
      'MXN - Peso Mexicano',
      '30001000000500003416',
      STAMP.noCertificadoSat,
      STAMP.rfcProvCertif,
      'Cuotas de seguridad social a cargo de los servidores públicos, Quincena 04 del 2026',
      'Recargos por pago extemporáneo',
      '$1,234.50',
      '$2,345.67',
      '$10.00',
      '$3,590.17',
      'Sello digital del CFDI',
      'Sello digital del SAT',
      'Cadena original del complemento de certificación digital del SAT',
      'Este documento es una representación impresa de un CFDI',
      sha256Hex(xml),
    ]) {
      expect(text).toContain(expected);
    }
    const compact = text.replace(/\s+/g, '');
    expect(compact).toContain(SELLO);
    expect(compact).toContain(`||1.1|${STAMP.uuid}|${STAMP.fechaTimbrado}|${STAMP.rfcProvCertif}|${SELLO}|${STAMP.noCertificadoSat}||`);
    expect(text).not.toContain('Retenciones a servidores públicos'); // zero bucket: no concepto
    expect(text).not.toContain('DOCUMENTO DE PRUEBA');
  });

  it('marks a CFDI signed with the development placeholders as a test document', async () => {
    const xml = stampLocally(buildIngresoCfdi(sampleInput()), CFDI_PLACEHOLDERS.sello);
    const text = await pdfText(await renderCfdiPdf(xml));
    expect(text).toContain('DOCUMENTO DE PRUEBA');
    expect(text).toContain('no tiene efectos fiscales');
  });

  it('refuses a CFDI that has not been stamped', async () => {
    await expect(renderCfdiPdf(buildIngresoCfdi(sampleInput()))).rejects.toThrow(CfdiParseError);
  });
});

describe('mexicoCityLocalToDate', () => {
  it('turns Mexico City wall-clock time into the right instant, before and after the 2022 DST abolition', () => {
    expect(mexicoCityLocalToDate('2026-03-02T10:16:40').toISOString()).toBe('2026-03-02T16:16:40.000Z');
    expect(mexicoCityLocalToDate('2021-07-01T12:00:00').toISOString()).toBe('2021-07-01T17:00:00.000Z');
  });
});
