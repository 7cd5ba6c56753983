/**
 * The CFDI of a paid period (domain-reference §6): an "ingreso" CFDI 4.0, PUE, one concepto per
 * bucket actually paid, validated against SAT's XSD before stamping, stamped by the PAC and
 * stored with its UUID. The XML is deterministic for a submission (its Fecha is the moment the
 * period was paid), so a retry after a crash re-sends the same document and the PAC answers
 * with the same UUID instead of stamping a second invoice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import type { ActivityDeps } from '.';
import { buildIngresoCfdi, cfdiConceptsForPeriod, mexicoCityCfdiFecha, validateCfdiXml } from '../cfdi';
import { Decimal, sumAmounts, toAmountString } from '../domain/money';
import { bankDeposits, cfdis, determinaciones, institutions, payrollFiles, payrollSubmissions, submissionEvents } from '../db/schema';

export function createInvoicingActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  return {
    async issueCfdi({ submissionId }: { submissionId: string }): Promise<{ uuid: string; total: string }> {
      const [existing] = await db.select().from(cfdis).where(eq(cfdis.submissionId, submissionId));
      if (existing) return { uuid: existing.uuid, total: existing.total };
      const [submission] = await db.select().from(payrollSubmissions).where(eq(payrollSubmissions.id, submissionId));
      if (!submission) throw ApplicationFailure.nonRetryable(`submission ${submissionId} not found`);
      const [institution] = await db.select().from(institutions).where(eq(institutions.clave, submission.institutionClave));
      const [totals] = (await db
        .select({
          cuotas: sql<string>`coalesce(sum(${determinaciones.totalCuotas}), 0)::text`,
          aportaciones: sql<string>`coalesce(sum(${determinaciones.totalAportaciones}), 0)::text`,
          retenciones: sql<string>`coalesce(sum(${determinaciones.totalRetenciones}), 0)::text`,
        })
        .from(determinaciones)
        .innerJoin(payrollFiles, eq(payrollFiles.id, determinaciones.fileId))
        .where(and(eq(payrollFiles.submissionId, submissionId), eq(payrollFiles.status, 'accepted')))) as [{ cuotas: string; aportaciones: string; retenciones: string }];
      const [accessories] = (await db
        .select({
          actualizacion: sql<string>`coalesce(sum(${bankDeposits.actualizacionPaid}), 0)::text`,
          recargos: sql<string>`coalesce(sum(${bankDeposits.recargosPaid}), 0)::text`,
        })
        .from(bankDeposits)
        .where(and(eq(bankDeposits.submissionId, submissionId), eq(bankDeposits.status, 'applied')))) as [{ actualizacion: string; recargos: string }];
      const [paid] = await db
        .select({ at: submissionEvents.at })
        .from(submissionEvents)
        .where(and(eq(submissionEvents.submissionId, submissionId), eq(submissionEvents.eventKey, 'paid')));
      const conceptos = cfdiConceptsForPeriod({ period: submission.period, totals: { ...totals, ...accessories } });
      const xml = buildIngresoCfdi({
        serie: 'PRISMA',
        folio: `${submission.institutionClave}${submission.period}`,
        fecha: mexicoCityCfdiFecha(paid?.at ?? submission.updatedAt),
        lugarExpedicion: config.CFDI_LUGAR_EXPEDICION,
        emisor: { rfc: config.CFDI_EMISOR_RFC, nombre: config.CFDI_EMISOR_NOMBRE, regimenFiscal: config.CFDI_EMISOR_REGIMEN },
        receptor: {
          rfc: institution?.rfc ?? 'XAXX010101000',
          nombre: (institution?.name ?? submission.institutionClave).toUpperCase(),
          domicilioFiscalReceptor: institution?.fiscalPostalCode ?? '50000',
          regimenFiscalReceptor: institution?.fiscalRegime ?? '603',
          usoCfdi: config.CFDI_USO,
        },
        conceptos,
      });
      const validation = await validateCfdiXml(xml);
      if (!validation.valid) {
        throw ApplicationFailure.nonRetryable(`CFDI does not validate against SAT's XSD: ${validation.errors.slice(0, 3).join('; ')}`, 'CfdiInvalid');
      }
      const stamped = await deps.stamping.stamp(xml);
      const stored = await deps.storage.putBuffer('cfdi', stamped.xml);
      const total = toAmountString(sumAmounts(conceptos.map((c) => new Decimal(c.importe))));
      await db
        .insert(cfdis)
        .values({
          submissionId,
          uuid: stamped.uuid,
          serie: 'PRISMA',
          folio: `${submission.institutionClave}${submission.period}`,
          total,
          storageKey: stored.key,
          stampedAt: new Date(stamped.fechaTimbrado.endsWith('Z') ? stamped.fechaTimbrado : `${stamped.fechaTimbrado}-06:00`),
        })
        .onConflictDoNothing();
      const [row] = await db.select().from(cfdis).where(eq(cfdis.submissionId, submissionId));
      return { uuid: row!.uuid, total: row!.total };
    },
  };
}
