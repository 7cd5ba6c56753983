// CFDI 4.0 "ingreso" for a paid period: build (xmlbuilder2), validate offline against SAT's
// vendored XSD (xmllint-wasm), cadena original, read (fast-xml-parser) and printed representation.
export {
  buildIngresoCfdi,
  cfdiConceptsForPeriod,
  mexicoCityCfdiFecha,
  CfdiInputError,
  CFDI_BUCKETS,
  CFDI_PLACEHOLDERS,
  CLAVE_PROD_SERV_CONTRIBUCIONES,
  CLAVE_UNIDAD_SERVICIO,
  FORMA_PAGO_TRANSFERENCIA,
  type CfdiBucket,
  type CfdiConceptoInput,
  type CfdiPeriodConcepto,
  type CfdiPeriodTotals,
  type IngresoCfdiInput,
} from './build';
export { cadenaOriginal, tfdCadenaOriginal, type TimbreFiscalDigitalAttributes } from './cadena';
export { describeKey, type CfdiCatalog } from './catalogs';
export { readCfdi, type CfdiConceptoData, type CfdiData, type CfdiTimbreData } from './read';
export {
  renderCfdiPdf,
  cfdiDocumentSpec,
  satVerificationUrl,
  formatQrTotal,
  mexicoCityLocalToDate,
  CFDI_REPRESENTATION_LEGEND,
  SAT_VERIFICATION_BASE,
} from './representation';
export { validateCfdiXml, SAT_SCHEMA_DIR, type CfdiValidationResult } from './validate';
export { CfdiParseError, CFDI_NAMESPACE, CFDI_SCHEMA_LOCATION, TFD_NAMESPACE, TFD_SCHEMA_LOCATION, XSI_NAMESPACE } from './xml';
