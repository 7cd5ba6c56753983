import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shmSlaClocks } from '../../db/schema';
import { DAY_MS } from '../../domain/shm/clock';
import { startTestWorld, type TestWorld } from '../support/world';
import { CERT_L3, LICENCIATURA, POSITION, pdfBytes, putProfile, registerApplicant, staff, tasksOf, uploadDocument, uploadOnePdfPerItem, waitFor } from './shm-helpers';

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** One State of Mexico calendar day lasts this many real milliseconds in this test. */
const DAY = 1500;
/** Friday 13 March 2026, noon in Mexico City: the next Monday (16th) is a holiday. */
const ORIGIN = '2026-03-13T12:00:00-06:00';

describe('SHM review SLA with a scaled clock (contracts §7)', () => {
  it('pauses while the applicant corrects, escalates at 3 and breaches at 5 business days across a weekend and a holiday', async () => {
    const admin = await staff(world, 'admin');
    const supervisor = await staff(world, 'supervisor');
    const reviewer = await staff(world, 'reviewer');
    const applicant = await registerApplicant(world);

    const setting = await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs: DAY, origin: ORIGIN } });
    expect(setting.statusCode, setting.body).toBe(200);
    const anchor = Date.parse(setting.json().clock.anchoredAt);
    const origin = Date.parse(ORIGIN);
    /** Sleeps until the scaled clock shows `virtual` (Mexico City local time). */
    const until = async (virtual: string) => {
      const realTarget = anchor + ((Date.parse(virtual) - origin) * DAY) / DAY_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, realTarget - Date.now())));
    };
    const registration = async () => (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json().registration;

    const profile = await putProfile(world, applicant.headers, { position: POSITION, studies: [LICENCIATURA], certifications: [CERT_L3] });
    const docs = await uploadOnePdfPerItem(world, applicant.headers, profile);
    const certItem = profile.certifications[0].id as string;

    // Submitted on Friday 13: business days are Tue 17, Wed 18, Thu 19 (target) … Fri 20, Mon 23 (maximum).
    const sub = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: applicant.headers });
    expect(sub.statusCode, sub.body).toBe(202);
    expect(sub.json()).toMatchObject({ escalateOn: '2026-03-19', breachOn: '2026-03-23', dueAt: '2026-03-20T05:59:59.999Z', breachAt: '2026-03-24T05:59:59.999Z' });
    const { registrationId, workflowId } = sub.json();

    const tasks = await waitFor('tasks', () => tasksOf(world, reviewer.headers, registrationId), (t) => t.length === 2);
    for (const t of tasks) expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${t.id}/claim`, headers: reviewer.headers })).statusCode).toBe(200);
    const certTask = tasks.find((t) => t.itemId === certItem)!;
    const studyTask = tasks.find((t) => t.itemId !== certItem)!;
    await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${studyTask.id}/decision`, headers: reviewer.headers, payload: { decision: 'approve' } });

    // Tuesday 17 at noon (one business day used: the 16th is a holiday): the reviewer asks for a correction.
    await until('2026-03-17T12:00:00-06:00');
    const correction = await world.app.inject({
      method: 'POST',
      url: `/v1/shm/review-tasks/${certTask.id}/decision`,
      headers: reviewer.headers,
      payload: { decision: 'correction', reason: 'El certificado está ilegible; súbalo escaneado a 300 dpi.' },
    });
    expect(correction.statusCode, correction.body).toBe(200);
    // (Both conditions: the view reads the registration and its clock in two queries.)
    const paused = await waitFor('the clock to pause', registration, (r) => r.sla.paused && r.stage === 'waiting-applicant');
    expect(paused).toMatchObject({ status: 'waiting_applicant', stage: 'waiting-applicant', sla: { consumedBusinessDays: 1, escalated: false }, corrections: [expect.objectContaining({ taskId: certTask.id })] });
    const notices = (await world.app.inject({ method: 'GET', url: '/v1/shm/notifications', headers: applicant.headers })).json().items;
    expect(notices).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'correction-requested', message: expect.stringMatching(/ilegible/) })]));

    // Friday 20 at noon: the original target (end of Thursday 19) has passed while waiting for the applicant — no escalation.
    await until('2026-03-20T12:00:00-06:00');
    expect((await registration()).sla).toMatchObject({ paused: true, escalated: false, breached: false });
    const early = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: applicant.headers });
    expect(early.statusCode).toBe(422);
    expect(early.json().error.message).toMatch(/Suba un documento corregido .*ilegible/);
    const fixed = await uploadDocument(world, applicant.headers, certItem, 'certificado-300dpi.pdf', pdfBytes('certificado legible'), { replaces: docs.get(certItem)! });
    expect(fixed.statusCode, fixed.body).toBe(201);
    const resubmitted = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: applicant.headers });
    expect(resubmitted.statusCode, resubmitted.body).toBe(202);
    // 2 and 4 business days remain, counted from Monday 23 (21–22 is a weekend).
    expect(resubmitted.json()).toMatchObject({ resubmission: true, registrationId, escalateOn: '2026-03-24', breachOn: '2026-03-26', dueAt: '2026-03-25T05:59:59.999Z' });

    // Nobody takes the corrected document: after Tuesday 24 the registration is escalated to supervisors…
    const escalated = await waitFor('escalation', registration, (r) => r.sla.escalated && r.stage === 'escalated', 20_000);
    expect(escalated).toMatchObject({ stage: 'escalated', sla: { paused: false, breached: false, escalateOn: '2026-03-24' } });
    const [clock] = await world.database.db.select().from(shmSlaClocks).where(eq(shmSlaClocks.registrationId, registrationId));
    expect(clock!.escalatedAt!.getTime()).toBeGreaterThan(Date.parse('2026-03-25T05:59:59.999Z'));
    // Recorded in the virtual time of the clock: after the end of Tuesday 24, and promptly (the same day, Mexico City).
    expect(clock!.escalatedAt!.getTime()).toBeLessThan(Date.parse('2026-03-26T05:59:59.999Z'));
    const supervisorQueue = await tasksOf(world, supervisor.headers, registrationId, 'escalated');
    expect(supervisorQueue).toEqual([expect.objectContaining({ escalated: true, status: 'open', itemId: certItem })]);
    const supervisorNotices = (await world.app.inject({ method: 'GET', url: '/v1/shm/notifications', headers: supervisor.headers })).json().items;
    expect(supervisorNotices).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'sla-escalation', subjectId: registrationId })]));
    // Search attributes change when the workflow task after the activity completes, a moment after the database.
    const handle = world.temporal.workflow.getHandle(workflowId);
    const attributes = async () => Object.fromEntries((await handle.describe()).typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
    const escalatedAttributes = await waitFor('Stage=escalated in the Temporal UI', attributes, (a) => a.Stage === 'escalated' || a.SlaBreached === true);
    expect(escalatedAttributes).toMatchObject({ BusinessDomain: 'shm', ProfileId: profile.profileId, SlaDueAt: new Date('2026-03-25T05:59:59.999Z') });

    // …and after Thursday 26 (5 business days used) the breach is recorded for the operations report.
    const breached = await waitFor('breach', registration, (r) => r.sla.breached, 20_000);
    expect(breached.sla).toMatchObject({ breachOn: '2026-03-26', escalated: true });
    const [after] = await world.database.db.select().from(shmSlaClocks).where(eq(shmSlaClocks.registrationId, registrationId));
    expect(after!.breachedAt!.getTime()).toBeGreaterThan(Date.parse('2026-03-27T05:59:59.999Z'));
    expect(after!.breachedAt!.getTime()).toBeLessThan(Date.parse('2026-03-28T05:59:59.999Z'));
    expect(await waitFor('SlaBreached in the Temporal UI', attributes, (a) => a.SlaBreached === true)).toMatchObject({ Stage: 'escalated', SlaBreached: true });
    const ops = await world.app.inject({ method: 'GET', url: '/v1/shm/operations', headers: supervisor.headers });
    expect(ops.statusCode, ops.body).toBe(200);
    expect(ops.json()).toMatchObject({
      queues: { escalated: { count: 1 }, unassigned: { count: 1 } },
      sla: { breachedOpen: 1, escalatedOpen: 1, breaches: [expect.objectContaining({ registrationId, breachOn: '2026-03-26', open: true })] },
      byMunicipality: [expect.objectContaining({ municipality: 'Toluca', open: 1, escalated: 1 })],
    });

    // The supervisor assigns the document; once decided the profile is scored (licenciatura afín 24.50 + certification 17.50).
    const [open] = supervisorQueue;
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${open!.id}/reassign`, headers: supervisor.headers, payload: { reviewerId: reviewer.id } })).statusCode).toBe(200);
    expect((await world.app.inject({ method: 'POST', url: `/v1/shm/review-tasks/${open!.id}/decision`, headers: reviewer.headers, payload: { decision: 'approve' } })).statusCode).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'scored', stars: 3, total: '42.00' });
    const final = await registration();
    expect(final).toMatchObject({ status: 'scored', sla: { breached: true } });
    const opsAfter = (await world.app.inject({ method: 'GET', url: '/v1/shm/operations', headers: supervisor.headers })).json();
    expect(opsAfter.sla).toMatchObject({ breachedOpen: 0, breachedTotal: 1 });

    const reset = await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs: null } });
    expect(reset.json().clock.scaled).toBe(false);
  });

  it('reminds before a certification expires and recomputes the score once it has expired', async () => {
    const admin = await staff(world, 'admin');
    const reviewer = await staff(world, 'reviewer');
    const applicant = await registerApplicant(world);
    const dayMs = 400;
    const setting = await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs, origin: ORIGIN } });
    expect(setting.statusCode, setting.body).toBe(200);

    // The certificate is valid through Tuesday 31 March 2026: reminder on the 24th (7 days before), stops counting on 1 April.
    const profile = await putProfile(world, applicant.headers, { position: POSITION, studies: [LICENCIATURA], certifications: [{ ...CERT_L3, expiresOn: '2026-03-31' }] });
    await uploadOnePdfPerItem(world, applicant.headers, profile);
    const sub = await world.app.inject({ method: 'POST', url: '/v1/shm/profile/submit', headers: applicant.headers });
    expect(sub.statusCode, sub.body).toBe(202);
    const tasks = await waitFor('tasks', () => tasksOf(world, reviewer.headers, sub.json().registrationId), (t) => t.length === 2);
    const bulk = { action: 'approve', taskIds: tasks.map((t) => t.id) };
    await world.app.inject({ method: 'POST', url: '/v1/shm/review-tasks/bulk', headers: reviewer.headers, payload: { ...bulk, action: 'claim' } });
    await world.app.inject({ method: 'POST', url: '/v1/shm/review-tasks/bulk', headers: reviewer.headers, payload: bulk });
    expect(await world.temporal.workflow.getHandle(sub.json().workflowId).result()).toMatchObject({ status: 'scored', stars: 3, total: '42.00' });

    const notices = () => world.app.inject({ method: 'GET', url: '/v1/shm/notifications', headers: applicant.headers }).then((r) => r.json().items as { kind: string; message: string }[]);
    const reminded = await waitFor('the expiry reminder', notices, (n) => n.some((x) => x.kind === 'certification-expiring'), 20_000);
    expect(reminded.find((x) => x.kind === 'certification-expiring')!.message).toMatch(/vence el 2026-03-31 \(en 7 días\)/);
    const score = () => world.app.inject({ method: 'GET', url: '/v1/shm/profile/score', headers: applicant.headers }).then((r) => r.json());
    const recomputed = await waitFor('the recomputed score', score, (s) => s.reason === 'expiry', 20_000);
    // Only the licenciatura afín still counts: 70 × 0.35 = 24.50 → 2 stars.
    expect(recomputed).toMatchObject({ stars: 2, total: '24.50', asOf: '2026-04-01', breakdown: { certificacion: { score: '0.00', explanation: expect.stringMatching(/vencida/) } } });
    expect(await notices()).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'certification-expired' })]));
    await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs: null } });
  });

  it('marks an unanswered ARCO request overdue after 20 business days; a granted cancellation blocks the profile', async () => {
    const admin = await staff(world, 'admin');
    const supervisor = await staff(world, 'supervisor');
    const applicant = await registerApplicant(world, { optIn: true });
    expect((await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs: 100, origin: ORIGIN } })).statusCode).toBe(200);
    const req = await world.app.inject({ method: 'POST', url: '/v1/shm/arco', headers: applicant.headers, payload: { type: 'cancelacion', description: 'Solicito la cancelación de mis datos personales.' } });
    expect(req.statusCode, req.body).toBe(201);
    // Received Friday 13 March 2026: 20 business days skip the 16 March holiday and Holy Thursday and Friday.
    expect(req.json()).toMatchObject({ dueOn: '2026-04-15', dueAt: '2026-04-16T05:59:59.999Z', overdue: false });
    const overdue = await waitFor(
      'the ARCO deadline to pass',
      async () => (await world.app.inject({ method: 'GET', url: '/v1/shm/arco?status=overdue', headers: supervisor.headers })).json().items as { id: string }[],
      (items) => items.some((r) => r.id === req.json().id),
      20_000,
    );
    expect(overdue).toEqual([expect.objectContaining({ id: req.json().id, overdue: true, status: 'received' })]);
    expect((await world.app.inject({ method: 'GET', url: '/v1/shm/operations', headers: supervisor.headers })).json().arco).toEqual({ open: 1, overdue: 1 });
    const supervisorNotices = (await world.app.inject({ method: 'GET', url: '/v1/shm/notifications', headers: supervisor.headers })).json().items;
    expect(supervisorNotices).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'arco-overdue', subjectId: req.json().id })]));

    const answer = await world.app.inject({
      method: 'POST',
      url: `/v1/shm/arco/${req.json().id}/resolution`,
      headers: supervisor.headers,
      payload: { resolution: 'granted', response: 'Procede la cancelación: su perfil queda bloqueado hasta su supresión.' },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(await world.temporal.workflow.getHandle(req.json().workflowId).result()).toMatchObject({ overdue: true });
    const profile = (await world.app.inject({ method: 'GET', url: '/v1/shm/profile', headers: applicant.headers })).json();
    expect(profile.applicant).toMatchObject({ blocked: true, talentBankOptIn: false });
    const edit = await world.app.inject({ method: 'PUT', url: '/v1/shm/profile', headers: applicant.headers, payload: { position: POSITION } });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('PROFILE_BLOCKED');
    await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: admin.headers, payload: { dayMs: null } });
  });

  it('refuses to scale the clock without an admin', async () => {
    const supervisor = await staff(world, 'supervisor');
    const res = await world.app.inject({ method: 'PUT', url: '/v1/shm/operations/sla-settings', headers: supervisor.headers, payload: { dayMs: 1000, origin: ORIGIN } });
    expect(res.statusCode).toBe(403);
  });
});
