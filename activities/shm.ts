/**
 * SHM activities: every effect of the registration, appeal, certification-watch, applicant
 * verification and ARCO workflows. Inputs are ids and instants (virtual instants when the SLA
 * clock is scaled); rows with personal data are read here, never passed through workflows.
 * Every effect is idempotent: conditional transitions, natural unique keys and
 * `ON CONFLICT DO NOTHING`.
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  shmApplicants,
  shmArcoRequests,
  shmCertificationEvents,
  shmDocuments,
  shmNotifications,
  shmProfiles,
  shmRegistrationItems,
  shmRegistrations,
  shmReviewEvents,
  shmReviewTasks,
  shmScores,
  shmSettings,
  shmSlaClocks,
} from '../db/schema';
import type { BusinessCalendar } from '../domain/calendar/business-calendar';
import { endOfMexicoDay, type IsoDate, MEXICO_CITY_OFFSET_MS, mexicoDateOf, yearOf } from '../domain/dates';
import { validateCurp } from '../domain/identifiers/curp';
import { checkCompleteness, scoreInputFromItems, type CedulaItem, type CertificationData, type ItemData, type ItemKind, type PersonalData, type PositionData } from '../domain/shm/cedula';
import { certificationEvents } from '../domain/shm/certifications';
import { REAL_CLOCK, virtualNow, type SlaClock } from '../domain/shm/clock';
import { isAllowedMime } from '../domain/shm/documents';
import { RUBRIC_V1, scoreProfile, type ProfileScore } from '../domain/shm/rubric';
import { arcoDueOn, businessDaysConsumed, SLA_TARGETS_V1, slaDeadlines, validateTargets, type SlaTargets } from '../domain/shm/sla';
import type { RenapoClient } from '../integrations/renapo';
import { loadBusinessCalendar } from './calendar';

export interface ShmActivityDeps {
  db: Db;
  renapo: RenapoClient;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with the API (plain functions over the database).

/** The State of Mexico calendar covering the year of `date` and the next one. */
export async function loadShmCalendar(db: Db, date: IsoDate): Promise<BusinessCalendar> {
  const y = yearOf(date);
  return loadBusinessCalendar(db, [y, y + 1]);
}

export interface ShmSlaSettings {
  clock: SlaClock;
  targets: SlaTargets;
}

export const SHM_SLA_SETTINGS_KEY = 'sla';

/** The SLA settings: real clock and contracts §7 targets unless an operator changed them (outside production). */
export async function readShmSlaSettings(db: Db): Promise<ShmSlaSettings> {
  const [row] = await db.select().from(shmSettings).where(eq(shmSettings.key, SHM_SLA_SETTINGS_KEY));
  const value = (row?.value ?? {}) as Partial<ShmSlaSettings>;
  const targets = value.targets ?? SLA_TARGETS_V1;
  validateTargets(targets);
  return { clock: value.clock ?? { ...REAL_CLOCK }, targets };
}

/** Canonical JSON (sorted keys) and its SHA-256: tells whether an item changed between versions. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function hashItemData(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

type TaskRow = typeof shmReviewTasks.$inferSelect;

/** The decision that counts for each document: a decided appeal overrides the first review. */
export function effectiveDecisions(tasks: readonly Pick<TaskRow, 'documentId' | 'round' | 'status' | 'decidedBy'>[]): Map<string, { status: string; decidedBy: string | null }> {
  const result = new Map<string, { status: string; decidedBy: string | null }>();
  for (const t of tasks.filter((x) => x.round === 'review')) result.set(t.documentId, { status: t.status, decidedBy: t.decidedBy });
  for (const t of tasks.filter((x) => x.round === 'appeal')) {
    if (t.status === 'approved' || t.status === 'rejected') result.set(t.documentId, { status: t.status, decidedBy: t.decidedBy });
  }
  return result;
}

/** The rubric score of a registration as of `asOf`, using only items with an approved document. */
export async function computeRegistrationScore(db: Db, registrationId: string, asOf: IsoDate): Promise<{ score: ProfileScore; input: ReturnType<typeof scoreInputFromItems> }> {
  const items = await db.select().from(shmRegistrationItems).where(eq(shmRegistrationItems.registrationId, registrationId));
  const tasks = await db.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, registrationId));
  const decisions = effectiveDecisions(tasks);
  const approvedDocsByItem = new Map<string, number>();
  for (const t of tasks) {
    if (decisions.get(t.documentId)?.status === 'approved') approvedDocsByItem.set(t.itemId, (approvedDocsByItem.get(t.itemId) ?? 0) + 1);
  }
  const input = scoreInputFromItems(
    items.map((i) => ({ kind: i.kind as ItemKind, data: i.data as ItemData, approved: (approvedDocsByItem.get(i.itemId) ?? 0) > 0 })),
    asOf,
  );
  return { score: scoreProfile(input, asOf, RUBRIC_V1), input };
}

