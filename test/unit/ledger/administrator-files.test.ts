import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCsvAdministratorFileAdapter, csvField, type AdministratorRecord } from '../../../integrations/administrator-files';
import { createLocalStorage } from '../../../platform/storage';

function storage() {
  return createLocalStorage({ rootDir: mkdtempSync(path.join(os.tmpdir(), 'admin-files-')), encryptionKey: randomBytes(32) });
}
const header = { administrator: 'AFORE-X', institutionClave: '20511', period: '202606', entryKey: 'dispersion:s:f' };

async function* from(records: AdministratorRecord[]) {
  for (const r of records) yield r;
}

describe('csv-v1 administrator file', () => {
  it('writes a header and one line per record, and counts the control totals while streaming', async () => {
    const store = storage();
    const adapter = createCsvAdministratorFileAdapter(store);
    const written = await adapter.write(
      header,
      from([
        { curp: 'PEPJ850412HMCRRN09', claveIssemym: '00000018', subAccount: 'SCI', amount: '17.50', origin: 'cuota', period: '202606' },
        { curp: 'PEPJ850412HMCRRN09', claveIssemym: '00000018', subAccount: 'SCI', amount: '18.75', origin: 'aportacion', period: '202606' },
      ]),
    );
    expect(written).toMatchObject({ format: 'csv-v1', recordCount: 2, total: '36.25' });
    expect(written.storageKey).toBe(`dispersion-batches/${written.sha256}`);
    expect((await store.getBuffer(written.storageKey)).toString('utf8')).toBe(
      'curp,clave_issemym,subcuenta,importe,origen,periodo\n' +
        'PEPJ850412HMCRRN09,00000018,SCI,17.50,cuota,202606\n' +
        'PEPJ850412HMCRRN09,00000018,SCI,18.75,aportacion,202606\n',
    );
  });

  it('streams a large batch (200,000 records) from an async source and adds the total exactly', async () => {
    const store = storage();
    const adapter = createCsvAdministratorFileAdapter(store);
    const n = 200_000;
    async function* many() {
      for (let i = 0; i < n; i++) yield { curp: `CURP${String(i).padStart(14, '0')}`, claveIssemym: String(i), subAccount: 'SCI', amount: '0.10', origin: 'cuota', period: '202606' };
    }
    const written = await adapter.write(header, many());
    expect(written.recordCount).toBe(n);
    expect(written.total).toBe('20000.00');
    const text = (await store.getBuffer(written.storageKey)).toString('utf8');
    expect(text.split('\n').length).toBe(n + 2);
  }, 30_000);

  it('quotes fields only when needed (RFC 4180)', () => {
    expect(csvField('ABC')).toBe('ABC');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('di "x"')).toBe('"di ""x"""');
  });
});
