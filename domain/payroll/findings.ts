/**
 * Finding codes of the payroll file, layout v1 (contracts §2), with the Spanish texts a payroll
 * clerk reads. One catalogue for every stage: the file reader (file-level codes and E005), the
 * pure row validation (`row-validation.ts`) and the set-based checks that need the registry,
 * RENAPO or the previous period (E012, E013, E014, E032, E033, W050, W051, E060, W061) all build
 * their findings from here, so the same code always carries the same title and fix.
 *
 * Codes are stable: new ones may be added, never renumbered. Extensions of the contract's
 * minimum set (documented in payroll/README.md):
 * - E004 (file): the same column appears twice in the header.
 * - E005 (row): the row does not have the header's number of fields (typically an unquoted
 *   delimiter inside a name), so its values cannot be assigned to columns.
 * - E044 (row): a name or text column is missing when required, longer than the layout allows
 *   or contains characters that cannot be in a name (line breaks, control characters, bytes that
 *   were not in the file's encoding).
 * - E045 (row): `clave_issemym` present but not 8 digits.
 *
 * Pure: no I/O.
 */

export type FindingSeverity = 'error' | 'warning';

/**
 * Where the code is decided: `file` (reader: the whole file or its header), `row` (one row on
 * its own, no database) or `set` (needs other rows, the registry, RENAPO or the previous period).
 */
export type FindingScope = 'file' | 'row' | 'set';

export const FINDING_CODES = [
  'E001',
  'E002',
  'W003',
  'E004',
  'E005',
  'E010',
  'E011',
  'E012',
  'E013',
  'E014',
  'E020',
  'W021',
  'W022',
  'E030',
  'E031',
  'E032',
  'E033',
  'E040',
  'E041',
  'E042',
  'E043',
  'E044',
  'E045',
  'W050',
  'W051',
  'E060',
  'W061',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * One validation finding (contracts §2 and §8: `row, column, code, severity, value, message`).
 * `row`: 1 = first data row; 0 = the header row; null = the file as a whole.
 * `column`: the layout column (e.g. `curp`) or, for an unknown header, the name as written.
 * `value`: the text seen (clipped to `MAX_FINDING_VALUE_CHARS`), or null.
 */
export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  row: number | null;
  column: string | null;
  value: string | null;
  message: string;
}

export interface FindingDefinition {
  code: FindingCode;
  severity: FindingSeverity;
  scope: FindingScope;
  /** Short Spanish title: what is wrong. */
  title: string;
  /** Spanish instruction for the clerk: how to fix it. */
  fix: string;
}

const LAYOUT_HINT =
  'Las columnas del layout v1 son: curp, clave_issemym, rfc, primer_apellido, segundo_apellido, nombres, movimiento, fecha_movimiento, sueldo_cotizable, dias_cotizados, puesto, ret_prestamo_corto, ret_prestamo_hipotecario, ret_otros y afore.';

