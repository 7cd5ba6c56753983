import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIngresoCfdi, cadenaOriginal, cfdiConceptsForPeriod, tfdCadenaOriginal } from '../../../cfdi';
import { sampleInput, stampLocally } from './helpers';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

// The expected strings were produced by SAT's own cadenaoriginal_4_0.xslt (vendored in
// cfdi/sat/cfd/4/cadenaoriginal_4_0/) run by an XSLT processor over the same documents, with
// SAT's utilerias templates (Requerido/Opcional/ManejaEspacios) and empty complement includes.
describe('cadenaOriginal (Anexo 20 order, as SAT’s XSLT)', () => {
  it('matches SAT’s XSLT for a document using every node of CFDI 4.0', () => {
    expect(cadenaOriginal(fixture('cfdi-todos-los-nodos.xml'))).toBe(fixture('cfdi-todos-los-nodos.cadena.txt').trim());
  });

  it('matches SAT’s XSLT for a built ingreso (escaped names, collapsed spaces, all buckets)', () => {
    const xml = buildIngresoCfdi(
      sampleInput({
        folio: '20511-202604',
        emisor: { rfc: 'ISS690101AB1', nombre: 'INSTITUTO  DE SEGURIDAD', regimenFiscal: '603' },
        receptor: { rfc: 'MTO850101XY2', nombre: 'Pérez & Hijos "Ñandú" <x> \'y\'', domicilioFiscalReceptor: '50090', regimenFiscalReceptor: '603', usoCfdi: 'S01' },
        conceptos: cfdiConceptsForPeriod({
          period: '202604',
          totals: { cuotas: '1234.50', aportaciones: '0.20', retenciones: '3', actualizacion: '1.11', recargos: '2.22' },
        }),
      }),
    );
    expect(cadenaOriginal(xml)).toBe(fixture('ingreso-construido.cadena.txt').trim());
  });

  it('ignores the TimbreFiscalDigital (the issuer signs before stamping), so stamping does not change it', () => {
    const xml = buildIngresoCfdi(sampleInput());
    expect(cadenaOriginal(stampLocally(xml, 'abc'))).toBe(cadenaOriginal(xml));
  });

  it('refuses complements it does not implement instead of producing a wrong cadena', () => {
    const xml = buildIngresoCfdi(sampleInput()).replace('</cfdi:Comprobante>', '<cfdi:Complemento><p:Pagos xmlns:p="http://www.sat.gob.mx/Pagos20"/></cfdi:Complemento></cfdi:Comprobante>');
    expect(() => cadenaOriginal(xml)).toThrow(/Pagos/);
  });
});

describe('tfdCadenaOriginal', () => {
  it('follows cadenaoriginal_TFD_1_1.xslt (Leyenda only when present)', () => {
    const base = { Version: '1.1', UUID: 'U', FechaTimbrado: '2026-03-02T10:16:40', RfcProvCertif: 'SPR190613I52', SelloCFD: 'S  C', NoCertificadoSAT: '1' };
    expect(tfdCadenaOriginal(base)).toBe('||1.1|U|2026-03-02T10:16:40|SPR190613I52|S C|1||');
    expect(tfdCadenaOriginal({ ...base, Leyenda: 'Leyenda' })).toBe('||1.1|U|2026-03-02T10:16:40|SPR190613I52|Leyenda|S C|1||');
  });
});
