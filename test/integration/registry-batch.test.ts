/**
 * The set-based movement API the quincenal file reuses (`createRegistryService().applyMovements`):
 * thousands of movements per call, idempotent by key, safe under concurrency.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createRegistryService, type MovementItem } from '../../activities/registry';
import { employments, institutions, people } from '../../db/schema';
import { curpCheckDigit } from '../../domain/identifiers/curp';
import { claveFromSequence, isValidClaveIssemym } from '../../domain/identifiers/clave-issemym';
import { startTestWorld, type TestWorld } from '../support/world';
import { createActivityDeps } from '../../worker/activity-deps';

let world: TestWorld;
let registry: ReturnType<typeof createRegistryService>;
const INSTITUTION = '20511';
const OTHER = '20512';

beforeAll(async () => {
  world = await startTestWorld();
  registry = createRegistryService({ db: world.database.db });
  for (const clave of [INSTITUTION, OTHER]) {
    await world.database.db
      .insert(institutions)
      .values({ clave, name: `Institución ${clave}`, rfc: 'MTO850101AB1', kind: 'municipio', contactCurp: 'X', contactName: 'X', contactEmail: 'x@example.mx', status: 'active' });
  }
});
afterAll(async () => {
  await world?.stop();
});

const CONSONANTS = 'BCDFGHJKLMNPQRSTVWXYZ';
/** Deterministic, structurally valid CURP number `i` of a series. */
function curpNo(i: number, series: string): string {
  const l = (k: number) => CONSONANTS[Math.floor(i / 21 ** k) % 21]!;
  const first17 = `${l(0)}A${l(1)}${l(2)}850412H${series}${l(3)}${l(4)}${l(0)}0`;
  return first17 + curpCheckDigit(first17);
}

function alta(curp: string, key: string, overrides: Partial<MovementItem> = {}): MovementItem {
  return {
    key,
    institutionClave: INSTITUTION,
    movimiento: 'A',
    curp,
    fechaMovimiento: '2026-01-16',
    sueldoCotizable: '9876.54',
    source: 'payroll',
    person: { firstSurname: 'PEREZ', secondSurname: null, givenNames: 'ANA', sex: 'H', birthDate: '1985-04-12', birthState: 'MC', rfc: null },
    ...overrides,
  };
}

const count = async (query: ReturnType<typeof sql>) => ((await world.database.db.execute(query)) as unknown as { n: number }[])[0]!.n;

