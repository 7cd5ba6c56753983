import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

type AuditEntry = { action: string; subjectType: string; subjectId: string; purpose: string; outcome?: 'allowed' | 'denied' };

/** Records an access to personal data (who, what, why). Call it before returning the data. */
export async function auditPersonalDataAccess(db: Db, request: FastifyRequest, entry: AuditEntry): Promise<void> {
  await auditPersonalDataAccesses(db, request, [entry]);
}

/**
 * One audit row per subject, written in a single INSERT: a search that shows 100 profiles
 * records 100 accesses without 100 round trips.
 */
export async function auditPersonalDataAccesses(db: Db, request: FastifyRequest, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const principal = request.principal;
  await db.insert(auditLog).values(
    entries.map((entry) => ({
      actorUserId: principal?.kind === 'user' ? principal.id : null,
      actorApiKeyId: principal?.kind === 'apiKey' ? principal.id : null,
      actorRole: principal?.role ?? 'anonymous',
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      purpose: entry.purpose,
      requestId: request.id,
      ip: request.ip,
      outcome: entry.outcome ?? 'allowed',
    })),
  );
}
