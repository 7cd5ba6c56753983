import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { institutions } from '../db/schema';
import type { RenapoClient } from '../integrations/renapo';

export interface InstitutionActivityDeps {
  db: Db;
  renapo: RenapoClient;
}

export function createInstitutionActivities({ db, renapo }: InstitutionActivityDeps) {
  return {
    /** Confirms the liaison's CURP at RENAPO; transient failures throw and are retried. */
    async verifyInstitutionContact({ clave }: { clave: string }): Promise<{ accepted: boolean; reason: string }> {
      const [row] = await db.select().from(institutions).where(eq(institutions.clave, clave));
      if (!row) return { accepted: false, reason: `La institución ${clave} no tiene una solicitud de registro.` };
      const result = await renapo.consultaPorCurp(row.contactCurp);
      if (!result.found) {
        await db.update(institutions).set({ contactRenapoStatus: 'NO_ENCONTRADA' }).where(eq(institutions.clave, clave));
        return { accepted: false, reason: 'La CURP del enlace no existe en RENAPO; verifíquela con el acta o la constancia CURP.' };
      }
      await db.update(institutions).set({ contactRenapoStatus: result.record.status }).where(eq(institutions.clave, clave));
      if (!result.record.active) {
        return {
          accepted: false,
          reason: `La CURP del enlace no está vigente en RENAPO (${result.record.status}: ${result.record.statusDescription}); registre a otro enlace.`,
        };
      }
      return { accepted: true, reason: '' };
    },

    /** Conditional transition: replays and retries are no-ops. */
    async activateInstitution({ clave, workflowId }: { clave: string; workflowId: string }): Promise<void> {
      await db
        .update(institutions)
        .set({ status: 'active', registrationWorkflowId: workflowId })
        .where(and(eq(institutions.clave, clave), eq(institutions.status, 'pending')));
    },

    async rejectInstitution({ clave, reason }: { clave: string; reason: string }): Promise<void> {
      await db
        .update(institutions)
        .set({ status: 'rejected', rejectionReason: reason })
        .where(and(eq(institutions.clave, clave), eq(institutions.status, 'pending')));
    },
  };
}
