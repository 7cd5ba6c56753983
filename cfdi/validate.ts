import { readFile } from 'node:fs/promises';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { CFDI_NAMESPACE, TFD_NAMESPACE } from './xml';

/**
 * Offline XSD validation of a CFDI 4.0 — before stamping (no Complemento) or after (with
 * cfdi:Complemento/tfd:TimbreFiscalDigital) — against the SAT schemas vendored in cfdi/sat/.
 *
 * Engine: libxml2's xmllint compiled to WebAssembly (npm `xmllint-wasm`), run in a worker
 * thread with an in-memory file system: the schema files are passed in, nothing is read from
 * or downloaded over the network (the xsi:schemaLocation URLs in the document are ignored).
 *
 * The entry schema is a small wrapper (below) importing cfdv40.xsd and
 * TimbreFiscalDigitalv11.xsd. cfdv40.xsd declares Complemento's content as `xs:any` with the
 * default processContents="strict", so with the TFD schema loaded, a TimbreFiscalDigital is
 * validated against TimbreFiscalDigitalv11.xsd, and any complement whose schema is not
 * vendored is reported as an error (no complement other than the TFD is expected here).
 */

export interface CfdiValidationResult {
  valid: boolean;
  /** libxml2's messages without the in-memory file name, e.g. "Element '{http://www.sat.gob.mx/cfd/4}Emisor', attribute 'Rfc': [facet 'pattern'] …". */
  errors: string[];
}

/** Vendored schema files, by their path in the in-memory file system (mirrors SAT's sitio_internet/ layout). */
const SCHEMA_FILES = [
  'cfd/4/cfdv40.xsd',
  'cfd/catalogos/catCFDI.xsd',
  'cfd/tipoDatos/tdCFDI/tdCFDI.xsd',
  'cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd',
] as const;

const ENTRY_SCHEMA_NAME = 'cfd/cfdi40-con-timbre.xsd';
const ENTRY_SCHEMA = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:import namespace="${CFDI_NAMESPACE}" schemaLocation="4/cfdv40.xsd"/>
  <xs:import namespace="${TFD_NAMESPACE}" schemaLocation="TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"/>
</xs:schema>
`;
const DOCUMENT_NAME = 'cfdi.xml';

/** Directory holding the vendored SAT files (cfdi/sat). */
export const SAT_SCHEMA_DIR = new URL('./sat/', import.meta.url);

let schemaFiles: Promise<XMLFileInfo[]> | undefined;

function loadSchemaFiles(): Promise<XMLFileInfo[]> {
  schemaFiles ??= Promise.all(
    SCHEMA_FILES.map(async (fileName) => ({ fileName, contents: await readFile(new URL(fileName, SAT_SCHEMA_DIR), 'utf8') })),
  ).catch((error: unknown) => {
    schemaFiles = undefined;
    throw error;
  });
  return schemaFiles;
}

function cleanMessage(message: string): string {
  return message.replace(/^\s*(element\s+[^:\s]+:\s*)?Schemas validity error\s*:\s*/i, '').trim();
}

/**
 * Validates `xml` against SAT's CFDI 4.0 XSD (with the reduced catalog stand-in) and the TFD 1.1
 * XSD. Resolves `{ valid: false, errors }` for invalid or malformed documents; rejects only if
 * the validator itself cannot run.
 */
export async function validateCfdiXml(xml: string): Promise<CfdiValidationResult> {
  const preload = await loadSchemaFiles();
  const result = await validateXML({
    xml: [{ fileName: DOCUMENT_NAME, contents: xml }],
    schema: [{ fileName: ENTRY_SCHEMA_NAME, contents: ENTRY_SCHEMA }],
    preload,
  });
  const errors = result.errors.map((e) => cleanMessage(e.message)).filter((m) => m !== '');
  if (!result.valid && errors.length === 0) errors.push(result.rawOutput.trim() || 'El documento no es válido.');
  return { valid: result.valid && errors.length === 0, errors };
}
