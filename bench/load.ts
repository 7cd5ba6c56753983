/**
 * Load generator, run as its own process by bench/run.ts (so its CPU is not the API's): sends a
 * fixed number of GET requests to 127.0.0.1 with bounded concurrency and a deadline, and prints
 * the latency percentiles as one JSON line.
 *
 *   npx tsx bench/load.ts '{"baseUrl":"http://127.0.0.1:3000","token":"…","paths":["/v1/…"],"requests":2000,"concurrency":32,"deadlineSeconds":120}'
 *
 * Node's built-in fetch (undici) keeps connections alive. Only loopback URLs are accepted.
 */
interface LoadSpec {
  baseUrl: string;
  token: string;
  /** Requests cycle through these paths. */
  paths: string[];
  requests: number;
  concurrency: number;
  deadlineSeconds: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  meanBytes: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const host = new URL(spec.baseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`refusing to load ${host}: loopback only`);
  const requests = Math.min(spec.requests, 100_000);
  const deadline = Date.now() + Math.min(spec.deadlineSeconds, 600) * 1000;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests && Date.now() < deadline) {
      const i = next++;
      const path = spec.paths[i % spec.paths.length]!;
      const t0 = performance.now();
      try {
        const res = await fetch(`${spec.baseUrl}${path}`, { headers: { authorization: `Bearer ${spec.token}` }, signal: AbortSignal.timeout(30_000) });
        const body = await res.arrayBuffer();
        bytes += body.byteLength;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.ok) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
        statuses.error = (statuses.error ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(spec.concurrency, 256)) }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const result: LoadResult = {
    requests: latencies.length + errors,
    ok: latencies.length,
    errors,
    statuses,
    seconds: round(seconds),
    perSecond: round((latencies.length + errors) / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    meanBytes: Math.round(bytes / Math.max(1, latencies.length + errors)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
