/**
 * Money in (issue 5): líneas de captura, applying bank deposits to a period, crédito fiscal.
 * Every effect is idempotent: líneas by `issueKey`, deposits by their (bank, tracking key)
 * identity and a conditional status transition (received → applied).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { ActivityDeps } from '.';
import { bankDeposits, creditosFiscales, determinaciones, lineasCaptura, notifications, payrollFiles, payrollSubmissions } from '../db/schema';
import type { IsoDate } from '../domain/dates';
import { accessoryRatesForDueDate } from '../payments/rates';
import { lineaValidUntil } from '../domain/due-dates';
import { buildLineaCaptura } from '../domain/identifiers/linea-captura';
import { Decimal, toAmountString, ZERO } from '../domain/money';
import { amountDueOn, classifyDeposit, type LineaTerms } from '../domain/payments/matching';

export interface LineaIssued {
  lineaId: string;
  linea: string;
  amount: string;
  principal: string;
  validUntil: IsoDate;
  late: boolean;
}

export interface PaymentState {
  /** Principal still owed (Σ accepted determinaciones − Σ principal paid). */
  balance: string;
  paidInFull: boolean;
  /** The active línea asks for exactly the balance (otherwise a new one must be issued). */
  activeLineaCurrent: boolean;
  activeLineaValidUntil: IsoDate | null;
  lastPaymentDate: IsoDate | null;
  depositsApplied: number;
}

type Tx = Parameters<Parameters<ActivityDeps['db']['transaction']>[0]>[0];

