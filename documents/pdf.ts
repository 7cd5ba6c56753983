import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * Small PDF toolkit shared by every document the back office issues (aviso de movimiento,
 * constancia de servicios, determinación, formato de pago, CFDI representation…). A document
 * is a spec: a header with the issuing institute, a title, blocks (key/value rows, tables,
 * paragraphs) and a footer on every page with the folio, the verification hash and a QR code.
 *
 * Text always goes through pdfkit's text API (escaped by pdfkit), after removing control
 * characters, so user-provided names cannot break the document. Standard Helvetica covers
 * Spanish (á, é, í, ó, ú, ü, ñ, ¿, ¡). Rendering is deterministic for a given spec: the
 * creation date is the spec's `issuedAt`.
 */

export const ISSEMYM_NAME = 'Instituto de Seguridad Social del Estado de México y Municipios';
export const ISSEMYM_SHORT = 'ISSEMyM';

export interface KeyValueBlock {
  kind: 'keyValue';
  title?: string;
  rows: ReadonlyArray<readonly [label: string, value: string | null | undefined]>;
}

export interface TableColumn {
  header: string;
  /** Relative width (weights are normalised to the page width). Default 1. */
  weight?: number;
  align?: 'left' | 'right' | 'center';
}

export interface TableBlock {
  kind: 'table';
  title?: string;
  columns: readonly TableColumn[];
  rows: ReadonlyArray<ReadonlyArray<string | null | undefined>>;
  /** Optional totals row, drawn in bold. */
  totals?: ReadonlyArray<string | null | undefined>;
  /** Shown instead of an empty table. */
  emptyText?: string;
}

export interface ParagraphBlock {
  kind: 'paragraph';
  text: string;
  /** `note` is small grey text; `warning` is bold (e.g. "calculado con tasas no verificadas"). */
  style?: 'normal' | 'note' | 'warning';
}

/** A picture (e.g. the barcode of a línea de captura), centred, with an optional caption. */
export interface ImageBlock {
  kind: 'image';
  png: Buffer;
  width: number;
  height: number;
  caption?: string;
}

export type DocumentBlock = KeyValueBlock | TableBlock | ParagraphBlock | ImageBlock;

export interface DocumentSpec {
  /** Issuing body in the header. Default ISSEMyM. */
  issuer?: { name: string; unit?: string };
  title: string;
  subtitle?: string;
  folio: string;
  issuedAt: Date;
  blocks: readonly DocumentBlock[];
  verification: {
    /** SHA-256 (hex) of the document's canonical content. */
    hash: string;
    /** Text encoded in the QR code (see verificationPayload). */
    qrPayload: string;
    /** One line telling the reader how to verify. */
    note?: string;
  };
  /** PDF metadata. */
  author?: string;
  subject?: string;
}

const PAGE_MARGIN = 50;
const FOOTER_HEIGHT = 92;
const QR_SIZE = 72;
const GREY = '#555555';
const LINE = '#999999';
const HEADER_FILL = '#e8e8e8';

/** Removes control characters (keeps new lines) and trims. */
export function safeText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();
}

