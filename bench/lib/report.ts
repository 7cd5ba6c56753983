/** BENCHMARKS.md from a run's results (bench/run.ts). */
import type { BenchResults, RunRef, SectionKey, SingleResult, StatewideResult } from '../run';
import { contractBoundSeconds, FIXED_STAGES } from './contract-bound';
import type { QueueWaits } from './queue-waits';
import type { ShmResult } from './shm';

const STAGES: [key: string, label: string][] = [
  ['upload', 'upload'],
  ['validate', 'validate (staging + checks)'],
  ['staging', '↳ staging'],
  ['checks', '↳ set checks + RENAPO'],
  ['compute', 'compute'],
  ['registry', 'registry movements'],
  ['reference', 'reference (línea)'],
  ['reconcile', 'reconcile (bank → paid)'],
  ['cfdi', 'CFDI'],
  ['disperse', 'disperse'],
  ['endToEnd', '**end to end**'],
];

const f1 = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fx = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(1)}×`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
/** The heap probe samples every 10 s: a shorter run has no sample rather than a zero heap. */
const probed = (mb: number) => (mb > 0 ? f1(mb) : '— (run < 10 s)');

function singleTables(singles: SingleResult[]): string {
  if (singles.length === 0) return '_No single-institution sizes in this run._\n';
  const head = `| stage | ${singles.map((s) => `${int(s.rows)} rows: s`).join(' | ')} | ${singles.map((s) => `${int(s.rows)}: × floor`).join(' | ')} |`;
  const sep = `|---|${singles.map(() => '---:').join('|')}|${singles.map(() => '---:').join('|')}|`;
  const lines = [head, sep];
  lines.push(`| **floor** (read CSV + plain COPY) | ${singles.map((s) => f1(s.floor.seconds)).join(' | ')} | ${singles.map(() => '1.0×').join(' | ')} |`);
  if (singles.some((s) => s.bound)) {
    const bound = (s: SingleResult) => (s.bound ? contractBoundSeconds(s.bound, s.floor.seconds, s.stages) : NaN);
    lines.push(`| **contract bound** (mandatory work alone, defined above) | ${singles.map((s) => f1(bound(s))).join(' | ')} | ${singles.map((s) => fx(bound(s) / s.floor.seconds)).join(' | ')} |`);
  }
  for (const [key, label] of STAGES) {
    lines.push(`| ${label} | ${singles.map((s) => f1(s.stages[key])).join(' | ')} | ${singles.map((s) => fx((s.stages[key] ?? NaN) / s.floor.seconds)).join(' | ')} |`);
  }
  lines.push(
    `| rows/s end to end | ${singles.map((s) => int(s.rows / (s.stages.endToEnd ?? Infinity))).join(' | ')} | ${singles.map((s) => `floor ${int(s.rows / s.floor.seconds)}/s`).join(' | ')} |`,
  );
  const cpuKinds = [...new Set(singles.flatMap((s) => Object.keys(s.cpu)))].sort();
  const cpu = [
    `| CPU seconds during the run | ${singles.map((s) => `${int(s.rows)} rows`).join(' | ')} |`,
    `|---|${singles.map(() => '---:').join('|')}|`,
    ...cpuKinds.map((k) => `| ${k} | ${singles.map((s) => f1(s.cpu[k] ?? 0)).join(' | ')} |`),
    `| floor: this process (read + encode) | ${singles.map((s) => f1(s.floor.clientCpuSeconds)).join(' | ')} |`,
    `| contract bound: row work, one thread (read + rules + contributions + encode) | ${singles.map((s) => f1(s.bound?.rowWorkCpuSeconds)).join(' | ')} |`,
    `| contract bound: SCI credits, one COPY (s wall; credits) | ${singles.map((s) => (s.bound ? `${f1(s.bound.creditsSeconds)}; ${int(s.bound.credits)}` : '—')).join(' | ')} |`,
    `| RENAPO calls made | ${singles.map((s) => int(s.renapoCalls)).join(' | ')} |`,
    `| rows rejected / total | ${singles.map((s) => `${int(s.timing.rejectedRows ?? 0)} / ${int(s.timing.rowCount ?? 0)}`).join(' | ')} |`,
    `| total due (MXN) | ${singles.map((s) => s.timing.totalDue ?? '—').join(' | ')} |`,
    `| load average (1/5/15 min) at start → end | ${singles.map((s) => `${s.loadavg.slice(0, 3).join('/')} → ${s.loadavg.slice(3).join('/')}`).join(' | ')} |`,
  ];
  const mem = [
    `| memory (MB) | ${singles.map((s) => `${int(s.rows)} rows`).join(' | ')} |`,
    `|---|${singles.map(() => '---:').join('|')}|`,
    `| worker peak RSS (VmRSS sampled every 250 ms) | ${singles.map((s) => f1(s.memory.workerPeakRssMb)).join(' | ')} |`,
    `| worker VmHWM (process lifetime = this size only) | ${singles.map((s) => f1(s.memory.workerHwmMb)).join(' | ')} |`,
    `| worker live heap, max after forced GC (every 10 s) | ${singles.map((s) => probed(s.memory.workerLiveHeapMb)).join(' | ')} |`,
    `| API peak RSS | ${singles.map((s) => f1(s.memory.apiPeakRssMb)).join(' | ')} |`,
    `| API VmHWM | ${singles.map((s) => f1(s.memory.apiHwmMb)).join(' | ')} |`,
    `| API live heap, max after GC | ${singles.map((s) => probed(s.memory.apiLiveHeapMb)).join(' | ')} |`,
  ];
  let growth = '';
  if (singles.length > 1) {
    const per = (s: SingleResult, key: string) => ((s.stages[key] ?? NaN) * 1e6) / s.rows;
    const g = [
      `| µs per row | ${singles.map((s) => `${int(s.rows)}`).join(' | ')} | ${singles.slice(1).map((s, i) => `${int(singles[i]!.rows)} → ${int(s.rows)} (time ratio / rows ratio)`).join(' | ')} |`,
      `|---|${singles.map(() => '---:').join('|')}|${singles.slice(1).map(() => '---:').join('|')}|`,
    ];
    const keys: [string, string][] = [['floor', 'floor'], ...STAGES.filter(([k]) => !['staging', 'checks'].includes(k))];
    for (const [key, label] of keys) {
      const v = (s: SingleResult) => (key === 'floor' ? (s.floor.seconds * 1e6) / s.rows : per(s, key));
      g.push(`| ${label} | ${singles.map((s) => f1(v(s))).join(' | ')} | ${singles.slice(1).map((s, i) => f1(v(s) / v(singles[i]!))).join(' | ')} |`);
    }
    growth = `\n### Growth ${singles.map((s) => `${Math.round(s.rows / 1000)}k`).join(' → ')}\n\nTime per row of each stage; the last columns divide the time ratio by the rows ratio (1.0 = linear, below 1 = fixed costs amortised, above 1 = worse than linear).\n\n${g.join('\n')}\n`;
  }
  return `${lines.join('\n')}\n\n${cpu.join('\n')}\n\n### Memory of the worker and the API (issue 4)\n\n${mem.join('\n')}\n${growth}`;
}

