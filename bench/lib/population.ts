/**
 * Seeded, deterministic population for the benchmarks: institutions with the State of Mexico's
 * skew (one body with over 100,000 people, a few large ones, many small municipalities), their
 * people and one quincenal payroll file per institution in layout v1.
 *
 * Every person has a global index; `personKeys` turns it into a CURP that is unique per index
 * (up to 1,460,000) and an RFC agreeing with it, so runs in one database never collide as long
 * as each scenario takes its own index range.
 *
 * Each row is one of:
 *  - N (93 %), B (2 %), M (2 %): a person already in the registry with an active plaza at the institution;
 *  - R (1 %): a person in the registry whose plaza at the institution ended in 2024;
 *  - A (2 %): a new person (not in the registry yet).
 * and about 0.5 % of rows carry a finding on purpose: E010 (CURP check digit), E012 (CURP unknown
 * to RENAPO), W061 (names differ from RENAPO's), E040 (amount with a thousands comma), E014
 * (the same CURP on two rows).
 */
import { addDays } from '../../domain/dates';
import { claveFromSequence } from '../../domain/identifiers/clave-issemym';
import type { PayrollColumn } from '../../domain/payroll/layout';
import { parsePeriod } from '../../domain/periods';
import { amount, GIVEN_NAMES, personKeys, POSITIONS, seededRandom, SURNAMES } from '../../synthetic/payroll-files';

export type PayrollRecord = Record<PayrollColumn, string>;

export interface InstitutionPlan {
  clave: string;
  name: string;
  kind: string;
  people: number;
  /** Global index of its first person. */
  firstIndex: number;
}

/** What the registry (people, plazas) and RENAPO should hold for one row's person. */
export interface PersonSeed {
  index: number;
  curp: string;
  rfc: string;
  clave: string;
  primerApellido: string;
  segundoApellido: string;
  nombres: string;
  sex: 'H' | 'M';
  birthDate: string;
  stateCode: string;
  /** Registry: `active` plaza, `ended` plaza (R rows), or `none` (new people, A rows). */
  registry: 'active' | 'ended' | 'none';
  /** RENAPO: registered with the same names, with other given names (W061), or unknown (E012). */
  renapo: 'same' | 'other-names' | 'unknown';
}

export interface GeneratedRow {
  record: PayrollRecord;
  /** The person to seed, or null when the row repeats the previous row's person (E014). */
  person: PersonSeed | null;
}

/** A person's seeded plaza starts here; R rows' plaza ended at ENDED_ON. */
export const PLAZA_SINCE = '2015-01-01';
export const ENDED_ON = '2024-12-31';

/**
 * ~`count` institutions holding ~`totalPeople` people: institution 0 has `largest` people (the
 * statewide body over 100k), 9 large ones, 90 medium municipalities/bodies and the rest small
 * municipalities and decentralised bodies (tens to a few hundred people). Sizes are drawn from a
 * seeded log-uniform distribution per tier, then scaled so the total is exact.
 */
export function planInstitutions(options: { seed: number; count: number; totalPeople: number; largest: number; firstIndex: number; firstClave: number }): InstitutionPlan[] {
  const random = seededRandom(options.seed);
  const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo)));
  const count = Math.max(1, options.count);
  const raw: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0) raw.push(options.largest);
    else if (i < 10) raw.push(logUniform(6_000, 30_000));
    else if (i < 100) raw.push(logUniform(400, 4_000));
    else raw.push(logUniform(15, 400));
  }
  const rest = raw.slice(1).reduce((a, b) => a + b, 0);
  const remaining = Math.max(0, options.totalPeople - Math.min(options.largest, options.totalPeople));
  const scale = rest > 0 ? remaining / rest : 0;
  const sizes = raw.map((v, i) => (i === 0 ? Math.min(options.largest, options.totalPeople) : Math.max(3, Math.round(v * scale))));
  // Exact total: adjust the largest of the rest.
  const diff = options.totalPeople - sizes.reduce((a, b) => a + b, 0);
  if (sizes.length > 1) sizes[1] = Math.max(3, sizes[1]! + diff);
  let index = options.firstIndex;
  return sizes.map((people, i) => {
    const plan: InstitutionPlan = {
      clave: String(options.firstClave + i).padStart(5, '0'),
      name: i === 0 ? 'Gobierno del Estado (sector central) — benchmark' : i < 10 ? `Organismo grande ${i} — benchmark` : `Municipio ${i} — benchmark`,
      kind: i === 0 ? 'gobierno-estatal' : i < 10 ? 'organismo' : 'municipio',
      people,
      firstIndex: index,
    };
    index += people;
    return plan;
  });
}

