/**
 * PRISMA registry effects (issue 3): RENAPO checks with a cache, the set-based application of
 * movements (altas, bajas, modificaciones, reingresos) and the activities of the
 * `movement-notice/{id}` workflow.
 *
 * Two layers:
 * - `createRegistryService(deps)`: plain async functions over PostgreSQL (+ RENAPO), set-based so
 *   the quincenal file (issue 4) can apply thousands of movements per call. Its activities call
 *   these inside their own activity (workflow inputs stay ids only):
 *     `applyMovements(items)` — idempotent by `item.key`, one person per CURP, one clave per
 *     person, one active plaza per person and institution (E032/E033 decided by
 *     domain/registry/movements.ts, guarded by unique constraints);
 *     `previewMovements(items)` — the same decisions without writing (validation reports);
 *     `resolveRenapoChain(curp)` / `resolveRenapoChains(curps)` — cached checks following RCC/BCC;
 *     `applyRenapoOutcome(chain)` — CURP change (history kept) and BD suspension on the person.
 * - `createRegistryActivities(deps)`: Temporal activities taking a notice or person id.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { institutions, movementNotices, people, renapoChecks } from '../db/schema';
import { avisoHash, type AvisoMovimiento } from '../documents/aviso-movimiento';
import { isValidIsoDate, mexicoDateOf, type IsoDate } from '../domain/dates';
import { claveFromSequence } from '../domain/identifiers/clave-issemym';
import { error, hasBlockingFinding, warning, type RegistryFinding } from '../domain/registry/findings';
import {
  decideMovement,
  isMovementCode,
  MOVEMENT_LABELS,
  namesAgree,
  opensEmployment,
  validateMovementFields,
  type MovementCode,
  type PersonInstitutionState,
} from '../domain/registry/movements';
import { interpretRenapoChain, MAX_CURP_HOPS, replacementOf, type RenapoSummary } from '../domain/registry/renapo';
import { parseAmount, toAmountString } from '../domain/money';
import { periodOfDate } from '../domain/periods';
import type { RenapoClient, RenapoRecord, RenapoResult } from '../integrations/renapo';
import { runInLanes } from '../platform/concurrency';

// ───────────────────────────── configuration ─────────────────────────────

export interface RegistryOptions {
  /** A RENAPO answer younger than this is reused instead of calling RENAPO again. Default 24 h. */
  renapoCacheTtlSeconds: number;
  /** Calls per second to RENAPO from one worker process. Default 20. */
  renapoRatePerSecond: number;
  /** Movements per transaction in `applyMovements`. Default 5000. */
  batchChunkSize: number;
  /** A notice's date may be at most this many days ahead of today. Default 31. */
  maxFutureDays: number;
}

/**
 * Options from the environment (`RENAPO_CACHE_TTL_SECONDS`, `RENAPO_RATE_PER_SECOND`), or from
 * the validated config if a later change adds them there.
 */
export function registryOptionsFromEnv(env: Record<string, string | undefined> = process.env, config?: object): RegistryOptions {
  const fromConfig = (config ?? {}) as Record<string, unknown>;
  const num = (name: string, fallback: number, min: number) => {
    const raw = fromConfig[name] ?? env[name];
    const n = raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(n) && n >= min ? n : fallback;
  };
  return {
    renapoCacheTtlSeconds: num('RENAPO_CACHE_TTL_SECONDS', 24 * 3600, 0),
    renapoRatePerSecond: num('RENAPO_RATE_PER_SECOND', 20, 0.1),
    batchChunkSize: num('REGISTRY_BATCH_CHUNK', 5000, 1),
    maxFutureDays: num('MOVEMENT_MAX_FUTURE_DAYS', 31, 0),
  };
}

/** Today's date in the State of Mexico (America/Mexico_City), `YYYY-MM-DD`. */
export function mexicoCityDate(at: Date = new Date()): IsoDate {
  return mexicoDateOf(at.getTime());
}

function createRateLimiter(perSecond: number): () => Promise<void> {
  const spacing = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + spacing;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };
}

// ───────────────────────────── types ─────────────────────────────

export interface RenapoCheck extends RenapoSummary {
  id: string;
  record: RenapoRecord | null;
  checkedAt: string;
  fromCache: boolean;
}

/** Identity data used to create (or refresh) a person: RENAPO's record where available. */
export interface PersonData {
  firstSurname: string;
  secondSurname: string | null;
  givenNames: string;
  sex: string | null;
  birthDate: IsoDate | null;
  birthState: string | null;
  rfc: string | null;
  renapoStatus?: string | null;
  renapoCheckedAt?: string | null;
}

/** One movement to apply. `key` makes it idempotent (a notice id, a file row, a natural key). */
export interface MovementItem {
  key: string;
  institutionClave: string;
  movimiento: MovementCode;
  /** The person's current CURP, as confirmed by RENAPO (after following RCC/BCC). */
  curp: string;
  /** Older CURPs of the same person (RCC/BCC) to keep in the history of a person created now. */
  replacedCurps?: string[];
  /** Required except for `N`. */
  fechaMovimiento: IsoDate | null;
  /** Quincena for the salary history; default: the quincena of `fechaMovimiento`. */
  period?: string | null;
  sueldoCotizable?: string | null;
  diasCotizados?: number | null;
  puesto?: string | null;
  /** Required for `A`/`R` (a new person is created from it); refreshes RFC/names otherwise. */
  person?: PersonData;
  /** `movement` (aviso) or `payroll` (quincenal file). */
  source?: string;
}

export interface MovementOutcome {
  key: string;
  status: 'applied' | 'rejected';
  /** true when the key had already been applied (this call changed nothing). */
  duplicate: boolean;
  personId: string | null;
  employmentId: string | null;
  claveIssemym: string | null;
  personCreated: boolean;
  findings: RegistryFinding[];
}

export interface RegistryDeps {
  db: Db;
  renapo?: RenapoClient;
  config?: object;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** A plaza's salary for a period: one row per plaza and period, the last report wins. */
const SALARY_REPORT_WINS = sql`on conflict (employment_id, period) do update set
  sueldo_cotizable = excluded.sueldo_cotizable,
  dias_cotizados = coalesce(excluded.dias_cotizados, salary_history.dias_cotizados),
  effective_date = excluded.effective_date, source = excluded.source, source_ref = excluded.source_ref, recorded_at = now()`;

/**
 * A registered person's identity as a movement reports it, from `x(rfc, first, second, given)`:
 * the RFC from the institution, the names (RENAPO's when known); a missing value keeps the stored one.
 */
const PERSON_REFRESH = sql`rfc = coalesce(x.rfc, p.rfc), first_surname = coalesce(x.first, p.first_surname),
  second_surname = case when x.first is null then p.second_surname else x.second end,
  given_names = coalesce(x.given, p.given_names), updated_at = now()`;
/** Only people whose identity `PERSON_REFRESH` would change are written. */
const PERSON_REFRESH_CHANGES = sql`(p.rfc is distinct from coalesce(x.rfc, p.rfc) or p.first_surname is distinct from coalesce(x.first, p.first_surname)
  or p.given_names is distinct from coalesce(x.given, p.given_names)
  or (x.first is not null and p.second_surname is distinct from x.second))`;

async function rows<T>(db: Executor, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(query)) as unknown as T[];
}

// ───────────────────────────── service ─────────────────────────────

