import { ISSEMYM_NAME, renderPdf, type DocumentSpec } from './pdf';
import { verificationHash, verificationPayload } from './verification';

/**
 * Aviso de movimiento para la afiliación y vigencia de derechos (domain-reference §4): the
 * frozen JSON content issued when a movement is applied, and its PDF.
 */
export interface AvisoMovimiento {
  documentType: 'aviso-de-movimiento';
  version: 1;
  folio: string;
  /** ISO timestamp of issue. */
  issuedAt: string;
  noticeId: string;
  institution: { clave: string; name: string };
  person: {
    claveIssemym: string;
    curp: string;
    rfc: string | null;
    primerApellido: string;
    segundoApellido: string | null;
    nombres: string;
  };
  movement: {
    code: string;
    label: string;
    /** Effective date ("a partir de"). */
    fechaMovimiento: string;
    sueldoCotizable: string | null;
    puesto: string | null;
  };
}

export function avisoHash(aviso: AvisoMovimiento): string {
  return verificationHash(aviso);
}

export function avisoQrPayload(aviso: AvisoMovimiento, hash: string): string {
  return verificationPayload('AVISO-MOVIMIENTO', aviso.folio, hash);
}

export function avisoDocumentSpec(aviso: AvisoMovimiento, hash: string): DocumentSpec {
  const p = aviso.person;
  const fullName = [p.nombres, p.primerApellido, p.segundoApellido].filter(Boolean).join(' ');
  return {
    issuer: { name: ISSEMYM_NAME, unit: 'Afiliación y vigencia de derechos · PRISMA' },
    title: 'Aviso de movimiento',
    subtitle: `Movimiento: ${aviso.movement.label}`,
    folio: aviso.folio,
    issuedAt: new Date(aviso.issuedAt),
    subject: `Aviso de movimiento ${aviso.movement.label} ${aviso.folio}`,
    blocks: [
      {
        kind: 'keyValue',
        title: 'Institución pública',
        rows: [
          ['Clave de institución', aviso.institution.clave],
          ['Institución', aviso.institution.name],
        ],
      },
      {
        kind: 'keyValue',
        title: 'Servidor público',
        rows: [
          ['Clave ISSEMyM', p.claveIssemym],
          ['Nombre', fullName],
          ['CURP', p.curp],
          ['RFC', p.rfc],
        ],
      },
      {
        kind: 'keyValue',
        title: 'Movimiento',
        rows: [
          ['Tipo de movimiento', `${aviso.movement.label} (${aviso.movement.code})`],
          ['Fecha del movimiento (efectiva)', aviso.movement.fechaMovimiento],
          ['Sueldo sujeto a cotización', aviso.movement.sueldoCotizable === null ? null : `$ ${aviso.movement.sueldoCotizable}`],
          ['Puesto', aviso.movement.puesto],
          ['Número de aviso', aviso.noticeId],
        ],
      },
      {
        kind: 'paragraph',
        style: 'note',
        text: 'Este aviso se emitió electrónicamente al registrarse el movimiento en el padrón del Instituto. La vigencia de derechos del servidor público y de sus beneficiarios se actualiza con esta fecha.',
      },
    ],
    verification: {
      hash,
      qrPayload: avisoQrPayload(aviso, hash),
      note: 'El código de verificación es el SHA-256 del contenido del aviso; el folio y el código permiten comprobarlo ante el Instituto.',
    },
  };
}

export async function renderAvisoPdf(aviso: AvisoMovimiento, hash = avisoHash(aviso)): Promise<Buffer> {
  return renderPdf(avisoDocumentSpec(aviso, hash));
}
