import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildIngresoCfdi,
  cfdiConceptsForPeriod,
  CfdiInputError,
  CFDI_PLACEHOLDERS,
  CLAVE_PROD_SERV_CONTRIBUCIONES,
  mexicoCityCfdiFecha,
  readCfdi,
  validateCfdiXml,
} from '../../../cfdi';
import { Decimal } from '../../../domain/money';
import { sampleInput } from './helpers';

describe('buildIngresoCfdi', () => {
  it('produces a CFDI 4.0 ingreso that validates against the SAT XSD', async () => {
    const xml = buildIngresoCfdi(sampleInput());
    const result = await validateCfdiXml(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('fills the fixed attributes of an ingreso PUE not subject to tax', () => {
    const xml = buildIngresoCfdi(sampleInput());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('xmlns:cfdi="http://www.sat.gob.mx/cfd/4"');
    expect(xml).toContain('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(xml).toContain('xsi:schemaLocation="http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd"');
    expect(xml).not.toContain('Impuestos');
    const cfdi = readCfdi(xml);
    expect(cfdi).toMatchObject({
      version: '4.0',
      serie: 'PRISMA',
      folio: '20511-202604',
      fecha: '2026-03-02T10:15:00',
      formaPago: '03',
      metodoPago: 'PUE',
      moneda: 'MXN',
      tipoDeComprobante: 'I',
      exportacion: '01',
      lugarExpedicion: '50000',
      subTotal: '3580.17',
      total: '3580.17',
      sello: CFDI_PLACEHOLDERS.sello,
      noCertificado: CFDI_PLACEHOLDERS.noCertificado,
      certificado: CFDI_PLACEHOLDERS.certificado,
      emisor: { rfc: 'ISS690101AB1', regimenFiscal: '603' },
      receptor: { rfc: 'MTO850101XY2', domicilioFiscalReceptor: '50090', regimenFiscalReceptor: '603', usoCfdi: 'S01' },
    });
    expect(cfdi.timbre).toBeUndefined();
    expect(cfdi.conceptos).toEqual([
      expect.objectContaining({ cantidad: '1', claveUnidad: 'E48', valorUnitario: '1234.50', importe: '1234.50', objetoImp: '01', claveProdServ: '93161700' }),
      expect.objectContaining({ cantidad: '1', claveUnidad: 'E48', valorUnitario: '2345.67', importe: '2345.67', objetoImp: '01' }),
    ]);
  });

  it('uses the real CSD data when given and another real FormaPago', () => {
    const cfdi = readCfdi(
      buildIngresoCfdi(sampleInput({ formaPago: '28', noCertificado: '30001000000500003416', certificado: 'TUlJRm', sello: 'c2VsbG8=' })),
    );
    expect(cfdi).toMatchObject({ formaPago: '28', noCertificado: '30001000000500003416', certificado: 'TUlJRm', sello: 'c2VsbG8=' });
  });

  it('escapes names with &, quotes, < > and keeps Ñ and accents, which round-trip exactly', async () => {
    const receptor = 'Pérez & Hijos "Ñandú" <Cía.> O\'Higgins, S.A. de C.V.';
    const emisor = 'INSTITUTO DE SEGURIDAD SOCIAL DEL ESTADO DE MÉXICO Y MUNICIPIOS & ASOCIADOS';
    const xml = buildIngresoCfdi(
      sampleInput({
        emisor: { rfc: 'ISS690101AB1', nombre: emisor, regimenFiscal: '603' },
        receptor: { ...sampleInput().receptor, nombre: receptor, rfc: 'Ñ&A850101XY2' },
        conceptos: [{ claveProdServ: '93161700', descripcion: 'Cuotas "quincena" <04> & más', importe: '1.00' }],
      }),
    );
    expect(xml).toContain('Nombre="Pérez &amp; Hijos &quot;Ñandú&quot; &lt;Cía.&gt; O\'Higgins, S.A. de C.V."');
    expect(xml).toContain('Rfc="Ñ&amp;A850101XY2"');
    const cfdi = readCfdi(xml);
    expect(cfdi.receptor.nombre).toBe(receptor);
    expect(cfdi.receptor.rfc).toBe('Ñ&A850101XY2');
    expect(cfdi.emisor.nombre).toBe(emisor);
    expect(cfdi.conceptos[0]?.descripcion).toBe('Cuotas "quincena" <04> & más');
    expect((await validateCfdiXml(xml)).errors).toEqual([]);
  });

  it('collapses whitespace in names (as SAT does) so no tab or new line reaches the XML', () => {
    const xml = buildIngresoCfdi(sampleInput({ receptor: { ...sampleInput().receptor, nombre: '  MUNICIPIO\tDE\n\nTOLUCA  ' } }));
    expect(readCfdi(xml).receptor.nombre).toBe('MUNICIPIO DE TOLUCA');
  });

  it('adds 0.10 + 0.20 exactly: Σ conceptos = SubTotal = Total = 0.30', () => {
    const cfdi = readCfdi(
      buildIngresoCfdi(
        sampleInput({
          conceptos: [
            { claveProdServ: '93161700', descripcion: 'a', importe: '0.10' },
            { claveProdServ: '93161700', descripcion: 'b', importe: '0.2' },
          ],
        }),
      ),
    );
    expect(cfdi.conceptos.map((c) => c.importe)).toEqual(['0.10', '0.20']);
    expect(cfdi.subTotal).toBe('0.30');
    expect(cfdi.total).toBe('0.30');
  });

  it('Σ Importe = SubTotal = Total to the centavo for any amounts (property)', () => {
    const cents = fc.bigInt({ min: 1n, max: 99_999_999_999n });
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 8 }), (list) => {
        const asText = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
        const cfdi = readCfdi(
          buildIngresoCfdi(sampleInput({ conceptos: list.map((c, i) => ({ claveProdServ: '93161700', descripcion: `c${i}`, importe: asText(c) })) })),
        );
        const expected = asText(list.reduce((a, b) => a + b, 0n));
        expect(cfdi.subTotal).toBe(expected);
        expect(cfdi.total).toBe(expected);
        expect(cfdi.conceptos.map((c) => c.importe)).toEqual(list.map(asText));
        expect(cfdi.conceptos.every((c) => c.valorUnitario === c.importe)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['a date with a zone', { fecha: '2026-03-02T10:15:00-06:00' }, /fecha/],
    ['a date without seconds', { fecha: '2026-03-02T10:15' }, /fecha/],
    ['FormaPago 99 with PUE', { formaPago: '99' }, /99/],
    ['no conceptos', { conceptos: [] }, /al menos un concepto/],
    ['a zero importe', { conceptos: [{ claveProdServ: '93161700', descripcion: 'x', importe: '0.00' }] }, /mayor que cero/],
    ['an importe with 3 decimals', { conceptos: [{ claveProdServ: '93161700', descripcion: 'x', importe: '1.005' }] }, /2 decimales/],
    ['a negative importe', { conceptos: [{ claveProdServ: '93161700', descripcion: 'x', importe: '-1.00' }] }, /importe/],
    ['a float-looking importe', { conceptos: [{ claveProdServ: '93161700', descripcion: 'x', importe: '1e3' }] }, /importe/],
    ['a pipe in a name', { receptor: { ...sampleInput().receptor, nombre: 'A | B' } }, /\|/],
    ['an empty name', { receptor: { ...sampleInput().receptor, nombre: '   ' } }, /vacío/],
    ['a control character', { receptor: { ...sampleInput().receptor, nombre: 'A\u0001B' } }, /control/],
  ])('rejects %s with a CfdiInputError', (_what, overrides, message) => {
    const build = () => buildIngresoCfdi(sampleInput(overrides as never));
    expect(build).toThrow(CfdiInputError);
    expect(build).toThrow(message);
  });
});

describe('cfdiConceptsForPeriod', () => {
  it('maps each non-zero bucket to one concepto with the quincena in Spanish, in a fixed order', () => {
    const conceptos = cfdiConceptsForPeriod({
      period: '202604',
      totals: { cuotas: '1234.50', aportaciones: new Decimal('2345.67'), retenciones: '300', actualizacion: '12.34', recargos: '56.78' },
    });
    expect(conceptos.map((c) => c.bucket)).toEqual(['cuotas', 'aportaciones', 'retenciones', 'actualizacion', 'recargos']);
    expect(conceptos.map((c) => c.importe)).toEqual(['1234.50', '2345.67', '300.00', '12.34', '56.78']);
    for (const c of conceptos) {
      expect(c.descripcion).toMatch(/, Quincena 04 del 2026$/);
      expect(c.claveProdServ).toBe(CLAVE_PROD_SERV_CONTRIBUCIONES);
      expect(c.claveUnidad).toBe('E48');
    }
    expect(conceptos[0]?.descripcion).toBe('Cuotas de seguridad social a cargo de los servidores públicos, Quincena 04 del 2026');
    expect(conceptos[1]?.descripcion).toContain('Aportaciones');
    expect(conceptos[2]?.descripcion).toContain('créditos');
    expect(conceptos[3]?.descripcion).toContain('Actualización');
    expect(conceptos[4]?.descripcion).toContain('Recargos');
  });

  it('skips zero buckets (an on-time payment has no accessories; an institution may have no retenciones)', () => {
    const conceptos = cfdiConceptsForPeriod({ period: '202424', totals: { cuotas: '10.00', aportaciones: '20.00', retenciones: '0.00', actualizacion: new Decimal(0) } });
    expect(conceptos.map((c) => c.bucket)).toEqual(['cuotas', 'aportaciones']);
    expect(conceptos[0]?.descripcion).toContain('Quincena 24 del 2024');
  });

  it('feeds buildIngresoCfdi: Total = Σ buckets and the document validates', async () => {
    const conceptos = cfdiConceptsForPeriod({ period: '202604', totals: { cuotas: '0.10', aportaciones: '0.20', retenciones: '0', recargos: '0.01' } });
    const xml = buildIngresoCfdi(sampleInput({ conceptos }));
    expect(readCfdi(xml).total).toBe('0.31');
    expect((await validateCfdiXml(xml)).errors).toEqual([]);
  });

  it.each([
    ['a negative bucket', { cuotas: '-1.00', aportaciones: '0', retenciones: '0' }, /no negativo/],
    ['more than 2 decimals', { cuotas: '1.001', aportaciones: '0', retenciones: '0' }, /2 decimales/],
    ['text that is not a number', { cuotas: 'abc', aportaciones: '0', retenciones: '0' }, /decimal/],
  ])('rejects %s', (_what, totals, message) => {
    expect(() => cfdiConceptsForPeriod({ period: '202604', totals })).toThrow(message);
  });

  it('rejects an invalid period', () => {
    expect(() => cfdiConceptsForPeriod({ period: '2026-04', totals: { cuotas: '1', aportaciones: '1', retenciones: '0' } })).toThrow(CfdiInputError);
  });
});

describe('mexicoCityCfdiFecha', () => {
  it('renders an instant as Mexico City wall-clock time without zone (UTC−6 since 2022)', () => {
    expect(mexicoCityCfdiFecha(new Date('2026-03-02T16:15:00Z'))).toBe('2026-03-02T10:15:00');
    expect(mexicoCityCfdiFecha(new Date('2026-01-01T05:59:59Z'))).toBe('2025-12-31T23:59:59');
    expect(mexicoCityCfdiFecha(new Date('2026-07-01T06:00:00Z'))).toBe('2026-07-01T00:00:00');
  });
});