export function renderReport(r: BenchResults, notes: string): string {
  const m = r.machine;
  const s100 = r.singles.find((s) => s.rows === 100_000);
  const sw = r.statewide;
  const goal100 = s100 ? (s100.stages.endToEnd ?? Infinity) / s100.floor.seconds : null;
  const lines: string[] = [];
  lines.push('# Benchmarks: a statewide quincena against the floor of the hardware');
  lines.push('');
  lines.push(`Generated by \`bench/run.ts\` (\`make bench\`) — do not edit by hand; the analysis comes from \`bench/notes.md\`.`);
  lines.push('');
  lines.push(`- **Run**: ${r.startedAt} → ${r.finishedAt} · \`${r.command}\``);
  lines.push(`- **Machine**: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GB RAM, Linux ${m.kernel}, Node ${m.node}; load average at start ${m.loadavg.join(' / ')} (wall times include any waiting for a CPU; CPU seconds per process are given beside them)`);
  lines.push(
    `- **Settings**: RENAPO cache ${r.settings.renapo} (${r.settings.renapo === 'warm' ? 'the registry’s people were in the previous quincena: RENAPO confirmed them, so only new CURPs are asked, and its dispersion left their individual-account credits for that period' : 'every CURP in the file is asked and nobody has individual-account credits yet'}), RENAPO rate limit ${r.settings.renapoRate}/s (production default 20/s), statewide upload concurrency ${r.settings.uploadConcurrency}, seed ${r.settings.seed}${Number(r.settings.workerMaxHeapMb ?? 0) > 0 ? `, worker heap capped at ${r.settings.workerMaxHeapMb} MB (--max-old-space-size)` : ''}`,
  );
  const sources = r.sources ?? {};
  if (Object.keys(sources).length > 0) {
    const names: Record<SectionKey, string> = { singles: 'One institution', statewide: 'Statewide quincena', latency: 'API latency', shm: 'SHM registrations' };
    const groups = new Map<string, { ref: RunRef; keys: SectionKey[] }>();
    for (const [key, ref] of Object.entries(sources) as [SectionKey, RunRef][]) {
      const g = groups.get(ref.startedAt) ?? { ref, keys: [] };
      g.keys.push(key);
      groups.set(ref.startedAt, g);
    }
    const fresh = (Object.keys(names) as SectionKey[]).filter((k) => !(k in sources));
    const parts = [...groups.values()].map((g) => `${g.keys.map((k) => names[k]).join(', ')} — from the run of ${g.ref.startedAt} → ${g.ref.finishedAt} (\`${g.ref.command}\`, \`${g.ref.file}\`), kept by BENCH_KEEP_FROM`);
    if (fresh.length > 0) parts.push(`${fresh.map((k) => names[k]).join(', ')} — this run`);
    lines.push(`- **Sections**: ${parts.join('; ')}`);
  }
  lines.push('');
  lines.push('## Goals');
  lines.push('');
  lines.push(
    `- 100k-row end to end within 5× of the floor: ${goal100 === null ? 'not measured in this run' : `**${goal100 <= 5 ? 'met' : 'not met'}** — ${f1(s100!.stages.endToEnd)} s against a floor of ${f1(s100!.floor.seconds)} s = **${goal100.toFixed(1)}×**`}`,
  );
  if (s100?.bound) {
    const b = contractBoundSeconds(s100.bound, s100.floor.seconds, s100.stages);
    lines.push(
      `  - the contract bound at 100k (the mandatory work alone, each piece in isolation, no registry, checks, RENAPO or orchestration) is ${f1(b)} s = **${fx(b / s100.floor.seconds)}** the floor: 5× leaves ${f1(5 * s100.floor.seconds - b)} s for everything else the pipeline must do`,
    );
  }
  lines.push(
    `- Statewide quincena completes on this machine: ${sw ? `**yes** — ${int(sw.institutions)} institutions, ${int(sw.people)} rows, first upload to last dispersion in **${f1(sw.wallSeconds / 60)} min**` : 'not run in this run'}`,
  );
  lines.push('');
  lines.push('## One institution: time per stage and against the floor');
  lines.push('');
  lines.push(
    'Stage boundaries (PostgreSQL timestamps unless noted): **upload** = the client’s multipart POST until 202; **validate** = `validating` event → file `validated_at` (staging = until the bench sees `staging_done`, ±0.1 s); **compute** = `validated_at` → `computed_at`; **registry movements** = the accept POST → `accepted` event (applyAcceptedMovements); **reference** = `accepted` → `awaiting-payment` (línea issued); **reconcile** = the bank simulator POST /payments → `paid` (signed webhook → API → signal → deposit applied); **CFDI** = `paid` → `invoiced`; **disperse** = `paid` → `dispersed` (since session 10 the dispersion runs beside the CFDI, so these two overlap); **end to end** = start of upload → `dispersed`, including the client’s reaction time (≤0.1 s polls) before accepting and paying.',
  );
  lines.push('');
  lines.push(
    `**Contract bound** = max(row work ÷ 2, floor) + SCI credits + fixed stages (${FIXED_STAGES.join(', ')}), measured in the same run on the same file (\`bench/lib/contract-bound.ts\`): the row work is staging’s own per-row code (reader, layout rules, contributions, COPY encoding) with no database, in CPU seconds of one thread, halved as if split perfectly over both cores; the SCI credits are the two individual-account credits per person that contracts.md §6 requires, COPYed into a table with only the contract’s uniqueness index. Registry movements, set checks, RENAPO and the orchestration are left out: the bound is what the layout rules (as implemented here) and the contract’s ledger writes cost before anything else runs.`,
  );
  lines.push('');
  lines.push(singleTables(r.singles));
  lines.push('');
  lines.push('## Statewide quincena');
  lines.push('');
  if (sw) {
    const pg = sw.postgres;
    lines.push('| figure | value |');
    lines.push('|---|---:|');
    lines.push(`| institutions (workflows) / rows | ${int(sw.institutions)} / ${int(sw.people)} (largest institution ${int(sw.largest)} rows) |`);
    lines.push(`| wall time, first upload → last dispersion | **${f1(sw.wallSeconds)} s** (${f1(sw.wallSeconds / 60)} min) |`);
    lines.push(`| all uploads done after | ${f1(sw.uploadSeconds)} s |`);
    lines.push(`| submissions finished per second / rows per second | ${sw.workflowsPerSecond} / ${int(sw.rowsPerSecond)} |`);
    lines.push(`| end to end per institution p50 / p95 / max | ${f1(sw.e2e.p50)} / ${f1(sw.e2e.p95)} / ${f1(sw.e2e.max)} s |`);
    lines.push(`| slowest institution | ${sw.slowest.clave} (${int(sw.slowest.rows)} rows): ${f1(sw.slowest.seconds)} s |`);
    lines.push(
      `| largest institution | ${sw.largestInstitution.clave} (${int(sw.largestInstitution.rows)} rows): ${f1(sw.largestInstitution.seconds)} s — validate ${f1(sw.largestInstitution.stages.validate)}, compute ${f1(sw.largestInstitution.stages.compute)}, registry ${f1(sw.largestInstitution.stages.registry)}, disperse ${f1(sw.largestInstitution.stages.disperse)} s |`,
    );
    lines.push(`| RENAPO calls made | ${int(sw.renapoCalls)} |`);
    lines.push(`| PostgreSQL: transactions committed / rolled back | ${int(Number(pg.xact_commit))} / ${int(Number(pg.xact_rollback))} |`);
    lines.push(`| PostgreSQL: tuples inserted / updated / deleted / fetched | ${int(Number(pg.tup_inserted))} / ${int(Number(pg.tup_updated))} / ${int(Number(pg.tup_deleted))} / ${int(Number(pg.tup_fetched))} |`);
    lines.push(`| PostgreSQL: blocks read / hit, temp bytes | ${int(Number(pg.blks_read))} / ${int(Number(pg.blks_hit))}, ${int(Number(pg.temp_bytes) / 1048576)} MB |`);
    lines.push(`| PostgreSQL: database size (growth in the run) | ${int(Number(pg.size_mb))} MB (+${int(Number(pg.size_growth_mb))} MB) |`);
    lines.push(`| Temporal: workflows / history events (max per workflow) | ${int(sw.temporal.workflows)} / ${int(sw.temporal.historyEvents)} (${int(sw.temporal.maxHistory)}) |`);
    lines.push(`| CPU seconds: ${Object.keys(sw.cpu).sort().join(', ')} | ${Object.keys(sw.cpu).sort().map((k) => f1(sw.cpu[k])).join(', ')} |`);
    lines.push(`| worker peak RSS / live heap; API peak RSS (MB) | ${f1(sw.memory.workerPeakRssMb)} / ${f1(sw.memory.workerLiveHeapMb)}; ${f1(sw.memory.apiPeakRssMb)} |`);
    lines.push(`| load average at start → end | ${sw.loadavgStart.join('/')} → ${sw.loadavgEnd.join('/')} |`);
    if (sw.latencyDuring) {
      const l = sw.latencyDuring;
      lines.push(`| status endpoint while the state is processed: p50 / p95 / p99 (req/s, errors) | ${l.p50} / ${l.p95} / ${l.p99} ms (${l.perSecond}/s, ${l.errors}) |`);
    }
    if (sw.queueWaits) lines.push('', queueWaitTables(sw.queueWaits, sw));
  } else {
    lines.push('_Not run (BENCH_STATEWIDE=0)._');
  }
  lines.push('');
  lines.push('## API latency under concurrent load');
  lines.push('');
  if (r.latency) {
    const l = r.latency;
    lines.push(`From a separate load-generating process (\`bench/load.ts\`, Node fetch/undici with keep-alive), ${l.concurrency} concurrent requests, ${l.after}.`);
    lines.push('');
    lines.push('| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | mean bytes |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, x] of [['GET period (status)', l.status], ['GET findings (JSON)', l.findings]] as const) {
      lines.push(`| ${name} | ${x.requests} | ${x.errors} | ${x.perSecond} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} | ${int(x.meanBytes)} |`);
    }
  } else {
    lines.push('_Not measured in this run._');
  }
  lines.push('');
  lines.push('## SHM registrations');
  lines.push('');
  lines.push(shmSection(r.shm ?? null));
  lines.push('');
  if (notes.trim()) {
    lines.push(notes.trim());
    lines.push('');
  }
  return lines.join('\n');
}

