import { describe, expect, it } from 'vitest';
import { buildIngresoCfdi, CFDI_PLACEHOLDERS, validateCfdiXml } from '../../../cfdi';
import { sampleInput, stampLocally } from './helpers';

const valid = buildIngresoCfdi(sampleInput());

/** Replaces exactly one occurrence (so a test cannot silently change nothing). */
function replaceOnce(xml: string, from: string | RegExp, to: string): string {
  const pattern = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(from.source, 'g');
  const count = xml.match(pattern)?.length ?? 0;
  if (count !== 1) throw new Error(`expected exactly one match of ${String(from)}, found ${count}`);
  return xml.replace(pattern, to);
}

async function expectInvalid(xml: string, ...fragments: string[]): Promise<string[]> {
  const result = await validateCfdiXml(xml);
  expect(result.valid).toBe(false);
  expect(result.errors.length).toBeGreaterThan(0);
  for (const fragment of fragments) expect(result.errors.join('\n')).toContain(fragment);
  return result.errors;
}

describe('validateCfdiXml (offline, SAT CFDI 4.0 XSD)', () => {
  it('accepts the built ingreso', async () => {
    expect(await validateCfdiXml(valid)).toEqual({ valid: true, errors: [] });
  });

  it('rejects a missing required attribute (LugarExpedicion)', async () => {
    await expectInvalid(replaceOnce(valid, ' LugarExpedicion="50000"', ''), "The attribute 'LugarExpedicion' is required but missing");
  });

  it('rejects a missing required node (Receptor)', async () => {
    await expectInvalid(replaceOnce(valid, /<cfdi:Receptor [^>]*\/>/, ''), 'Receptor');
  });

  it('rejects an RFC that does not match SAT’s pattern', async () => {
    await expectInvalid(replaceOnce(valid, 'Rfc="MTO850101XY2"', 'Rfc="MTO851301XY2"'), "attribute 'Rfc'", '[facet \'pattern\']');
    await expectInvalid(replaceOnce(valid, 'Rfc="MTO850101XY2"', 'Rfc="mto850101xy2"'), "attribute 'Rfc'");
  });

  it.each([
    ['thousands separator', '3,580.17'],
    ['negative', '-3580.17'],
    ['more than 6 decimals', '3580.1700001'],
    ['not a number', 'TOTAL'],
  ])('rejects a Total with a bad format (%s)', async (_what, total) => {
    await expectInvalid(replaceOnce(valid, / Total="[^"]*"/, ` Total="${total}"`), "attribute 'Total'");
  });

  it('rejects a Fecha with a time zone', async () => {
    await expectInvalid(replaceOnce(valid, 'Fecha="2026-03-02T10:15:00"', 'Fecha="2026-03-02T10:15:00-06:00"'), "attribute 'Fecha'");
  });

  it('rejects values outside the catalog stand-in (MetodoPago, ObjetoImp, UsoCFDI)', async () => {
    await expectInvalid(replaceOnce(valid, 'MetodoPago="PUE"', 'MetodoPago="PAGO"'), "attribute 'MetodoPago'");
    await expectInvalid(replaceOnce(valid, 'UsoCFDI="S01"', 'UsoCFDI="X99"'), "attribute 'UsoCFDI'");
    const objetoImp = valid.replace(/ObjetoImp="01"/g, 'ObjetoImp="09"');
    await expectInvalid(objetoImp, "attribute 'ObjetoImp'");
  });

  it('rejects a NoCertificado that is not 20 digits and a Version other than 4.0', async () => {
    await expectInvalid(replaceOnce(valid, `NoCertificado="${CFDI_PLACEHOLDERS.noCertificado}"`, 'NoCertificado="123"'), "attribute 'NoCertificado'");
    await expectInvalid(replaceOnce(valid, 'Version="4.0"', 'Version="3.3"'), "attribute 'Version'");
  });

  it('rejects a CFDI 3.3 namespace and a document that is not well-formed, without throwing', async () => {
    await expectInvalid(valid.replace(/http:\/\/www\.sat\.gob\.mx\/cfd\/4/g, 'http://www.sat.gob.mx/cfd/3'));
    await expectInvalid(valid.slice(0, -10));
    await expectInvalid('');
  });

  it('judges each document on its own, one after another or many at once (one validator serves every invoice)', async () => {
    const noLugar = replaceOnce(valid, ' LugarExpedicion="50000"', '');
    const badRfc = replaceOnce(valid, 'Rfc="MTO850101XY2"', 'Rfc="MTO851301XY2"');
    const expectJudged = (xml: string, result: Awaited<ReturnType<typeof validateCfdiXml>>) => {
      if (xml === valid) return expect(result).toEqual({ valid: true, errors: [] });
      expect(result.valid).toBe(false);
      expect(result.errors.some((e) => e.includes("'LugarExpedicion' is required but missing"))).toBe(xml === noLugar);
      expect(result.errors.some((e) => e.includes("attribute 'Rfc'"))).toBe(xml === badRfc);
    };
    for (const xml of [noLugar, valid, badRfc, valid]) expectJudged(xml, await validateCfdiXml(xml));
    const batch = [badRfc, valid, noLugar, valid, badRfc];
    const results = await Promise.all(batch.map((xml) => validateCfdiXml(xml)));
    batch.forEach((xml, i) => expectJudged(xml, results[i]!));
  });

  describe('stamped CFDI (cfdi:Complemento with tfd:TimbreFiscalDigital 1.1)', () => {
    const stamped = stampLocally(valid, CFDI_PLACEHOLDERS.sello);

    it('accepts the stamped document, TFD included', async () => {
      expect(stamped).toContain('<cfdi:Complemento><tfd:TimbreFiscalDigital');
      expect(await validateCfdiXml(stamped)).toEqual({ valid: true, errors: [] });
    });

    it('validates the TFD against TimbreFiscalDigitalv11.xsd: bad UUID, missing SelloSAT, wrong Version, bad RfcProvCertif', async () => {
      await expectInvalid(stampLocally(valid, 'x', { UUID: 'not-a-uuid' }), "attribute 'UUID'");
      await expectInvalid(replaceOnce(stamped, / SelloSAT="[^"]*"/, ''), "The attribute 'SelloSAT' is required but missing");
      await expectInvalid(stampLocally(valid, 'x', { Version: '1.0' }), "attribute 'Version'");
      await expectInvalid(stampLocally(valid, 'x', { RfcProvCertif: 'SPR1906131I52' }), "attribute 'RfcProvCertif'");
    });

    it('rejects an unknown complement (Complemento is processed strictly)', async () => {
      const other = replaceOnce(stamped, '<cfdi:Complemento>', '<cfdi:Complemento><x:Otro xmlns:x="urn:ejemplo:otro" A="1"/>');
      await expectInvalid(other, 'Otro');
    });
  });
});
