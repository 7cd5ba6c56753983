'use strict';
/**
 * The XSD validator's thread (cfdi/validate.ts starts one per process and keeps it).
 *
 * xmllint-wasm's own `validateXML` starts a new worker thread for every document: the thread
 * boots Node (with the parent's loaders, tsx included), loads the emscripten script and compiles
 * the 780 kB libxml2 module again — 314 ms of CPU per CFDI (19 ms here), most of the worker's
 * CPU in a statewide quincena of 1,000 invoices (bench/notes.md, item 39). Here the module is
 * compiled once and each document gets a fresh instance (its own memory and in-memory file
 * system, like xmllint-wasm's thread), so a validation costs what libxml2 takes to run.
 *
 * Plain CommonJS, started without the parent's loaders: it must run the same under tsx, vitest
 * and plain node.
 *
 * Request:  { kind: 'validate', id, inputFiles: [{ fileName, contents }], args: string[], initialMemory, maxMemory }
 * Response: { kind: 'validated', id, exitCode, stderr }  (exitCode -1: libxml2 aborted; stderr says why)
 */
const { parentPort } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const scriptPath = require.resolve('xmllint-wasm/xmllint-node.js');
// The emscripten factory. Loading the script also installs xmllint-wasm's one-shot handler on
// this thread's port; it only answers messages tagged 'xmllint-wasm', which ours never are.
const createXmllint = require(scriptPath);
const compiled = new WebAssembly.Module(readFileSync(path.join(path.dirname(scriptPath), 'xmllint.wasm')));

function run(request) {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const settle = (exitCode, extraErr = '') => {
      if (settled) return;
      settled = true;
      resolve({ exitCode, stderr: stderr + extraErr });
    };
    createXmllint({
      inputFiles: request.inputFiles,
      arguments: request.args,
      print: () => {}, // --noout: nothing is printed on stdout
      printErr: (text) => (stderr += `${text}\n`),
      onExit: (code) => settle(code),
      onAbort: (reason) => settle(-1, `WASM Abort: ${reason}`),
      wasmMemory: new WebAssembly.Memory({ initial: request.initialMemory, maximum: request.maxMemory }),
      instantiateWasm(imports, receiveInstance) {
        const instance = new WebAssembly.Instance(compiled, imports);
        receiveInstance(instance, compiled);
        return instance.exports;
      },
    }).catch((error) => settle(-1, `xmllint failed: ${error && error.message ? error.message : String(error)}`));
  });
}

// One document at a time: each run is short and synchronous once instantiated.
let queue = Promise.resolve();
parentPort.on('message', (request) => {
  if (!request || request.kind !== 'validate') return;
  queue = queue.then(async () => parentPort.postMessage({ kind: 'validated', id: request.id, ...(await run(request)) }));
});