const DEFINITIONS: readonly FindingDefinition[] = [
  {
    code: 'E001',
    severity: 'error',
    scope: 'file',
    title: 'Falta una columna obligatoria en el encabezado',
    fix: `Agregue la columna en la primera fila del archivo con su nombre del layout v1 (no importan mayúsculas ni acentos). ${LAYOUT_HINT}`,
  },
  {
    code: 'E002',
    severity: 'error',
    scope: 'file',
    title: 'El archivo no se puede leer',
    fix: 'Envíe un archivo CSV (UTF-8 o Windows-1252/Latin-1, separado por comas o por barras verticales |) o un libro de Excel .xlsx con el encabezado en la fila 1 de la primera hoja.',
  },
  {
    code: 'W003',
    severity: 'warning',
    scope: 'file',
    title: 'Columna desconocida: se ignora',
    fix: `Si la columna debía ser del layout, corrija su nombre; si no, puede quitarla. Sus datos no se toman en cuenta. ${LAYOUT_HINT}`,
  },
  {
    code: 'E004',
    severity: 'error',
    scope: 'file',
    title: 'Columna repetida en el encabezado',
    fix: 'Deje una sola columna con ese nombre: borre la repetida o corrija su nombre. No se puede saber cuál de las dos contiene el dato correcto.',
  },
  {
    code: 'E005',
    severity: 'error',
    scope: 'row',
    title: 'La fila no tiene el mismo número de columnas que el encabezado',
    fix: 'Revise si algún dato (por ejemplo un nombre o un puesto) contiene una coma o una barra | sin estar entre comillas dobles, o si sobran o faltan separadores. Corrija la fila y vuelva a enviar el archivo.',
  },
  {
    code: 'E010',
    severity: 'error',
    scope: 'row',
    title: 'CURP mal formada',
    fix: 'Cópiela tal como aparece en la constancia CURP del trabajador (gob.mx/curp): 18 letras y números, sin espacios ni guiones.',
  },
  {
    code: 'E011',
    severity: 'error',
    scope: 'row',
    title: 'El dígito verificador de la CURP no corresponde',
    fix: 'Revise la CURP carácter por carácter contra la constancia CURP del trabajador; hay un error de captura en alguna posición. No cambie solo el último dígito.',
  },
  {
    code: 'E012',
    severity: 'error',
    scope: 'set',
    title: 'La CURP no existe en RENAPO',
    fix: 'Verifique la CURP en gob.mx/curp con el trabajador. Si la constancia muestra otra CURP, corríjala en el archivo.',
  },
  {
    code: 'E013',
    severity: 'error',
    scope: 'set',
    title: 'La CURP no está vigente en RENAPO',
    fix: 'RENAPO reporta la CURP como dada de baja (por defunción, duplicidad o cambio). Pida al trabajador su constancia CURP vigente y use la CURP que aparece en ella.',
  },
  {
    code: 'E014',
    severity: 'error',
    scope: 'set',
    title: 'La CURP aparece más de una vez en el archivo',
    fix: 'Cada servidor público va una sola vez por archivo y quincena. Junte los importes en una sola fila o corrija la CURP equivocada.',
  },
  {
    code: 'E020',
    severity: 'error',
    scope: 'row',
    title: 'RFC mal formado',
    fix: 'Cópielo tal como aparece en la constancia de situación fiscal del SAT: 13 caracteres (4 letras, fecha de nacimiento AAMMDD y homoclave), sin espacios ni guiones.',
  },
  {
    code: 'W021',
    severity: 'warning',
    scope: 'row',
    title: 'El dígito verificador del RFC no corresponde',
    fix: 'Compare el RFC con la constancia de situación fiscal del SAT. Si coincide, no necesita corregirlo (el SAT ha emitido algunos RFC así); si no, corríjalo.',
  },
  {
    code: 'W022',
    severity: 'warning',
    scope: 'row',
    title: 'El RFC y la CURP no coinciden en las iniciales o en la fecha de nacimiento',
    fix: 'Verifique ambos datos: el RFC contra la constancia de situación fiscal y la CURP contra la constancia CURP. Normalmente uno de los dos es de otra persona o tiene un error de captura.',
  },
  {
    code: 'E030',
    severity: 'error',
    scope: 'row',
    title: 'Tipo de movimiento no válido',
    fix: 'Use una sola letra: N (sin movimiento), A (alta), B (baja), M (modificación de sueldo o datos) o R (reingreso).',
  },
  {
    code: 'E031',
    severity: 'error',
    scope: 'row',
    title: 'Fecha del movimiento faltante o fuera de la quincena',
    fix: 'Los movimientos A, B, M y R llevan fecha_movimiento en formato AAAA-MM-DD (por ejemplo 2026-02-16) dentro de la quincena del archivo. Si el movimiento ocurrió en otra quincena, repórtelo en el archivo de esa quincena.',
  },
  {
    code: 'E032',
    severity: 'error',
    scope: 'set',
    title: 'Alta o reingreso de una persona que ya está activa en la institución',
    fix: 'Si la persona ya trabajaba en la institución, use N (sin movimiento) o M (modificación). Si hubo una baja que no se reportó, repórtela primero.',
  },
  {
    code: 'E033',
    severity: 'error',
    scope: 'set',
    title: 'Movimiento N, B o M de una persona que no está activa en la institución',
    fix: 'Si la persona ingresa por primera vez use A (alta); si vuelve después de una baja use R (reingreso).',
  },
  {
    code: 'E040',
    severity: 'error',
    scope: 'row',
    title: 'Sueldo cotizable no válido',
    fix: 'Escriba el sueldo sujeto a cotización de la quincena con punto decimal, hasta 2 decimales y sin separador de miles ni signo de pesos (por ejemplo 12345.67). Debe ser mayor que cero, salvo en las bajas (B).',
  },
  {
    code: 'E041',
    severity: 'error',
    scope: 'row',
    title: 'Sueldo cotizable mayor que el tope de la quincena',
    fix: 'Verifique el importe: debe ser el sueldo sujeto a cotización de la quincena (no el mensual ni el anual) y no puede exceder el tope configurado.',
  },
  {
    code: 'E042',
    severity: 'error',
    scope: 'row',
    title: 'Días cotizados no válidos',
    fix: 'Escriba un número entero de días, de 0 a 16, que no exceda los días de la quincena (13 a 16 según el mes).',
  },
  {
    code: 'E043',
    severity: 'error',
    scope: 'row',
    title: 'Retención no válida',
    fix: 'Escriba el importe retenido con punto decimal, hasta 2 decimales, sin separador de miles ni signo, mayor o igual a cero (por ejemplo 250.00). Si no hubo retención, deje la celda vacía o escriba 0.',
  },
  {
    code: 'E044',
    severity: 'error',
    scope: 'row',
    title: 'Nombre o texto faltante, demasiado largo o con caracteres no permitidos',
    fix: 'Capture primer_apellido y nombres como aparecen en la CURP, sin saltos de línea ni caracteres especiales, y respete la longitud máxima de cada columna (apellidos 50, nombres 80, puesto 80, afore 12 caracteres).',
  },
  {
    code: 'E045',
    severity: 'error',
    scope: 'row',
    title: 'Clave ISSEMyM mal formada',
    fix: 'La clave ISSEMyM tiene 8 dígitos. Cópiela de la credencial o del registro del servidor público; si no la conoce, deje la celda vacía (en las altas la asigna el sistema).',
  },
  {
    code: 'W050',
    severity: 'warning',
    scope: 'set',
    title: 'Persona activa en la quincena anterior que no aparece en este archivo',
    fix: 'Si la persona dejó de trabajar, repórtela con movimiento B (baja) y su fecha. Si sigue activa, agréguela al archivo.',
  },
  {
    code: 'W051',
    severity: 'warning',
    scope: 'set',
    title: 'El sueldo cotizable cambió más de 30 % respecto de la quincena anterior sin movimiento M',
    fix: 'Si el sueldo cambió, reporte la fila con movimiento M (modificación) y su fecha. Si no cambió, corrija el importe.',
  },
  {
    code: 'E060',
    severity: 'error',
    scope: 'set',
    title: 'La clave ISSEMyM no corresponde a esta CURP',
    fix: 'Verifique la clave ISSEMyM y la CURP del trabajador; una de las dos es de otra persona. Si no conoce la clave, deje la celda vacía.',
  },
  {
    code: 'W061',
    severity: 'warning',
    scope: 'set',
    title: 'Los nombres no coinciden con los registrados en RENAPO',
    fix: 'Capture los apellidos y nombres exactamente como aparecen en la constancia CURP del trabajador.',
  },
];