/** The institution's file rows for `period`, with the people behind them. Deterministic. */
export function* institutionRows(inst: InstitutionPlan, period: string, seed: number): Generator<GeneratedRow> {
  const info = parsePeriod(period);
  if (!info) throw new RangeError(`invalid period ${period}`);
  const random = seededRandom((seed ^ Number(inst.clave) * 2_654_435_761) >>> 0);
  const int = (n: number) => Math.floor(random() * n);
  let previous: GeneratedRow | null = null;
  for (let k = 0; k < inst.people; k++) {
    const index = inst.firstIndex + k;
    const f = random();
    // E014: the same CURP as the previous row (both rows are blocked).
    if (previous?.person && f < 0.0005) {
      const record: PayrollRecord = { ...previous.record, movimiento: 'N', fecha_movimiento: '', dias_cotizados: String(info.days) };
      previous = { record, person: null };
      yield previous;
      continue;
    }
    const primer = SURNAMES[int(SURNAMES.length)]!;
    const segundo = random() < 0.05 ? '' : SURNAMES[int(SURNAMES.length)]!;
    const nombres = GIVEN_NAMES[int(GIVEN_NAMES.length)]!;
    const keys = personKeys(primer, segundo, nombres, index, random);
    const r = random();
    let movimiento = r < 0.93 ? 'N' : r < 0.95 ? 'A' : r < 0.97 ? 'B' : r < 0.99 ? 'M' : 'R';
    let renapo: PersonSeed['renapo'] = 'same';
    let curp = keys.curp;
    let sueldoText: string | null = null;
    if (f >= 0.0005 && f < 0.0015) {
      // E010: a typo in the CURP's check digit.
      const last = curp.charAt(17);
      curp = curp.slice(0, 17) + (last === '9' ? '0' : String((Number(last) || 0) + 1));
    } else if (f < 0.0025) {
      renapo = 'unknown'; // E012 (a new person RENAPO does not know)
      movimiento = 'A';
    } else if (f < 0.0035) {
      renapo = 'other-names'; // W061
    } else if (f < 0.0045) {
      sueldoText = `${1 + int(40)},${String(int(1000)).padStart(3, '0')}.50`; // E040
    }
    const registry: PersonSeed['registry'] = movimiento === 'A' ? 'none' : movimiento === 'R' ? 'ended' : 'active';
    const clave = claveFromSequence(1 + index);
    const fecha = movimiento === 'N' ? '' : addDays(info.start, int(info.days));
    const dias = movimiento === 'N' || movimiento === 'M' ? info.days : 1 + int(info.days);
    const sueldoCents = movimiento === 'B' && random() < 0.3 ? 0 : 300_000 + int(5_000_000);
    const record: PayrollRecord = {
      curp,
      clave_issemym: movimiento === 'A' || random() < 0.1 ? '' : clave,
      rfc: keys.rfc,
      primer_apellido: primer,
      segundo_apellido: segundo,
      nombres,
      movimiento,
      fecha_movimiento: fecha,
      sueldo_cotizable: sueldoText ?? amount(sueldoCents),
      dias_cotizados: String(dias),
      puesto: POSITIONS[int(POSITIONS.length)]!,
      ret_prestamo_corto: random() < 0.2 ? amount(10_000 + int(200_000)) : '',
      ret_prestamo_hipotecario: random() < 0.05 ? amount(50_000 + int(500_000)) : '',
      ret_otros: random() < 0.1 ? amount(int(50_000)) : '',
      afore: '',
    };
    const person: PersonSeed = {
      index,
      curp: keys.curp,
      rfc: keys.rfc,
      clave,
      primerApellido: primer,
      segundoApellido: segundo,
      nombres,
      sex: keys.sex,
      birthDate: keys.birthDate,
      stateCode: keys.curp.slice(11, 13),
      registry,
      renapo,
    };
    previous = { record, person };
    yield previous;
  }
}