/** The database or an open transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export async function notify(
  db: DbOrTx,
  n: { recipientUserId?: string | null; recipientRole?: string | null; channel?: 'inbox' | 'email'; kind: string; subjectType: string; subjectId: string; message: string; dedupeKey: string },
): Promise<void> {
  await db
    .insert(shmNotifications)
    .values({
      recipientUserId: n.recipientUserId ?? null,
      recipientRole: n.recipientRole ?? null,
      channel: n.channel ?? 'inbox',
      kind: n.kind,
      subjectType: n.subjectType,
      subjectId: n.subjectId,
      message: n.message,
      dedupeKey: n.dedupeKey,
    })
    .onConflictDoNothing({ target: shmNotifications.dedupeKey });
}

async function applicantUserOfRegistration(db: Db, registrationId: string): Promise<{ userId: string; applicantId: string; profileId: string; version: number } | null> {
  const [row] = await db
    .select({ userId: shmApplicants.userId, applicantId: shmApplicants.id, profileId: shmRegistrations.profileId, version: shmRegistrations.version })
    .from(shmRegistrations)
    .innerJoin(shmProfiles, eq(shmProfiles.id, shmRegistrations.profileId))
    .innerJoin(shmApplicants, eq(shmApplicants.id, shmProfiles.applicantId))
    .where(eq(shmRegistrations.id, registrationId));
  return row ?? null;
}

const STAGE_STATUS: Record<string, string> = {
  checking: 'checking',
  'in-review': 'in_review',
  escalated: 'in_review',
  'waiting-applicant': 'waiting_applicant',
  'appeal-review': 'appeal',
  'appeal-escalated': 'appeal',
  'appeal-waiting-applicant': 'appeal',
  scored: 'scored',
  'rejected-checks': 'rejected',
};

/** Stage shown to applicants and operators; a finished registration keeps its final status (late retries are ignored). */
async function setStage(db: DbOrTx, registrationId: string, stage: string): Promise<void> {
  const final = stage === 'scored' || stage === 'rejected-checks';
  await db
    .update(shmRegistrations)
    .set({ stage, status: STAGE_STATUS[stage] ?? stage })
    .where(final ? eq(shmRegistrations.id, registrationId) : and(eq(shmRegistrations.id, registrationId), notInArray(shmRegistrations.status, ['scored', 'rejected'])));
}

export interface SlaDeadlinesView {
  escalateOn: IsoDate;
  breachOn: IsoDate;
  /** Epoch ms (virtual when the clock is scaled). */
  dueAt: number;
  breachAt: number;
  escalated: boolean;
  breached: boolean;
}

type ClockRow = typeof shmSlaClocks.$inferSelect;
const deadlinesOf = (row: ClockRow): SlaDeadlinesView => ({
  escalateOn: row.escalateOn!,
  breachOn: row.breachOn!,
  dueAt: row.dueAt!.getTime(),
  breachAt: row.breachAt!.getTime(),
  escalated: row.escalatedAt !== null,
  breached: row.breachedAt !== null,
});

async function clockRow(db: Db, registrationId: string, round: string): Promise<ClockRow> {
  const [row] = await db.select().from(shmSlaClocks).where(and(eq(shmSlaClocks.registrationId, registrationId), eq(shmSlaClocks.round, round)));
  if (!row) throw new Error(`SLA clock ${registrationId}/${round} does not exist`);
  return row;
}

