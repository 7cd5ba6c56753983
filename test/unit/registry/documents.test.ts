import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { avisoHash, renderAvisoPdf, type AvisoMovimiento } from '../../../documents/aviso-movimiento';
import { renderPdf } from '../../../documents/pdf';
import { canonicalJson, verificationHash } from '../../../documents/verification';

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

const aviso: AvisoMovimiento = {
  documentType: 'aviso-de-movimiento',
  version: 1,
  folio: 'AM-2026-0000042',
  issuedAt: '2026-03-02T17:00:00.000Z',
  noticeId: '00000000-0000-4000-8000-000000000001',
  institution: { clave: '20511', name: 'Municipio de Toluca' },
  person: { claveIssemym: '00000018', curp: 'BEML920313HMCLNS09', rfc: 'BEML920313AB1', primerApellido: 'Núñez', segundoApellido: null, nombres: 'María (test) \\ <b>' },
  movement: { code: 'A', label: 'ALTA', fechaMovimiento: '2026-03-02', sueldoCotizable: '12500.50', puesto: 'Analista' },
};

describe('document verification', () => {
  it('hashes canonical JSON: key order does not matter, content does', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(verificationHash({ a: 1, b: 2 })).toBe(verificationHash({ b: 2, a: 1 }));
    expect(verificationHash({ a: 1 })).not.toBe(verificationHash({ a: 2 }));
  });
});

describe('PDF toolkit', () => {
  it('renders the aviso with institution, clave, movement, folio and hash, escaping user text safely', async () => {
    const hash = avisoHash(aviso);
    const pdf = await renderAvisoPdf(aviso, hash);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const expected of ['Aviso de movimiento', 'Municipio de Toluca', '20511', '00000018', 'ALTA', 'AM-2026-0000042', hash, 'Núñez', 'María (test) \\ <b>']) {
      expect(text).toContain(expected);
    }
  });

  it('is deterministic for the same spec', async () => {
    expect((await renderAvisoPdf(aviso)).equals(await renderAvisoPdf(aviso))).toBe(true);
  });

  it('paginates long tables and puts the folio in the footer of every page', async () => {
    const pdf = await renderPdf({
      title: 'Prueba de tabla',
      folio: 'XX-1',
      issuedAt: new Date('2026-01-01T00:00:00Z'),
      blocks: [
        {
          kind: 'table',
          columns: [{ header: 'Renglón' }, { header: 'Importe', align: 'right' }],
          rows: Array.from({ length: 120 }, (_, i) => [`fila ${i + 1}`, `${i}.00`]),
          totals: ['Total', '7140.00'],
        },
      ],
      verification: { hash: 'abc', qrPayload: 'X|Y' },
    });
    const text = await pdfText(pdf);
    const pages = Number(/Página 1 de (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThan(1);
    expect(text.match(/Folio: XX-1/g)?.length).toBeGreaterThanOrEqual(pages);
    expect(text).toContain('fila 120');
    expect(text).toContain('7140.00');
  });
});
