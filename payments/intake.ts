/**
 * Bank intake (contracts §5), API side: record each reported deposit once per (bank, tracking
 * key), then route it by reference — to the period's workflow, or to the operators' review
 * queue when the reference is unknown, expired or already paid. Nothing is silently absorbed.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { bankDeposits, lineasCaptura, paymentReviewQueue, payrollSubmissions } from '../db/schema';
import { compareDates } from '../domain/dates';
import { isValidLineaCaptura } from '../domain/identifiers/linea-captura';
import { depositReceivedSignal, payrollSubmissionWorkflow } from '../workflows/payroll-submission';

export interface ReportedDeposit {
  bank: string;
  trackingKey: string;
  account: string | null;
  operationDate: string;
  valueDate: string;
  amount: string;
  reference: string;
  payerName: string | null;
  payerAccount: string | null;
  source: 'webhook' | 'statement';
  raw: unknown;
}

export type RouteOutcome = 'routed' | 'queued' | 'duplicate';

export async function recordAndRouteDeposit(
  deps: { db: Db; temporal: Client; taskQueue: string },
  deposit: ReportedDeposit,
): Promise<{ depositId: string; outcome: RouteOutcome; reason?: string }> {
  const { db } = deps;
  const inserted = await db
    .insert(bankDeposits)
    .values({ ...deposit, raw: deposit.raw as object })
    .onConflictDoNothing({ target: [bankDeposits.bank, bankDeposits.trackingKey] })
    .returning({ id: bankDeposits.id });
  let depositId: string;
  if (!inserted[0]) {
    const [existing] = await db
      .select({ id: bankDeposits.id, status: bankDeposits.status, submissionId: bankDeposits.submissionId })
      .from(bankDeposits)
      .where(and(eq(bankDeposits.bank, deposit.bank), eq(bankDeposits.trackingKey, deposit.trackingKey)));
    if (existing!.status !== 'received' || existing!.submissionId) {
      // A repeated notification changes nothing, but re-sends the nudge in case the first was lost.
      if (existing!.status === 'received' && existing!.submissionId) await signalPeriod(deps, existing!.submissionId, existing!.id);
      return { depositId: existing!.id, outcome: 'duplicate' };
    }
    // Recorded by an earlier call that stopped (API killed, database gone) before routing it:
    // route it now, or it would sit unrouted forever while every repeat says "duplicate".
    depositId = existing!.id;
  } else {
    depositId = inserted[0].id;
  }

  const queue = async (reason: string, detail: string) => {
    await db.transaction(async (tx) => {
      await tx.update(bankDeposits).set({ status: 'queued', matchResult: reason }).where(eq(bankDeposits.id, depositId));
      await tx.insert(paymentReviewQueue).values({ depositId, reason, detail }).onConflictDoNothing();
    });
    return { depositId, outcome: 'queued' as const, reason };
  };

  if (!isValidLineaCaptura(deposit.reference)) {
    return queue('unknown-reference', `La referencia ${deposit.reference} no es una línea de captura válida.`);
  }
  const [linea] = await db.select().from(lineasCaptura).where(eq(lineasCaptura.linea, deposit.reference));
  if (!linea) return queue('unknown-reference', `No existe una línea de captura ${deposit.reference}.`);
  if (compareDates(deposit.operationDate, linea.validUntil) > 0) {
    return queue('expired-reference', `El depósito del ${deposit.operationDate} usó la línea ${linea.linea}, vigente solo hasta el ${linea.validUntil}.`);
  }
  const [submission] = await db.select({ stage: payrollSubmissions.stage }).from(payrollSubmissions).where(eq(payrollSubmissions.id, linea.submissionId));
  if (linea.status === 'paid' || ['paid', 'invoiced', 'dispersed', 'withdrawn'].includes(submission?.stage ?? '')) {
    return queue('already-paid', `La línea ${linea.linea} ya estaba pagada; el depósito requiere asignación o devolución.`);
  }
  await db.update(bankDeposits).set({ lineaId: linea.id, submissionId: linea.submissionId }).where(eq(bankDeposits.id, depositId));
  await signalPeriod(deps, linea.submissionId, depositId);
  return { depositId, outcome: 'routed' };
}

/** Signal-with-start: delivered even if the period's workflow is between runs. */
export async function signalPeriod(deps: { db: Db; temporal: Client; taskQueue: string }, submissionId: string, depositId: string): Promise<void> {
  const [submission] = await deps.db.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, submissionId));
  if (!submission) return;
  await deps.temporal.workflow.signalWithStart(payrollSubmissionWorkflow, {
    workflowId: submission.workflowId,
    taskQueue: deps.taskQueue,
    args: [{ submissionId, institutionClave: submission.institutionClave, period: submission.period }],
    signal: depositReceivedSignal,
    signalArgs: [{ depositId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}
