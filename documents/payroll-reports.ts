/**
 * PDFs of the quincenal submission: the findings summary a payroll clerk works from, the
 * determinación, and the formato de pago (línea de captura with a scannable barcode).
 */
import bwipjs from 'bwip-js/node';
import { CONCEPT_LABELS, type Concept } from '../domain/contributions';
import { periodLabel } from '../domain/periods';
import type { FindingGroup } from '../payroll/findings-export';
import { ISSEMYM_NAME, renderPdf, type DocumentBlock } from './pdf';
import { verificationHash, verificationPayload } from './verification';

const UNIT = 'Cuotas y aportaciones · PRISMA';
const fmtDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
/** "1234567.8" → "$1,234,567.80" for reading; the amounts themselves stay exact strings. */
export function pesos(amount: string): string {
  const [int, dec = ''] = amount.split('.');
  const negative = int!.startsWith('-');
  const digits = negative ? int!.slice(1) : int!;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${dec.padEnd(2, '0').slice(0, 2)}`;
}

export interface FindingsReportInput {
  institution: { clave: string; name: string };
  period: string;
  version: number;
  fileName: string;
  rows: number;
  validRows: number;
  rejectedRows: number;
  groups: FindingGroup[];
  generatedAt: Date;
}

export async function findingsReportPdf(input: FindingsReportInput): Promise<Buffer> {
  const content = { kind: 'hallazgos', ...input, generatedAt: input.generatedAt.toISOString() };
  const hash = verificationHash(content);
  const folio = `HV-${input.institution.clave}-${input.period}-v${input.version}`;
  const blocks: DocumentBlock[] = [
    {
      kind: 'keyValue',
      rows: [
        ['Institución', `${input.institution.clave} · ${input.institution.name}`],
        ['Periodo', periodLabel(input.period)],
        ['Versión del archivo', `${input.version} (${input.fileName})`],
        ['Filas', `${input.rows} en total · ${input.validRows} válidas · ${input.rejectedRows} en cuarentena`],
      ],
    },
    {
      kind: 'paragraph',
      text:
        input.rejectedRows > 0
          ? 'Las filas con error quedan en cuarentena: puede aceptar las filas válidas y enviar después las corregidas como archivo complementario, o enviar una versión corregida completa.'
          : 'Ninguna fila tiene errores. Revise las advertencias y acepte la nómina para emitir su línea de captura.',
    },
  ];
  if (input.groups.length === 0) blocks.push({ kind: 'paragraph', text: 'Sin hallazgos.', style: 'note' });
  for (const g of input.groups) {
    blocks.push({
      kind: 'table',
      title: `${g.code} · ${g.severity === 'error' ? 'Error' : 'Advertencia'} · ${g.title} (${g.count})`,
      columns: [
        { header: 'Fila', weight: 0.6, align: 'right' },
        { header: 'Columna', weight: 1.3 },
        { header: 'Valor', weight: 1.6 },
        { header: 'Qué corregir', weight: 4.5 },
      ],
      rows: g.items.map((i) => [i.row === null ? '—' : i.row === 0 ? 'encabezado' : String(i.row), i.column, i.value, i.message]),
    });
    if (g.omitted > 0) blocks.push({ kind: 'paragraph', style: 'note', text: `… y ${g.omitted} más con el mismo código; descargue el CSV para verlos todos.` });
  }
  return renderPdf({
    issuer: { name: ISSEMYM_NAME, unit: UNIT },
    title: 'Reporte de validación de nómina',
    subtitle: `${input.institution.name} · ${periodLabel(input.period)}`,
    folio,
    issuedAt: input.generatedAt,
    blocks,
    verification: { hash, qrPayload: verificationPayload('REPORTE-VALIDACION', folio, hash) },
  });
}

export interface DeterminacionPdfInput {
  institution: { clave: string; name: string };
  period: string;
  version: number;
  totals: Record<string, Record<string, string>>;
  totalCuotas: string;
  totalAportaciones: string;
  totalRetenciones: string;
  totalDue: string;
  rowsComputed: number;
  usesUnverifiedRates: boolean;
  ratesApplied: Array<{ concept: string; party: string; rate: string; verified: boolean }>;
  computedAt: Date;
}

export async function determinacionPdf(input: DeterminacionPdfInput): Promise<Buffer> {
  const hash = verificationHash({ kind: 'determinacion', ...input, computedAt: input.computedAt.toISOString() });
  const folio = `DT-${input.institution.clave}-${input.period}-v${input.version}`;
  const label = (c: string) => CONCEPT_LABELS[c as Concept] ?? c;
  const percent = (rate: string) => {
    const [i, d = ''] = (rate.includes('.') ? rate : `${rate}.`).split('.');
    const scaled = `${i}${d.padEnd(2, '0')}`.replace(/^0+(?=\d)/, '');
    const whole = scaled.slice(0, scaled.length - (d.length > 2 ? d.length - 2 : 0)) || '0';
    const frac = d.length > 2 ? d.slice(2) : '';
    return `${whole}${frac ? '.' + frac : ''} %`;
  };
  const rateOf = (concept: string, party: string) => input.ratesApplied.find((r) => r.concept === concept && r.party === party);
  const rows = Object.entries(input.totals.servidor ?? {}).map(([c, v]) => ['Cuota del servidor público', label(c), rateOf(c, 'servidor') ? percent(rateOf(c, 'servidor')!.rate) : '', pesos(v)]);
  rows.push(...Object.entries(input.totals.institucion ?? {}).map(([c, v]) => ['Aportación de la institución', label(c), rateOf(c, 'institucion') ? percent(rateOf(c, 'institucion')!.rate) : '', pesos(v)]));
  rows.push(...Object.entries(input.totals.retenciones ?? {}).map(([c, v]) => ['Retención', c.replace(/_/g, ' '), '', pesos(v)]));
  const blocks: DocumentBlock[] = [
    {
      kind: 'keyValue',
      rows: [
        ['Institución', `${input.institution.clave} · ${input.institution.name}`],
        ['Periodo', periodLabel(input.period)],
        ['Versión', String(input.version)],
        ['Filas calculadas', String(input.rowsComputed)],
      ],
    },
    {
      kind: 'table',
      title: 'Determinación por parte y concepto',
      columns: [{ header: 'Parte', weight: 2 }, { header: 'Concepto', weight: 2.4 }, { header: 'Tasa', weight: 0.8, align: 'right' }, { header: 'Importe', weight: 1.3, align: 'right' }],
      rows,
      totals: ['Total a pagar', '', '', pesos(input.totalDue)],
    },
    {
      kind: 'keyValue',
      rows: [
        ['Cuotas', pesos(input.totalCuotas)],
        ['Aportaciones', pesos(input.totalAportaciones)],
        ['Retenciones', pesos(input.totalRetenciones)],
      ],
    },
    { kind: 'paragraph', style: 'note', text: 'Cada importe se calcula por fila y concepto, redondeado a centavos (mitad hacia arriba); los totales suman los importes redondeados.' },
  ];
  if (input.usesUnverifiedRates) {
    blocks.push({
      kind: 'paragraph',
      style: 'warning',
      text: 'Calculada con tasas de aportación no verificadas: solo el total de 19 % es público; ISSEMyM puede cargar las tasas oficiales por concepto.',
    });
  }
  return renderPdf({
    issuer: { name: ISSEMYM_NAME, unit: UNIT },
    title: 'Determinación de cuotas, aportaciones y retenciones',
    subtitle: `${input.institution.name} · ${periodLabel(input.period)}`,
    folio,
    issuedAt: input.computedAt,
    blocks,
    verification: { hash, qrPayload: verificationPayload('DETERMINACION', folio, hash) },
  });
}

export interface PaymentFormInput {
  institution: { clave: string; name: string };
  period: string;
  linea: string;
  amount: string;
  principal: string;
  actualizacion: string;
  recargos: string;
  lateMonths: number;
  dueDate: string;
  validUntil: string;
  schedule: Array<{ payBy: string; amount: string }>;
  collectionClabe: string;
  issuedAt: Date;
}

export async function paymentFormPdf(input: PaymentFormInput): Promise<Buffer> {
  const hash = verificationHash({ kind: 'formato-de-pago', ...input, issuedAt: input.issuedAt.toISOString() });
  const barcode = await bwipjs.toBuffer({ bcid: 'code128', text: input.linea, scale: 3, height: 12, includetext: false });
  const blocks: DocumentBlock[] = [
    {
      kind: 'keyValue',
      rows: [
        ['Institución', `${input.institution.clave} · ${input.institution.name}`],
        ['Periodo', periodLabel(input.period)],
        ['Línea de captura', input.linea],
        ['Importe a pagar', pesos(input.amount)],
        ['Pague a más tardar', fmtDate(input.validUntil)],
        ['Fecha límite del periodo', fmtDate(input.dueDate)],
      ],
    },
    { kind: 'image', png: barcode, width: 360, height: 60, caption: input.linea },
  ];
  if (input.lateMonths > 0) {
    blocks.push({
      kind: 'table',
      title: 'Integración del importe (pago extemporáneo)',
      columns: [{ header: 'Concepto', weight: 3 }, { header: 'Importe', weight: 1, align: 'right' }],
      rows: [
        ['Cuotas, aportaciones y retenciones', pesos(input.principal)],
        [`Actualización (${input.lateMonths} mes(es))`, pesos(input.actualizacion)],
        [`Recargos (${input.lateMonths} mes(es))`, pesos(input.recargos)],
      ],
      totals: ['Total', pesos(input.amount)],
    });
    if (input.schedule.length > 1) {
      blocks.push({
        kind: 'table',
        title: 'Importe según la fecha de pago',
        columns: [{ header: 'Si paga a más tardar el', weight: 2 }, { header: 'Importe', weight: 1, align: 'right' }],
        rows: input.schedule.map((s) => [fmtDate(s.payBy), pesos(s.amount)]),
      });
    }
  }
  blocks.push({
    kind: 'paragraph',
    text: `Pague en ventanilla o por transferencia SPEI a la cuenta CLABE ${input.collectionClabe} con la línea de captura como referencia. El pago se concilia automáticamente; después recibirá su CFDI. La línea es válida solo por el importe y la fecha indicados.`,
  });
  return renderPdf({
    issuer: { name: ISSEMYM_NAME, unit: UNIT },
    title: 'Formato de pago',
    subtitle: `${input.institution.name} · ${periodLabel(input.period)}`,
    folio: input.linea,
    issuedAt: input.issuedAt,
    blocks,
    verification: { hash, qrPayload: verificationPayload('FORMATO-PAGO', input.linea, hash) },
  });
}
