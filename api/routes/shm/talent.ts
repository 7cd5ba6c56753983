/**
 * Talent bank and job board. Recruiters see only opted-in, unblocked, scored profiles, and of
 * them only what the privacy notice allows (no CURP, RFC, contact data or documents); every
 * profile shown to a recruiter is audited. Applying to a vacancy also requires the opt-in.
 */
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { effectiveDecisions } from '../../../activities/shm';
import type { Db } from '../../../db/client';
import { shmApplicants, shmApplications, shmProfiles, shmRegistrationItems, shmRegistrations, shmReviewTasks, shmScores, shmVacancies } from '../../../db/schema';
import type { CertificationData, PositionData } from '../../../domain/shm/cedula';
import { virtualNow } from '../../../domain/shm/clock';
import { mexicoDateOf } from '../../../domain/dates';
import { checkEligibility, isVisibleToRecruiters, matchesFilter, matchesPositionAndStars, rankApplicants, type TalentCandidate, type TalentFilter } from '../../../domain/shm/talent';
import { readShmSlaSettings } from '../../../activities/shm';
import type { AppDeps } from '../../app';
import { auditPersonalDataAccess, auditPersonalDataAccesses } from '../../audit';
import { conflict, forbidden, notFound, unprocessable } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { currentApplicant, isoDate } from './common';

const tags = ['shm-talent'];

export interface Candidate extends TalentCandidate {
  applicantId: string;
  name: string;
  ente: string | null;
  cargo: string | null;
  highestAcademic: string | null;
  experienceYears: number;
  rubricVersion: string;
}

const talentView = z.object({
  profileId: z.string(),
  name: z.string(),
  municipality: z.string().nullable(),
  ente: z.string().nullable(),
  area: z.string().nullable(),
  cargo: z.string().nullable(),
  stars: z.number(),
  total: z.string(),
  rubricVersion: z.string(),
  highestAcademic: z.string().nullable(),
  experienceYears: z.number(),
  certifications: z.array(z.object({ standardCode: z.string(), standardTitle: z.string(), level: z.number(), expiresOn: z.string().nullable() })),
});

const toTalentView = (c: Candidate): z.infer<typeof talentView> => ({
  profileId: c.profileId,
  name: c.name,
  municipality: c.municipality,
  ente: c.ente,
  area: c.area,
  cargo: c.cargo,
  stars: c.stars!,
  total: c.total!,
  rubricVersion: c.rubricVersion,
  highestAcademic: c.highestAcademic,
  experienceYears: c.experienceYears,
  certifications: c.certifications.map((x) => ({ standardCode: x.standardCode, standardTitle: x.standardTitle, level: x.level, expiresOn: x.expiresOn })),
});

