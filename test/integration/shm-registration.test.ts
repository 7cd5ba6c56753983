import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, shmDocuments } from '../../db/schema';
import { edomexCalendarForYears } from '../../domain/calendar/edomex-calendar';
import { mexicoDateOf, yearOf } from '../../domain/dates';
import { arcoDueOn, slaDeadlines } from '../../domain/shm/sla';
import { shmAppealWorkflowId, shmRegistrationWorkflowId } from '../../workflows/shm-registration';
import { makeCurp } from '../support/identities';
import { startTestWorld, type TestWorld } from '../support/world';
import {
  CERT_L3,
  LICENCIATURA,
  login,
  POSITION,
  pdfBytes,
  putProfile,
  registerApplicant,
  staff,
  tasksOf,
  uploadDocument,
  uploadOnePdfPerItem,
  waitFor,
  type Headers,
  type TaskView,
  type TestApplicant,
} from './shm-helpers';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
});
afterAll(async () => {
  await world?.stop();
});

/**
 * The cédula of the done-when test. Hand-computed rubric v1 (contracts §7), approved items only:
 * - experiencia: 1 Jan 2015 – 31 Dec 2021 in a municipal treasury = 7 years → 70 × 0.40 = 28.00
 *   (the current private-sector job does not count);
 * - académico: licenciatura en Contaduría (afín) → 70 × 0.35 = 24.50 (the maestría is rejected);
 * - certificación: one current relevant level-3 certification → 70 × 0.25 = 17.50 (the level-4
 *   CONOCER one is rejected).
 * Total 70.00 → 4 stars (60 ≤ 70 < 80).
 */
const CEDULA = {
  personal: { rfc: 'GALA850412AB1', phone: '7221234567', municipalityOfResidence: 'Toluca' },
  position: POSITION,
  studies: [LICENCIATURA, { level: 'maestria', institution: 'Colegio Mexiquense', programme: 'Maestría en Finanzas Públicas', field: 'finanzas', status: 'titulado' }],
  experience: [
    { employer: 'H. Ayuntamiento de Metepec', sector: 'municipal', cargo: 'Analista de ingresos', area: 'Ingresos', from: '2015-01-01', to: '2021-12-31', haciendaMunicipal: true },
    { employer: 'Despacho Contable SA', sector: 'privado', cargo: 'Contador', area: 'Contabilidad', from: '2022-01-01', to: null, haciendaMunicipal: false },
  ],
  certifications: [CERT_L3, { ...CERT_L3, issuer: 'CONOCER', standardCode: 'EC0301', standardTitle: 'Gestión de la hacienda pública municipal', level: 4, folio: 'CONOCER-99' }],
  courses: [{ name: 'Ley de Ingresos de los Municipios', institution: 'IHAEM', hours: 20, completedOn: '2024-05-10' }],
};

async function submit(headers: Headers) {
  const res = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
}

async function decideAll(reviewer: Headers, tasks: TaskView[], decide: (t: TaskView) => { decision: 'approve' | 'reject' | 'correction'; reason?: string }) {
  for (const t of tasks) {
    const claim = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${t.id}/claim`, headers: reviewer });
    expect(claim.statusCode, claim.body).toBe(200);
    const res = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${t.id}/decision`, headers: reviewer, payload: decide(t) });
    expect(res.statusCode, res.body).toBe(200);
  }
}

/** A minimal cédula driven to a score: one approved licenciatura afín and one certification → 42.00, 3 stars. */
async function scoredApplicant(optIn: boolean, reviewer: Headers): Promise<TestApplicant> {
  const a = await registerApplicant(world, { optIn });
  const profile = await putProfile(world, a.headers, { position: POSITION, studies: [LICENCIATURA], certifications: [CERT_L3] });
  await uploadOnePdfPerItem(world, a.headers, profile);
  const sub = await submit(a.headers);
  const tasks = await waitFor('tasks', () => tasksOf(world, reviewer, sub.registrationId), (t) => t.length === 2);
  await decideAll(reviewer, tasks, () => ({ decision: 'approve' }));
  await world.temporal.workflow.getHandle(sub.workflowId).result();
  return a;
}