export const FINDING_CATALOGUE: Readonly<Record<FindingCode, FindingDefinition>> = Object.freeze(
  Object.fromEntries(DEFINITIONS.map((d) => [d.code, Object.freeze(d)])) as Record<FindingCode, FindingDefinition>,
);

export function isFindingCode(text: string): text is FindingCode {
  return Object.prototype.hasOwnProperty.call(FINDING_CATALOGUE, text);
}

/** Longest `value` kept in a finding; longer values are clipped with an ellipsis. */
export const MAX_FINDING_VALUE_CHARS = 200;

/** Clips a value for a report: a finding never carries megabytes of a broken cell. */
export function clipValue(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= MAX_FINDING_VALUE_CHARS) return value;
  return `${value.slice(0, MAX_FINDING_VALUE_CHARS - 1)}…`;
}

export interface FindingInput {
  row: number | null;
  column: string | null;
  value?: string | null;
  /**
   * What is wrong in this particular case, in Spanish. The catalogue's fix is appended.
   * Omitted: the catalogue's title is used.
   */
  detail?: string;
  /** A complete message (what is wrong and how to fix it) replacing detail + fix. */
  message?: string;
}

/** Builds a finding with the catalogue's severity and texts. */
export function makeFinding(code: FindingCode, input: FindingInput): Finding {
  const def = FINDING_CATALOGUE[code];
  const message = input.message ?? `${input.detail ?? `${def.title}.`} ${def.fix}`;
  return {
    code,
    severity: def.severity,
    row: input.row,
    column: input.column,
    value: clipValue(input.value),
    message,
  };
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Report order: the whole file (row null), then the header (row 0), then by row; ties by code. */
export function compareFindings(a: Finding, b: Finding): number {
  const ra = a.row ?? -1;
  const rb = b.row ?? -1;
  if (ra !== rb) return ra - rb;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
