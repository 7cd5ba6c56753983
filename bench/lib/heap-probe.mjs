// Preloaded (NODE_OPTIONS=--expose-gc --import) into the benchmark's worker and API. Only the
// process that actually runs the entry point (tsx's child, not tsx's launcher) records: every
// BENCH_PROBE_MS it forces a GC and appends {t, rss, heapUsed, live, external} to
// $BENCH_PROBE_DIR/$BENCH_PROBE_NAME.jsonl. "live" is the heap still referenced after the GC: the
// figure that must not grow with the file size (RSS also holds garbage and freed-but-kept pages).
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const entry = process.env.BENCH_PROBE_ENTRY;
const dir = process.env.BENCH_PROBE_DIR;
const name = process.env.BENCH_PROBE_NAME ?? 'process';
const script = process.argv[1] ?? '';
if (dir && entry && script.endsWith(entry)) {
  const file = path.join(dir, `${name}.jsonl`);
  const every = Number(process.env.BENCH_PROBE_MS ?? 10000);
  const gc = globalThis.gc;
  const timer = setInterval(() => {
    const before = process.memoryUsage();
    if (gc) gc();
    const after = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ t: Date.now(), pid: process.pid, rss: before.rss, heapUsed: before.heapUsed, live: after.heapUsed, external: after.external, arrayBuffers: after.arrayBuffers })}\n`,
    );
  }, every);
  timer.unref();
}
