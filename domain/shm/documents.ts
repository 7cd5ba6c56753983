/**
 * Supporting documents: PDF, JPEG or PNG, recognised by their content (magic bytes), never by
 * the name the applicant gave them. Pure: the caller detects the type (file-type) and passes it.
 */
export const SHM_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

export const ALLOWED_DOCUMENT_TYPES = {
  'application/pdf': { ext: ['pdf'], name: 'PDF' },
  'image/jpeg': { ext: ['jpg', 'jpeg'], name: 'JPEG' },
  'image/png': { ext: ['png'], name: 'PNG' },
} as const;
export type AllowedMime = keyof typeof ALLOWED_DOCUMENT_TYPES;

const NAMES_BY_EXT: Record<string, string> = { pdf: 'PDF', jpg: 'JPEG', jpeg: 'JPEG', png: 'PNG' };

export function isAllowedMime(mime: string): mime is AllowedMime {
  return Object.prototype.hasOwnProperty.call(ALLOWED_DOCUMENT_TYPES, mime);
}

export function extensionOf(filename: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename.trim());
  return m ? m[1]!.toLowerCase() : '';
}

/** A file name safe to keep and show: no path, no control characters, at most 120 characters. */
export function sanitizeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim();
  return (clean || 'documento').slice(-120);
}

export type DocumentTypeCheck = { ok: true; mime: AllowedMime } | { ok: false; code: 'UNSUPPORTED_FILE_TYPE' | 'EXTENSION_MISMATCH'; message: string };

/**
 * Decides on an upload from its detected content type (`detected`: what the bytes are, or
 * undefined when unrecognised) and the file name the client sent.
 */
export function checkDocumentType(filename: string, detected: { mime: string; ext: string } | undefined): DocumentTypeCheck {
  const ext = extensionOf(filename);
  const claimed = NAMES_BY_EXT[ext];
  if (!detected || !isAllowedMime(detected.mime)) {
    const what = detected ? `su contenido es de tipo «${detected.ext}»` : 'su contenido no corresponde a ningún formato reconocido';
    const lead = claimed ? `El archivo «${sanitizeFilename(filename)}» no es un ${claimed} válido: ${what}.` : `El archivo «${sanitizeFilename(filename)}» no es un documento admitido: ${what}.`;
    return {
      ok: false,
      code: 'UNSUPPORTED_FILE_TYPE',
      message: `${lead} Solo se aceptan PDF, JPEG o PNG, y se revisa el contenido del archivo: cambiar la extensión no basta. Digitalice o exporte el documento de nuevo en uno de esos formatos.`,
    };
  }
  const actual = ALLOWED_DOCUMENT_TYPES[detected.mime];
  if (ext && !(actual.ext as readonly string[]).includes(ext)) {
    return {
      ok: false,
      code: 'EXTENSION_MISMATCH',
      message: `El archivo «${sanitizeFilename(filename)}» tiene extensión .${ext} pero su contenido es ${actual.name}; renómbrelo con la extensión .${actual.ext[0]} y súbalo de nuevo.`,
    };
  }
  return { ok: true, mime: detected.mime };
}
