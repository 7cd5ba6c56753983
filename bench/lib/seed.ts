/**
 * Puts a scenario's world in place before it is measured: the institutions (active), their
 * payroll files on disk (layout v1 CSV, UTF-8, streamed), the people already in the registry
 * with their plazas (as the legacy import leaves them: COPY into people, curp_history and
 * employments), every person in the RENAPO simulator (bulk endpoint) and, for a "warm" run, the
 * RENAPO answers of the previous quincena in renapo_checks (the cache the checks reuse) and the
 * individual SCI credits its dispersion wrote (the subsidiary ledger's rows for the previous
 * period, at the default administrator, so its indexes are the size a steady state has; the
 * bench database only: no journal entry stands behind them): the steady state of a quincena that
 * follows another. A cold run is the first quincena after the legacy import.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Sql } from '../../db/client';
import { PAYROLL_COLUMNS } from '../../domain/payroll/layout';
import { previousPeriod } from '../../domain/periods';
import { DEFAULT_ADMINISTRATOR } from '../../ledger/accounts';
import { RENAPO_STATUS_DESCRIPTIONS } from '../../integrations/renapo';
import { createRenapoSimulatorClient } from '../../integrations/simulator-control';
import { copyRows } from '../../payroll/copy';
import { csvRecord } from '../../synthetic/payroll-files';
import { ENDED_ON, institutionRows, PLAZA_SINCE, type InstitutionPlan, type PersonSeed } from './population';

export type RenapoMode = 'warm' | 'cold';

export interface SeededInstitution extends InstitutionPlan {
  file: string;
  bytes: number;
  rows: number;
}

const OTHER_NAME = (n: string) => (n === 'ANA' ? 'ROSA' : 'ANA');

/** Seeds the institutions of a scenario and writes their files into `dir`. */
export async function seedScenario(options: {
  sql: Sql;
  renapoUrl: string;
  institutions: InstitutionPlan[];
  period: string;
  seed: number;
  dir: string;
  renapo: RenapoMode;
  log?: (message: string) => void;
}): Promise<SeededInstitution[]> {
  const { sql } = options;
  // Claves of new people come from the sequence: keep it above every seeded (index-based) clave.
  await sql`select setval('clave_issemym_seq', greatest((select last_value from clave_issemym_seq), 2000000))`;
  const instRows = options.institutions.map((i) => [i.clave, i.name, 'MTO850101AB1', i.kind, 'XEXX010101HNEXXXA4', 'Enlace de nómina', `nomina${i.clave}@example.mx`, 'active']);
  await copyRows(sql, 'institutions', ['clave', 'name', 'rfc', 'kind', 'contact_curp', 'contact_name', 'contact_email', 'status'], instRows);

  const renapo = createRenapoSimulatorClient({ baseUrl: options.renapoUrl, timeoutMs: 300_000 });
  let people: (string | null | boolean)[][] = [];
  let history: (string | null)[][] = [];
  let plazas: (string | null)[][] = [];
  let checks: (string | boolean | null)[][] = [];
  let credits: string[][] = [];
  const previousCreditsEntry = randomUUID();
  let renapoRecords: Parameters<typeof renapo.seedBulk>[0] = [];
  let seededPeople = 0;
  const flush = async (force: boolean) => {
    if (people.length >= 20_000 || (force && people.length > 0)) {
      const [p, h, e, c, a] = [people, history, plazas, checks, credits];
      credits = [];
      people = [];
      history = [];
      plazas = [];
      checks = [];
      await sql.begin(async (tx) => {
        await copyRows(tx, 'people', ['id', 'curp', 'clave_issemym', 'clave_legacy', 'first_surname', 'second_surname', 'given_names', 'sex', 'birth_date', 'birth_state', 'rfc'], p);
        await copyRows(tx, 'curp_history', ['curp', 'person_id', 'reason'], h);
        await copyRows(tx, 'employments', ['id', 'person_id', 'institution_clave', 'start_date', 'end_date', 'puesto', 'opened_by', 'opened_by_ref', 'closed_by_ref'], e);
        if (c.length > 0) await copyRows(tx, 'renapo_checks', ['curp', 'found', 'status', 'new_curp', 'record', 'raw'], c);
        if (a.length > 0) await copyRows(tx, 'individual_account_credits', ['institution_clave', 'period', 'person_id', 'administrator', 'entry_id', 'cuota', 'aportacion'], a);
      });
    }
    if (renapoRecords.length >= 50_000 || (force && renapoRecords.length > 0)) {
      const batch = renapoRecords;
      renapoRecords = [];
      await renapo.seedBulk(batch);
    }
  };

  const addPerson = (p: PersonSeed, clave: string) => {
    if (p.renapo !== 'unknown') {
      const nombres = p.renapo === 'other-names' ? OTHER_NAME(p.nombres) : p.nombres;
      renapoRecords.push({
        curp: p.curp,
        nombres,
        apellido1: p.primerApellido,
        ...(p.segundoApellido ? { apellido2: p.segundoApellido } : {}),
        sexo: p.sex,
        fechNac: p.birthDate,
        cveEntidadNac: p.stateCode,
        estatusCURP: 'AN',
      });
      if (options.renapo === 'warm' && p.registry !== 'none') {
        // What the adapter stored when RENAPO confirmed the person in the previous quincena.
        const [y, m, d] = p.birthDate.split('-');
        const raw = {
          statusOper: 'EXITOSO', message: 'La consulta fue exitosa', curp: p.curp, nombres, apellido1: p.primerApellido, apellido2: p.segundoApellido,
          sexo: p.sex, fechNac: `${d}/${m}/${y}`, nacionalidad: 'MEX', cveEntidadNac: p.stateCode, desEntidadNac: '', estatusCURP: 'AN', desEstatusCURP: RENAPO_STATUS_DESCRIPTIONS.AN, docProbatorio: 1,
        };
        const record = {
          curp: p.curp, givenNames: nombres, firstSurname: p.primerApellido, secondSurname: p.segundoApellido || null, sex: p.sex, birthDate: p.birthDate,
          stateCode: p.stateCode, nationality: 'MEX', status: 'AN', statusDescription: RENAPO_STATUS_DESCRIPTIONS.AN, active: true, probatoryDocument: '1',
        };
        checks.push([p.curp, true, 'AN', null, JSON.stringify(record), JSON.stringify(raw)]);
      }
    }
    if (p.registry === 'none') return;
    const id = randomUUID();
    seededPeople++;
    people.push([id, p.curp, p.clave, true, p.primerApellido, p.segundoApellido || null, p.nombres, p.sex, p.birthDate, p.stateCode, p.rfc]);
    history.push([p.curp, id, 'legacy-import']);
    if (options.renapo === 'warm') credits.push([clave, previousPeriod(options.period), id, DEFAULT_ADMINISTRATOR, previousCreditsEntry, '100.00', '110.00']);
    plazas.push([randomUUID(), id, clave, PLAZA_SINCE, p.registry === 'ended' ? ENDED_ON : null, 'PLAZA', 'A', `bench-seed:${p.index}`, p.registry === 'ended' ? `bench-seed-end:${p.index}` : null]);
  };

  const out: SeededInstitution[] = [];
  for (const inst of options.institutions) {
    const file = `${options.dir}/nomina-${inst.clave}-${options.period}.csv`;
    const stream = createWriteStream(file);
    let text = csvRecord(PAYROLL_COLUMNS, { delimiter: ',' });
    let bytes = 0;
    let rows = 0;
    for (const row of institutionRows(inst, options.period, options.seed)) {
      text += csvRecord(PAYROLL_COLUMNS.map((c) => row.record[c]), { delimiter: ',' });
      rows++;
      if (row.person) addPerson(row.person, inst.clave);
      if (text.length > 256 * 1024) {
        const buf = Buffer.from(text, 'utf8');
        bytes += buf.length;
        if (!stream.write(buf)) await once(stream, 'drain');
        text = '';
        await flush(false);
      }
    }
    const buf = Buffer.from(text, 'utf8');
    bytes += buf.length;
    stream.end(buf);
    await once(stream, 'finish');
    await flush(false);
    out.push({ ...inst, file, bytes, rows });
  }
  await flush(true);
  // VACUUM as well as ANALYZE: registry tables loaded long ago have been vacuumed by autovacuum
  // (hint bits set, pages all-visible, so covering indexes are read without the heap); rows
  // COPYed a moment ago have neither, and the first statements to read them would pay for that.
  await sql`vacuum analyze`;
  options.log?.(`seeded ${options.institutions.length} institutions, ${seededPeople} people in the registry (${options.renapo} RENAPO cache)`);
  return out;
}