describe('SHM registration driven through the API', () => {
  it('reviews every document, scores per rubric v1 and explains the stars; an appeal and a new version follow', async () => {
    const applicant = await registerApplicant(world, { optIn: true });
    const reviewer = await staff(world, 'reviewer');
    const secondReviewer = await staff(world, 'reviewer');

    const profile = await putProfile(world, applicant.headers, CEDULA);
    expect(profile.applicant).toMatchObject({ curp: applicant.curp, status: 'active', givenNames: 'ANA', talentBankOptIn: true });
    const docs = await uploadOnePdfPerItem(world, applicant.headers, profile);
    expect(docs.size).toBe(7);

    // Submission: the due dates come from the State of Mexico calendar table.
    const sub = await submit(applicant.headers);
    const today = mexicoDateOf(Date.now());
    const expected = slaDeadlines(edomexCalendarForYears([yearOf(today), yearOf(today) + 1]), today);
    expect(sub).toMatchObject({
      version: 1,
      workflowId: shmRegistrationWorkflowId(profile.profileId, 1),
      escalateOn: expected.escalateOn,
      breachOn: expected.breachOn,
      dueAt: new Date(expected.dueAt).toISOString(),
    });
    // One review task per document, in the Postgres queue, filterable by municipality.
    const tasks = await waitFor('review tasks', () => tasksOf(world, reviewer.headers, sub.registrationId, 'unassigned'), (t) => t.length === 7);
    // The applicant sees the status and the due date; a second submission while in review is refused.
    const inReview = await waitFor('in review', async () => (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json().registration, (r) => r.status === 'in_review');
    expect(inReview).toMatchObject({ stage: 'in-review', sla: { dueAt: sub.dueAt, escalateOn: expected.escalateOn, paused: false }, tasks: { total: 7, open: 7 } });
    const again = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: applicant.headers });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/está en revisión/);
    const byMunicipality = await world.app.inject({ method: 'GET', url: '/v1/shm/review-tasks?scope=unassigned&municipality=toluca', headers: reviewer.headers });
    expect((byMunicipality.json().items as TaskView[]).filter((t) => t.registrationId === sub.registrationId)).toHaveLength(7);
    const otherTown = await world.app.inject({ method: 'GET', url: '/v1/shm/review-tasks?scope=unassigned&municipality=Metepec', headers: reviewer.headers });
    expect((otherTown.json().items as TaskView[]).filter((t) => t.registrationId === sub.registrationId)).toHaveLength(0);

    const maestria = profile.studies[1].id as string;
    const conocer = profile.certifications[1].id as string;
    const rejected = new Set([docs.get(maestria), docs.get(conocer)]);

    // Bulk claim, bulk approve, then reject two documents one by one with a reason.
    const claim = await world.app.inject({ method: 'POST', url: '/v1/shm/review-tasks/bulk', headers: reviewer.headers, payload: { action: 'claim', taskIds: tasks.map((t) => t.id) } });
    expect(claim.json().results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    const mine = await tasksOf(world, reviewer.headers, sub.registrationId, 'mine');
    expect(mine).toHaveLength(7);
    const approve = await world.app.inject({
      method: 'POST',
      url: '/v1/shm/review-tasks/bulk',
      headers: reviewer.headers,
      payload: { action: 'approve', taskIds: tasks.filter((t) => !rejected.has(t.documentId)).map((t) => t.id) },
    });
    expect(approve.json().results.map((r: { status: string }) => r.status)).toEqual(Array(5).fill('approved'));
    // Rejecting needs a reason the applicant will read.
    const noReason = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${tasks.find((t) => rejected.has(t.documentId))!.id}/decision`, headers: reviewer.headers, payload: { decision: 'reject' } });
    expect(noReason.statusCode).toBe(422);
    for (const t of tasks.filter((x) => rejected.has(x.documentId))) {
      const res = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${t.id}/decision`, headers: reviewer.headers, payload: { decision: 'reject', reason: 'El documento no corresponde al dato capturado.' } });
      expect(res.statusCode, res.body).toBe(200);
    }

    const result = await world.temporal.workflow.getHandle(sub.workflowId).result();
    expect(result).toEqual({ registrationId: sub.registrationId, status: 'scored', stars: 4, total: '70.00' });

    const score = await world.app.inject({ method: 'GET', url: '/v1/shm/profile/score', headers: applicant.headers });
    expect(score.statusCode, score.body).toBe(200);
    expect(score.json()).toMatchObject({
      stars: 4,
      total: '70.00',
      rubricVersion: 'v1',
      reason: 'review',
      version: 1,
      breakdown: {
        experiencia: { score: '70.00', weight: '0.40', weighted: '28.00', explanation: expect.stringMatching(/^7 años de experiencia en hacienda municipal/) },
        academico: { score: '70.00', weight: '0.35', weighted: '24.50', explanation: expect.stringMatching(/Licenciatura afín/) },
        certificacion: { score: '70.00', weight: '0.25', weighted: '17.50', explanation: expect.stringMatching(/Una certificación vigente y relacionada/) },
      },
    });

    // The applicant sees each document's decision and reason.
    const view = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json();
    expect(view.registration).toMatchObject({ status: 'scored', stage: 'scored', tasks: { total: 7, approved: 5, rejected: 2, open: 0 } });
    expect(view.studies[1].documents[0].review).toEqual({ status: 'rejected', reason: 'El documento no corresponde al dato capturado.' });

    // Operations dashboard: ids and stages only, never the CURP or names.
    const handle = world.temporal.workflow.getHandle(sub.workflowId);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['ProfileId', profile.profileId],
        ['BusinessDomain', 'shm'],
        ['Stage', 'scored'],
        ['Reviewer', reviewer.id],
        ['SlaBreached', false],
      ]),
    );
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(applicant.curp);
    expect(history).not.toContain('GARCIA');

    // Appeal: the rejected documents go to a second reviewer.
    const appeal = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/appeals', headers: applicant.headers, payload: { reason: 'Mi maestría y mi certificación CONOCER están vigentes; adjunté los originales.' } });
    expect(appeal.statusCode, appeal.body).toBe(202);
    expect(appeal.json()).toMatchObject({ workflowId: shmAppealWorkflowId(profile.profileId, 1), dueAt: expect.any(String) });
    const appealTasks = await waitFor('appeal tasks', () => tasksOf(world, secondReviewer.headers, sub.registrationId, 'unassigned'), (t) => t.length === 2);
    expect(appealTasks.every((t) => t.round === 'appeal')).toBe(true);
    // The first reviewer may not decide the appeal of their own decisions.
    const own = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${appealTasks[0]!.id}/claim`, headers: reviewer.headers });
    expect(own.statusCode).toBe(409);
    expect(own.json().error.code).toBe('SECOND_REVIEWER_REQUIRED');
    await decideAll(secondReviewer.headers, appealTasks, () => ({ decision: 'approve' }));
    await world.temporal.workflow.getHandle(appeal.json().workflowId).result();
    // maestría 90 × 0.35 = 31.50; two relevant certifications 100 × 0.25 = 25.00; 28.00 + 31.50 + 25.00 = 84.50 → 5 stars.
    const afterAppeal = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile/score', headers: applicant.headers })).json();
    expect(afterAppeal).toMatchObject({ stars: 5, total: '84.50', reason: 'appeal' });

    // A new version: only the changed item goes back to review; unchanged approvals are kept.
    const current = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json();
    const strip = (items: Record<string, unknown>[]) => items.map(({ documents: _d, ...rest }) => rest);
    await putProfile(world, applicant.headers, {
      personal: current.personal,
      position: current.position,
      studies: strip(current.studies),
      experience: strip(current.experience),
      certifications: strip(current.certifications),
      courses: strip(current.courses).map((c) => ({ ...c, hours: 40 })),
    });
    const v2 = await submit(applicant.headers);
    expect(v2.version).toBe(2);
    const v2Tasks = await waitFor('v2 tasks', () => tasksOf(world, reviewer.headers, v2.registrationId, 'all'), (t) => t.length === 1);
    expect(v2Tasks[0]!.itemId).toBe(profile.courses[0].id);
    const v2View = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json();
    expect(v2View.registration.tasks).toMatchObject({ total: 7, approved: 6, open: 1 });
    await decideAll(reviewer.headers, v2Tasks, () => ({ decision: 'approve' }));
    expect(await world.temporal.workflow.getHandle(v2.workflowId).result()).toMatchObject({ status: 'scored', stars: 5, total: '84.50' });
  });
});

describe('SHM security', () => {
  it('an applicant reads only their own profile and documents; downloads are audited', async () => {
    const a = await registerApplicant(world);
    const b = await registerApplicant(world);
    const profileA = await putProfile(world, a.headers, { position: POSITION, studies: [LICENCIATURA] });
    const itemA = profileA.studies[0].id as string;
    const bytes = pdfBytes('titulo de A');
    const up = await uploadDocument(world, a.headers, itemA, 'título profesional.pdf', bytes);
    expect(up.statusCode, up.body).toBe(201);
    const docA = up.json().documentId as string;

    const own = await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${docA}`, headers: a.headers });
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.rawPayload.equals(bytes)).toBe(true);

    const theirs = await world.app.inject({ method: 'GET', url: `/v1/shm/profile/documents/${docA}`, headers: b.headers });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('%PDF');
    const profileB = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: b.headers })).json();
    expect(profileB.applicant.curp).toBe(b.curp);
    expect(JSON.stringify(profileB)).not.toContain(a.curp);
    expect(JSON.stringify(profileB)).not.toContain(docA);
    // Nor can B attach files to A's items, or use staff and recruiter endpoints.
    const attach = await uploadDocument(world, b.headers, itemA, 'intruso.pdf', pdfBytes());
    expect(attach.statusCode).toBe(404);
    for (const url of ['/v1/shm/review-tasks', '/v1/shm/talent', `/v1/shm/talent/${profileA.profileId}`, '/v1/shm/operations']) {
      expect((await world.app.inject({ method: 'GET', url, headers: b.headers })).statusCode, url).toBe(403);
    }

    const audits = await world.database.db.select().from(auditLog).where(and(eq(auditLog.subjectType, 'shm-document'), eq(auditLog.subjectId, docA)));
    expect(audits.map((r) => [r.action, r.actorRole, r.outcome]).sort()).toEqual([
      ['download', 'applicant', 'allowed'],
      ['download', 'applicant', 'denied'],
    ]);
  });

  it('rejects a file renamed to .pdf that is not a PDF, with a clear Spanish message, and stores nothing', async () => {
    const a = await registerApplicant(world);
    const profile = await putProfile(world, a.headers, { position: POSITION, studies: [LICENCIATURA] });
    const fake = await uploadDocument(world, a.headers, profile.studies[0].id, 'titulo.pdf', Buffer.from('Hola, soy un archivo de texto con extensión .pdf\n'.repeat(20)));
    expect(fake.statusCode).toBe(422);
    expect(fake.json().error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(fake.json().error.message).toMatch(/El archivo «titulo\.pdf» no es un PDF válido/);
    expect(fake.json().error.message).toMatch(/Solo se aceptan PDF, JPEG o PNG/);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082', 'hex');
    const renamedPng = await uploadDocument(world, a.headers, profile.studies[0].id, 'titulo.pdf', png);
    expect(renamedPng.statusCode).toBe(422);
    expect(renamedPng.json().error.message).toMatch(/contenido es PNG/);
    const stored = await world.database.db.select().from(shmDocuments).where(eq(shmDocuments.profileId, profile.profileId));
    expect(stored).toHaveLength(0);
    // An incomplete cédula (an item without a document) cannot be submitted.
    const submitRes = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: a.headers });
    expect(submitRes.statusCode).toBe(422);
    expect(submitRes.json().error.details).toEqual([expect.objectContaining({ code: 'DOCUMENT_REQUIRED' })]);
  });

  it('a reviewer cannot decide, claim or release a task claimed by another', async () => {
    const a = await registerApplicant(world);
    const first = await staff(world, 'reviewer');
    const second = await staff(world, 'reviewer');
    const supervisor = await staff(world, 'supervisor');
    const profile = await putProfile(world, a.headers, { position: POSITION, studies: [LICENCIATURA] });
    await uploadOnePdfPerItem(world, a.headers, profile);
    const sub = await submit(a.headers);
    const [task] = await waitFor('task', () => tasksOf(world, first.headers, sub.registrationId), (t) => t.length === 1);

    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/claim`, headers: first.headers })).statusCode).toBe(200);
    const decide = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/decision`, headers: second.headers, payload: { decision: 'approve' } });
    expect(decide.statusCode).toBe(409);
    expect(decide.json().error).toMatchObject({ code: 'TASK_CLAIMED_BY_OTHER', message: expect.stringMatching(/solo quien la reclamó puede decidirla/) });
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/claim`, headers: second.headers })).statusCode).toBe(409);
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/release`, headers: second.headers })).statusCode).toBe(409);
    // The second reviewer cannot see the claimed task's personal data or document either.
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/review-tasks/${task!.id}`, headers: second.headers })).statusCode).toBe(403);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/review-tasks/${task!.id}/document`, headers: second.headers })).statusCode).toBe(403);
    // The claimant sees it (audited).
    const detail = await world.app.inject({ method: 'GET', url: `/v1/shm/review-tasks/${task!.id}`, headers: first.headers });
    expect(detail.json()).toMatchObject({ applicant: { curp: a.curp }, item: { kind: 'study', programme: LICENCIATURA.programme } });
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/review-tasks/${task!.id}/document`, headers: first.headers })).statusCode).toBe(200);

    // A supervisor reassigns it; now only the second reviewer may decide.
    const reassign = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/reassign`, headers: supervisor.headers, payload: { reviewerId: second.id } });
    expect(reassign.statusCode, reassign.body).toBe(200);
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/decision`, headers: first.headers, payload: { decision: 'approve' } })).statusCode).toBe(409);
    const ok = await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/decision`, headers: second.headers, payload: { decision: 'approve' } });
    expect(ok.statusCode).toBe(200);
    // Decisions are final in the queue.
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${task!.id}/decision`, headers: second.headers, payload: { decision: 'reject', reason: 'cambio de opinión' } })).json().error.code).toBe('TASK_ALREADY_DECIDED');
    expect(await world.temporal.workflow.getHandle(sub.workflowId).result()).toMatchObject({ status: 'scored', stars: 2, total: '24.50' });
  });

  it('a recruiter never sees a profile without the talent-bank opt-in', async () => {
    const reviewer = await staff(world, 'reviewer');
    const recruiter = await staff(world, 'recruiter');
    const visible = await scoredApplicant(true, reviewer.headers);
    const hidden = await scoredApplicant(false, reviewer.headers);
    const visibleProfile = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: visible.headers })).json().profileId as string;
    const hiddenProfile = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: hidden.headers })).json().profileId as string;

    const search = async (query = '') => (await world.app.inject({ method: 'GET', url: `/v1/shm/talent${query}`, headers: recruiter.headers })).json().items as { profileId: string }[];
    const everyone = await search('?municipality=Toluca&minStars=3&certification=NICL-HM-01');
    expect(everyone.map((c) => c.profileId)).toContain(visibleProfile);
    expect(everyone.map((c) => c.profileId)).not.toContain(hiddenProfile);
    expect((await search()).map((c) => c.profileId)).not.toContain(hiddenProfile);
    // Position and stars filters: accent- and case-insensitive municipality, stars as a floor.
    expect((await search('?municipality=TOLUCA&minStars=3')).map((c) => c.profileId)).toContain(visibleProfile);
    expect((await search('?municipality=Metepec')).map((c) => c.profileId)).not.toContain(visibleProfile);
    expect((await search('?municipality=Toluca&minStars=4')).map((c) => c.profileId)).not.toContain(visibleProfile);
    const shown = everyone.find((c) => c.profileId === visibleProfile)!;
    expect(shown).toMatchObject({ name: 'ANA GARCIA LOPEZ', stars: 3, total: '42.00', municipality: 'Toluca', highestAcademic: 'licenciatura' });
    // Only what the privacy notice allows: no CURP, RFC, e-mail or documents.
    expect(JSON.stringify(everyone)).not.toContain(visible.curp);
    expect(JSON.stringify(everyone)).not.toContain(visible.email);
    // Every profile a search shows is an audited access by that recruiter, one row per profile.
    const searchAudits = await world.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectType, 'shm-talent-profile'), eq(auditLog.subjectId, visibleProfile), eq(auditLog.actorUserId, recruiter.id)));
    expect(searchAudits.map((r) => [r.action, r.actorRole, r.purpose])).toEqual([
      ['read', 'recruiter', 'búsqueda en la bolsa de talento'],
      ['read', 'recruiter', 'búsqueda en la bolsa de talento'],
      ['read', 'recruiter', 'búsqueda en la bolsa de talento'],
    ]);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/talent/${hiddenProfile}`, headers: recruiter.headers })).statusCode).toBe(404);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/talent/${visibleProfile}`, headers: recruiter.headers })).statusCode).toBe(200);

    // Job board: applying also requires the opt-in; the recruiter sees only opted-in applicants.
    const vacancy = await world.app.inject({
      method: 'POST',
      url: '/v1/shm/vacancies',
      headers: recruiter.headers,
      payload: { title: 'Director(a) de Ingresos', municipality: 'Toluca', description: 'Dirección de ingresos de la Tesorería Municipal.', requirements: { minStars: 3, certification: 'NICL-HM-01', area: 'Tesorería' } },
    });
    expect(vacancy.statusCode, vacancy.body).toBe(201);
    const vacancyId = vacancy.json().id as string;
    const applyHidden = await world.app.inject({ method: 'POST', url: `/v1/shm/vacancies/${vacancyId}/applications`, headers: hidden.headers });
    expect(applyHidden.statusCode).toBe(422);
    expect(applyHidden.json().error.code).toBe('TALENT_BANK_OPT_IN_REQUIRED');
    const apply = await world.app.inject({ method: 'POST', url: `/v1/shm/vacancies/${vacancyId}/applications`, headers: visible.headers });
    expect(apply.statusCode, apply.body).toBe(201);
    expect(apply.json()).toMatchObject({ status: 'submitted', areaMatch: true });
    const ranked = (await world.app.inject({ method: 'GET', url: `/v1/shm/vacancies/${vacancyId}/applications`, headers: recruiter.headers })).json().items;
    expect(ranked).toEqual([expect.objectContaining({ profileId: visibleProfile, rank: 1, stars: 3 })]);
    await world.app.inject({ method: 'PATCH', url: `/v1/shm/vacancies/${vacancyId}/applications/${apply.json().applicationId}`, headers: recruiter.headers, payload: { status: 'shortlisted' } });
    const mine = (await world.app.inject({ method: 'GET', url: '/v1/shm/applications', headers: visible.headers })).json().items;
    expect(mine).toEqual([expect.objectContaining({ status: 'shortlisted', vacancy: expect.objectContaining({ title: 'Director(a) de Ingresos' }) })]);

    // Withdrawing the opt-in hides the profile at once, even from the vacancy's applicants.
    const optOut = await world.app.inject({ method: 'PUT', url: '/v1/shm/consents/talent-bank', headers: visible.headers, payload: { optIn: false } });
    expect(optOut.statusCode).toBe(200);
    expect((await search()).map((c) => c.profileId)).not.toContain(visibleProfile);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/vacancies/${vacancyId}/applications`, headers: recruiter.headers })).json().items).toEqual([]);
    expect((await world.app.inject({ method: 'GET', url: `/v1/shm/talent/${visibleProfile}`, headers: recruiter.headers })).statusCode).toBe(404);
  });
});