function shmSection(x: ShmResult | null): string {
  if (!x) return '_Not run (BENCH_SHM_APPLICANTS=0, or results from before the SHM scenario)._\n';
  const mbs = (b: number) => (b / 1048576).toFixed(1);
  const sp = (v: { p50: number; p95: number; max: number }, unit: string) => `${f1(v.p50)} / ${f1(v.p95)} / ${f1(v.max)} ${unit}`;
  const lines = [
    `${int(x.applicants)} municipal treasury officials register (CURP confirmed at the RENAPO simulator by a workflow, privacy notice accepted), fill a cédula of ${x.itemsPerProfile} items on average (studies, experience, certifications, courses), upload one ${Math.round(x.uploads.bytes / Math.max(1, x.uploads.documents) / 1024)} KB PDF per item and submit, ${x.concurrency} at a time, each from its own loopback address; ${x.reviewers} reviewers work the queues through the API (list the unassigned page, claim, read the task, download the document, decide; one registration in ten has a document rejected) until every registration is scored. Everything over HTTP against the API process (\`bench/lib/shm.ts\`); times from the client's clock and PostgreSQL (\`decided_at\`).`,
    '',
    '| figure | value |',
    '|---|---:|',
    `| wall time, first submit → last registration scored | **${f1(x.wallSeconds)} s** (${f1(x.wallSeconds / 60)} min) |`,
    `| registrations scored per second | **${x.registrationsPerSecond}** |`,
    `| per registration, submit → scored: p50 / p95 / max | ${sp(x.submitToScored, 's')} |`,
    `| applicants' side: first registration → last submission answered | ${f1(x.applicantPhaseSeconds)} s |`,
    `| registration → CURP confirmed (account active): p50 / p95 / max | ${sp(x.verification, 's')} |`,
    `| submit answered (workflow started, SLA deadlines computed): p50 / p95 / max | ${sp(x.submitAnswerMs, 'ms')} |`,
    `| documents uploaded / bytes | ${int(x.uploads.documents)} / ${mbs(x.uploads.bytes)} MB |`,
    `| upload throughput over the upload window (${f1(x.uploads.seconds)} s; paced by the applicants) | ${x.uploads.perSecond} documents/s, ${x.uploads.mbPerSecond} MB/s |`,
    `| upload latency p50 / p95 / max | ${sp(x.uploads.latencyMs, 'ms')} |`,
    `| review decisions (approved / rejected) | ${int(x.review.decisions)} (${int(x.review.approved)} / ${int(x.review.rejected)}) |`,
    `| review decisions per second (first → last decision, ${f1(x.review.seconds)} s) | ${x.review.perSecond} |`,
    `| per task: read + download + decide, p50 / p95 / max | ${sp(x.review.decisionMs, 'ms')} |`,
    `| queue listings / claims lost to another reviewer | ${int(x.review.queueListings)} / ${int(x.review.claimConflicts)} |`,
    `| stars (1/2/3/4/5), mean total | ${['1', '2', '3', '4', '5'].map((k) => int(x.stars[k] ?? 0)).join(' / ')}, ${x.meanTotal.toFixed(2)} |`,
    `| SLA as the registrations report it (business days, wall-clock): escalate after / breach after (first submission); escalated / breached | ${x.sla.escalateOnFirst ?? '—'} / ${x.sla.breachOnFirst ?? '—'}; ${int(x.sla.escalated)} / ${int(x.sla.breached)} |`,
    `| talent bank afterwards (opted in, scored) | ${int(x.talentBank)} profiles |`,
    `| CPU seconds: ${Object.keys(x.cpu).sort().join(', ')} | ${Object.keys(x.cpu).sort().map((k) => f1(x.cpu[k])).join(', ')} |`,
    `| worker peak RSS / live heap; API peak RSS / live heap (MB) | ${f1(x.memory.workerPeakRssMb)} / ${probed(x.memory.workerLiveHeapMb)}; ${f1(x.memory.apiPeakRssMb)} / ${probed(x.memory.apiLiveHeapMb)} |`,
    `| load average at start → end | ${x.loadavgStart.join('/')} → ${x.loadavgEnd.join('/')} |`,
  ];
  if (x.latency) {
    const l = x.latency;
    lines.push(
      '',
      `API latency after the scenario, from the separate load process (\`bench/load.ts\`), ${l.concurrency} concurrent requests; the queues hold a backlog of ${int(l.backlogRegistrations)} unreviewed registrations (${int(l.openTasks)} open tasks). Talent search: a recruiter's filter (one municipality, at least 3 stars, sometimes a current certification; each profile shown is audited); queue: a reviewer's unassigned page (50), whole or of one municipality.`,
      '',
      '| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | mean bytes |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const [name, v] of [['GET /v1/shm/talent (recruiter search)', l.talent], ['GET /v1/shm/review-tasks (reviewer queue)', l.queue]] as const) {
      lines.push(`| ${name} | ${v.requests} | ${v.errors} | ${v.perSecond} | ${v.p50} | ${v.p95} | ${v.p99} | ${v.max} | ${int(v.meanBytes)} |`);
    }
  } else {
    lines.push('', '_API latency of the SHM endpoints not measured in this run._');
  }
  return `${lines.join('\n')}\n`;
}

