/**
 * Shared pieces of the SHM routes: who the calling applicant is, the cédula's zod schemas,
 * signalling workflows after a committed decision, and small helpers.
 */
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client';
import { shmApplicants, shmPrivacyNotices, shmProfiles } from '../../../db/schema';
import { isValidIsoDate } from '../../../domain/dates';
import { CERT_ISSUERS, ENTES, SECTORS, STUDY_FIELDS, STUDY_STATUSES } from '../../../domain/shm/cedula';
import { PRIVACY_NOTICE_V1 } from '../../../domain/shm/privacy-notice';
import { ACADEMIC_LEVELS } from '../../../domain/shm/rubric';
import { AppError, forbidden } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';

export const isoDate = z.string().refine(isValidIsoDate, 'Fecha inválida: use el formato AAAA-MM-DD con una fecha real.');
const text = (max = 200) => z.string().trim().min(1, 'Campo obligatorio.').max(max);

export const studySchema = z.object({
  id: z.string().uuid().optional(),
  level: z.enum(ACADEMIC_LEVELS),
  institution: text(),
  programme: text(),
  field: z.enum(STUDY_FIELDS),
  status: z.enum(STUDY_STATUSES),
  cedulaProfesional: z.string().trim().regex(/^\d{7,8}$/, 'La cédula profesional tiene 7 u 8 dígitos.').nullish(),
  completedOn: isoDate.nullish(),
});

export const experienceSchema = z.object({
  id: z.string().uuid().optional(),
  employer: text(),
  sector: z.enum(SECTORS),
  cargo: text(),
  area: text(),
  from: isoDate,
  to: isoDate.nullable(),
  functions: z.string().trim().max(2000).nullish(),
  haciendaMunicipal: z.boolean(),
});

export const certificationSchema = z.object({
  id: z.string().uuid().optional(),
  issuer: z.enum(CERT_ISSUERS),
  standardCode: text(40),
  standardTitle: text(),
  level: z.number().int().min(1, 'El nivel de competencia va de 1 a 5.').max(5, 'El nivel de competencia va de 1 a 5.'),
  folio: text(60),
  issuedOn: isoDate,
  expiresOn: isoDate.nullable(),
  relevantToHacienda: z.boolean(),
});

export const courseSchema = z.object({
  id: z.string().uuid().optional(),
  name: text(),
  institution: text(),
  hours: z.number().int().min(1).max(2000),
  completedOn: isoDate,
});

export const personalSchema = z.object({
  rfc: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-ZÑ&]{4}\d{6}[A-Z\d]{3}$/, 'RFC inválido: una persona física tiene 13 caracteres (4 letras, fecha AAMMDD y homoclave).')
    .nullish(),
  phone: z.string().trim().regex(/^\+?[\d\s-]{10,16}$/, 'Teléfono inválido: capture 10 dígitos.').nullish(),
  municipalityOfResidence: z.string().trim().max(100).nullish(),
});

export const positionSchema = z.object({
  municipality: text(100),
  ente: z.enum(ENTES),
  area: text(100),
  cargo: text(),
  startDate: isoDate,
});

export const profileBody = z.object({
  personal: personalSchema.default({}),
  position: positionSchema.nullable().default(null),
  studies: z.array(studySchema).max(20).default([]),
  experience: z.array(experienceSchema).max(30).default([]),
  certifications: z.array(certificationSchema).max(20).default([]),
  courses: z.array(courseSchema).max(50).default([]),
});
export type ProfileBody = z.infer<typeof profileBody>;

export const SECTIONS = [
  ['studies', 'study'],
  ['experience', 'experience'],
  ['certifications', 'certification'],
  ['courses', 'course'],
] as const;

export type ApplicantRow = typeof shmApplicants.$inferSelect;
export type ProfileRow = typeof shmProfiles.$inferSelect;

/** The calling applicant and their profile (an applicant only ever touches their own). */
export async function currentApplicant(db: Db, request: FastifyRequest): Promise<{ applicant: ApplicantRow; profile: ProfileRow }> {
  const principal = requirePrincipal(request);
  if (principal.role !== 'applicant' || principal.kind !== 'user') throw forbidden('Solo una persona aspirante registrada puede usar esta operación.');
  const [row] = await db
    .select({ applicant: shmApplicants, profile: shmProfiles })
    .from(shmApplicants)
    .innerJoin(shmProfiles, eq(shmProfiles.applicantId, shmApplicants.id))
    .where(eq(shmApplicants.userId, principal.id));
  if (!row) throw new AppError(404, 'APPLICANT_NOT_FOUND', 'Su usuario no tiene una cuenta de aspirante del Servicio Hacendario Municipal; regístrese en POST /v1/shm/applicants.');
  return row;
}

/** Makes sure the current privacy notice exists (idempotent; new versions are published by an admin). */
export async function ensurePrivacyNotice(db: Db): Promise<void> {
  await db
    .insert(shmPrivacyNotices)
    .values({ version: PRIVACY_NOTICE_V1.version, simplifiedText: PRIVACY_NOTICE_V1.simplified, integralText: PRIVACY_NOTICE_V1.integral, isCurrent: true })
    .onConflictDoNothing();
}

export async function currentPrivacyNotice(db: Db): Promise<typeof shmPrivacyNotices.$inferSelect> {
  let [row] = await db.select().from(shmPrivacyNotices).where(eq(shmPrivacyNotices.isCurrent, true));
  if (!row) {
    await ensurePrivacyNotice(db);
    [row] = await db.select().from(shmPrivacyNotices).where(eq(shmPrivacyNotices.isCurrent, true));
  }
  return row!;
}

/**
 * Signals a workflow after the decision is committed. PostgreSQL is the source of truth: if
 * the signal cannot be delivered the workflow still sees the change on its next periodic look.
 */
export async function signalSafely(temporal: Client, log: FastifyBaseLogger, workflowId: string, send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>): Promise<void> {
  try {
    await send(temporal.workflow.getHandle(workflowId));
  } catch (err) {
    log.warn({ workflowId, err: (err as Error).message }, 'could not signal workflow; it will re-read the queue on its next poll');
  }
}

/** Runs `fn` with a deadline; null when it does not finish in time. */
export async function withTimeout<T>(fn: () => Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function contentDisposition(filename: string): string {
  const ascii = filename.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || 'documento';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
