/**
 * The demo, run by `make demo` once the stack is up. It talks to the system only the way real
 * users do (HTTP API, simulators' control surface), except for creating the first users.
 */
import { createDatabase } from '../db/client';
import { curpCheckDigit } from '../domain/identifiers/curp';
import type { Role } from '../identity/principal';
import { runPrismaDemo } from './demo-prisma';
import { runShmDemo } from './demo-shm';
import { demoPassword } from './lib/dev-secrets';
import { ensureDemoUser } from './lib/demo-users';

export interface DemoContext {
  apiUrl: string;
  renapoUrl: string;
  bankSimUrl: string;
  databaseUrl: string;
  varDir: string;
}

interface DemoUser {
  username: string;
  role: Role;
  institutionClave?: string;
  password: string;
}

export const DEMO_INSTITUTIONS = [
  { clave: '20511', name: 'Secretaría de Finanzas del Gobierno del Estado de México', rfc: 'GEM850101C99', kind: 'dependencia' },
  { clave: '30104', name: 'H. Ayuntamiento de Toluca', rfc: 'MTO850101KA1', kind: 'municipio' },
  { clave: '30058', name: 'H. Ayuntamiento de Metepec', rfc: 'MME850101LS2', kind: 'municipio' },
  { clave: '40210', name: 'Organismo de Agua y Saneamiento de Toluca', rfc: 'OAS850101TT3', kind: 'organismo' },
] as const;

/** Deterministic synthetic CURP with a valid check digit (never a real person). */
export function demoCurp(index: number, sex: 'H' | 'M' = 'H'): string {
  const consonants = 'BCDFGHJKLMNPQRSTVWXYZ';
  const c = (k: number) => consonants[(index * 7 + k * 3) % consonants.length]!;
  const year = 60 + (index % 40);
  const month = String((index % 12) + 1).padStart(2, '0');
  const day = String((index % 28) + 1).padStart(2, '0');
  const first17 = `${c(0)}A${c(1)}${c(2)}${year}${month}${day}${sex}MC${c(3)}${c(4)}${c(5)}${index % 10}`;
  return first17 + curpCheckDigit(first17);
}

async function api<T>(ctx: DemoContext, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${ctx.apiUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function login(ctx: DemoContext, user: DemoUser): Promise<string> {
  const res = await api<{ accessToken: string }>(ctx, 'POST', '/v1/auth/login', undefined, { username: user.username, password: user.password });
  if (res.status !== 200) throw new Error(`demo login failed for ${user.username}: ${JSON.stringify(res.json)}`);
  return res.json.accessToken;
}

async function seedRenapo(ctx: DemoContext, curp: string, estatusCURP: string, nombres: string, apellido1: string, apellido2: string) {
  const res = await fetch(`${ctx.renapoUrl}/registry/${curp}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      nombres,
      apellido1,
      apellido2,
      sexo: curp[10],
      fechNac: `19${curp.slice(4, 6)}-${curp.slice(6, 8)}-${curp.slice(8, 10)}`,
      cveEntidadNac: curp.slice(11, 13),
      estatusCURP,
    }),
  });
  if (!res.ok) throw new Error(`RENAPO simulator refused the seed: ${res.status}`);
}

/** Creates (or resets the password of) the demo users; passwords live in var/dev-secrets.json. */
async function ensureDemoUsers(ctx: DemoContext): Promise<DemoUser[]> {
  const wanted: Omit<DemoUser, 'password'>[] = [
    { username: 'admin', role: 'admin' },
    { username: 'operador', role: 'operator' },
    ...DEMO_INSTITUTIONS.map((i) => ({ username: `nomina-${i.clave}`, role: 'institution' as const, institutionClave: i.clave })),
  ];
  const database = createDatabase(ctx.databaseUrl, { max: 1 });
  try {
    const result: DemoUser[] = [];
    for (const w of wanted) {
      const password = demoPassword(ctx.varDir, w.username);
      await ensureDemoUser(database.db, { ...w, password });
      result.push({ ...w, password });
    }
    return result;
  } finally {
    await database.close();
  }
}

async function waitForInstitution(ctx: DemoContext, token: string, clave: string): Promise<{ status: string; rejectionReason: string | null }> {
  for (let i = 0; i < 120; i++) {
    const res = await api<{ status: string; rejectionReason: string | null }>(ctx, 'GET', `/v1/institutions/${clave}`, token);
    if (res.status === 200 && res.json.status !== 'pending') return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`institution ${clave} did not finish registering`);
}

export async function runDemo(ctx: DemoContext): Promise<void> {
  console.log('\n== Demo: onboarding institutions (API → Temporal workflow → RENAPO simulator → PostgreSQL) ==');
  const demoUsers = await ensureDemoUsers(ctx);
  const operator = demoUsers.find((u) => u.role === 'operator')!;
  const token = await login(ctx, operator);

  for (const [index, inst] of DEMO_INSTITUTIONS.entries()) {
    const curp = demoCurp(index + 1, index % 2 ? 'M' : 'H');
    await seedRenapo(ctx, curp, 'AN', index % 2 ? 'MARIA' : 'JUAN', 'GARCIA', 'HERNANDEZ');
    const existing = await api<{ status: string }>(ctx, 'GET', `/v1/institutions/${inst.clave}`, token);
    if (existing.status === 200 && existing.json.status === 'active') {
      console.log(`  ${inst.clave} ${inst.name}: already active`);
      continue;
    }
    const res = await api<{ workflowId: string }>(ctx, 'POST', '/v1/institutions', token, {
      ...inst,
      contact: { curp, name: 'Enlace de nómina', email: `nomina${inst.clave}@example.gob.mx` },
    });
    if (res.status !== 202) throw new Error(`registering ${inst.clave} failed: ${JSON.stringify(res.json)}`);
    const done = await waitForInstitution(ctx, token, inst.clave);
    console.log(`  ${inst.clave} ${inst.name}: ${done.status} (workflow ${res.json.workflowId})`);
  }

  const institutionTokens: Record<string, string> = {};
  for (const u of demoUsers.filter((x) => x.role === 'institution')) institutionTokens[u.institutionClave!] = await login(ctx, u);
  await runPrismaDemo({ apiUrl: ctx.apiUrl, renapoUrl: ctx.renapoUrl, bankSimUrl: ctx.bankSimUrl, operatorToken: token, institutionTokens });
  await runShmDemo({ apiUrl: ctx.apiUrl, renapoUrl: ctx.renapoUrl, databaseUrl: ctx.databaseUrl, varDir: ctx.varDir });

  console.log('\nDemo logins (passwords are kept in var/dev-secrets.json):');
  for (const u of demoUsers) console.log(`  ${u.role.padEnd(12)} ${u.username.padEnd(16)} ${u.password}`);
}
