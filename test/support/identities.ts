import { curpCheckDigit } from '../../domain/identifiers/curp';
import type { Role } from '../../identity/principal';
import { createUser } from '../../identity/users';
import type { TestWorld } from './world';

let sequence = 0;
const LETTERS = 'BCDFGHJKLMNPQRSTVWXYZ';

/**
 * A structurally valid CURP with a correct check digit, unique within the test run. The
 * letters are synthetic; tests seed the same CURP into the RENAPO simulator when they need it.
 */
export function makeCurp(options: { sex?: 'H' | 'M'; birth?: string; state?: string } = {}): string {
  sequence += 1;
  const n = sequence + Math.floor(Math.random() * 1_000_000);
  const pick = (k: number) => LETTERS[Math.floor(n / 21 ** k) % 21]!;
  const birth = (options.birth ?? '1985-04-12').replace(/-/g, '').slice(2);
  const first17 = `${pick(0)}A${pick(1)}${pick(2)}${birth}${options.sex ?? 'H'}${options.state ?? 'MC'}${pick(3)}${pick(4)}${pick(0)}0`;
  return first17 + curpCheckDigit(first17);
}

/** Five-digit institution clave unique within the run. */
export function makeInstitutionClave(): string {
  return String(10000 + Math.floor(Math.random() * 89999)).padStart(5, '0');
}

export async function loginAs(
  world: TestWorld,
  role: Role,
  options: { institutionClave?: string; username?: string } = {},
): Promise<{ token: string; headers: { authorization: string }; username: string }> {
  const username = options.username ?? `${role}-${Math.random().toString(36).slice(2, 10)}`;
  const password = 'una-contraseña-larga-de-prueba';
  await createUser(world.database.db, { username, password, role, institutionClave: options.institutionClave ?? null });
  const res = await world.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const token = res.json().accessToken as string;
  return { token, headers: { authorization: `Bearer ${token}` }, username };
}

export async function seedRenapo(renapoUrl: string, curp: string, record: { estatusCURP: string; curpNueva?: string; nombres?: string; apellido1?: string; apellido2?: string; sexo?: string; fechNac?: string }) {
  const res = await fetch(`${renapoUrl}/registry/${curp}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      nombres: record.nombres ?? 'JUAN',
      apellido1: record.apellido1 ?? 'PEREZ',
      apellido2: record.apellido2 ?? 'LOPEZ',
      sexo: record.sexo ?? curp[10],
      fechNac: record.fechNac ?? `19${curp.slice(4, 6)}-${curp.slice(6, 8)}-${curp.slice(8, 10)}`,
      cveEntidadNac: curp.slice(11, 13),
      estatusCURP: record.estatusCURP,
      ...(record.curpNueva ? { curpNueva: record.curpNueva } : {}),
    }),
  });
  if (!res.ok) throw new Error(`RENAPO seed failed: ${res.status} ${await res.text()}`);
}
