import { fileTypeFromBuffer } from 'file-type';
import { describe, expect, it } from 'vitest';
import { checkDocumentType, sanitizeFilename } from '../../../domain/shm/documents';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082', 'hex');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(64)]);

async function check(name: string, bytes: Buffer) {
  return checkDocumentType(name, await fileTypeFromBuffer(bytes));
}

describe('supporting documents are recognised by their bytes', () => {
  it('accepts real PDF, PNG and JPEG files', async () => {
    expect(await check('titulo.pdf', PDF)).toEqual({ ok: true, mime: 'application/pdf' });
    expect(await check('constancia.png', PNG)).toEqual({ ok: true, mime: 'image/png' });
    expect(await check('foto.JPG', JPEG)).toEqual({ ok: true, mime: 'image/jpeg' });
    expect(await check('sin-extension', PDF)).toEqual({ ok: true, mime: 'application/pdf' });
  });

  it('rejects a text file renamed to .pdf with a clear Spanish message', async () => {
    const r = await check('titulo.pdf', Buffer.from('Esto no es un PDF, es texto plano con extensión cambiada.'));
    expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED_FILE_TYPE' });
    expect(!r.ok && r.message).toMatch(/«titulo\.pdf» no es un PDF válido/);
    expect(!r.ok && r.message).toMatch(/cambiar la extensión no basta/);
  });

  it('rejects a GIF renamed to .pdf, naming what it really is', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(32)]);
    const r = await check('cedula.pdf', gif);
    expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED_FILE_TYPE' });
    expect(!r.ok && r.message).toMatch(/tipo «gif»/);
  });

  it('rejects an allowed type under the wrong extension, telling which one to use', async () => {
    const r = await check('titulo.pdf', PNG);
    expect(r).toMatchObject({ ok: false, code: 'EXTENSION_MISMATCH' });
    expect(!r.ok && r.message).toMatch(/contenido es PNG; renómbrelo con la extensión \.png/);
  });

  it('keeps only a safe base name', () => {
    expect(sanitizeFilename('../../etc/pass"wd.pdf')).toBe('pass_wd.pdf');
    expect(sanitizeFilename('C:\\docs\\título profesional.pdf')).toBe('título profesional.pdf');
    expect(sanitizeFilename('')).toBe('documento');
  });
});
