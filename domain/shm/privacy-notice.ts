/**
 * Privacy notices of the SHM (LGPDPPSO 2025, arts. 21–22; domain-reference §9) as versioned
 * texts. A new text gets a new version; acceptances keep the version they accepted. Authority
 * names stay generic while the state law is harmonised.
 */
export interface PrivacyNoticeText {
  version: string;
  simplified: string;
  integral: string;
}

const RESPONSIBLE = 'El Instituto Hacendario del Estado de México (IHAEM)';

export const PRIVACY_NOTICE_V1: Readonly<PrivacyNoticeText> = Object.freeze({
  version: 'v1',
  simplified: [
    `${RESPONSIBLE} es responsable del tratamiento de los datos personales que proporcione en el Servicio Hacendario Municipal.`,
    'Finalidades: verificar su identidad (CURP ante RENAPO), revisar y calificar su cédula (estudios, experiencia, certificaciones y cursos con sus documentos) y, solo si usted lo autoriza por separado, mostrar su perfil en la bolsa de talento a los municipios que reclutan.',
    'Transferencias: con su consentimiento expreso (opt-in de bolsa de talento), a los ayuntamientos y organismos municipales del Estado de México que publican vacantes: nombre, cargo actual, nivel académico, certificaciones y calificación; nunca CURP, RFC, datos de contacto ni documentos.',
    'Puede negarse a la bolsa de talento sin afectar su registro, y ejercer sus derechos de acceso, rectificación, cancelación u oposición (ARCO) desde su cuenta. Aviso integral: /v1/shm/privacy-notice.',
  ].join(' '),
  integral: [
    `I. Responsable: ${RESPONSIBLE}, con domicilio en Toluca, Estado de México.`,
    'II. Datos tratados: CURP, RFC, nombre, sexo, fecha de nacimiento, correo y teléfono; cargo actual; historial académico, laboral, certificaciones y cursos con sus documentos probatorios. No se tratan datos sensibles.',
    'III. Fundamento: Ley Orgánica Municipal del Estado de México (certificación de servidores públicos hacendarios) y la ley general de protección de datos personales en posesión de sujetos obligados.',
    'IV. Finalidades que no requieren consentimiento: registro, verificación de identidad, revisión documental, calificación y estadística. Finalidad que requiere consentimiento: bolsa de talento.',
    'V. Transferencias que requieren consentimiento: a municipios reclutadores, con los datos del aviso simplificado.',
    'VI. Derechos ARCO y portabilidad: solicitud en línea desde su cuenta o ante la Unidad de Transparencia; respuesta en un plazo máximo de 20 días hábiles; exportación de sus datos en JSON.',
    'VII. Conservación: mientras mantenga su registro y después el plazo de conservación documental aplicable; la cancelación bloquea el perfil antes de su supresión.',
    'VIII. Cambios a este aviso: se publican con una nueva versión y se le pedirá aceptarla en su siguiente ingreso.',
  ].join('\n'),
});
