/**
 * Spanish descriptions of the SAT catalog keys shown on the printed representation. Only the
 * keys this project can emit or commonly receives; an unknown key is printed alone.
 */
const FORMA_PAGO: Readonly<Record<string, string>> = {
  '01': 'Efectivo',
  '02': 'Cheque nominativo',
  '03': 'Transferencia electrónica de fondos',
  '04': 'Tarjeta de crédito',
  '28': 'Tarjeta de débito',
  '99': 'Por definir',
};

const METODO_PAGO: Readonly<Record<string, string>> = {
  PUE: 'Pago en una sola exhibición',
  PPD: 'Pago en parcialidades o diferido',
};

const REGIMEN_FISCAL: Readonly<Record<string, string>> = {
  '601': 'General de Ley Personas Morales',
  '603': 'Personas Morales con Fines no Lucrativos',
  '616': 'Sin obligaciones fiscales',
};

const USO_CFDI: Readonly<Record<string, string>> = {
  G03: 'Gastos en general',
  S01: 'Sin efectos fiscales',
};

const TIPO_COMPROBANTE: Readonly<Record<string, string>> = {
  I: 'Ingreso',
  E: 'Egreso',
  T: 'Traslado',
  N: 'Nómina',
  P: 'Pago',
};

const EXPORTACION: Readonly<Record<string, string>> = { '01': 'No aplica' };

const OBJETO_IMP: Readonly<Record<string, string>> = {
  '01': 'No objeto de impuesto',
  '02': 'Sí objeto de impuesto',
};

const MONEDA: Readonly<Record<string, string>> = { MXN: 'Peso Mexicano' };

const CLAVE_UNIDAD: Readonly<Record<string, string>> = { E48: 'Unidad de servicio' };

const CATALOGS = {
  formaPago: FORMA_PAGO,
  metodoPago: METODO_PAGO,
  regimenFiscal: REGIMEN_FISCAL,
  usoCfdi: USO_CFDI,
  tipoDeComprobante: TIPO_COMPROBANTE,
  exportacion: EXPORTACION,
  objetoImp: OBJETO_IMP,
  moneda: MONEDA,
  claveUnidad: CLAVE_UNIDAD,
} as const;

export type CfdiCatalog = keyof typeof CATALOGS;

/** "03 - Transferencia electrónica de fondos"; the key alone when unknown; '' when absent. */
export function describeKey(catalog: CfdiCatalog, key: string | undefined): string {
  if (key === undefined || key === '') return '';
  const label = CATALOGS[catalog][key];
  return label ? `${key} - ${label}` : key;
}
