import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { CFDI_NAMESPACE, TFD_NAMESPACE } from './xml';

/**
 * Offline XSD validation of a CFDI 4.0 — before stamping (no Complemento) or after (with
 * cfdi:Complemento/tfd:TimbreFiscalDigital) — against the SAT schemas vendored in cfdi/sat/.
 *
 * Engine: libxml2's xmllint compiled to WebAssembly (npm `xmllint-wasm`), run in one worker
 * thread per process that compiles the module once (`xmllint-thread.cjs`; the package's own
 * `validateXML` started a thread and compiled it for every document), each document with a fresh
 * instance and an in-memory file system: the schema files are passed in, nothing is read from
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

interface XmlFile {
  fileName: string;
  contents: string;
}

let schemaFiles: Promise<XmlFile[]> | undefined;

function loadSchemaFiles(): Promise<XmlFile[]> {
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

/** libxml2's memory, in 64 KiB pages (xmllint-wasm's defaults: 16 MiB, growing up to 32 MiB). */
const INITIAL_MEMORY_PAGES = 256;
const MAX_MEMORY_PAGES = 512;

interface XmllintRun {
  exitCode: number;
  stderr: string;
}

type PendingRuns = Map<number, { resolve: (run: XmllintRun) => void; reject: (error: Error) => void }>;

/** The validator thread of this process, started on first use; a thread that dies is replaced on the next call. */
let validatorThread: { worker: Worker; pending: PendingRuns } | undefined;
let nextRequestId = 1;

function runXmllint(inputFiles: XmlFile[], args: string[]): Promise<XmllintRun> {
  if (!validatorThread) {
    // No parent loaders (tsx, vitest): the thread runs plain CommonJS and boots in milliseconds.
    const worker = new Worker(new URL('./xmllint-thread.cjs', import.meta.url), { execArgv: [] });
    worker.unref(); // idle, the validator never keeps the process alive (it is ref'd while a document is pending)
    const thread = { worker, pending: new Map() as PendingRuns };
    const fail = (error: Error) => {
      if (validatorThread === thread) validatorThread = undefined;
      for (const { reject } of thread.pending.values()) reject(error);
      thread.pending.clear();
    };
    worker.on('message', (message: { kind?: string; id: number } & XmllintRun) => {
      if (message?.kind !== 'validated') return;
      const request = thread.pending.get(message.id);
      thread.pending.delete(message.id);
      if (thread.pending.size === 0) worker.unref();
      request?.resolve({ exitCode: message.exitCode, stderr: message.stderr });
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the XSD validator thread exited (code ${code})`)));
    validatorThread = thread;
  }
  const thread = validatorThread;
  const id = nextRequestId++;
  return new Promise<XmllintRun>((resolve, reject) => {
    thread.pending.set(id, { resolve, reject });
    thread.worker.ref();
    thread.worker.postMessage({ kind: 'validate', id, inputFiles, args, initialMemory: INITIAL_MEMORY_PAGES, maxMemory: MAX_MEMORY_PAGES });
  });
}

/**
 * libxml2's error lines ("file:line: message"), without the final summary ("cfdi.xml fails to
 * validate") and the "validates" line of a valid file.
 */
function errorMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .slice(0, -2)
    .filter((line) => !/^\S+ validates$/.test(line.trim()))
    .map((line) => {
      const [fileName, lineNumber, ...rest] = line.split(':');
      return fileName && lineNumber && rest.length > 0 ? rest.join(':').trim() : line;
    });
}

/**
 * Validates `xml` against SAT's CFDI 4.0 XSD (with the reduced catalog stand-in) and the TFD 1.1
 * XSD. Resolves `{ valid: false, errors }` for invalid or malformed documents; rejects only if
 * the validator itself cannot run.
 */
export async function validateCfdiXml(xml: string): Promise<CfdiValidationResult> {
  const preload = await loadSchemaFiles();
  const run = await runXmllint(
    [{ fileName: DOCUMENT_NAME, contents: xml }, { fileName: ENTRY_SCHEMA_NAME, contents: ENTRY_SCHEMA }, ...preload],
    ['--schema', ENTRY_SCHEMA_NAME, '--noout', DOCUMENT_NAME],
  );
  // xmllint's exit codes: 0 valid, 3 / 4 not valid (malformed / fails the schema); anything else means it could not run.
  if (run.exitCode !== 0 && run.exitCode !== 3 && run.exitCode !== 4) throw new Error(`XSD validator failed (exit ${run.exitCode}): ${run.stderr.trim()}`);
  const valid = run.exitCode === 0;
  const errors = valid ? [] : errorMessages(run.stderr).map(cleanMessage).filter((m) => m !== '');
  if (!valid && errors.length === 0) errors.push(run.stderr.trim() || 'El documento no es válido.');
  return { valid: valid && errors.length === 0, errors };
}
