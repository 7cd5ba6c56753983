// Shared document toolkit: PDF rendering (pdfkit) with folio, verification hash and QR code.
export * from './pdf';
export * from './verification';