function groupBy<T, K>(list: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Candidates with their latest score and reviewed position/certifications. With `onlyVisible`
 * the query itself keeps only opted-in, active, unblocked applicants.
 */
export async function loadCandidates(
  db: Db,
  options: { profileIds?: string[]; onlyVisible: boolean; prefilter?: Pick<TalentFilter, 'municipality' | 'area' | 'minStars'> },
): Promise<Candidate[]> {
  const conditions = [eq(shmApplicants.status, 'active')];
  if (options.onlyVisible) conditions.push(eq(shmApplicants.talentBankOptIn, true), isNull(shmApplicants.blockedAt));
  if (options.profileIds) {
    if (options.profileIds.length === 0) return [];
    conditions.push(inArray(shmProfiles.id, options.profileIds));
  }
  // Only the columns a talent card needs: every search reads every visible profile, so whole rows
  // (cédula snapshots, score breakdowns, every review task) made each search parse megabytes.
  const rows = await db
    .select({
      applicant: {
        id: shmApplicants.id,
        talentBankOptIn: shmApplicants.talentBankOptIn,
        blockedAt: shmApplicants.blockedAt,
        givenNames: shmApplicants.givenNames,
        firstSurname: shmApplicants.firstSurname,
        secondSurname: shmApplicants.secondSurname,
      },
      profile: { id: shmProfiles.id },
    })
    .from(shmApplicants)
    .innerJoin(shmProfiles, eq(shmProfiles.applicantId, shmApplicants.id))
    .where(and(...conditions));
  if (rows.length === 0) return [];
  const profileIds = rows.map((r) => r.profile.id);
  const scores = await db
    .selectDistinctOn([shmScores.profileId], {
      profileId: shmScores.profileId,
      registrationId: shmScores.registrationId,
      stars: shmScores.stars,
      total: shmScores.total,
      rubricVersion: shmScores.rubricVersion,
      highestAcademic: sql<string | null>`${shmScores.input}->>'highestAcademic'`,
      experienceYears: sql<number | null>`(${shmScores.input}->>'experienceYears')::float8`,
    })
    .from(shmScores)
    .where(inArray(shmScores.profileId, profileIds))
    .orderBy(shmScores.profileId, desc(shmScores.computedAt));
  const scoredRegIds = scores.map((s) => s.registrationId);
  const regs = scoredRegIds.length
    ? await db.select({ id: shmRegistrations.id, position: sql<PositionData | null>`${shmRegistrations.snapshot}->'position'` }).from(shmRegistrations).where(inArray(shmRegistrations.id, scoredRegIds))
    : [];
  const regById = new Map(regs.map((r) => [r.id, r]));
  // A search drops the profiles its position and stars filters exclude before loading their
  // certifications (the caller still applies the whole filter).
  const prefilter = options.prefilter;
  const keptScores = prefilter
    ? scores.filter((s) => matchesPositionAndStars({ stars: s.stars, municipality: regById.get(s.registrationId)?.position?.municipality ?? null, area: regById.get(s.registrationId)?.position?.area ?? null }, prefilter))
    : scores;
  const regIds = keptScores.map((s) => s.registrationId);
  const items = regIds.length
    ? await db
        .select({ registrationId: shmRegistrationItems.registrationId, itemId: shmRegistrationItems.itemId, data: shmRegistrationItems.data })
        .from(shmRegistrationItems)
        .where(and(inArray(shmRegistrationItems.registrationId, regIds), eq(shmRegistrationItems.kind, 'certification')))
    : [];
  // Review decisions matter here only for certifications (the card lists the approved ones).
  const tasks = regIds.length
    ? await db
        .select({
          registrationId: shmReviewTasks.registrationId,
          itemId: shmReviewTasks.itemId,
          documentId: shmReviewTasks.documentId,
          round: shmReviewTasks.round,
          status: shmReviewTasks.status,
          decidedBy: shmReviewTasks.decidedBy,
        })
        .from(shmReviewTasks)
        .where(and(inArray(shmReviewTasks.registrationId, regIds), eq(shmReviewTasks.itemKind, 'certification')))
    : [];
  // Indexed once: a search looks at every visible profile, so per-profile scans would be quadratic.
  const scoreByProfile = new Map(keptScores.map((s) => [s.profileId, s]));
  const tasksByReg = groupBy(tasks, (t) => t.registrationId);
  const certItemsByReg = groupBy(items, (i) => i.registrationId);
  return (prefilter ? rows.filter((r) => scoreByProfile.has(r.profile.id)) : rows).map(({ applicant, profile }) => {
    const score = scoreByProfile.get(profile.id);
    const reg = score ? regById.get(score.registrationId) : undefined;
    const position = reg?.position ?? null;
    const regTasks = score ? (tasksByReg.get(score.registrationId) ?? []) : [];
    const decisions = effectiveDecisions(regTasks);
    const approvedItems = new Set(regTasks.filter((t) => decisions.get(t.documentId)?.status === 'approved').map((t) => t.itemId));
    const certs = score ? (certItemsByReg.get(score.registrationId) ?? []).filter((i) => approvedItems.has(i.itemId)).map((i) => i.data as CertificationData) : [];
    return {
      profileId: profile.id,
      applicantId: applicant.id,
      talentBankOptIn: applicant.talentBankOptIn,
      blocked: applicant.blockedAt !== null,
      stars: score?.stars ?? null,
      total: score?.total ?? null,
      rubricVersion: score?.rubricVersion ?? '',
      municipality: position?.municipality ?? null,
      ente: position?.ente ?? null,
      area: position?.area ?? null,
      cargo: position?.cargo ?? null,
      name: [applicant.givenNames, applicant.firstSurname, applicant.secondSurname].filter(Boolean).join(' '),
      highestAcademic: score?.highestAcademic ?? null,
      experienceYears: score?.experienceYears ?? 0,
      certifications: certs.map((c) => ({ standardCode: c.standardCode, standardTitle: c.standardTitle, level: c.level, expiresOn: c.expiresOn })),
    };
  });
}

const vacancyView = z.object({
  id: z.string(),
  title: z.string(),
  municipality: z.string(),
  area: z.string().nullable(),
  description: z.string(),
  requirements: z.object({ minStars: z.number(), certification: z.string().nullable(), area: z.string().nullable() }),
  status: z.string(),
  closesOn: z.string().nullable(),
  createdAt: z.string(),
});
type VacancyRow = typeof shmVacancies.$inferSelect;
const toVacancyView = (v: VacancyRow): z.infer<typeof vacancyView> => ({
  id: v.id,
  title: v.title,
  municipality: v.municipality,
  area: v.area,
  description: v.description,
  requirements: { minStars: v.minStars, certification: v.certification, area: v.area },
  status: v.status,
  closesOn: v.closesOn,
  createdAt: v.createdAt.toISOString(),
});

export const shmTalentRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.database;
  const today = async () => mexicoDateOf(virtualNow((await readShmSlaSettings(db)).clock, Date.now()));

  app.get(
    '/v1/shm/talent',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: {
        tags,
        summary: 'Search the talent bank (opted-in, scored profiles only) by municipality, area, stars and certification',
        querystring: z.object({
          municipality: z.string().trim().min(1).max(100).optional(),
          area: z.string().trim().min(1).max(100).optional(),
          minStars: z.coerce.number().int().min(1).max(5).optional(),
          certification: z.string().trim().min(1).max(100).optional(),
          currentOnly: z.enum(['true', 'false']).default('true'),
        }),
        response: { 200: z.object({ items: z.array(talentView) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const asOf = await today();
      const candidates = (await loadCandidates(db, { onlyVisible: true, prefilter: { municipality: q.municipality, area: q.area, minStars: q.minStars } }))
        .filter((c) => matchesFilter(c, { ...q, currentOnly: q.currentOnly === 'true' }, asOf))
        .sort((a, b) => (b.stars ?? 0) - (a.stars ?? 0) || Number(b.total) - Number(a.total))
        .slice(0, 100);
      await auditPersonalDataAccesses(
        db,
        request,
        candidates.map((c) => ({ action: 'read', subjectType: 'shm-talent-profile', subjectId: c.profileId, purpose: 'búsqueda en la bolsa de talento' })),
      );
      return { items: candidates.map(toTalentView) };
    },
  );

  app.get(
    '/v1/shm/talent/:profileId',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: { tags, summary: 'One talent-bank profile (only if the applicant opted in)', params: z.object({ profileId: z.string().uuid() }), response: { 200: talentView, ...errorResponses } },
    },
    async (request) => {
      const [c] = await loadCandidates(db, { profileIds: [request.params.profileId], onlyVisible: true });
      if (!c || !isVisibleToRecruiters(c)) {
        await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'shm-talent-profile', subjectId: request.params.profileId, purpose: 'consulta en la bolsa de talento', outcome: 'denied' });
        throw notFound('El perfil');
      }
      await auditPersonalDataAccess(db, request, { action: 'read', subjectType: 'shm-talent-profile', subjectId: c.profileId, purpose: 'consulta en la bolsa de talento' });
      return toTalentView(c);
    },
  );

  app.post(
    '/v1/shm/vacancies',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: {
        tags,
        summary: 'Publish a vacancy with its requirements (minimum stars, certification, area)',
        body: z.object({
          title: z.string().trim().min(3).max(200),
          municipality: z.string().trim().min(2).max(100),
          description: z.string().trim().min(10).max(5000),
          requirements: z.object({
            minStars: z.number().int().min(1).max(5).default(1),
            certification: z.string().trim().min(1).max(100).nullish(),
            area: z.string().trim().min(1).max(100).nullish(),
          }),
          closesOn: isoDate.nullish(),
        }),
        response: { 201: vacancyView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const b = request.body;
      const [row] = await db
        .insert(shmVacancies)
        .values({
          recruiterUserId: p.id,
          title: b.title,
          municipality: b.municipality,
          description: b.description,
          area: b.requirements.area ?? null,
          minStars: b.requirements.minStars,
          certification: b.requirements.certification ?? null,
          closesOn: b.closesOn ?? null,
        })
        .returning();
      return reply.status(201).send(toVacancyView(row!));
    },
  );

  app.get(
    '/v1/shm/vacancies',
    {
      config: { access: { roles: ['applicant', 'recruiter', 'supervisor', 'admin'] } },
      schema: {
        tags,
        summary: 'The job board: open vacancies (recruiters: mine=true for their own, any status)',
        querystring: z.object({ mine: z.enum(['true', 'false']).default('false'), municipality: z.string().trim().min(1).max(100).optional() }),
        response: { 200: z.object({ items: z.array(vacancyView) }), ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const mine = request.query.mine === 'true' && p.role === 'recruiter';
      const rows = await db
        .select()
        .from(shmVacancies)
        .where(mine ? eq(shmVacancies.recruiterUserId, p.id) : eq(shmVacancies.status, 'open'))
        .orderBy(desc(shmVacancies.createdAt))
        .limit(200);
      const m = request.query.municipality?.toLowerCase();
      return { items: rows.filter((v) => !m || v.municipality.toLowerCase() === m).map(toVacancyView) };
    },
  );

  const vacancyParams = z.object({ id: z.string().uuid() });
  async function ownVacancy(id: string, userId: string): Promise<VacancyRow> {
    const [v] = await db.select().from(shmVacancies).where(eq(shmVacancies.id, id));
    if (!v) throw notFound('La vacante');
    if (v.recruiterUserId !== userId) throw forbidden('Solo quien publicó la vacante puede ver y gestionar sus postulaciones.');
    return v;
  }

  app.post(
    '/v1/shm/vacancies/:id/close',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: { tags, summary: 'Close my vacancy', params: vacancyParams, response: { 200: vacancyView, ...errorResponses } },
    },
    async (request) => {
      await ownVacancy(request.params.id, requirePrincipal(request).id);
      const [row] = await db.update(shmVacancies).set({ status: 'closed' }).where(eq(shmVacancies.id, request.params.id)).returning();
      return toVacancyView(row!);
    },
  );

  app.post(
    '/v1/shm/vacancies/:id/applications',
    {
      config: { access: { roles: ['applicant'] } },
      schema: {
        tags,
        summary: 'Apply to a vacancy (requires the talent-bank opt-in and meeting the minimum stars and certification)',
        params: vacancyParams,
        response: { 201: z.object({ applicationId: z.string(), vacancyId: z.string(), status: z.string(), areaMatch: z.boolean() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { applicant, profile } = await currentApplicant(db, request);
      const [v] = await db.select().from(shmVacancies).where(eq(shmVacancies.id, request.params.id));
      if (!v || v.status !== 'open') throw notFound('La vacante');
      const asOf = await today();
      if (v.closesOn && v.closesOn < asOf) throw conflict('VACANCY_CLOSED', `La vacante cerró el ${v.closesOn}.`);
      if (!applicant.talentBankOptIn || applicant.blockedAt) {
        throw unprocessable(
          'TALENT_BANK_OPT_IN_REQUIRED',
          'Para postularse debe autorizar que su perfil se comparta con los municipios reclutadores (PUT /v1/shm/consents/talent-bank con optIn: true).',
        );
      }
      const [c] = await loadCandidates(db, { profileIds: [profile.id], onlyVisible: true });
      const eligibility = c ? checkEligibility(c, { minStars: v.minStars, certification: v.certification, area: v.area }, asOf) : { ok: false as const, message: 'Su perfil aún no tiene calificación.' };
      if (!eligibility.ok) throw unprocessable('REQUIREMENTS_NOT_MET', eligibility.message);
      const [row] = await db
        .insert(shmApplications)
        .values({ vacancyId: v.id, applicantId: applicant.id, profileId: profile.id, areaMatch: eligibility.areaMatch })
        .onConflictDoNothing()
        .returning();
      if (!row) throw conflict('ALREADY_APPLIED', 'Ya se postuló a esta vacante; consulte su estado en GET /v1/shm/applications.');
      return reply.status(201).send({ applicationId: row.id, vacancyId: v.id, status: row.status, areaMatch: row.areaMatch });
    },
  );

  const applicationView = talentView.extend({ applicationId: z.string(), status: z.string(), areaMatch: z.boolean(), appliedAt: z.string(), rank: z.number() });

  app.get(
    '/v1/shm/vacancies/:id/applications',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: {
        tags,
        summary: 'Ranked applicants of my vacancy (area match, stars, total); only applicants who keep the opt-in',
        params: vacancyParams,
        response: { 200: z.object({ items: z.array(applicationView) }), ...errorResponses },
      },
    },
    async (request) => {
      await ownVacancy(request.params.id, requirePrincipal(request).id);
      const apps = await db.select().from(shmApplications).where(and(eq(shmApplications.vacancyId, request.params.id)));
      const candidates = await loadCandidates(db, { profileIds: apps.map((a) => a.profileId), onlyVisible: true });
      const candidateById = new Map(candidates.map((c) => [c.profileId, c]));
      const joined = apps.flatMap((a) => {
        const c = candidateById.get(a.profileId);
        if (!c || !isVisibleToRecruiters(c)) return [];
        return [{ a, c, areaMatch: a.areaMatch, stars: c.stars!, total: c.total!, appliedAt: a.appliedAt.getTime() }];
      });
      const ranked = rankApplicants(joined);
      await auditPersonalDataAccesses(
        db,
        request,
        ranked.map((r) => ({ action: 'read', subjectType: 'shm-talent-profile', subjectId: r.c.profileId, purpose: `postulación a la vacante ${request.params.id}` })),
      );
      return {
        items: ranked.map((r, i) => ({ ...toTalentView(r.c), applicationId: r.a.id, status: r.a.status, areaMatch: r.a.areaMatch, appliedAt: r.a.appliedAt.toISOString(), rank: i + 1 })),
      };
    },
  );

  app.patch(
    '/v1/shm/vacancies/:id/applications/:applicationId',
    {
      config: { access: { roles: ['recruiter'] } },
      schema: {
        tags,
        summary: 'Move an application along (reviewing, shortlisted, rejected, hired)',
        params: z.object({ id: z.string().uuid(), applicationId: z.string().uuid() }),
        body: z.object({ status: z.enum(['reviewing', 'shortlisted', 'rejected', 'hired']) }),
        response: { 200: z.object({ applicationId: z.string(), status: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      await ownVacancy(request.params.id, requirePrincipal(request).id);
      const [row] = await db
        .update(shmApplications)
        .set({ status: request.body.status, updatedAt: new Date() })
        .where(and(eq(shmApplications.id, request.params.applicationId), eq(shmApplications.vacancyId, request.params.id)))
        .returning();
      if (!row) throw notFound('La postulación');
      return { applicationId: row.id, status: row.status };
    },
  );

  app.get(
    '/v1/shm/applications',
    {
      config: { access: { roles: ['applicant'] } },
      schema: {
        tags,
        summary: 'My applications and their status',
        response: {
          200: z.object({ items: z.array(z.object({ applicationId: z.string(), vacancy: vacancyView, status: z.string(), appliedAt: z.string(), updatedAt: z.string() })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { applicant } = await currentApplicant(db, request);
      const rows = await db
        .select({ app: shmApplications, vacancy: shmVacancies })
        .from(shmApplications)
        .innerJoin(shmVacancies, eq(shmVacancies.id, shmApplications.vacancyId))
        .where(eq(shmApplications.applicantId, applicant.id))
        .orderBy(desc(shmApplications.appliedAt));
      return {
        items: rows.map((r) => ({ applicationId: r.app.id, vacancy: toVacancyView(r.vacancy), status: r.app.status, appliedAt: r.app.appliedAt.toISOString(), updatedAt: r.app.updatedAt.toISOString() })),
      };
    },
  );
};