export function createPaymentActivities(deps: ActivityDeps) {
  const { db } = deps;

  // Inside a transaction, pass the transaction: a second pool connection taken while holding one
  // deadlocks once as many deposits are applied at once as the pool has connections.
  const ratesForDueDate = (dueDate: IsoDate, executor: Tx | typeof db = db) => accessoryRatesForDueDate(executor as typeof db, dueDate);

  async function principalBalance(executor: Tx | typeof db, submissionId: string): Promise<Decimal> {
    const [owed] = (await executor
      .select({ total: sql<string>`coalesce(sum(${determinaciones.totalDue}), 0)::text` })
      .from(determinaciones)
      .innerJoin(payrollFiles, eq(payrollFiles.id, determinaciones.fileId))
      .where(and(eq(payrollFiles.submissionId, submissionId), eq(payrollFiles.status, 'accepted')))) as [{ total: string }];
    const [paid] = (await executor
      .select({ total: sql<string>`coalesce(sum(${bankDeposits.principalPaid}), 0)::text` })
      .from(bankDeposits)
      .where(and(eq(bankDeposits.submissionId, submissionId), eq(bankDeposits.status, 'applied')))) as [{ total: string }];
    return new Decimal(owed.total).minus(paid.total);
  }

  async function lineaTerms(linea: typeof lineasCaptura.$inferSelect, executor: Tx | typeof db = db): Promise<LineaTerms> {
    return { principal: new Decimal(linea.principal), dueDate: linea.dueDate, validUntil: linea.validUntil, rates: await ratesForDueDate(linea.dueDate, executor) };
  }

  async function paymentState(submissionId: string, depositsApplied: number): Promise<PaymentState> {
    const balance = await principalBalance(db, submissionId);
    const [active] = await db
      .select()
      .from(lineasCaptura)
      .where(and(eq(lineasCaptura.submissionId, submissionId), eq(lineasCaptura.status, 'active')));
    const [last] = (await deps.sql`
      select max(operation_date)::text as d from bank_deposits where submission_id = ${submissionId} and status = 'applied'`) as unknown as [{ d: string | null }];
    // A partly paid línea still takes the rest: it is current while what it has left to
    // collect of principal is exactly the balance.
    const [onActive] = active
      ? ((await deps.sql`
          select coalesce(sum(principal_paid), 0)::text as paid from bank_deposits where linea_id = ${active.id} and status = 'applied'`) as unknown as [{ paid: string }])
      : [{ paid: '0' }];
    return {
      balance: toAmountString(balance),
      paidInFull: balance.lte(0),
      activeLineaCurrent: !!active && new Decimal(active.principal).minus(onActive!.paid).eq(balance),
      activeLineaValidUntil: active?.validUntil ?? null,
      lastPaymentDate: last.d,
      depositsApplied,
    };
  }

  return {
    /**
     * Issues the next línea for the period's balance as of `asOf`: on time it asks for the
     * principal and is valid until the due date; late, it adds the accessories for a payment at
     * its validity (the last day of the month of issue). Older active líneas are superseded.
     */
    async issueLinea(input: { submissionId: string; asOf: IsoDate; dueDate: IsoDate; issueKey: string }): Promise<LineaIssued | null> {
      const [already] = await db.select().from(lineasCaptura).where(eq(lineasCaptura.issueKey, input.issueKey));
      if (already) return lineaIssued(already);
      const rates = await ratesForDueDate(input.dueDate);
      return db.transaction(async (tx) => {
        const [submission] = await tx.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, input.submissionId)).for('update');
        if (!submission) throw ApplicationFailure.nonRetryable(`submission ${input.submissionId} not found`);
        const balance = await principalBalance(tx, input.submissionId);
        if (balance.lte(0)) return null;
        const validUntil = lineaValidUntil(input.dueDate, input.asOf);
        const due = amountDueOn({ principal: balance, dueDate: input.dueDate, validUntil, rates }, validUntil);
        const [{ next }] = (await tx
          .select({ next: sql<number>`coalesce(max(${lineasCaptura.sequence}), 0)::int + 1` })
          .from(lineasCaptura)
          .where(and(eq(lineasCaptura.institutionClave, submission.institutionClave), eq(lineasCaptura.period, submission.period)))) as [{ next: number }];
        await tx
          .update(lineasCaptura)
          .set({ status: 'superseded' })
          .where(and(eq(lineasCaptura.submissionId, input.submissionId), eq(lineasCaptura.status, 'active')));
        const [row] = await tx
          .insert(lineasCaptura)
          .values({
            linea: buildLineaCaptura({ institutionClave: submission.institutionClave, period: submission.period, sequence: next }),
            submissionId: input.submissionId,
            institutionClave: submission.institutionClave,
            period: submission.period,
            sequence: next,
            amount: toAmountString(due.total),
            principal: toAmountString(balance),
            actualizacion: toAmountString(due.actualizacion),
            recargos: toAmountString(due.recargos),
            lateMonths: due.months,
            dueDate: input.dueDate,
            validUntil,
            issueKey: input.issueKey,
          })
          .returning();
        await tx
          .insert(notifications)
          .values({
            dedupeKey: `linea-issued:${row!.linea}`,
            recipientType: 'institution',
            recipientId: submission.institutionClave,
            kind: 'linea-issued',
            subject: `Línea de captura del periodo ${submission.period}`,
            body: `Pague ${toAmountString(due.total)} con la línea de captura ${row!.linea} a más tardar el ${validUntil}.${due.months > 0 ? ` Incluye actualización y recargos por ${due.months} mes(es) de atraso.` : ''}`,
            data: { linea: row!.linea, amount: toAmountString(due.total), validUntil },
          })
          .onConflictDoNothing();
        return lineaIssued(row!);
      });
    },

    /**
     * Applies the period's newly routed deposits, oldest first. Each deposit pays its línea's
     * remaining amount for its operation date (exact, partial or excess); what it pays is split
     * recargos → actualización → principal (CFF art. 20 order); an excess becomes the
     * institution's credit balance. One transaction per deposit, conditional on `received`.
     */
    async applyPendingDeposits({ submissionId }: { submissionId: string }): Promise<PaymentState> {
      const pending = await db
        .select({ id: bankDeposits.id })
        .from(bankDeposits)
        .where(and(eq(bankDeposits.submissionId, submissionId), eq(bankDeposits.status, 'received')))
        .orderBy(asc(bankDeposits.operationDate), asc(bankDeposits.receivedAt));
      let applied = 0;
      for (const { id } of pending) {
        const done = await db.transaction(async (tx) => {
          const [deposit] = await tx.select().from(bankDeposits).where(and(eq(bankDeposits.id, id), eq(bankDeposits.status, 'received'))).for('update');
          if (!deposit || !deposit.lineaId) return false;
          const [linea] = await tx.select().from(lineasCaptura).where(eq(lineasCaptura.id, deposit.lineaId)).for('update');
          if (!linea) return false;
          const terms = await lineaTerms(linea, tx);
          const dueOnDate = amountDueOn(terms, deposit.operationDate);
          const [prior] = (await tx
            .select({
              total: sql<string>`coalesce(sum(${bankDeposits.appliedAmount}), 0)::text`,
              recargos: sql<string>`coalesce(sum(${bankDeposits.recargosPaid}), 0)::text`,
              actualizacion: sql<string>`coalesce(sum(${bankDeposits.actualizacionPaid}), 0)::text`,
            })
            .from(bankDeposits)
            .where(and(eq(bankDeposits.lineaId, linea.id), eq(bankDeposits.status, 'applied')))) as [{ total: string; recargos: string; actualizacion: string }];
          const remaining = Decimal.max(dueOnDate.total.minus(prior.total), ZERO);
          const amount = new Decimal(deposit.amount);
          const match = classifyDeposit(remaining, amount);
          const appliedAmount = Decimal.min(amount, remaining);
          const excess = amount.minus(appliedAmount);
          let left = appliedAmount;
          const recargosPaid = Decimal.min(left, Decimal.max(dueOnDate.recargos.minus(prior.recargos), ZERO));
          left = left.minus(recargosPaid);
          const actualizacionPaid = Decimal.min(left, Decimal.max(dueOnDate.actualizacion.minus(prior.actualizacion), ZERO));
          left = left.minus(actualizacionPaid);
          const principalPaid = left;
          await tx
            .update(bankDeposits)
            .set({
              status: 'applied',
              matchResult: match,
              appliedAmount: toAmountString(appliedAmount),
              excessAmount: toAmountString(excess),
              recargosPaid: toAmountString(recargosPaid),
              actualizacionPaid: toAmountString(actualizacionPaid),
              principalPaid: toAmountString(principalPaid),
              appliedAt: new Date(),
            })
            .where(eq(bankDeposits.id, deposit.id));
          if (match !== 'partial') {
            // The línea is settled; record what it finally charged for the payment date.
            await tx
              .update(lineasCaptura)
              .set({ status: 'paid', actualizacion: toAmountString(dueOnDate.actualizacion), recargos: toAmountString(dueOnDate.recargos), lateMonths: dueOnDate.months })
              .where(eq(lineasCaptura.id, linea.id));
          }
          return true;
        });
        if (done) applied += 1;
      }
      return paymentState(submissionId, applied);
    },

    async paymentStatus({ submissionId }: { submissionId: string }): Promise<PaymentState> {
      return paymentState(submissionId, 0);
    },

    /** Active líneas whose validity ended are expired: deposits made after it go to operators. */
    async expireLineas({ submissionId, asOf }: { submissionId: string; asOf: IsoDate }): Promise<number> {
      const expired = await db
        .update(lineasCaptura)
        .set({ status: 'expired' })
        .where(and(eq(lineasCaptura.submissionId, submissionId), eq(lineasCaptura.status, 'active'), sql`${lineasCaptura.validUntil} < ${asOf}::date`))
        .returning({ id: lineasCaptura.id });
      return expired.length;
    },

    async recordCreditoFiscal({ submissionId }: { submissionId: string }): Promise<void> {
      const [submission] = await db.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, submissionId));
      if (!submission) return;
      const balance = await principalBalance(db, submissionId);
      if (balance.lte(0)) return;
      await db
        .insert(creditosFiscales)
        .values({ submissionId, institutionClave: submission.institutionClave, period: submission.period, balanceDue: toAmountString(balance) })
        .onConflictDoNothing();
    },

    async sendPaymentNotice(input: { submissionId: string; kind: 'payment-reminder' | 'payment-overdue'; key: string; dueDate: IsoDate }): Promise<void> {
      const [submission] = await db.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, input.submissionId));
      if (!submission) return;
      const lineas = await db
        .select()
        .from(lineasCaptura)
        .where(and(eq(lineasCaptura.submissionId, input.submissionId), inArray(lineasCaptura.status, ['active'])));
      const active = lineas[0];
      const subject =
        input.kind === 'payment-reminder'
          ? `Recordatorio: el pago del periodo ${submission.period} vence el ${input.dueDate}`
          : `Aviso: el pago del periodo ${submission.period} está vencido`;
      const body =
        input.kind === 'payment-reminder'
          ? `Pague ${active?.amount ?? ''} con la línea ${active?.linea ?? ''} a más tardar el ${input.dueDate} para evitar actualización y recargos.`
          : `La fecha límite (${input.dueDate}) pasó sin pago completo. Se generó una nueva línea de captura con actualización y recargos; descárguela en el portal.`;
      await db
        .insert(notifications)
        .values({ dedupeKey: `${input.kind}:${input.submissionId}:${input.key}`, recipientType: 'institution', recipientId: submission.institutionClave, kind: input.kind, subject, body })
        .onConflictDoNothing();
    },
  };
}

function lineaIssued(row: typeof lineasCaptura.$inferSelect): LineaIssued {
  return { lineaId: row.id, linea: row.linea, amount: row.amount, principal: row.principal, validUntil: row.validUntil, late: row.lateMonths > 0 };
}