describe('SHM personal data rights and accounts', () => {
  it('exports all data as JSON and tracks ARCO requests against 20 business days; a granted opposition leaves the talent bank', async () => {
    const a = await registerApplicant(world, { optIn: true });
    const supervisor = await staff(world, 'supervisor');
    const exported = await world.app.inject({ method: 'GET', url: '/v1/shm/arco/export', headers: a.headers });
    expect(exported.statusCode).toBe(200);
    expect(exported.json()).toMatchObject({ account: { curp: a.curp, email: a.email }, consents: expect.arrayContaining([expect.objectContaining({ kind: 'privacy_notice', granted: true })]) });

    const req = await world.app.inject({ method: 'POST', url: '/v1/shm/arco', headers: a.headers, payload: { type: 'oposicion', description: 'Me opongo a que mi perfil se comparta con municipios.' } });
    expect(req.statusCode, req.body).toBe(201);
    const today = mexicoDateOf(Date.now());
    expect(req.json()).toMatchObject({ status: 'received', dueOn: arcoDueOn(edomexCalendarForYears([yearOf(today), yearOf(today) + 1]), today), overdue: false });
    const list = (await world.app.inject({ method: 'GET', url: '/v1/shm/arco?status=open', headers: supervisor.headers })).json().items;
    expect(list.map((r: { id: string }) => r.id)).toContain(req.json().id);
    const answer = await world.app.inject({
      method: 'POST',
      url: `/v1/shm/arco/${req.json().id}/resolution`,
      headers: supervisor.headers,
      payload: { resolution: 'granted', response: 'Procede la oposición: su perfil deja de compartirse.' },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    await world.temporal.workflow.getHandle(req.json().workflowId).result();
    const profile = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: a.headers })).json();
    expect(profile.applicant.talentBankOptIn).toBe(false);
  });

  it('resets a password with a single-use token', async () => {
    const a = await registerApplicant(world);
    expect((await world.app.inject({ method: 'POST', url: '/v1/shm/password-reset', payload: { email: a.email } })).statusCode).toBe(202);
    expect((await world.app.inject({ method: 'POST', url: '/v1/shm/password-reset', payload: { email: 'nadie@example.mx' } })).statusCode).toBe(202);
    const rows = await world.database.sql<{ message: string }[]>`select message from shm_notifications where kind = 'password-reset' and channel = 'email' order by created_at desc limit 1`;
    const token = /: (\S+)$/.exec(rows[0]!.message)![1]!;
    const confirm = await world.app.inject({ method: 'POST', url: '/v1/shm/password-reset/confirm', payload: { token, newPassword: 'otra-contraseña-nueva-y-larga' } });
    expect(confirm.statusCode).toBe(204);
    expect((await world.app.inject({ method: 'POST', url: '/v1/shm/password-reset/confirm', payload: { token, newPassword: 'otra-contraseña-nueva-y-larga' } })).statusCode).toBe(422);
    await login(world, a.email, 'otra-contraseña-nueva-y-larga');
  });

  it('refuses an applicant whose CURP is not in force at RENAPO, and an outdated privacy notice', async () => {
    const dead = await registerApplicant(world, { renapoStatus: 'BD' });
    const profile = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: dead.headers })).json();
    expect(profile.applicant).toMatchObject({ status: 'rejected', rejectionReason: expect.stringMatching(/no está vigente en RENAPO/) });
    const submitRes = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: dead.headers });
    expect(submitRes.statusCode).toBe(409);
    expect(submitRes.json().error.code).toBe('APPLICANT_NOT_VERIFIED');
    const outdated = await world.app.inject({
      method: 'POST',
      url: '/v1/shm/applicants',
      payload: { curp: makeCurp(), email: 'x@example.mx', password: 'una-contraseña-larga', privacyNoticeVersion: 'v0', talentBankOptIn: false },
    });
    expect(outdated.statusCode).toBe(422);
    expect(outdated.json().error.code).toBe('PRIVACY_NOTICE_OUTDATED');
  });
});
