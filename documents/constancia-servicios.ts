import { ISSEMYM_NAME, renderPdf, type DocumentSpec } from './pdf';
import { verificationPayload } from './verification';

/**
 * Constancia de servicios for portability (domain-reference §10.1): periods per institution,
 * days cotizados, years, last fraction and 52-week equivalents. `content` is what the
 * verification hash covers; folio and issue time identify the issued copy.
 */
export interface ConstanciaContent {
  documentType: 'constancia-de-servicios';
  version: 1;
  asOf: string;
  person: {
    claveIssemym: string;
    curp: string;
    nombre: string;
    rfc: string | null;
    nssImss: string | null;
    issteNumber: string | null;
  };
  periods: { institutionClave: string; institutionName: string; start: string; end: string; active: boolean; days: number }[];
  byInstitution: { institutionClave: string; institutionName: string; days: number; periods: number }[];
  totals: {
    daysCotizados: number;
    grossDays: number;
    simultaneousDays: number;
    weeks: number;
    years: number;
    fractionWeeks: number;
    fractionDays: number;
    yearsRecognized: number;
    weeksEquivalent: number;
  };
}

export interface IssuedConstancia {
  folio: string;
  issuedAt: string;
  verificationHash: string;
  content: ConstanciaContent;
}

export function constanciaDocumentSpec(issued: IssuedConstancia): DocumentSpec {
  const c = issued.content;
  const t = c.totals;
  return {
    issuer: { name: ISSEMYM_NAME, unit: 'Constancia para portabilidad de derechos' },
    title: 'Constancia de servicios',
    subtitle: `Periodos cotizados al ${c.asOf}`,
    folio: issued.folio,
    issuedAt: new Date(issued.issuedAt),
    subject: `Constancia de servicios ${issued.folio}`,
    blocks: [
      {
        kind: 'keyValue',
        title: 'Servidor público',
        rows: [
          ['Clave ISSEMyM', c.person.claveIssemym],
          ['Nombre', c.person.nombre],
          ['CURP', c.person.curp],
          ['RFC', c.person.rfc],
          ['NSS (IMSS)', c.person.nssImss],
          ['Número ISSSTE', c.person.issteNumber],
        ],
      },
      {
        kind: 'table',
        title: 'Periodos de servicio por institución',
        columns: [
          { header: 'Clave', weight: 0.8 },
          { header: 'Institución', weight: 2.6 },
          { header: 'Desde', weight: 1.1 },
          { header: 'Hasta', weight: 1.1 },
          { header: 'Días', weight: 0.8, align: 'right' },
        ],
        rows: c.periods.map((p) => [p.institutionClave, p.institutionName, p.start, p.active ? `${p.end} (activa)` : p.end, String(p.days)]),
        emptyText: 'Sin periodos de servicio registrados a la fecha.',
      },
      {
        kind: 'keyValue',
        title: 'Tiempo cotizado',
        rows: [
          ['Días cotizados', String(t.daysCotizados)],
          ['Días simultáneos no acumulados', String(t.simultaneousDays)],
          ['Semanas cotizadas', String(t.weeks)],
          ['Años', String(t.years)],
          ['Fracción del último año', `${t.fractionWeeks} semanas y ${t.fractionDays} días`],
          ['Años reconocidos para portabilidad', String(t.yearsRecognized)],
          ['Equivalente en semanas (1 año = 52 semanas)', String(t.weeksEquivalent)],
        ],
      },
      {
        kind: 'paragraph',
        style: 'note',
        text: 'Los periodos simultáneos en varias instituciones no se acumulan. Una fracción mayor de seis meses (26 semanas) se reconoce como año completo. Los días se calculan con las fechas de alta y baja registradas en el padrón.',
      },
    ],
    verification: {
      hash: issued.verificationHash,
      qrPayload: verificationPayload('CONSTANCIA-SERVICIOS', issued.folio, issued.verificationHash),
    },
  };
}

export async function renderConstanciaPdf(issued: IssuedConstancia): Promise<Buffer> {
  return renderPdf(constanciaDocumentSpec(issued));
}
