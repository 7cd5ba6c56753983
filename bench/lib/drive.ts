/**
 * Drives submissions through the real API like institutions and the bank do: uploads (bounded
 * concurrency), accepts as soon as the determinación is computed, pays the línea through the bank
 * simulator as soon as it is issued (the bank then notifies the API with its signed webhook), and
 * waits for the dispersion. Progress is read from PostgreSQL (one query for all submissions in
 * flight), so watching does not load the API being measured.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { Sql } from '../../db/client';
import type { SeededInstitution } from './seed';

export interface SubmissionTiming {
  clave: string;
  rows: number;
  bytes: number;
  uploadStart: number;
  uploadEnd: number;
  stagingDoneSeen: number | null;
  acceptSent: number | null;
  paySent: number | null;
  done: number | null;
  failed: string | null;
  /** From PostgreSQL (epoch ms). */
  events: Record<string, number>;
  validatedAt: number | null;
  computedAt: number | null;
  rowCount: number | null;
  rejectedRows: number | null;
  totalDue: string | null;
}

interface Tracked {
  inst: SeededInstitution;
  timing: SubmissionTiming;
  accepting: boolean;
  paying: boolean;
}

export interface DriveOptions {
  sql: Sql;
  apiUrl: string;
  bankUrl: string;
  token: string;
  period: string;
  institutions: SeededInstitution[];
  uploadConcurrency: number;
  actionConcurrency: number;
  pollMs: number;
  deadline: number;
  log: (message: string) => void;
  /** Called once after every upload finished. */
  onUploaded?: (done: SeededInstitution[]) => void;
  /** Called with the claves uploaded so far whenever a quarter of the uploads completes. */
  onProgress?: (uploaded: string[]) => void;
}

