import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SAT_SCHEMA_DIR } from '../../../cfdi';

const read = (relative: string) => readFileSync(fileURLToPath(new URL(relative, SAT_SCHEMA_DIR)), 'utf8');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('vendored SAT schema files (cfdi/sat)', () => {
  it('are SAT’s files byte for byte, with the hashes listed in cfdi/sat/README.md', () => {
    const readme = read('README.md');
    const files = [
      'cfd/4/cfdv40.xsd',
      'cfd/tipoDatos/tdCFDI/tdCFDI.xsd',
      'cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd',
      'cfd/4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt',
      'cfd/TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt',
    ];
    for (const file of files) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${file}\``));
      expect(row, `README row for ${file}`).toBeDefined();
      expect(row).toContain(sha256(read(file)));
    }
  });

  it('resolve their relative imports inside cfdi/sat', () => {
    const imports = (file: string) =>
      [...read(file).matchAll(/<xs:(?:import|include)[^>]*schemaLocation="([^"]+)"/g)].map((m) => new URL(m[1]!, new URL(file, SAT_SCHEMA_DIR)));
    for (const file of ['cfd/4/cfdv40.xsd', 'cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd']) {
      for (const target of imports(file)) expect(() => readFileSync(fileURLToPath(target))).not.toThrow();
    }
    expect(imports('cfd/4/cfdv40.xsd').map((u) => fileURLToPath(u).split('/cfdi/sat/')[1])).toEqual([
      'cfd/catalogos/catCFDI.xsd',
      'cfd/tipoDatos/tdCFDI/tdCFDI.xsd',
    ]);
  });

  it('the catCFDI stand-in declares every catalog type cfdv40.xsd references, and says it is reduced', () => {
    const referenced = new Set([...read('cfd/4/cfdv40.xsd').matchAll(/catCFDI:(c_\w+)/g)].map((m) => m[1]!));
    const catalog = read('cfd/catalogos/catCFDI.xsd');
    const declared = new Set([...catalog.matchAll(/<xs:simpleType name="(c_\w+)"/g)].map((m) => m[1]!));
    expect(referenced.size).toBeGreaterThanOrEqual(17);
    for (const type of referenced) expect(declared, type).toContain(type);
    expect(catalog).toContain('REDUCED STAND-IN');
    expect(catalog).toContain('targetNamespace="http://www.sat.gob.mx/sitio_internet/cfd/catalogos"');
  });
});