/** Creates the review tasks of a registration (or a re-submission): carried-over approvals for unchanged items. */
export async function createReviewTasks(db: Db, registrationId: string): Promise<{ open: number; carried: number }> {
  return db.transaction(async (tx) => {
    const [reg] = await tx.select().from(shmRegistrations).where(eq(shmRegistrations.id, registrationId));
    if (!reg) throw new Error(`registration ${registrationId} does not exist`);
    const items = await tx.select().from(shmRegistrationItems).where(eq(shmRegistrationItems.registrationId, registrationId));
    // The latest scored earlier version: its approvals carry over to unchanged items.
    const [previous] = await tx
      .select()
      .from(shmRegistrations)
      .where(and(eq(shmRegistrations.profileId, reg.profileId), lt(shmRegistrations.version, reg.version), eq(shmRegistrations.status, 'scored')))
      .orderBy(desc(shmRegistrations.version))
      .limit(1);
    const prevItems = previous ? await tx.select().from(shmRegistrationItems).where(eq(shmRegistrationItems.registrationId, previous.id)) : [];
    const prevDecisions = previous ? effectiveDecisions(await tx.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, previous.id))) : new Map();
    const prevHash = new Map(prevItems.map((i) => [i.itemId, i.dataHash]));
    const now = new Date();
    let carried = 0;
    let open = 0;
    for (const item of items) {
      for (const documentId of item.documentIds) {
        const prev = prevDecisions.get(documentId);
        const keep = prev?.status === 'approved' && prevHash.get(item.itemId) === item.dataHash;
        const inserted = await tx
          .insert(shmReviewTasks)
          .values({
            registrationId,
            profileId: reg.profileId,
            itemId: item.itemId,
            documentId,
            itemKind: item.kind,
            round: 'review',
            status: keep ? 'approved' : 'open',
            municipality: reg.municipality,
            carriedOver: keep,
            decidedBy: keep ? prev!.decidedBy : null,
            decidedAt: keep ? now : null,
            reason: keep ? `Aprobación conservada de la versión ${previous!.version}: el dato y el documento no cambiaron.` : null,
          })
          .onConflictDoNothing()
          .returning({ id: shmReviewTasks.id });
        if (inserted.length > 0) {
          if (keep) carried++;
          else open++;
        }
      }
    }
    return { open, carried };
  });
}

// ---------------------------------------------------------------------------------------------