function formatIssuedAt(date: Date): string {
  const parts = new Intl.DateTimeFormat('es-MX', {
    timeZone: 'America/Mexico_City',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')} (hora del centro de México)`;
}

/** Renders the document to a PDF buffer. */
export async function renderPdf(spec: DocumentSpec): Promise<Buffer> {
  const qr = await QRCode.toBuffer(spec.verification.qrPayload, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
  const doc = new PDFDocument({
    size: 'LETTER',
    margins: { top: PAGE_MARGIN, left: PAGE_MARGIN, right: PAGE_MARGIN, bottom: PAGE_MARGIN + FOOTER_HEIGHT },
    bufferPages: true,
    info: {
      Title: safeText(spec.title),
      Author: safeText(spec.author ?? spec.issuer?.name ?? ISSEMYM_NAME),
      Subject: safeText(spec.subject ?? spec.title),
      CreationDate: spec.issuedAt,
      ModDate: spec.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  drawHeader(doc, spec);
  for (const block of spec.blocks) {
    if (block.kind === 'keyValue') drawKeyValue(doc, block);
    else if (block.kind === 'table') drawTable(doc, block);
    else if (block.kind === 'image') drawImage(doc, block);
    else drawParagraph(doc, block);
  }
  drawFooters(doc, spec, qr);
  doc.end();
  return finished;
}

type Doc = PDFKit.PDFDocument;

const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottomLimit = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottomLimit(doc)) doc.addPage();
}

function drawHeader(doc: Doc, spec: DocumentSpec): void {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  doc.font('Helvetica-Bold').fontSize(12).fillColor('black').text(safeText(spec.issuer?.name ?? ISSEMYM_NAME), left, doc.page.margins.top, { width, align: 'center' });
  if (spec.issuer?.unit) doc.font('Helvetica').fontSize(9).fillColor(GREY).text(safeText(spec.issuer.unit), { width, align: 'center' });
  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(15).fillColor('black').text(safeText(spec.title), { width, align: 'center' });
  if (spec.subtitle) doc.font('Helvetica').fontSize(10).fillColor(GREY).text(safeText(spec.subtitle), { width, align: 'center' });
  doc.moveDown(0.3);
  doc.font('Helvetica').fontSize(9).fillColor('black').text(`Folio: ${safeText(spec.folio)}    Emitido: ${formatIssuedAt(spec.issuedAt)}`, { width, align: 'center' });
  doc.moveDown(0.4);
  const y = doc.y;
  doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.8).strokeColor(LINE).stroke();
  doc.moveDown(0.8);
}

function drawSectionTitle(doc: Doc, title: string | undefined): void {
  if (!title) return;
  ensureSpace(doc, 40);
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(safeText(title), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

function drawKeyValue(doc: Doc, block: KeyValueBlock): void {
  drawSectionTitle(doc, block.title);
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const labelWidth = Math.round(width * 0.34);
  const valueWidth = width - labelWidth - 8;
  doc.fontSize(10);
  for (const [label, raw] of block.rows) {
    const value = safeText(raw) || '—';
    doc.font('Helvetica');
    const h = Math.max(doc.heightOfString(safeText(label), { width: labelWidth }), doc.heightOfString(value, { width: valueWidth })) + 4;
    ensureSpace(doc, h);
    const y = doc.y;
    doc.font('Helvetica-Bold').fillColor(GREY).text(safeText(label), left, y, { width: labelWidth });
    doc.font('Helvetica').fillColor('black').text(value, left + labelWidth + 8, y, { width: valueWidth });
    doc.y = y + h;
  }
  doc.x = left;
  doc.moveDown(0.6);
}

function drawTable(doc: Doc, block: TableBlock): void {
  drawSectionTitle(doc, block.title);
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  if (block.rows.length === 0 && block.emptyText) {
    drawParagraph(doc, { kind: 'paragraph', text: block.emptyText, style: 'note' });
    return;
  }
  const total = block.columns.reduce((s, c) => s + (c.weight ?? 1), 0);
  const widths = block.columns.map((c) => (width * (c.weight ?? 1)) / total);
  const pad = 3;
  const fontSize = 9;

  const rowHeight = (cells: readonly string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: readonly string[], opts: { bold: boolean; fill?: string }) => {
    const h = rowHeight(cells, opts.bold);
    const y = doc.y;
    if (opts.fill) doc.rect(left, y, width, h).fill(opts.fill);
    let x = left;
    cells.forEach((cell, i) => {
      doc
        .font(opts.bold ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(fontSize)
        .fillColor('black')
        .text(cell, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: block.columns[i]?.align ?? 'left' });
      x += widths[i]!;
    });
    doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.4).strokeColor(LINE).stroke();
    doc.y = y + h;
  };
  const header = block.columns.map((c) => safeText(c.header));
  const drawHeaderRow = () => drawRow(header, { bold: true, fill: HEADER_FILL });

  ensureSpace(doc, rowHeight(header, true) * 2);
  drawHeaderRow();
  for (const raw of block.rows) {
    const cells = block.columns.map((_, i) => safeText(raw[i]));
    const h = rowHeight(cells, false);
    if (doc.y + h > bottomLimit(doc)) {
      doc.addPage();
      drawHeaderRow();
    }
    drawRow(cells, { bold: false });
  }
  if (block.totals) {
    const cells = block.columns.map((_, i) => safeText(block.totals?.[i]));
    ensureSpace(doc, rowHeight(cells, true));
    drawRow(cells, { bold: true });
  }
  doc.x = left;
  doc.moveDown(0.8);
}

function drawParagraph(doc: Doc, block: ParagraphBlock): void {
  const style = block.style ?? 'normal';
  doc
    .font(style === 'warning' ? 'Helvetica-Bold' : 'Helvetica')
    .fontSize(style === 'note' ? 8.5 : 10)
    .fillColor(style === 'note' ? GREY : 'black');
  const text = safeText(block.text);
  ensureSpace(doc, Math.min(doc.heightOfString(text, { width: contentWidth(doc) }), 80));
  doc.text(text, doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.6);
}

function drawImage(doc: Doc, block: ImageBlock): void {
  ensureSpace(doc, block.height + 24);
  const left = doc.page.margins.left + (contentWidth(doc) - block.width) / 2;
  const y = doc.y;
  doc.image(block.png, left, y, { width: block.width, height: block.height });
  doc.y = y + block.height + 4;
  if (block.caption) {
    doc.font('Courier').fontSize(10).fillColor('black').text(safeText(block.caption), doc.page.margins.left, doc.y, { width: contentWidth(doc), align: 'center' });
  }
  doc.x = doc.page.margins.left;
  doc.moveDown(0.8);
}

function drawFooters(doc: Doc, spec: DocumentSpec, qr: Buffer): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottomMargin = doc.page.margins.bottom;
    // Writing inside the bottom margin: lift it so pdfkit does not add pages.
    doc.page.margins.bottom = 0;
    const left = doc.page.margins.left;
    const width = contentWidth(doc);
    const top = doc.page.height - PAGE_MARGIN - FOOTER_HEIGHT + 12;
    doc.moveTo(left, top).lineTo(left + width, top).lineWidth(0.6).strokeColor(LINE).stroke();
    doc.image(qr, left + width - QR_SIZE, top + 8, { width: QR_SIZE, height: QR_SIZE });
    const textWidth = width - QR_SIZE - 12;
    doc.font('Helvetica-Bold').fontSize(8).fillColor('black').text(`Folio: ${safeText(spec.folio)}`, left, top + 10, { width: textWidth, lineBreak: false });
    doc.font('Helvetica').fontSize(7).fillColor(GREY).text('Código de verificación (SHA-256):', left, top + 24, { width: textWidth, lineBreak: false });
    doc.font('Courier').fontSize(7).fillColor('black').text(safeText(spec.verification.hash), left, top + 34, { width: textWidth });
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(GREY)
      .text(
        safeText(spec.verification.note ?? 'Verifique este documento con el folio y el código de verificación, o escaneando el código QR.'),
        left,
        top + 48,
        { width: textWidth },
      );
    doc.font('Helvetica').fontSize(7).fillColor(GREY).text(`Página ${i - range.start + 1} de ${range.count}`, left, top + 70, { width: textWidth, lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}
