/**
 * Natural key of a dispersion journal entry. A run disperses what of the submission was not
 * dispersed yet (accepted files, applied deposits, paid líneas). The key names the newest accepted
 * file it covers — `dispersion:{submissionId}:{fileId}` — so a retry, a replay or a duplicate run
 * of the same state finds the same entry. A run with no new file (a deposit applied after the
 * period was dispersed, e.g. an excess) is keyed by its sources instead.
 */
import { createHash } from 'node:crypto';

export interface EntrySources {
  /** New accepted files, ordered by version ascending. */
  files: readonly { id: string; version: number }[];
  depositIds: readonly string[];
  lineaIds: readonly string[];
}

export function hasSources(sources: EntrySources): boolean {
  return sources.files.length + sources.depositIds.length + sources.lineaIds.length > 0;
}

export function dispersionEntryKey(submissionId: string, sources: EntrySources): string {
  if (sources.files.length > 0) {
    const newest = [...sources.files].sort((a, b) => a.version - b.version).at(-1)!;
    return `dispersion:${submissionId}:${newest.id}`;
  }
  const digest = createHash('sha256')
    .update([...sources.depositIds].sort().join(','))
    .update('|')
    .update([...sources.lineaIds].sort().join(','))
    .digest('hex')
    .slice(0, 16);
  return `dispersion:${submissionId}:sources-${digest}`;
}