export function createShmActivities({ db, renapo }: ShmActivityDeps) {
  return {
    /** Confirms an applicant's CURP at RENAPO and keeps the names RENAPO returns. */
    async verifyShmApplicant({ applicantId }: { applicantId: string }): Promise<{ status: 'active' | 'rejected'; reason: string }> {
      const [a] = await db.select().from(shmApplicants).where(eq(shmApplicants.id, applicantId));
      if (!a) return { status: 'rejected', reason: 'La solicitud de cuenta no existe.' };
      if (a.status !== 'verifying') return { status: a.status === 'active' ? 'active' : 'rejected', reason: a.rejectionReason ?? '' };
      const result = await renapo.consultaPorCurp(a.curp);
      let status: 'active' | 'rejected' = 'active';
      let reason = '';
      if (!result.found) {
        status = 'rejected';
        reason = 'Su CURP no existe en RENAPO; verifíquela con su acta de nacimiento o constancia CURP y regístrese de nuevo.';
      } else if (!result.record.active) {
        status = 'rejected';
        reason = `Su CURP no está vigente en RENAPO (${result.record.status}: ${result.record.statusDescription}); acuda al registro civil para aclararla.`;
      }
      const r = result.found ? result.record : null;
      await db
        .update(shmApplicants)
        .set({
          status,
          rejectionReason: reason || null,
          renapoStatus: r?.status ?? 'NO_ENCONTRADA',
          givenNames: r?.givenNames ?? null,
          firstSurname: r?.firstSurname ?? null,
          secondSurname: r?.secondSurname ?? null,
          sex: r?.sex ?? null,
          birthDate: r?.birthDate ?? null,
        })
        .where(and(eq(shmApplicants.id, applicantId), eq(shmApplicants.status, 'verifying')));
      await notify(db, {
        recipientUserId: a.userId,
        kind: status === 'active' ? 'account-verified' : 'account-rejected',
        subjectType: 'shm-applicant',
        subjectId: applicantId,
        message: status === 'active' ? 'Su CURP fue confirmada en RENAPO: ya puede capturar y enviar su cédula.' : reason,
        dedupeKey: `applicant-verified:${applicantId}`,
      });
      return { status, reason };
    },

    /** Starts the SLA clock of a round (idempotent: a retry returns the stored deadlines). */
    async startShmSlaClock(input: { registrationId: string; round: 'review' | 'appeal'; at: number; clock: SlaClock; targets: SlaTargets }): Promise<SlaDeadlinesView> {
      const fromDate = mexicoDateOf(input.at);
      const calendar = await loadShmCalendar(db, fromDate);
      const d = slaDeadlines(calendar, fromDate, input.targets);
      await db
        .insert(shmSlaClocks)
        .values({
          registrationId: input.registrationId,
          round: input.round,
          targets: input.targets,
          clock: input.clock,
          startedAt: new Date(input.at),
          runningSince: new Date(input.at),
          escalateOn: d.escalateOn,
          breachOn: d.breachOn,
          dueAt: new Date(d.dueAt),
          breachAt: new Date(d.breachAt),
        })
        .onConflictDoNothing();
      return deadlinesOf(await clockRow(db, input.registrationId, input.round));
    },

    /** Pauses the clock while the applicant corrects documents; records the business days consumed. */
    async pauseShmSlaClock(input: { registrationId: string; round: string; at: number; stage: string }): Promise<void> {
      const { registrationId, round, stage } = input;
      const row = await clockRow(db, registrationId, round);
      if (row.pausedAt || row.stoppedAt || !row.runningSince) return;
      // The clock stops when the correction was asked for, not when the workflow noticed it.
      const [asked] = await db
        .select({ at: sql<Date | null>`min(${shmReviewTasks.decidedAt})` })
        .from(shmReviewTasks)
        .where(and(eq(shmReviewTasks.registrationId, registrationId), eq(shmReviewTasks.round, round), eq(shmReviewTasks.status, 'correction'), isNull(shmReviewTasks.resolvedAt)));
      const at = asked?.at ? Math.min(input.at, Math.max(row.runningSince.getTime(), virtualNow(row.clock as SlaClock, new Date(asked.at).getTime()))) : input.at;
      await setStage(db, registrationId, stage);
      const calendar = await loadShmCalendar(db, mexicoDateOf(row.runningSince.getTime()));
      const consumed = row.consumedBusinessDays + businessDaysConsumed(calendar, mexicoDateOf(row.runningSince.getTime()), mexicoDateOf(at));
      await db
        .update(shmSlaClocks)
        .set({ pausedAt: new Date(at), runningSince: null, consumedBusinessDays: consumed })
        .where(and(eq(shmSlaClocks.id, row.id), isNull(shmSlaClocks.pausedAt)));
      await db.insert(shmReviewEvents).values({ registrationId, action: 'sla-paused', detail: { round, consumedBusinessDays: consumed, at: new Date(at).toISOString() } });
    },

    /** Resumes a paused clock: the remaining business days count from the day after the re-submission. */
    async resumeShmSlaClock(input: { registrationId: string; round: string; at: number; stages: { review: string; escalated: string } }): Promise<SlaDeadlinesView> {
      const { registrationId, round, stages } = input;
      const row = await clockRow(db, registrationId, round);
      if (!row.pausedAt) return deadlinesOf(row);
      // The clock runs again from the re-submission, not from when the workflow noticed it.
      const [answered] = await db
        .select({ at: sql<Date | null>`max(${shmReviewTasks.resolvedAt})` })
        .from(shmReviewTasks)
        .where(and(eq(shmReviewTasks.registrationId, registrationId), eq(shmReviewTasks.round, round), eq(shmReviewTasks.status, 'correction')));
      const at = answered?.at ? Math.min(input.at, Math.max(row.pausedAt.getTime(), virtualNow(row.clock as SlaClock, new Date(answered.at).getTime()))) : input.at;
      await setStage(db, registrationId, row.escalatedAt ? stages.escalated : stages.review);
      const fromDate = mexicoDateOf(at);
      const calendar = await loadShmCalendar(db, fromDate);
      const d = slaDeadlines(calendar, fromDate, row.targets as SlaTargets, row.consumedBusinessDays);
      const pausedMs = Math.max(0, at - row.pausedAt.getTime());
      await db
        .update(shmSlaClocks)
        .set({
          pausedAt: null,
          runningSince: new Date(at),
          pausedTotalMs: sql`${shmSlaClocks.pausedTotalMs} + ${pausedMs}`,
          escalateOn: d.escalateOn,
          breachOn: d.breachOn,
          dueAt: new Date(d.dueAt),
          breachAt: new Date(d.breachAt),
        })
        .where(and(eq(shmSlaClocks.id, row.id), eq(shmSlaClocks.pausedAt, row.pausedAt)));
      await db.insert(shmReviewEvents).values({ registrationId, action: 'sla-resumed', detail: { round, escalateOn: d.escalateOn, breachOn: d.breachOn } });
      return deadlinesOf(await clockRow(db, registrationId, round));
    },

    async stopShmSlaClock({ registrationId, round, at }: { registrationId: string; round: string; at: number }): Promise<void> {
      await db
        .update(shmSlaClocks)
        .set({ stoppedAt: new Date(at), runningSince: null })
        .where(and(eq(shmSlaClocks.registrationId, registrationId), eq(shmSlaClocks.round, round), isNull(shmSlaClocks.stoppedAt)));
    },

    async setShmRegistrationStage({ registrationId, stage }: { registrationId: string; stage: string }): Promise<void> {
      await setStage(db, registrationId, stage);
    },

    /**
     * Automatic checks before review: completeness of the cédula, the stored type of every
     * document and the identifiers (CURP well formed and in force at RENAPO, RFC if given).
     */
    async runShmAutomaticChecks({ registrationId, at }: { registrationId: string; at: number }): Promise<{ ok: boolean; findings: number }> {
      const [reg] = await db.select().from(shmRegistrations).where(eq(shmRegistrations.id, registrationId));
      if (!reg) throw new Error(`registration ${registrationId} does not exist`);
      const owner = await applicantUserOfRegistration(db, registrationId);
      const [applicant] = owner ? await db.select().from(shmApplicants).where(eq(shmApplicants.id, owner.applicantId)) : [];
      const items = await db.select().from(shmRegistrationItems).where(eq(shmRegistrationItems.registrationId, registrationId));
      const docIds = items.flatMap((i) => i.documentIds);
      const docs = docIds.length > 0 ? await db.select().from(shmDocuments).where(inArray(shmDocuments.id, docIds)) : [];
      const snapshot = reg.snapshot as { personal: PersonalData; position: PositionData | null };
      const cedulaItems: CedulaItem[] = items.map((i) => ({ id: i.itemId, kind: i.kind as ItemKind, data: i.data as ItemData, documentCount: i.documentIds.length }));
      const findings = checkCompleteness({ personal: snapshot.personal, position: snapshot.position, items: cedulaItems }, mexicoDateOf(at));
      for (const d of docs) {
        if (!isAllowedMime(d.mime)) findings.push({ code: 'UNSUPPORTED_FILE_TYPE', field: `documents.${d.id}`, message: `El documento «${d.originalName}» no es PDF, JPEG ni PNG; reemplácelo.` });
      }
      if (!applicant || !validateCurp(applicant.curp).ok) {
        findings.push({ code: 'CURP_INVALID', field: 'curp', message: 'La CURP de la cuenta no es válida.' });
      } else {
        const result = await renapo.consultaPorCurp(applicant.curp);
        if (!result.found || !result.record.active) {
          findings.push({ code: 'CURP_NOT_ACTIVE', field: 'curp', message: 'Su CURP no está vigente en RENAPO; aclárela en el registro civil antes de enviar su cédula.' });
        }
      }
      if (findings.length > 0) {
        await db
          .update(shmRegistrations)
          .set({ status: 'rejected', stage: 'rejected-checks', checkFindings: findings, decidedAt: new Date(at) })
          .where(and(eq(shmRegistrations.id, registrationId), eq(shmRegistrations.status, 'checking')));
        if (owner) {
          await notify(db, {
            recipientUserId: owner.userId,
            kind: 'registration-rejected',
            subjectType: 'shm-registration',
            subjectId: registrationId,
            message: `Su cédula (versión ${reg.version}) no pasó las revisiones automáticas: ${findings.map((f) => f.message).join(' ')} Corríjala y envíela de nuevo.`,
            dedupeKey: `checks-failed:${registrationId}`,
          });
        }
        return { ok: false, findings: findings.length };
      }
      await db.update(shmRegistrations).set({ checkFindings: [] }).where(eq(shmRegistrations.id, registrationId));
      return { ok: true, findings: 0 };
    },

    async createShmReviewTasks({ registrationId }: { registrationId: string }): Promise<{ open: number; carried: number }> {
      return createReviewTasks(db, registrationId);
    },

    /** Appeal: a second review of every rejected document, by a reviewer other than the first. */
    async createShmAppealTasks({ registrationId }: { registrationId: string }): Promise<{ open: number }> {
      const tasks = await db.select().from(shmReviewTasks).where(and(eq(shmReviewTasks.registrationId, registrationId), eq(shmReviewTasks.round, 'review')));
      const rejected = tasks.filter((t) => t.status === 'rejected');
      let open = 0;
      for (const t of rejected) {
        const inserted = await db
          .insert(shmReviewTasks)
          .values({
            registrationId,
            profileId: t.profileId,
            itemId: t.itemId,
            documentId: t.documentId,
            itemKind: t.itemKind,
            round: 'appeal',
            status: 'open',
            municipality: t.municipality,
            excludedReviewer: t.decidedBy,
          })
          .onConflictDoNothing()
          .returning({ id: shmReviewTasks.id });
        open += inserted.length;
      }
      return { open };
    },

    /** Where the round stands, read from the queue (the source of truth). */
    async getShmReviewState({ registrationId, round }: { registrationId: string; round: string }): Promise<{ open: number; correctionsOutstanding: number; decided: number; complete: boolean; lastClaimant: string | null }> {
      const tasks = await db
        .select()
        .from(shmReviewTasks)
        .where(and(eq(shmReviewTasks.registrationId, registrationId), eq(shmReviewTasks.round, round)))
        .orderBy(asc(shmReviewTasks.claimedAt));
      const open = tasks.filter((t) => t.status === 'open').length;
      const correctionsOutstanding = tasks.filter((t) => t.status === 'correction' && t.resolvedAt === null).length;
      const decided = tasks.filter((t) => t.status === 'approved' || t.status === 'rejected').length;
      const claimed = tasks.filter((t) => t.claimedBy !== null && t.claimedAt !== null);
      return { open, correctionsOutstanding, decided, complete: open === 0 && correctionsOutstanding === 0, lastClaimant: claimed[claimed.length - 1]?.claimedBy ?? null };
    },

    /** Target missed: the round's open tasks go to the supervisors' queue and supervisors are notified. */
    async escalateShmRegistration({ registrationId, round, at, stage }: { registrationId: string; round: string; at: number; stage: string }): Promise<void> {
      const row = await clockRow(db, registrationId, round);
      const owner = await applicantUserOfRegistration(db, registrationId);
      await db.transaction(async (tx) => {
        await setStage(tx, registrationId, stage);
        await tx
          .update(shmReviewTasks)
          .set({ escalatedAt: new Date(at) })
          .where(and(eq(shmReviewTasks.registrationId, registrationId), eq(shmReviewTasks.round, round), eq(shmReviewTasks.status, 'open'), isNull(shmReviewTasks.escalatedAt)));
        const marked = await tx
          .update(shmSlaClocks)
          .set({ escalatedAt: new Date(at) })
          .where(and(eq(shmSlaClocks.id, row.id), isNull(shmSlaClocks.escalatedAt)))
          .returning({ id: shmSlaClocks.id });
        if (marked.length === 0) return;
        await tx.insert(shmReviewEvents).values({ registrationId, action: 'escalated', detail: { round, escalateOn: row.escalateOn } });
        await notify(tx, {
          recipientRole: 'supervisor',
          kind: 'sla-escalation',
          subjectType: 'shm-registration',
          subjectId: registrationId,
          message: `El registro ${owner ? `del perfil ${owner.profileId} versión ${owner.version}` : registrationId} (${round === 'appeal' ? 'apelación' : 'revisión'}) lleva más de ${(row.targets as SlaTargets).escalateAfterBusinessDays} días hábiles sin decisión (meta: ${row.escalateOn}); sus tareas pasaron a la cola de supervisión.`,
          dedupeKey: `escalation:${registrationId}:${round}`,
        });
      });
    },

    /** Maximum missed: the breach is recorded for the operations report. */
    async markShmSlaBreach({ registrationId, round, at }: { registrationId: string; round: string; at: number }): Promise<void> {
      const row = await clockRow(db, registrationId, round);
      await db.transaction(async (tx) => {
        const marked = await tx
          .update(shmSlaClocks)
          .set({ breachedAt: new Date(at) })
          .where(and(eq(shmSlaClocks.id, row.id), isNull(shmSlaClocks.breachedAt)))
          .returning({ id: shmSlaClocks.id });
        if (marked.length === 0) return;
        await tx.insert(shmReviewEvents).values({ registrationId, action: 'sla-breached', detail: { round, breachOn: row.breachOn } });
        await notify(tx, {
          recipientRole: 'supervisor',
          kind: 'sla-breach',
          subjectType: 'shm-registration',
          subjectId: registrationId,
          message: `Incumplimiento de SLA: el registro ${registrationId} superó el máximo de ${(row.targets as SlaTargets).breachAfterBusinessDays} días hábiles (límite: ${row.breachOn}).`,
          dedupeKey: `breach:${registrationId}:${round}`,
        });
      });
    },

    /** Scores the registration per rubric v1 from approved items; stores breakdown and rubric version. */
    async scoreShmRegistration({ registrationId, reason, at }: { registrationId: string; reason: 'review' | 'appeal'; at: number }): Promise<{ stars: number; total: string }> {
      const asOf = mexicoDateOf(at);
      const { score, input } = await computeRegistrationScore(db, registrationId, asOf);
      const [reg] = await db.select().from(shmRegistrations).where(eq(shmRegistrations.id, registrationId));
      if (!reg) throw new Error(`registration ${registrationId} does not exist`);
      await db
        .insert(shmScores)
        .values({
          profileId: reg.profileId,
          registrationId,
          reason,
          asOf,
          total: score.total,
          stars: score.stars,
          breakdown: score.breakdown,
          rubricVersion: score.rubricVersion,
          input,
          dedupeKey: `${registrationId}:${reason}`,
        })
        .onConflictDoNothing({ target: shmScores.dedupeKey });
      const [stored] = await db.select().from(shmScores).where(eq(shmScores.dedupeKey, `${registrationId}:${reason}`));
      await db.update(shmRegistrations).set({ status: 'scored', stage: 'scored', decidedAt: new Date(at) }).where(eq(shmRegistrations.id, registrationId));
      const owner = await applicantUserOfRegistration(db, registrationId);
      if (owner) {
        await notify(db, {
          recipientUserId: owner.userId,
          kind: 'score-ready',
          subjectType: 'shm-registration',
          subjectId: registrationId,
          message: `Su cédula (versión ${reg.version}) fue ${reason === 'appeal' ? 'revisada en apelación' : 'revisada'}: ${stored!.stars} estrella(s), ${stored!.total} puntos. Consulte el desglose por criterio.`,
          dedupeKey: `score-ready:${registrationId}:${reason}`,
        });
      }
      return { stars: stored!.stars, total: stored!.total };
    },

    /** The next certification event of a profile not yet handled (reminder or expiry), or null. */
    async planShmCertificationWatch({ profileId }: { profileId: string }): Promise<{ key: string; kind: 'reminder' | 'expired'; itemId: string; expiresOn: string; on: string; startsAt: number; daysBefore: number | null } | null> {
      const [latest] = await db.select().from(shmScores).where(eq(shmScores.profileId, profileId)).orderBy(desc(shmScores.computedAt)).limit(1);
      if (!latest) return null;
      const items = await db
        .select()
        .from(shmRegistrationItems)
        .where(and(eq(shmRegistrationItems.registrationId, latest.registrationId), eq(shmRegistrationItems.kind, 'certification')));
      const tasks = await db.select().from(shmReviewTasks).where(eq(shmReviewTasks.registrationId, latest.registrationId));
      const decisions = effectiveDecisions(tasks);
      const approvedItems = new Set(tasks.filter((t) => decisions.get(t.documentId)?.status === 'approved').map((t) => t.itemId));
      const certs = items.filter((i) => approvedItems.has(i.itemId)).map((i) => ({ itemId: i.itemId, expiresOn: (i.data as CertificationData).expiresOn }));
      const events = certificationEvents(certs, latest.asOf);
      if (events.length === 0) return null;
      const done = new Set(
        (await db.select({ key: shmCertificationEvents.key }).from(shmCertificationEvents).where(inArray(shmCertificationEvents.key, events.map((e) => e.key)))).map((r) => r.key),
      );
      const next = events.find((e) => !done.has(e.key));
      if (!next) return null;
      // The event happens at the start of its day in Mexico City.
      const startsAt = Date.parse(`${next.on}T00:00:00.000Z`) - MEXICO_CITY_OFFSET_MS;
      return { key: next.key, kind: next.kind, itemId: next.itemId, expiresOn: next.expiresOn, on: next.on, startsAt, daysBefore: next.daysBefore ?? null };
    },

    /** Sends a reminder, or recomputes the score once a certificate expired (it stops counting). */
    async handleShmCertificationEvent(input: { profileId: string; key: string; kind: 'reminder' | 'expired'; itemId: string; expiresOn: string; on: string; daysBefore: number | null }): Promise<{ stars: number | null }> {
      const [profile] = await db.select().from(shmProfiles).where(eq(shmProfiles.id, input.profileId));
      const [applicant] = profile ? await db.select().from(shmApplicants).where(eq(shmApplicants.id, profile.applicantId)) : [];
      let stars: number | null = null;
      if (input.kind === 'reminder') {
        if (applicant) {
          await notify(db, {
            recipientUserId: applicant.userId,
            kind: 'certification-expiring',
            subjectType: 'shm-item',
            subjectId: input.itemId,
            message: `Una de sus certificaciones vence el ${input.expiresOn} (en ${input.daysBefore} días). Renuévela y suba el nuevo certificado para que siga contando en su calificación.`,
            dedupeKey: `cert:${input.key}`,
          });
        }
      } else {
        const [latest] = await db.select().from(shmScores).where(eq(shmScores.profileId, input.profileId)).orderBy(desc(shmScores.computedAt)).limit(1);
        if (latest) {
          const { score, input: scoreInput } = await computeRegistrationScore(db, latest.registrationId, input.on);
          await db
            .insert(shmScores)
            .values({
              profileId: input.profileId,
              registrationId: latest.registrationId,
              reason: 'expiry',
              asOf: input.on,
              total: score.total,
              stars: score.stars,
              breakdown: score.breakdown,
              rubricVersion: score.rubricVersion,
              input: scoreInput,
              dedupeKey: `expiry:${input.key}`,
            })
            .onConflictDoNothing({ target: shmScores.dedupeKey });
          stars = score.stars;
          if (applicant) {
            await notify(db, {
              recipientUserId: applicant.userId,
              kind: 'certification-expired',
              subjectType: 'shm-item',
              subjectId: input.itemId,
              message: `Una de sus certificaciones venció el ${input.expiresOn} y dejó de contar; su calificación se recalculó: ${score.stars} estrella(s), ${score.total} puntos.`,
              dedupeKey: `cert:${input.key}`,
            });
          }
        }
      }
      await db.insert(shmCertificationEvents).values({ key: input.key, profileId: input.profileId, kind: input.kind }).onConflictDoNothing();
      return { stars };
    },

    /** ARCO answer deadline: 20 business days of the State of Mexico calendar. */
    async computeShmArcoDeadline({ requestId, at }: { requestId: string; at: number }): Promise<{ dueOn: string; dueAt: number }> {
      const [row] = await db.select().from(shmArcoRequests).where(eq(shmArcoRequests.id, requestId));
      if (!row) throw new Error(`ARCO request ${requestId} does not exist`);
      if (row.dueOn && row.dueAt) return { dueOn: row.dueOn, dueAt: row.dueAt.getTime() };
      const receivedOn = mexicoDateOf(at);
      const calendar = await loadShmCalendar(db, receivedOn);
      const dueOn = arcoDueOn(calendar, receivedOn);
      const dueAt = endOfMexicoDay(dueOn);
      await db
        .update(shmArcoRequests)
        .set({ receivedAt: new Date(at), dueOn, dueAt: new Date(dueAt) })
        .where(and(eq(shmArcoRequests.id, requestId), isNull(shmArcoRequests.dueOn)));
      return { dueOn, dueAt };
    },

    async markShmArcoOverdue({ requestId, at }: { requestId: string; at: number }): Promise<void> {
      const updated = await db
        .update(shmArcoRequests)
        .set({ overdueAt: new Date(at) })
        .where(and(eq(shmArcoRequests.id, requestId), isNull(shmArcoRequests.overdueAt), isNull(shmArcoRequests.resolvedAt)))
        .returning({ id: shmArcoRequests.id, dueOn: shmArcoRequests.dueOn });
      if (updated[0]) {
        await notify(db, {
          recipientRole: 'supervisor',
          kind: 'arco-overdue',
          subjectType: 'shm-arco',
          subjectId: requestId,
          message: `La solicitud ARCO ${requestId} venció el ${updated[0].dueOn} sin respuesta (plazo legal de 20 días hábiles).`,
          dedupeKey: `arco-overdue:${requestId}`,
        });
      }
    },

    /** Carries out a granted cancellation or opposition: the profile is blocked and leaves the talent bank. */
    async executeShmArcoResolution({ requestId }: { requestId: string }): Promise<{ executed: boolean }> {
      const [row] = await db.select().from(shmArcoRequests).where(eq(shmArcoRequests.id, requestId));
      if (!row || !row.resolvedAt || row.executedAt) return { executed: false };
      const granted = row.resolution === 'granted' || row.resolution === 'partial';
      if (granted && row.type === 'cancelacion') {
        await db.update(shmApplicants).set({ blockedAt: new Date(), talentBankOptIn: false }).where(and(eq(shmApplicants.id, row.applicantId), isNull(shmApplicants.blockedAt)));
      } else if (granted && row.type === 'oposicion') {
        await db.update(shmApplicants).set({ talentBankOptIn: false }).where(eq(shmApplicants.id, row.applicantId));
      }
      await db.update(shmArcoRequests).set({ executedAt: new Date() }).where(and(eq(shmArcoRequests.id, requestId), isNull(shmArcoRequests.executedAt)));
      const [applicant] = await db.select().from(shmApplicants).where(eq(shmApplicants.id, row.applicantId));
      if (applicant) {
        await notify(db, {
          recipientUserId: applicant.userId,
          kind: 'arco-answered',
          subjectType: 'shm-arco',
          subjectId: requestId,
          message: `Su solicitud de ${row.type} fue respondida (${row.resolution === 'granted' ? 'procedente' : row.resolution === 'partial' ? 'parcialmente procedente' : 'improcedente'}): ${row.response ?? ''}`,
          dedupeKey: `arco-answered:${requestId}`,
        });
      }
      return { executed: granted };
    },
  };
}