export function createRegistryService(deps: RegistryDeps, options: RegistryOptions = registryOptionsFromEnv(process.env, deps.config)) {
  const { db } = deps;
  const limit = createRateLimiter(options.renapoRatePerSecond);

  function requireRenapo(): RenapoClient {
    if (!deps.renapo) throw new Error('registry service built without a RENAPO client');
    return deps.renapo;
  }

  /** The stored form of one RENAPO answer (raw response kept for audit). */
  const renapoCheckRow = (curp: string, result: RenapoResult) => ({
    curp,
    found: result.found,
    status: result.found ? result.record.status : null,
    newCurp: result.found ? (result.record.newCurp ?? null) : null,
    record: result.found ? result.record : null,
    raw: result.raw,
  });

  function toCheck(row: { id: string; curp: string; found: boolean; status: string | null; newCurp: string | null; record: unknown; checkedAt: string }, fromCache: boolean): RenapoCheck {
    const record = (row.record ?? null) as RenapoRecord | null;
    return {
      id: row.id,
      curp: row.curp,
      found: row.found,
      status: row.status,
      statusDescription: record?.statusDescription ?? null,
      newCurp: row.newCurp,
      record,
      checkedAt: row.checkedAt,
      fromCache,
    };
  }

  /**
   * One CURP at RENAPO: the newest stored answer younger than the TTL, else a call (rate
   * limited) whose answer and raw response are stored. Adapter errors propagate: transient ones
   * are retried by the workflow's retry policy, permanent ones are not.
   */
  async function lookupRenapo(curp: string, opts: { force?: boolean; maxAgeSeconds?: number } = {}): Promise<RenapoCheck> {
    const key = curp.trim().toUpperCase();
    const ttl = opts.maxAgeSeconds ?? options.renapoCacheTtlSeconds;
    if (!opts.force && ttl > 0) {
      const cached = await rows<{ id: string; curp: string; found: boolean; status: string | null; newCurp: string | null; record: unknown; checkedAt: string }>(
        db,
        sql`select id, curp, found, status, new_curp as "newCurp", record, checked_at::text as "checkedAt"
            from renapo_checks
            where curp = ${key} and checked_at > now() - make_interval(secs => ${ttl})
            order by checked_at desc limit 1`,
      );
      if (cached[0]) return toCheck(cached[0], true);
    }
    await limit();
    const result = await requireRenapo().consultaPorCurp(key);
    const [row] = await db
      .insert(renapoChecks)
      .values(renapoCheckRow(key, result))
      .returning();
    return toCheck({ ...row!, checkedAt: row!.checkedAt.toISOString() }, false);
  }

  /** The CURP sent and each replacement RENAPO points to (RCC/BCC), at most MAX_CURP_HOPS. */
  async function resolveRenapoChain(curp: string, opts: { force?: boolean } = {}): Promise<RenapoCheck[]> {
    const chain = [await lookupRenapo(curp, opts)];
    const seen = new Set([chain[0]!.curp]);
    for (let hop = 0; hop < MAX_CURP_HOPS; hop++) {
      const next = replacementOf(chain[chain.length - 1]!);
      if (!next || seen.has(next)) break;
      seen.add(next);
      chain.push(await lookupRenapo(next, opts));
    }
    return chain;
  }

  type CheckRow = { id: string; curp: string; found: boolean; status: string | null; newCurp: string | null; record: unknown; checkedAt: string };

  /**
   * `lookupRenapo` for many CURPs with a constant number of database round trips: the cached
   * answers in one query, the misses asked of RENAPO with bounded concurrency (rate limited
   * like single lookups) and their answers stored with one INSERT per slice.
   */
  async function lookupRenapoMany(curps: readonly string[], opts: { force?: boolean; concurrency?: number }): Promise<Map<string, RenapoCheck>> {
    const keys = [...new Set(curps.map((c) => c.trim().toUpperCase()))];
    const out = new Map<string, RenapoCheck>();
    const ttl = options.renapoCacheTtlSeconds;
    if (!opts.force && ttl > 0 && keys.length > 0) {
      const cached = await rows<CheckRow>(
        db,
        sql`select distinct on (curp) id, curp, found, status, new_curp as "newCurp", record, checked_at::text as "checkedAt"
            from renapo_checks
            where curp = any(array(select jsonb_array_elements_text(${json(keys)}))) and checked_at > now() - make_interval(secs => ${ttl})
            order by curp, checked_at desc`,
      );
      for (const row of cached) out.set(row.curp, toCheck(row, true));
    }
    const misses = keys.filter((k) => !out.has(k));
    const SLICE = 200;
    for (let i = 0; i < misses.length; i += SLICE) {
      const slice = misses.slice(i, i + SLICE);
      const answers: { curp: string; result: Awaited<ReturnType<RenapoClient['consultaPorCurp']>> }[] = [];
      await runInLanes(slice.length, opts.concurrency ?? 8, async (i) => {
        const curp = slice[i]!;
        await limit();
        answers.push({ curp, result: await requireRenapo().consultaPorCurp(curp) });
      });
      const inserted = await db
        .insert(renapoChecks)
        .values(answers.map(({ curp, result }) => renapoCheckRow(curp, result)))
        .returning();
      for (const row of inserted) out.set(row.curp, toCheck({ ...row, checkedAt: row.checkedAt.toISOString() }, false));
    }
    return out;
  }

  /**
   * Chains for many CURPs (quincenal files): the same chains as `resolveRenapoChain` for each,
   * built hop by hop for all of them at once (`lookupRenapoMany` per hop).
   */
  async function resolveRenapoChains(curps: readonly string[], opts: { force?: boolean; concurrency?: number } = {}): Promise<Map<string, RenapoCheck[]>> {
    const unique = [...new Set(curps.map((c) => c.trim().toUpperCase()))];
    const out = new Map<string, RenapoCheck[]>(unique.map((c) => [c, []]));
    const seen = new Map<string, Set<string>>(unique.map((c) => [c, new Set([c])]));
    let frontier = unique.map((root) => ({ root, curp: root }));
    for (let hop = 0; frontier.length > 0; hop++) {
      const checks = await lookupRenapoMany(
        frontier.map((f) => f.curp),
        opts,
      );
      const following: { root: string; curp: string }[] = [];
      for (const f of frontier) {
        const check = checks.get(f.curp)!;
        out.get(f.root)!.push(check);
        const next = hop < MAX_CURP_HOPS ? replacementOf(check) : null;
        if (next && !seen.get(f.root)!.has(next)) {
          seen.get(f.root)!.add(next);
          following.push({ root: f.root, curp: next });
        }
      }
      frontier = following;
    }
    return out;
  }

  async function findPersonIdByCurp(executor: Executor, curps: readonly string[]): Promise<{ personId: string; curp: string; currentCurp: string } | null> {
    if (curps.length === 0) return null;
    const found = await rows<{ personId: string; curp: string; currentCurp: string }>(
      executor,
      sql`select h.person_id as "personId", h.curp, p.curp as "currentCurp"
          from curp_history h join people p on p.id = h.person_id
          where h.curp = any(array(select jsonb_array_elements_text(${json(curps)})))`,
    );
    // Prefer the person whose current CURP is the newest of the chain.
    for (const curp of [...curps].reverse()) {
      const hit = found.find((f) => f.currentCurp === curp) ?? found.find((f) => f.curp === curp);
      if (hit) return hit;
    }
    return null;
  }

  /**
   * Applies what RENAPO said about a person already in the registry (no-op for unknown people):
   * - replacement CURP (RCC/BCC): the person's current CURP becomes the new one; every CURP stays
   *   in curp_history so the old one still resolves to the same person (nothing is re-keyed);
   * - status and check time are recorded; BD suspends vigencia from the check's date.
   * Idempotent. `conflict` when the new CURP already belongs to another person (needs an operator).
   */
  async function applyRenapoOutcome(chain: readonly RenapoCheck[]): Promise<{ personId: string | null; curpChanged: boolean; suspended: boolean; conflict: boolean }> {
    const curps = chain.map((c) => c.curp);
    const last = chain[chain.length - 1]!;
    const interp = interpretRenapoChain(chain, 'B'); // non-blocking reading: what RENAPO says
    return db.transaction(async (tx) => {
      const hit = await findPersonIdByCurp(tx, curps);
      if (!hit) return { personId: null, curpChanged: false, suspended: false, conflict: false };
      const personId = hit.personId;
      let curpChanged = false;
      let conflict = false;
      const target = last.found ? last.curp : null;
      if (chain.length > 1 && target && hit.currentCurp !== target) {
        const owner = await findPersonIdByCurp(tx, [target]);
        if (owner && owner.personId !== personId) {
          conflict = true;
        } else {
          const moved = await rows<{ id: string }>(
            tx,
            sql`update people set curp = ${target}, updated_at = now() where id = ${personId} and curp = ${hit.currentCurp} returning id`,
          );
          if (moved.length > 0) {
            curpChanged = true;
            await tx.execute(sql`update curp_history set replaced_at = coalesce(replaced_at, now()) where person_id = ${personId} and curp <> ${target}`);
            await tx.execute(
              sql`insert into curp_history (curp, person_id, reason, renapo_check_id, replaced_at)
                  select c, ${personId}::uuid, 'renapo-change', ${last.id}::uuid, case when c = ${target} then null else now() end
                  from jsonb_array_elements_text(${json(curps)}) as c
                  on conflict (curp) do nothing`,
            );
            await tx.execute(sql`update curp_history set replaced_at = null where curp = ${target} and person_id = ${personId}`);
          }
        }
      }
      const statusCheck = conflict ? chain[0]! : last;
      await tx.execute(
        sql`update people set renapo_status = ${statusCheck.status ?? 'NO_ENCONTRADA'}, renapo_checked_at = ${statusCheck.checkedAt}::timestamptz, updated_at = now()
            where id = ${personId} and (renapo_checked_at is null or renapo_checked_at <= ${statusCheck.checkedAt}::timestamptz)`,
      );
      let suspended = false;
      if (interp.deceased) {
        const day = mexicoCityDate(new Date(last.checkedAt));
        const updated = await rows<{ id: string }>(
          tx,
          sql`update people set rights_suspended_from = ${day}::date,
                rights_suspended_reason = 'RENAPO reporta la CURP dada de baja por defunción (BD)', updated_at = now()
              where id = ${personId} and rights_suspended_from is null returning id`,
        );
        suspended = updated.length > 0;
      }
      return { personId, curpChanged, suspended, conflict };
    });
  }

  // ── movements ──

  interface ResolvedPerson {
    personId: string;
    clave: string;
  }

  async function resolvePeople(executor: Executor, curps: readonly string[]): Promise<Map<string, ResolvedPerson>> {
    const out = new Map<string, ResolvedPerson>();
    if (curps.length === 0) return out;
    const found = await rows<{ curp: string; personId: string; clave: string }>(
      executor,
      sql`select h.curp, p.id as "personId", p.clave_issemym as clave
          from curp_history h join people p on p.id = h.person_id
          where h.curp = any(array(select jsonb_array_elements_text(${json([...new Set(curps)])})))`,
    );
    for (const f of found) out.set(f.curp, { personId: f.personId, clave: f.clave });
    return out;
  }

  const personFor = (item: MovementItem, known: Map<string, ResolvedPerson>) =>
    known.get(item.curp) ?? (item.replacedCurps ?? []).map((c) => known.get(c)).find(Boolean) ?? null;

  /**
   * Creates the people that do not exist yet, each with a clave from the sequence + Luhn digit,
   * in the same statement that inserts the row. CURPs present in curp_history (current or old)
   * are never inserted again; concurrent creators of the same CURP wait on the unique index and
   * skip. A system clave that collides with an imported legacy one is skipped and retried.
   */
  async function createPeople(tx: Tx, items: MovementItem[], known: Map<string, ResolvedPerson>): Promise<Set<string>> {
    const created = new Set<string>();
    const pending = new Map<string, MovementItem>();
    for (const item of items) if (!personFor(item, known) && !pending.has(item.curp)) pending.set(item.curp, item);
    for (let attempt = 0; attempt < 5 && pending.size > 0; attempt++) {
      const seqs = await rows<{ v: string }>(tx, sql`select nextval('clave_issemym_seq')::text as v from generate_series(1, ${pending.size}::int)`);
      const payload = [...pending.values()].map((item, i) => ({
        curp: item.curp,
        clave: claveFromSequence(Number(seqs[i]!.v)),
        first: item.person!.firstSurname,
        second: item.person!.secondSurname,
        given: item.person!.givenNames,
        sex: item.person!.sex,
        birth: item.person!.birthDate,
        state: item.person!.birthState,
        rfc: item.person!.rfc,
        rstatus: item.person!.renapoStatus ?? null,
        rat: item.person!.renapoCheckedAt ?? null,
        fecha: item.fechaMovimiento,
        replaced: item.replacedCurps ?? [],
      }));
      const inserted = await rows<{ id: string; curp: string; clave: string }>(
        tx,
        sql`insert into people (curp, clave_issemym, first_surname, second_surname, given_names, sex, birth_date, birth_state, rfc, renapo_status, renapo_checked_at)
            select x.curp, x.clave, x.first, x.second, x.given, x.sex, x.birth::date, x.state, x.rfc, x.rstatus, x.rat::timestamptz
            from jsonb_to_recordset(${json(payload)}) as x(curp text, clave text, first text, second text, given text, sex text, birth text, state text, rfc text, rstatus text, rat text)
            where not exists (select 1 from curp_history h where h.curp = x.curp)
            on conflict do nothing
            returning id, curp, clave_issemym as clave`,
      );
      if (inserted.length > 0) {
        const byCurp = new Map(payload.map((p) => [p.curp, p]));
        const history = inserted.flatMap((r) => [
          { curp: r.curp, person: r.id, reason: 'alta', replaced: false },
          ...(byCurp.get(r.curp)?.replaced ?? []).map((c) => ({ curp: c, person: r.id, reason: 'renapo-change', replaced: true })),
        ]);
        await tx.execute(
          sql`insert into curp_history (curp, person_id, reason, replaced_at)
              select x.curp, x.person::uuid, x.reason, case when x.replaced then now() end
              from jsonb_to_recordset(${json(history)}) as x(curp text, person text, reason text, replaced boolean)
              on conflict (curp) do nothing`,
        );
        const assignments = inserted.map((r) => ({ person: r.id, since: byCurp.get(r.curp)?.fecha ?? null }));
        await tx.execute(
          sql`insert into administrator_assignments (person_id, administrator_code, effective_from, source_document)
              select x.person::uuid, 'ISSEMYM', coalesce(x.since::date, current_date), 'asignación inicial por alta'
              from jsonb_to_recordset(${json(assignments)}) as x(person text, since text)
              on conflict do nothing`,
        );
        for (const r of inserted) {
          created.add(r.id);
          known.set(r.curp, { personId: r.id, clave: r.clave });
        }
      }
      // Whatever was not inserted exists now (a concurrent creator, an old CURP) or hit a clave collision.
      const missing = [...pending.keys()].filter((c) => !known.has(c));
      const again = await resolvePeople(tx, missing.flatMap((c) => [c, ...(pending.get(c)!.replacedCurps ?? [])]));
      for (const [c, p] of again) known.set(c, p);
      for (const c of [...pending.keys()]) if (personFor(pending.get(c)!, known)) pending.delete(c);
    }
    if (pending.size > 0) throw new Error(`could not create ${pending.size} people after retries (clave collisions)`);
    return created;
  }

  interface PlazaState extends PersonInstitutionState {
    openId: string | null;
  }

  async function loadStates(executor: Executor, pairs: { personId: string; inst: string }[], lock: boolean): Promise<Map<string, PlazaState>> {
    const out = new Map<string, PlazaState>();
    if (pairs.length === 0) return out;
    const found = await rows<{ id: string; personId: string; inst: string; start: string; end: string | null }>(
      executor,
      sql`select e.id, e.person_id as "personId", e.institution_clave as inst, e.start_date::text as start, e.end_date::text as "end"
          from employments e
          where (e.person_id, e.institution_clave) in (
            select x.person::uuid, x.inst from jsonb_to_recordset(${json(pairs.map((p) => ({ person: p.personId, inst: p.inst })))}) as x(person text, inst text))
          ${lock ? sql`for update` : sql``}`,
    );
    for (const row of found) {
      const key = `${row.personId}|${row.inst}`;
      const state = out.get(key) ?? { open: null, lastEnd: null, openId: null };
      if (row.end === null) {
        state.open = { start: row.start };
        state.openId = row.id;
      } else if (!state.lastEnd || row.end > state.lastEnd) {
        state.lastEnd = row.end;
      }
      out.set(key, state);
    }
    return out;
  }

  function checkItem(item: MovementItem): RegistryFinding | null {
    if (!isMovementCode(item.movimiento)) return error('E030', `Movimiento desconocido "${item.movimiento}".`, 'movimiento', item.movimiento);
    if (item.movimiento !== 'N' && (!item.fechaMovimiento || !isValidIsoDate(item.fechaMovimiento))) {
      return error('E031', 'Falta la fecha del movimiento o no es válida (AAAA-MM-DD).', 'fecha_movimiento', item.fechaMovimiento);
    }
    if (item.sueldoCotizable !== undefined && item.sueldoCotizable !== null && parseAmount(item.sueldoCotizable) === null) {
      return error('E040', `El sueldo sujeto a cotización "${item.sueldoCotizable}" no es un importe válido.`, 'sueldo_cotizable', item.sueldoCotizable);
    }
    return null;
  }

  const rejected = (item: MovementItem, finding: RegistryFinding, person?: ResolvedPerson | null): MovementOutcome => ({
    key: item.key,
    status: 'rejected',
    duplicate: false,
    personId: person?.personId ?? null,
    employmentId: null,
    claveIssemym: person?.clave ?? null,
    personCreated: false,
    findings: [finding],
  });

  interface AppliedMovement {
    item: MovementItem;
    person: ResolvedPerson;
    employmentId: string | null;
  }

  const periodFor = (item: MovementItem) => item.period ?? (item.fechaMovimiento ? periodOfDate(item.fechaMovimiento) : null);

  /** The quincena's salary of each applied movement's plaza; one row per plaza and period (last wins). */
  async function writeSalaries(tx: Tx, applied: readonly AppliedMovement[]): Promise<void> {
    const salaries = applied
      .filter(({ item }) => {
        const amount = item.sueldoCotizable ? parseAmount(item.sueldoCotizable) : null;
        return amount !== null && periodFor(item) !== null && (item.movimiento !== 'B' || !amount.isZero());
      })
      .map(({ item, employmentId }) => ({
        id: employmentId,
        period: periodFor(item),
        amount: toAmountString(parseAmount(item.sueldoCotizable!)!),
        days: item.diasCotizados ?? null,
        fecha: item.fechaMovimiento,
        source: item.source ?? 'movement',
        ref: item.key,
      }));
    if (salaries.length === 0) return;
    await tx.execute(
      sql`insert into salary_history (employment_id, period, sueldo_cotizable, dias_cotizados, effective_date, source, source_ref)
          select x.id::uuid, x.period, x.amount::numeric, x.days, x.fecha::date, x.source, x.ref
          from jsonb_to_recordset(${json(salaries)}) as x(id text, period text, amount text, days int, fecha text, source text, ref text)
          ${SALARY_REPORT_WINS}`,
    );
  }

  /** Refreshes identity data of existing people (RFC from the institution, names from RENAPO). */
  async function refreshPeople(tx: Tx, applied: readonly AppliedMovement[], created: ReadonlySet<string>): Promise<void> {
    const refresh = applied
      .filter(({ item, person }) => item.person && item.movimiento !== 'B' && !created.has(person.personId))
      .map(({ item, person }) => ({ id: person.personId, rfc: item.person!.rfc, first: item.person!.firstSurname, second: item.person!.secondSurname, given: item.person!.givenNames }));
    if (refresh.length === 0) return;
    await tx.execute(
      sql`update people p set ${PERSON_REFRESH}
          from jsonb_to_recordset(${json(refresh)}) as x(id text, rfc text, first text, second text, given text)
          where p.id = x.id::uuid and ${PERSON_REFRESH_CHANGES}`,
    );
  }

  /**
   * The quincena's "sin movimiento" reports (N) of people with an active plaza: by far most rows
   * of every file. An N is a statement of state, not an event: its whole effect (the plaza's
   * salary for the period, the person's RFC/names) is idempotent by itself, so it is applied
   * without claiming a key in `movement_applications` and without locking the plaza — two of the
   * ~five tuple writes per row of the general path. Anything else (another movement of the same
   * person and institution in the batch, a CURP change, no active plaza, a field problem) is
   * returned for the general path, which decides and records it as before. A retry re-applies
   * the same values; a repeated key is therefore reported as applied, not as a duplicate.
   */
  async function applySteadyStateReports(items: readonly MovementItem[]): Promise<{ outcomes: MovementOutcome[]; remaining: MovementItem[] }> {
    const perPair = new Map<string, number>();
    for (const item of items) perPair.set(`${item.institutionClave}|${item.curp}`, (perPair.get(`${item.institutionClave}|${item.curp}`) ?? 0) + 1);
    const candidates = items.filter(
      (i) => i.movimiento === 'N' && (i.replacedCurps ?? []).length === 0 && perPair.get(`${i.institutionClave}|${i.curp}`) === 1 && checkItem(i) === null,
    );
    if (candidates.length === 0) return { outcomes: [], remaining: [...items] };
    const done: AppliedMovement[] = [];
    for (let start = 0; start < candidates.length; start += options.batchChunkSize) {
      const chunk = candidates.slice(start, start + options.batchChunkSize);
      const applied = await db.transaction(async (tx) => {
        const known = await resolvePeople(tx, chunk.map((i) => i.curp));
        const located = chunk.flatMap((item) => {
          const person = known.get(item.curp);
          return person ? [{ item, person }] : [];
        });
        const states = await loadStates(tx, located.map(({ item, person }) => ({ personId: person.personId, inst: item.institutionClave })), false);
        const active: AppliedMovement[] = located.flatMap(({ item, person }) => {
          const state = states.get(`${person.personId}|${item.institutionClave}`);
          if (!state?.openId || !decideMovement(item.movimiento, item.fechaMovimiento, state).ok) return [];
          return [{ item, person, employmentId: state.openId }];
        });
        await writeSalaries(tx, active);
        await refreshPeople(tx, active, new Set());
        return active;
      });
      done.push(...applied);
    }
    const appliedKeys = new Set(done.map(({ item }) => item.key));
    return {
      outcomes: done.map((movement) => appliedOutcome(movement, false)),
      remaining: items.filter((i) => !appliedKeys.has(i.key)),
    };
  }

  /**
   * `applySteadyStateReports` for a window of a staged payroll file, in one statement inside
   * PostgreSQL: the rows never travel to the worker. Same rule and same effects — an accepted N
   * row of a person with an active plaza at the institution (movement date, if any, not before
   * the plaza's start), no CURP change announced by RENAPO, the person's only N row in the
   * window: the plaza's salary for the period (source `payroll`, key `payroll:{file}:{row}`),
   * the person's RFC and names (RENAPO's names when it has them), and the row's `person_id`.
   * Idempotent by its effect, like the batch form. Returns how many rows it applied and the
   * accepted rows of the window it left to `applyMovements` (few: the real movements).
   */
  async function applySteadyStateFileRows(input: {
    fileId: string;
    institutionClave: string;
    period: string;
    afterRow: number;
    throughRow: number;
  }): Promise<{ applied: number; remaining: number[] }> {
    const { fileId, institutionClave, period, afterRow, throughRow } = input;
    // The planner's statistics of payroll_rows predate the file (files under 20,000 rows are not
    // analysed after staging), so it believes the window and the CTE hold one row each and may
    // nest a scan of one inside the other: 5,000 × 4,600 comparisons per window (2.4 s instead of
    // 0.1 s on a 10,000-row file). Without nested loops the CTE joins are hashed whatever the
    // estimates; the per-row lookups are LATERAL index probes, nested loops by construction.
    const [result] = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_nestloop = off`);
      return rows<{ applied: number; remaining: number[] }>(
        tx,
        sql`with located as (
              select r.row_number, r.rfc, r.primer_apellido, r.segundo_apellido, r.nombres, r.fecha_movimiento, r.sueldo_cotizable,
                     r.dias_cotizados, r.person_id as staged_person, h.person_id, e.id as employment_id, l.record
                from payroll_rows r
                join lateral (select coalesce(r.person_id, (select c.person_id from curp_history c where c.curp = r.curp limit 1)) as person_id) h on true
                join lateral (select e.id, e.start_date from employments e
                               where e.person_id = h.person_id and e.institution_clave = ${institutionClave} and e.end_date is null
                           limit 1) e on true -- at most one open plaza (employments_one_open); the limit keeps it a probe
                left join lateral (select c.new_curp, c.record from renapo_checks c where c.curp = r.curp order by c.checked_at desc limit 1) l on true
               where r.file_id = ${fileId} and not r.rejected and r.movimiento = 'N'
                 and r.row_number > ${afterRow} and r.row_number <= ${throughRow}
                 and l.new_curp is null
                 and (r.fecha_movimiento is null or r.fecha_movimiento >= e.start_date)),
            steady as (
              select * from (select x.*, count(*) over (partition by x.person_id) as rows_of_person from located x) y where y.rows_of_person = 1),
            salaries as (
              insert into salary_history (employment_id, period, sueldo_cotizable, dias_cotizados, effective_date, source, source_ref)
              select s.employment_id, ${period}, s.sueldo_cotizable, s.dias_cotizados, s.fecha_movimiento, 'payroll', 'payroll:' || ${fileId} || ':' || s.row_number
                from steady s where s.sueldo_cotizable is not null
              ${SALARY_REPORT_WINS}),
            sent as (
              select s.person_id as id, s.rfc,
                     coalesce(s.record->>'firstSurname', s.primer_apellido) as first,
                     case when s.record is null then s.segundo_apellido else s.record->>'secondSurname' end as second,
                     coalesce(s.record->>'givenNames', s.nombres) as given
                from steady s),
            refreshed as (
              update people p set ${PERSON_REFRESH}
                from sent x
               where p.id = any(array(select id from sent)) and p.id = x.id and ${PERSON_REFRESH_CHANGES}),
            marked as (
              update payroll_rows r set person_id = s.person_id
                from steady s
               where r.file_id = ${fileId} and r.row_number > ${afterRow} and r.row_number <= ${throughRow}
                 and r.row_number = s.row_number and s.staged_person is distinct from s.person_id)
            select (select count(*)::int from steady) as applied,
                   array(select r.row_number from payroll_rows r
                          where r.file_id = ${fileId} and not r.rejected and r.row_number > ${afterRow} and r.row_number <= ${throughRow}
                            and not exists (select 1 from steady s where s.row_number = r.row_number)
                          order by r.row_number) as remaining`,
      );
    });
    return { applied: result?.applied ?? 0, remaining: result?.remaining ?? [] };
  }

  const appliedOutcome = ({ item, person, employmentId }: AppliedMovement, personCreated: boolean): MovementOutcome => ({
    key: item.key,
    status: 'applied',
    duplicate: false,
    personId: person.personId,
    employmentId,
    claveIssemym: person.clave,
    personCreated,
    findings: [],
  });

  /** Applies one wave (at most one item per person+institution) in one transaction. */
  async function applyWave(items: MovementItem[]): Promise<MovementOutcome[]> {
    return db.transaction(async (tx) => {
      // 1. Claim the keys: a key applied before (or by a concurrent caller) returns its stored outcome.
      const claims = items.map((i) => ({ key: i.key, inst: i.institutionClave, mov: i.movimiento, fecha: i.fechaMovimiento }));
      const claimed = new Set(
        (
          await rows<{ key: string }>(
            tx,
            sql`insert into movement_applications (key, institution_clave, movimiento, fecha_movimiento, status)
                select x.key, x.inst, x.mov, x.fecha::date, 'pending'
                from jsonb_to_recordset(${json([...claims].sort((a, b) => (a.key < b.key ? -1 : 1)))}) as x(key text, inst text, mov text, fecha text)
                on conflict (key) do nothing returning key`,
          )
        ).map((r) => r.key),
      );
      const outcomes = new Map<string, MovementOutcome>();
      const duplicates = items.filter((i) => !claimed.has(i.key)).map((i) => i.key);
      if (duplicates.length > 0) {
        const stored = await rows<{ key: string; status: 'applied' | 'rejected'; personId: string | null; employmentId: string | null; clave: string | null; findings: RegistryFinding[] }>(
          tx,
          sql`select key, status, person_id as "personId", employment_id as "employmentId", clave_issemym as clave, findings
              from movement_applications where key = any(array(select jsonb_array_elements_text(${json(duplicates)})))`,
        );
        for (const s of stored) {
          outcomes.set(s.key, { key: s.key, status: s.status, duplicate: true, personId: s.personId, employmentId: s.employmentId, claveIssemym: s.clave, personCreated: false, findings: s.findings });
        }
      }
      const work = items.filter((i) => claimed.has(i.key));

      // 2. People: resolve by any CURP they ever had; create the missing ones on A/R.
      const known = await resolvePeople(tx, work.flatMap((i) => [i.curp, ...(i.replacedCurps ?? [])]));
      const valid: MovementItem[] = [];
      for (const item of work) {
        const problem = checkItem(item);
        if (problem) outcomes.set(item.key, rejected(item, problem, personFor(item, known)));
        else valid.push(item);
      }
      const creators = valid.filter((i) => opensEmployment(i.movimiento) && !personFor(i, known));
      for (const c of creators) if (!c.person) throw new Error(`movement ${c.key}: an alta/reingreso of a new person needs person data`);
      const created = await createPeople(tx, creators, known);

      // 3. State of each person at each institution (locked), then the pure rules.
      const withPerson = valid.filter((i) => {
        if (personFor(i, known)) return true;
        outcomes.set(
          i.key,
          rejected(
            i,
            error(
              'E033',
              `La persona no está registrada en el padrón del Instituto; no procede ${i.movimiento === 'B' ? 'una baja' : 'este movimiento'}. Si ingresa por primera vez envíe un alta (A).`,
              'curp',
              i.curp,
            ),
          ),
        );
        return false;
      });
      const states = await loadStates(
        tx,
        withPerson.map((i) => ({ personId: personFor(i, known)!.personId, inst: i.institutionClave })),
        true,
      );
      const opens: { key: string; person: string; inst: string; start: string; puesto: string | null; code: string; ref: string }[] = [];
      const closes: { key: string; id: string; stop: string; ref: string }[] = [];
      const updates: { key: string; id: string; puesto: string | null }[] = [];
      const decided = new Map<string, { item: MovementItem; person: ResolvedPerson; employmentId: string | null }>();
      for (const item of withPerson) {
        const person = personFor(item, known)!;
        const state = states.get(`${person.personId}|${item.institutionClave}`) ?? { open: null, lastEnd: null, openId: null };
        const decision = decideMovement(item.movimiento, item.fechaMovimiento, state);
        if (!decision.ok) {
          outcomes.set(item.key, rejected(item, decision.finding, person));
          continue;
        }
        decided.set(item.key, { item, person, employmentId: state.openId });
        if (decision.effect === 'open') {
          opens.push({ key: item.key, person: person.personId, inst: item.institutionClave, start: item.fechaMovimiento!, puesto: item.puesto ?? null, code: item.movimiento, ref: item.key });
        } else if (decision.effect === 'close') {
          closes.push({ key: item.key, id: state.openId!, stop: item.fechaMovimiento!, ref: item.key });
        } else {
          updates.push({ key: item.key, id: state.openId!, puesto: item.puesto ?? null });
        }
      }

      // 4. Effects, guarded by the constraints (a concurrent writer turns into E032/E033).
      if (opens.length > 0) {
        const inserted = await rows<{ id: string; person: string; inst: string }>(
          tx,
          sql`insert into employments (person_id, institution_clave, start_date, puesto, opened_by, opened_by_ref)
              select x.person::uuid, x.inst, x.start::date, x.puesto, x.code, x.ref
              from jsonb_to_recordset(${json(opens)}) as x(person text, inst text, start text, puesto text, code text, ref text)
              on conflict do nothing
              returning id, person_id as person, institution_clave as inst`,
        );
        const byPair = new Map(inserted.map((r) => [`${r.person}|${r.inst}`, r.id]));
        for (const o of opens) {
          const id = byPair.get(`${o.person}|${o.inst}`);
          const d = decided.get(o.key)!;
          if (id) d.employmentId = id;
          else {
            decided.delete(o.key);
            outcomes.set(
              o.key,
              rejected(d.item, error('E032', 'La persona ya está activa en esta institución; no procede el movimiento. Envíe una modificación (M) o primero la baja (B).', 'movimiento', d.item.movimiento), d.person),
            );
          }
        }
      }
      if (closes.length > 0) {
        const closed = new Set(
          (
            await rows<{ id: string }>(
              tx,
              sql`update employments e set end_date = x.stop::date, closed_by_ref = x.ref, updated_at = now()
                  from jsonb_to_recordset(${json(closes)}) as x(id text, stop text, ref text)
                  where e.id = x.id::uuid and e.end_date is null
                  returning e.id`,
            )
          ).map((r) => r.id),
        );
        for (const c of closes) {
          if (closed.has(c.id)) continue;
          const d = decided.get(c.key)!;
          decided.delete(c.key);
          outcomes.set(c.key, rejected(d.item, error('E033', 'La plaza ya no está activa en esta institución; no procede la baja.', 'movimiento', 'B'), d.person));
        }
      }
      const puestoUpdates = updates.filter((u) => u.puesto);
      if (puestoUpdates.length > 0) {
        await tx.execute(
          sql`update employments e set puesto = x.puesto, updated_at = now()
              from jsonb_to_recordset(${json(puestoUpdates)}) as x(id text, puesto text)
              where e.id = x.id::uuid and e.end_date is null`,
        );
      }

      const applied = [...decided.values()];
      await writeSalaries(tx, applied);
      await refreshPeople(tx, applied, created);
      for (const movement of applied) outcomes.set(movement.item.key, appliedOutcome(movement, created.has(movement.person.personId)));

      // 5. Record the outcomes of the claimed keys (same transaction as the effects).
      const finals = work.map((i) => outcomes.get(i.key)!);
      if (finals.length > 0) {
        await tx.execute(
          sql`update movement_applications m set status = x.status, person_id = x.person::uuid, employment_id = x.emp::uuid,
                clave_issemym = x.clave, person_created = x.created, findings = x.findings, applied_at = now()
              from jsonb_to_recordset(${json(
                finals.map((o) => ({ key: o.key, status: o.status, person: o.personId, emp: o.employmentId, clave: o.claveIssemym, created: o.personCreated, findings: o.findings })),
              )}) as x(key text, status text, person text, emp text, clave text, created boolean, findings jsonb)
              where m.key = x.key`,
        );
      }
      return items.map((i) => outcomes.get(i.key)!);
    });
  }

  /** Splits a batch so no wave holds two movements of the same person at the same institution. */
  function waves(items: readonly MovementItem[]): MovementItem[][] {
    const seen = new Map<string, number>();
    const out: MovementItem[][] = [];
    for (const item of items) {
      const k = `${item.institutionClave}|${item.curp}`;
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      (out[n] ??= []).push(item);
    }
    return out;
  }

  /**
   * Applies a batch of movements, in order per person and institution, idempotently by key:
   * a key seen before returns its first outcome (`duplicate: true`) and changes nothing (N
   * reports of an active plaza are idempotent by their effect instead; see
   * `applySteadyStateReports`). The
   * batch is cut in transactions of `batchChunkSize`. Field validation (E010…E040) and RENAPO
   * (E012/E013) are the caller's: pass only movements that passed them, with the CURP RENAPO
   * confirmed. Returns one outcome per item, in input order.
   */
  async function applyMovements(items: readonly MovementItem[]): Promise<MovementOutcome[]> {
    const firstByKey = new Map<string, MovementItem>();
    const unique: MovementItem[] = [];
    for (const item of items) {
      const normalised = { ...item, curp: item.curp.trim().toUpperCase(), replacedCurps: (item.replacedCurps ?? []).map((c) => c.trim().toUpperCase()) };
      if (!firstByKey.has(item.key)) {
        firstByKey.set(item.key, normalised);
        unique.push(normalised);
      }
    }
    const results = new Map<string, MovementOutcome>();
    const steady = await applySteadyStateReports(unique);
    for (const outcome of steady.outcomes) results.set(outcome.key, outcome);
    for (const wave of waves(steady.remaining)) {
      for (let i = 0; i < wave.length; i += options.batchChunkSize) {
        for (const outcome of await applyWave(wave.slice(i, i + options.batchChunkSize))) results.set(outcome.key, outcome);
      }
    }
    const emitted = new Set<string>();
    return items.map((item) => {
      const outcome = results.get(item.key)!;
      if (emitted.has(item.key)) return { ...outcome, duplicate: true };
      emitted.add(item.key);
      return outcome;
    });
  }

  /**
   * The E032/E033 (and date order) decisions for a batch without writing anything, against the
   * registry as it is now (movements of the same person in the batch are not chained).
   */
  async function previewMovements(items: readonly MovementItem[]): Promise<{ key: string; personId: string | null; claveIssemym: string | null; findings: RegistryFinding[] }[]> {
    const known = await resolvePeople(db, items.flatMap((i) => [i.curp.trim().toUpperCase(), ...(i.replacedCurps ?? [])]));
    const pairs = items.flatMap((i) => {
      const p = personFor({ ...i, curp: i.curp.trim().toUpperCase() }, known);
      return p ? [{ personId: p.personId, inst: i.institutionClave }] : [];
    });
    const states = await loadStates(db, pairs, false);
    return items.map((item) => {
      const person = personFor({ ...item, curp: item.curp.trim().toUpperCase() }, known);
      const problem = checkItem(item);
      if (problem) return { key: item.key, personId: person?.personId ?? null, claveIssemym: person?.clave ?? null, findings: [problem] };
      const state = person ? (states.get(`${person.personId}|${item.institutionClave}`) ?? { open: null, lastEnd: null }) : { open: null, lastEnd: null };
      const decision = decideMovement(item.movimiento, item.fechaMovimiento, state);
      return { key: item.key, personId: person?.personId ?? null, claveIssemym: person?.clave ?? null, findings: decision.ok ? [] : [decision.finding] };
    });
  }

  /**
   * Imports people with their legacy clave as-is (`claveLegacy`), e.g. from the previous system.
   * Idempotent by CURP; a CURP or clave already in the registry is skipped with the reason.
   */
  async function importLegacyPeople(
    items: readonly { curp: string; claveIssemym: string; person: PersonData; nssImss?: string | null; issteNumber?: string | null }[],
  ): Promise<{ imported: number; skipped: { curp: string; reason: string }[] }> {
    return db.transaction(async (tx) => {
      const payload = items.map((i) => ({
        curp: i.curp.trim().toUpperCase(),
        clave: i.claveIssemym.trim(),
        first: i.person.firstSurname,
        second: i.person.secondSurname,
        given: i.person.givenNames,
        sex: i.person.sex,
        birth: i.person.birthDate,
        state: i.person.birthState,
        rfc: i.person.rfc,
        nss: i.nssImss ?? null,
        issste: i.issteNumber ?? null,
      }));
      const inserted = await rows<{ id: string; curp: string }>(
        tx,
        sql`insert into people (curp, clave_issemym, clave_legacy, first_surname, second_surname, given_names, sex, birth_date, birth_state, rfc, nss_imss, issste_number)
            select x.curp, x.clave, true, x.first, x.second, x.given, x.sex, x.birth::date, x.state, x.rfc, x.nss, x.issste
            from jsonb_to_recordset(${json(payload)}) as x(curp text, clave text, first text, second text, given text, sex text, birth text, state text, rfc text, nss text, issste text)
            where not exists (select 1 from curp_history h where h.curp = x.curp)
            on conflict do nothing returning id, curp`,
      );
      if (inserted.length > 0) {
        await tx.execute(
          sql`insert into curp_history (curp, person_id, reason)
              select x.curp, x.id::uuid, 'legacy-import' from jsonb_to_recordset(${json(inserted)}) as x(id text, curp text)
              on conflict (curp) do nothing`,
        );
      }
      const done = new Set(inserted.map((r) => r.curp));
      return {
        imported: inserted.length,
        skipped: payload.filter((p) => !done.has(p.curp)).map((p) => ({ curp: p.curp, reason: 'La CURP o la clave ISSEMyM ya existen en el padrón.' })),
      };
    });
  }

  return {
    lookupRenapo,
    resolveRenapoChain,
    resolveRenapoChains,
    applyRenapoOutcome,
    applyMovements,
    applySteadyStateFileRows,
    previewMovements,
    importLegacyPeople,
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;

// ───────────────────────────── notice activities ─────────────────────────────

type NoticeRow = typeof movementNotices.$inferSelect;
type StoredFinding = RegistryFinding & { phase: string };

const FINAL_STATUSES = new Set(['applied', 'rejected', 'failed']);

export interface NoticeStepResult {
  institutionClave: string;
  blocking: boolean;
  status: string;
}

export function createRegistryActivities(deps: { db: Db; renapo: RenapoClient; config?: object }) {
  const { db } = deps;
  const options = registryOptionsFromEnv(process.env, deps.config);
  const registry = createRegistryService({ db, renapo: deps.renapo, config: deps.config }, options);

  async function loadNotice(noticeId: string): Promise<NoticeRow> {
    const [row] = await db.select().from(movementNotices).where(eq(movementNotices.id, noticeId));
    if (!row) throw new Error(`movement notice ${noticeId} not found`);
    return row;
  }

  const findingsOf = (row: NoticeRow) => (row.findings ?? []) as StoredFinding[];

  /** Replaces the findings of one phase (replays write the same thing). */
  async function setPhaseFindings(noticeId: string, phase: string, findings: RegistryFinding[], extra: Partial<typeof movementNotices.$inferInsert> = {}) {
    const row = await loadNotice(noticeId);
    const merged = [...findingsOf(row).filter((f) => f.phase !== phase), ...findings.map((f) => ({ ...f, phase }))];
    await db
      .update(movementNotices)
      .set({ findings: merged, ...extra })
      .where(eq(movementNotices.id, noticeId));
    return merged;
  }

  const summary = (row: NoticeRow, blocking: boolean): NoticeStepResult => ({ institutionClave: row.institutionClave, blocking, status: row.status });

  return {
    /** E010/E011/E020/W021/W022/E031/E040 on the notice's own fields. */
    async validateMovementNotice({ noticeId }: { noticeId: string }): Promise<NoticeStepResult> {
      const row = await loadNotice(noticeId);
      if (FINAL_STATUSES.has(row.status)) return summary(row, row.status !== 'applied');
      const findings = validateMovementFields(
        { movimiento: row.movimiento, curp: row.curp, rfc: row.rfc, fechaMovimiento: row.fechaMovimiento, sueldoCotizable: row.sueldoCotizable },
        { today: mexicoCityDate(), maxFutureDays: options.maxFutureDays },
      );
      await setPhaseFindings(noticeId, 'fields', findings, { status: 'validating', stage: 'validating' });
      return { institutionClave: row.institutionClave, blocking: hasBlockingFinding(findings), status: 'validating' };
    },

    /**
     * RENAPO (cached, retried by the workflow): E012/E013, W061, follows RCC/BCC (W070) and applies
     * the outcome to a person already in the registry (CURP change, BD suspension).
     */
    async verifyMovementNoticeAtRenapo({ noticeId }: { noticeId: string }): Promise<NoticeStepResult & { curpReplaced: boolean; suspended: boolean }> {
      const row = await loadNotice(noticeId);
      if (FINAL_STATUSES.has(row.status)) return { ...summary(row, row.status !== 'applied'), curpReplaced: false, suspended: false };
      const chain = await registry.resolveRenapoChain(row.curp);
      const code = row.movimiento as MovementCode;
      const interp = interpretRenapoChain(chain, code);
      const findings = [...interp.findings];
      const last = chain[chain.length - 1]!;
      if (last.found && last.record && !namesAgree(row, last.record)) {
        findings.push(
          warning(
            'W061',
            `Los nombres enviados (${[row.nombres, row.primerApellido, row.segundoApellido].filter(Boolean).join(' ')}) no coinciden con los de RENAPO (${[last.record.givenNames, last.record.firstSurname, last.record.secondSurname].filter(Boolean).join(' ')}). Se registran los de RENAPO; corrija su sistema de nómina.`,
            'nombres',
          ),
        );
      }
      const outcome = await registry.applyRenapoOutcome(chain);
      if (outcome.conflict) {
        findings.push(
          error(
            'E013',
            `RENAPO sustituyó la CURP ${chain[0]!.curp} por ${last.curp}, pero la nueva CURP ya pertenece a otra persona del padrón. El Instituto debe revisar el caso antes de registrar el movimiento.`,
            'curp',
            chain[0]!.curp,
          ),
        );
      }
      await setPhaseFindings(noticeId, 'renapo', findings, { effectiveCurp: interp.effectiveCurp, renapoCheckId: last.id, stage: 'renapo' });
      return { institutionClave: row.institutionClave, blocking: hasBlockingFinding(findings), status: row.status, curpReplaced: outcome.curpChanged, suspended: outcome.suspended };
    },

    /** Applies the notice through `applyMovements` (the same code as the quincenal file). */
    async applyMovementNotice({ noticeId }: { noticeId: string }): Promise<{ status: 'applied' | 'rejected'; personCreated: boolean }> {
      const row = await loadNotice(noticeId);
      if (row.status === 'applied' || row.status === 'rejected') return { status: row.status, personCreated: false };
      const curp = row.effectiveCurp ?? row.curp;
      let record: RenapoRecord | null = null;
      let checkedAt: string | null = null;
      if (row.renapoCheckId) {
        const [check] = await db.select().from(renapoChecks).where(eq(renapoChecks.id, row.renapoCheckId));
        record = (check?.record as RenapoRecord | null) ?? null;
        checkedAt = check?.checkedAt.toISOString() ?? null;
      }
      const item: MovementItem = {
        key: `notice:${row.id}`,
        institutionClave: row.institutionClave,
        movimiento: row.movimiento as MovementCode,
        curp,
        replacedCurps: curp !== row.curp ? [row.curp] : [],
        fechaMovimiento: row.fechaMovimiento,
        sueldoCotizable: row.sueldoCotizable,
        puesto: row.puesto,
        source: 'movement',
        person: {
          firstSurname: record?.firstSurname ?? row.primerApellido,
          secondSurname: record ? record.secondSurname : row.segundoApellido,
          givenNames: record?.givenNames ?? row.nombres,
          sex: record?.sex ?? row.curp.charAt(10),
          birthDate: record?.birthDate ?? null,
          birthState: record?.stateCode ?? null,
          rfc: row.rfc.trim().toUpperCase(),
          renapoStatus: record?.status ?? null,
          renapoCheckedAt: checkedAt,
        },
      };
      const [outcome] = await registry.applyMovements([item]);
      await setPhaseFindings(noticeId, 'apply', outcome!.findings, {
        status: outcome!.status,
        stage: outcome!.status,
        personId: outcome!.personId,
        employmentId: outcome!.employmentId,
        claveIssemym: outcome!.claveIssemym,
        completedAt: outcome!.status === 'rejected' ? new Date() : null,
      });
      return { status: outcome!.status, personCreated: outcome!.personCreated };
    },

    /** Issues the aviso once: folio from a sequence, frozen JSON content and its SHA-256. */
    async issueMovementAviso({ noticeId }: { noticeId: string }): Promise<{ folio: string }> {
      await db.execute(
        sql`update movement_notices
            set folio = 'AM-' || to_char(now() at time zone 'America/Mexico_City', 'YYYY') || '-' || lpad(nextval('movement_folio_seq')::text, 7, '0'),
                issued_at = now()
            where id = ${noticeId} and folio is null and status = 'applied'`,
      );
      const row = await loadNotice(noticeId);
      if (!row.folio || !row.personId) throw new Error(`notice ${noticeId} is not applied`);
      if (row.aviso) return { folio: row.folio };
      const [person] = await db.select().from(people).where(eq(people.id, row.personId));
      const [institution] = await db.select().from(institutions).where(eq(institutions.clave, row.institutionClave));
      const code = row.movimiento as MovementCode;
      const amount = row.sueldoCotizable ? parseAmount(row.sueldoCotizable) : null;
      const aviso: AvisoMovimiento = {
        documentType: 'aviso-de-movimiento',
        version: 1,
        folio: row.folio,
        issuedAt: row.issuedAt!.toISOString(),
        noticeId: row.id,
        institution: { clave: row.institutionClave, name: institution?.name ?? row.institutionClave },
        person: {
          claveIssemym: person!.claveIssemym,
          curp: person!.curp,
          rfc: person!.rfc,
          primerApellido: person!.firstSurname,
          segundoApellido: person!.secondSurname,
          nombres: person!.givenNames,
        },
        movement: {
          code,
          label: MOVEMENT_LABELS[code],
          fechaMovimiento: row.fechaMovimiento!,
          sueldoCotizable: amount ? toAmountString(amount) : null,
          puesto: row.puesto,
        },
      };
      await db
        .update(movementNotices)
        .set({ aviso, verificationHash: avisoHash(aviso), stage: 'applied', completedAt: new Date() })
        .where(and(eq(movementNotices.id, noticeId), sql`aviso is null`));
      return { folio: row.folio };
    },

    /** Final state for a notice stopped by blocking findings. */
    async rejectMovementNotice({ noticeId }: { noticeId: string }): Promise<void> {
      await db
        .update(movementNotices)
        .set({ status: 'rejected', stage: 'rejected', completedAt: new Date() })
        .where(and(eq(movementNotices.id, noticeId), sql`status not in ('applied', 'rejected', 'failed')`));
    },

    /** Final state when RENAPO could not be consulted (permanent error or retries exhausted). */
    async failMovementNotice({ noticeId, code, message }: { noticeId: string; code: string; message: string }): Promise<void> {
      const row = await loadNotice(noticeId);
      if (FINAL_STATUSES.has(row.status)) return;
      await setPhaseFindings(noticeId, 'system', [error(code, message)], { status: 'failed', stage: 'failed', completedAt: new Date() });
    },

    /** Operator's fresh RENAPO check of a person (bypasses the cache): CURP change, BD suspension. */
    async reverifyPersonAtRenapo({ personId }: { personId: string }): Promise<{ found: boolean; status: string | null; curpChanged: boolean; suspended: boolean; conflict: boolean }> {
      const [person] = await db.select().from(people).where(eq(people.id, personId));
      if (!person) throw new Error(`person ${personId} not found`);
      const chain = await registry.resolveRenapoChain(person.curp, { force: true });
      const outcome = await registry.applyRenapoOutcome(chain);
      const last = chain[chain.length - 1]!;
      return { found: chain[0]!.found, status: last.status, curpChanged: outcome.curpChanged, suspended: outcome.suspended, conflict: outcome.conflict };
    },
  };
}