describe('applyMovements (batch API for the quincenal file)', () => {
  it('turns 10,000 altas into 10,000 people with 10,000 distinct Luhn-valid claves, and a replay changes nothing', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => alta(curpNo(i, 'MC'), `payroll:file-1:${i + 1}`));
    const started = Date.now();
    const outcomes = await registry.applyMovements(items);
    const elapsed = Date.now() - started;
    expect(outcomes.every((o) => o.status === 'applied' && o.personCreated && !o.duplicate)).toBe(true);
    const claves = outcomes.map((o) => o.claveIssemym!);
    expect(new Set(claves).size).toBe(10_000);
    expect(claves.every(isValidClaveIssemym)).toBe(true);
    expect(await count(sql`select count(*)::int as n from people`)).toBe(10_000);
    expect(await count(sql`select count(distinct clave_issemym)::int as n from people`)).toBe(10_000);
    expect(await count(sql`select count(*)::int as n from employments where end_date is null`)).toBe(10_000);
    expect(await count(sql`select count(*)::int as n from salary_history where period = '202602'`)).toBe(10_000);
    expect(elapsed).toBeLessThan(60_000);

    const replay = await registry.applyMovements(items);
    expect(replay.every((o) => o.duplicate && o.status === 'applied')).toBe(true);
    expect(replay.map((o) => o.claveIssemym)).toEqual(claves);
    expect(await count(sql`select count(*)::int as n from people`)).toBe(10_000);
    expect(await count(sql`select count(*)::int as n from employments`)).toBe(10_000);
  });

  it('gives one person, one clave and one plaza when the same altas arrive concurrently under different keys', async () => {
    const curps = Array.from({ length: 300 }, (_, i) => curpNo(i, 'DF'));
    const [a, b, c] = await Promise.all(
      ['x', 'y', 'z'].map((tag) => registry.applyMovements(curps.map((curp, i) => alta(curp, `race-${tag}:${i}`)))),
    );
    for (let i = 0; i < curps.length; i++) {
      const trio = [a![i]!, b![i]!, c![i]!];
      expect(trio.filter((o) => o.status === 'applied')).toHaveLength(1);
      expect(trio.filter((o) => o.status === 'rejected').map((o) => o.findings[0]!.code)).toEqual(['E032', 'E032']);
      expect(new Set(trio.map((o) => o.claveIssemym)).size).toBe(1);
    }
    expect(await count(sql`select count(*)::int as n from people where curp like '%850412HDF%'`)).toBe(300);
    expect(await count(sql`select count(*)::int as n from employments e join people p on p.id = e.person_id where p.curp like '%850412HDF%'`)).toBe(300);
  });

  it('applies several movements of one person in batch order (alta, modificación, baja, reingreso) and reports E033/E032', async () => {
    const curp = curpNo(1, 'JC');
    const outcomes = await registry.applyMovements([
      alta(curp, 'seq:1'),
      { ...alta(curp, 'seq:2'), movimiento: 'M', fechaMovimiento: '2026-02-01', sueldoCotizable: '10000.00' },
      { ...alta(curp, 'seq:3'), movimiento: 'B', fechaMovimiento: '2026-02-20', sueldoCotizable: '0' },
      { ...alta(curp, 'seq:4'), movimiento: 'M', fechaMovimiento: '2026-03-01' },
      { ...alta(curp, 'seq:5'), movimiento: 'R', fechaMovimiento: '2026-03-16' },
      { ...alta(curp, 'seq:6'), movimiento: 'A', fechaMovimiento: '2026-03-20' },
      { ...alta(curp, 'seq:7'), institutionClave: OTHER, movimiento: 'A', fechaMovimiento: '2026-03-20' },
    ]);
    expect(outcomes.map((o) => [o.status, o.findings[0]?.code ?? null])).toEqual([
      ['applied', null],
      ['applied', null],
      ['applied', null],
      ['rejected', 'E033'],
      ['applied', null],
      ['rejected', 'E032'],
      ['applied', null], // simultaneous plaza at another institution
    ]);
    const [person] = await world.database.db.select().from(people).where(eq(people.curp, curp));
    const plazas = await world.database.db.select().from(employments).where(eq(employments.personId, person!.id));
    expect(plazas.map((p) => [p.institutionClave, p.startDate, p.endDate]).sort()).toEqual([
      [INSTITUTION, '2026-01-16', '2026-02-20'],
      [INSTITUTION, '2026-03-16', null],
      [OTHER, '2026-03-20', null],
    ]);
    // The same decisions are available without writing (validation reports of a file).
    const preview = await registry.previewMovements([alta(curp, 'preview:1'), { ...alta(curp, 'preview:2'), institutionClave: OTHER, movimiento: 'B', fechaMovimiento: '2026-03-19' }]);
    expect(preview.map((p) => p.findings.map((f) => f.code))).toEqual([['E032'], ['E031']]);
  });

  it("records each active plaza's quincena salary from 'sin movimiento' rows once, however often the page is retried", async () => {
    const [ana, beto, carla, dario] = [1, 2, 3, 4].map((i) => curpNo(i, 'NL'));
    await registry.applyMovements([ana, beto, carla, dario].map((curp, i) => alta(curp!, `steady-alta:${i}`, { fechaMovimiento: '2026-04-01' })));
    await registry.applyMovements([{ ...alta(carla!, 'steady-notice:baja'), movimiento: 'B', fechaMovimiento: '2026-04-30', sueldoCotizable: null }]);
    const report = (curp: string, key: string, sueldo: string): MovementItem => ({ ...alta(curp, key), movimiento: 'N', fechaMovimiento: null, period: '202610', sueldoCotizable: sueldo });
    const page = [
      report(ana!, 'payroll:steady:1', '11000.10'),
      report(beto!, 'payroll:steady:2', '12000.20'),
      report(carla!, 'payroll:steady:3', '13000.30'), // left in April: no active plaza
      report(curpNo(5, 'NL'), 'payroll:steady:4', '14000.40'), // never registered
      { ...alta(dario!, 'payroll:steady:5'), movimiento: 'B' as const, fechaMovimiento: '2026-05-15', sueldoCotizable: '0' },
      report(dario!, 'payroll:steady:6', '15000.50'), // after his baja in the same page
    ];
    const salaries = sql`select p.curp, s.sueldo_cotizable::text as sueldo from salary_history s join employments e on e.id = s.employment_id
                         join people p on p.id = e.person_id where s.period = '202610' and p.curp like '%850412HNL%' order by p.curp`;
    for (const attempt of [1, 2]) {
      const outcomes = await registry.applyMovements(page);
      expect(outcomes.map((o) => [o.status, o.findings[0]?.code ?? null]), `attempt ${attempt}`).toEqual([
        ['applied', null],
        ['applied', null],
        ['rejected', 'E033'],
        ['rejected', 'E033'],
        ['applied', null],
        ['rejected', 'E033'],
      ]);
      expect(outcomes[0]!.personId).not.toBeNull();
      expect(((await world.database.db.execute(salaries)) as unknown as { curp: string; sueldo: string }[]).map((r) => [r.curp, r.sueldo])).toEqual([
        [ana, '11000.10'],
        [beto, '12000.20'],
      ]);
    }
  });

  it("applies a staged file's 'sin movimiento' rows inside PostgreSQL: each active plaza's salary once, the rest left to the keyed path", async () => {
    const [ana, beto, carla, dario, nuevo] = [1, 2, 3, 4, 5].map((i) => curpNo(i, 'SF'));
    await registry.applyMovements([ana, beto, carla, dario].map((curp, i) => alta(curp!, `file-alta:${i}`, { fechaMovimiento: '2026-04-01' })));
    await registry.applyMovements([{ ...alta(carla!, 'file-notice:baja'), movimiento: 'B', fechaMovimiento: '2026-04-30', sueldoCotizable: null }]);
    const idOf = async (curp: string) => (await world.database.db.select({ id: people.id }).from(people).where(eq(people.curp, curp)))[0]!.id;
    const [anaId, betoId] = [await idOf(ana!), await idOf(beto!)];
    // RENAPO announced a new CURP for Darío: his row must take the keyed path (CURP change).
    await world.database.sql`insert into renapo_checks (curp, found, status, new_curp, record, raw)
                             values (${dario!}, true, 'RCC', ${curpNo(6, 'SF')}, '{}'::jsonb, '{}'::jsonb)`;
    const fileId = randomUUID();
    const row = (n: number, curp: string, movimiento: string, sueldo: string, opts: { personId?: string | null; rejected?: boolean; rfc?: string | null } = {}) =>
      world.database.sql`insert into payroll_rows (file_id, row_number, curp, rfc, primer_apellido, nombres, movimiento, sueldo_cotizable, rejected, person_id)
                         values (${fileId}, ${n}, ${curp}, ${opts.rfc ?? null}, 'PEREZ', 'ANA', ${movimiento}, ${sueldo}, ${opts.rejected ?? false}, ${opts.personId ?? null})`;
    await row(1, ana!, 'N', '11000.10', { rfc: 'PEAA850412AB1' }); // person not resolved at staging
    await row(2, beto!, 'N', '12000.20', { personId: betoId }); // resolved at staging
    await row(3, carla!, 'N', '13000.30'); // left in April: no active plaza
    await row(4, dario!, 'N', '14000.40');
    await row(5, nuevo!, 'A', '15000.50'); // a new person: keyed path
    await row(6, ana!, 'N', '99999.99', { rejected: true }); // rejected by the checks: never applied

    const salaries = sql`select s.employment_id, p.curp, s.sueldo_cotizable::text as sueldo, s.source, s.source_ref
                           from salary_history s join employments e on e.id = s.employment_id join people p on p.id = e.person_id
                          where s.period = '202611' and p.curp like '%850412HSF%' order by p.curp`;
    for (const attempt of [1, 2]) {
      const result = await registry.applySteadyStateFileRows({ fileId, institutionClave: INSTITUTION, period: '202611', afterRow: 0, throughRow: 10 });
      expect(result, `attempt ${attempt}`).toEqual({ applied: 2, remaining: [3, 4, 5] });
      expect(((await world.database.db.execute(salaries)) as unknown as { curp: string; sueldo: string; source: string; source_ref: string }[]).map((r) => [r.curp, r.sueldo, r.source, r.source_ref])).toEqual([
        [ana, '11000.10', 'payroll', `payroll:${fileId}:1`],
        [beto, '12000.20', 'payroll', `payroll:${fileId}:2`],
      ]);
      const persons = (await world.database.sql`select row_number, person_id from payroll_rows where file_id = ${fileId} order by row_number`) as unknown as { row_number: number; person_id: string | null }[];
      expect(persons.slice(0, 2).map((p) => p.person_id)).toEqual([anaId, betoId]);
      expect(persons.slice(2).every((p) => p.person_id === null)).toBe(true);
      expect((await world.database.db.select({ rfc: people.rfc }).from(people).where(eq(people.id, anaId)))[0]!.rfc).toBe('PEAA850412AB1');
    }
  });

  it('applies a file spanning several row windows exactly once, whichever lane takes each window, and a retry changes nothing', async () => {
    const clave = '20513';
    const sql = world.database.sql;
    await sql`insert into institutions (clave, name, rfc, kind, contact_curp, contact_name, contact_email, status)
              values (${clave}, 'Municipio 20513', 'MTO850101AB1', 'municipio', 'X', 'X', 'x@example.mx', 'active')`;
    // 12,000 rows = three 5,000-row windows: every other row a "sin movimiento" of a registered
    // person (the statement in PostgreSQL), the rest altas of new people (the keyed path).
    const registered = Array.from({ length: 6000 }, (_, i) => curpNo(i, 'MC'));
    const newcomers = Array.from({ length: 6000 }, (_, i) => curpNo(6000 + i, 'MC'));
    await registry.applyMovements(registered.map((curp, i) => alta(curp, `lanes:alta:${i}`, { institutionClave: clave, fechaMovimiento: '2026-01-01' })));
    const [submission] = (await sql`insert into payroll_submissions (institution_clave, period, workflow_id, stage)
                                   values (${clave}, '202623', 'payroll/20513/202623', 'validated') returning id`) as unknown as { id: string }[];
    const [file] = (await sql`insert into payroll_files (submission_id, version, kind, storage_key, sha256, size_bytes, original_name, uploaded_by, status)
                              values (${submission!.id}, 1, 'full', 'payroll/lanes', ${randomUUID()}, 100, 'nomina.csv', 'test', 'validated') returning id`) as unknown as { id: string }[];
    const fileId = file!.id;
    const rowNumbers = registered.flatMap((_, i) => [2 * i + 1, 2 * i + 2]);
    await sql`insert into payroll_rows (file_id, row_number, curp, primer_apellido, nombres, movimiento, fecha_movimiento, sueldo_cotizable, rejected)
              select ${fileId}, n, curp, 'PEREZ', 'ANA', mov, fecha::date, '10000.00', false
                from unnest(${sql.array(rowNumbers)}::int[], ${sql.array(registered.flatMap((c, i) => [c, newcomers[i]!]))}::text[],
                            ${sql.array(rowNumbers.map((n) => (n % 2 === 1 ? 'N' : 'A')))}::text[],
                            ${sql.array(rowNumbers.map((n) => (n % 2 === 1 ? '' : '2026-12-01')))}::text[]) as x(n, curp, mov, fecha_text)
                cross join lateral (select nullif(fecha_text, '') as fecha) f`;

    const state = async () => {
      const [counts] = (await sql`
        select (select count(*)::int from people where curp = any(${sql.array(newcomers)}::text[])) as newcomers,
               (select count(distinct clave_issemym)::int from people where curp = any(${sql.array(newcomers)}::text[])) as claves,
               (select count(*)::int from salary_history where period = '202623' and source_ref like ${`payroll:${fileId}:%`}) as salaries,
               (select count(distinct source_ref)::int from salary_history where period = '202623' and source_ref like ${`payroll:${fileId}:%`}) as salary_rows,
               (select count(*)::int from movement_applications where key like ${`payroll:${fileId}:%`}) as keyed,
               (select count(*)::int from payroll_rows where file_id = ${fileId} and person_id is null) as unresolved,
               (select status from payroll_files where id = ${fileId}) as status`) as unknown as Record<string, unknown>[];
      return counts;
    };
    const activities = createActivities(createActivityDeps(world.config, world.database));
    const first = await activities.applyAcceptedMovements({ fileId });
    const after = await state();
    expect(first.movementsApplied).toBe(12_000);
    expect(after).toEqual({ newcomers: 6000, claves: 6000, salaries: 12_000, salary_rows: 12_000, keyed: 6000, unresolved: 0, status: 'accepted' });
    await activities.applyAcceptedMovements({ fileId });
    expect(await state()).toEqual(after);
  });

  it('skips a system clave taken by an imported legacy clave and assigns the next one', async () => {
    const last = await count(sql`select last_value::int as n from clave_issemym_seq`);
    const taken = [claveFromSequence(last + 1), claveFromSequence(last + 2)];
    const imported = await registry.importLegacyPeople(
      taken.map((clave, i) => ({
        curp: curpNo(i, 'VZ'),
        claveIssemym: clave,
        person: { firstSurname: 'LEGADO', secondSurname: null, givenNames: 'ANA', sex: 'H', birthDate: null, birthState: 'VZ', rfc: null },
      })),
    );
    expect(imported.imported).toBe(2);
    const [fresh] = await registry.applyMovements([alta(curpNo(7, 'QT'), 'legacy-collision:1')]);
    expect(fresh).toMatchObject({ status: 'applied', personCreated: true });
    expect(taken).not.toContain(fresh!.claveIssemym);
    expect(isValidClaveIssemym(fresh!.claveIssemym!)).toBe(true);
  });
});