/** Scheduling against work in the statewide run, from the submissions' Temporal histories. */
function queueWaitTables(q: QueueWaits, sw: StatewideResult): string {
  const lines: string[] = [];
  lines.push(
    `**Waiting against working** (from the ${int(q.workflows)} submissions' Temporal histories: an activity *waits* from ActivityTaskScheduled to ActivityTaskStarted — in its task queue, for a free slot of a worker — and *runs* from then until it completes; workflow tasks wait the same way for the workflow code to run). Per workflow, waiting is **${pct(q.waitingShare.p50)}** of waiting + running at the median and ${pct(q.waitingShare.p95)} at p95.`,
  );
  lines.push('');
  lines.push('| task queue | activities | wait: total / p50 / p95 / max s | run: total / p50 / p95 / max s |');
  lines.push('|---|---:|---:|---:|');
  for (const x of q.perQueue) {
    lines.push(`| ${x.queue} | ${int(x.activities)} | ${f1(x.waitSeconds.total)} / ${f1(x.waitSeconds.p50)} / ${f1(x.waitSeconds.p95)} / ${f1(x.waitSeconds.max)} | ${f1(x.runSeconds.total)} / ${f1(x.runSeconds.p50)} / ${f1(x.runSeconds.p95)} / ${f1(x.runSeconds.max)} |`);
  }
  lines.push(`| workflow tasks (all queues) | — | ${f1(q.workflowTaskWaitSeconds.total)} / ${f1(q.workflowTaskWaitSeconds.p50PerWorkflow)} per workflow / — / ${f1(q.workflowTaskWaitSeconds.maxPerWorkflow)} per workflow | — |`);
  const name = (id: string) => (id.includes(`/${sw.largestInstitution.clave}/`) ? `largest (${sw.largestInstitution.clave}, ${int(sw.largestInstitution.rows)} rows)` : `slowest (${sw.slowest.clave}, ${int(sw.slowest.rows)} rows)`);
  for (const b of q.breakdowns) {
    lines.push('');
    lines.push(
      `- ${name(b.workflowId)}: activities waited ${f1(b.activityWaitSeconds)} s and ran ${f1(b.activityRunSeconds)} s; its workflow tasks waited ${f1(b.workflowTaskWaitSeconds)} s. Longest waits: ${b.longestWaits.map((w) => `${w.type} on ${w.queue} ${f1(w.waitSeconds)} s (then ran ${f1(w.runSeconds)} s)`).join('; ')}.`,
    );
  }
  return lines.join('\n');
}
