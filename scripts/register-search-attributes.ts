/**
 * Registers the project's custom search attributes on an existing Temporal server (the dev
 * server gets them from its start flags). Idempotent: attributes already present are skipped.
 */
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const connection = await Connection.connect({ address });
const existing = await connection.operatorService.listSearchAttributes({ namespace });
const known = new Set(Object.keys(existing.customAttributes ?? {}));
const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
if (missing.length > 0) {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!])),
  });
}
console.log(`search attributes: ${missing.length} added, ${known.size} already present`);
await connection.close();