async function post(url: string, init: RequestInit, what: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(600_000) });
      if (res.status >= 500 && attempt < 4) {
        await new Promise((r) => setTimeout(r, 1000 * attempt));
        continue;
      }
      return res;
    } catch (err) {
      if (attempt >= 4) throw new Error(`${what}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

export async function driveSubmissions(o: DriveOptions): Promise<SubmissionTiming[]> {
  const auth = { authorization: `Bearer ${o.token}` };
  const tracked = new Map<string, Tracked>();
  const actions = limiter(o.actionConcurrency);
  const pending: Promise<unknown>[] = [];
  let uploadsDone = 0;
  let uploadError: unknown = null;

  const upload = async (inst: SeededInstitution) => {
    const timing: SubmissionTiming = {
      clave: inst.clave, rows: inst.rows, bytes: inst.bytes, uploadStart: Date.now(), uploadEnd: 0, stagingDoneSeen: null, acceptSent: null, paySent: null,
      done: null, failed: null, events: {}, validatedAt: null, computedAt: null, rowCount: null, rejectedRows: null, totalDue: null,
    };
    const form = new FormData();
    form.append('file', await openAsBlob(inst.file), path.basename(inst.file));
    const res = await post(`${o.apiUrl}/v1/institutions/${inst.clave}/periods/${o.period}/files`, { method: 'POST', headers: auth, body: form }, `upload ${inst.clave}`);
    const body = await res.text();
    if (res.status !== 202) throw new Error(`upload ${inst.clave}: HTTP ${res.status} ${body.slice(0, 500)}`);
    timing.uploadEnd = Date.now();
    tracked.set(inst.clave, { inst, timing, accepting: false, paying: false });
  };

  const uploadLimit = limiter(o.uploadConcurrency);
  const quarter = Math.max(1, Math.floor(o.institutions.length / 4));
  const uploads = Promise.all(
    o.institutions.map((inst) =>
      uploadLimit(async () => {
        if (uploadError) return;
        try {
          await upload(inst);
        } catch (err) {
          uploadError = err;
        }
        uploadsDone++;
        if (uploadsDone % quarter === 0) o.onProgress?.([...tracked.keys()]);
      }),
    ),
  ).then(() => o.onUploaded?.(o.institutions));

  let uploadsFinished = false;
  void uploads.then(() => (uploadsFinished = true));
  let lastLog = Date.now();
  for (;;) {
    if (uploadError) throw uploadError;
    if (Date.now() > o.deadline) throw new Error(`deadline reached with ${[...tracked.values()].filter((t) => !t.timing.done).length} submissions unfinished`);
    const claves = [...tracked.keys()];
    if (claves.length > 0) {
      const rows = (await o.sql`
        select s.institution_clave as clave, s.stage, f.status, f.staging_done,
               l.linea, l.amount::text as amount
          from payroll_submissions s
          join lateral (select status, staging_done from payroll_files where submission_id = s.id order by version desc limit 1) f on true
          left join lateral (select linea, amount from lineas_captura where submission_id = s.id and status = 'active' order by sequence desc limit 1) l on true
         where s.period = ${o.period} and s.institution_clave = any(${claves})`) as unknown as {
        clave: string; stage: string; status: string; staging_done: boolean; linea: string | null; amount: string | null;
      }[];
      const now = Date.now();
      for (const r of rows) {
        const t = tracked.get(r.clave);
        if (!t || t.timing.done || t.timing.failed) continue;
        if (r.staging_done && !t.timing.stagingDoneSeen) t.timing.stagingDoneSeen = now;
        if (r.status === 'file-rejected') t.timing.failed = 'file rejected';
        if (r.stage === 'dispersed') t.timing.done = now;
        if (r.status === 'computed' && !t.accepting) {
          t.accepting = true;
          pending.push(
            actions(async () => {
              t.timing.acceptSent = Date.now();
              const res = await post(`${o.apiUrl}/v1/institutions/${r.clave}/periods/${o.period}/accept`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }, `accept ${r.clave}`);
              if (res.status !== 202) t.timing.failed = `accept: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
            }),
          );
        }
        if (r.linea && r.amount && !t.paying && (r.stage === 'awaiting-payment' || r.stage === 'overdue')) {
          t.paying = true;
          const { linea, amount } = r;
          pending.push(
            actions(async () => {
              t.timing.paySent = Date.now();
              const res = await post(`${o.bankUrl}/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference: linea, amount }) }, `pay ${r.clave}`);
              if (res.status !== 201) t.timing.failed = `pay: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
            }),
          );
        }
      }
    }
    const all = [...tracked.values()];
    const failed = all.filter((t) => t.timing.failed);
    if (failed.length > 0) throw new Error(`submissions failed: ${failed.slice(0, 5).map((t) => `${t.timing.clave}: ${t.timing.failed}`).join('; ')}`);
    if (uploadsFinished && all.length === o.institutions.length && all.every((t) => t.timing.done)) break;
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      o.log(`  … ${all.length}/${o.institutions.length} uploaded, ${all.filter((t) => t.timing.done).length} dispersed`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  await Promise.all(pending);

  // Exact times from the database.
  const claves = o.institutions.map((i) => i.clave);
  const events = (await o.sql`
    select s.institution_clave as clave, e.stage, (extract(epoch from min(e.at)) * 1000)::float8 as at
      from submission_events e join payroll_submissions s on s.id = e.submission_id
     where s.period = ${o.period} and s.institution_clave = any(${claves})
     group by 1, 2`) as unknown as { clave: string; stage: string; at: number }[];
  const files = (await o.sql`
    select s.institution_clave as clave, (extract(epoch from f.validated_at) * 1000)::float8 as validated, (extract(epoch from f.computed_at) * 1000)::float8 as computed,
           f.row_count, f.rejected_rows, d.total_due::text as total_due
      from payroll_files f join payroll_submissions s on s.id = f.submission_id left join determinaciones d on d.file_id = f.id
     where s.period = ${o.period} and s.institution_clave = any(${claves})`) as unknown as {
    clave: string; validated: number | null; computed: number | null; row_count: number | null; rejected_rows: number | null; total_due: string | null;
  }[];
  for (const e of events) {
    const t = tracked.get(e.clave);
    if (t) t.timing.events[e.stage] = e.at;
  }
  for (const f of files) {
    const t = tracked.get(f.clave);
    if (!t) continue;
    t.timing.validatedAt = f.validated;
    t.timing.computedAt = f.computed;
    t.timing.rowCount = f.row_count;
    t.timing.rejectedRows = f.rejected_rows;
    t.timing.totalDue = f.total_due;
  }
  return o.institutions.map((i) => tracked.get(i.clave)!.timing);
}

/** Seconds of each stage of one submission (see BENCHMARKS.md for the boundaries). */
export function stagesOf(t: SubmissionTiming): Record<string, number | null> {
  const e = t.events;
  const s = (a: number | null | undefined, b: number | null | undefined) => (a && b ? Math.max(0, (b - a) / 1000) : null);
  return {
    upload: s(t.uploadStart, t.uploadEnd),
    pickup: s(t.uploadEnd, e.validating),
    staging: s(e.validating, t.stagingDoneSeen),
    checks: s(t.stagingDoneSeen, t.validatedAt),
    validate: s(e.validating, t.validatedAt),
    compute: s(t.validatedAt, t.computedAt),
    registry: s(t.acceptSent, e.accepted),
    reference: s(e.accepted, e['awaiting-payment']),
    reconcile: s(t.paySent, e.paid),
    cfdi: s(e.paid, e.invoiced),
    // The dispersion starts at `paid`, beside the CFDI (workflows/payroll-submission.ts).
    disperse: s(e.paid, e.dispersed),
    clientWaits: (s(t.computedAt, t.acceptSent) ?? 0) + (s(e['awaiting-payment'], t.paySent) ?? 0),
    endToEnd: s(t.uploadStart, e.dispersed),
  };
}
