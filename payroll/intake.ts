import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { payrollFiles, payrollSubmissions } from '../db/schema';
import type { StoredObject } from '../platform/storage';

export const payrollWorkflowId = (institutionClave: string, period: string) => `payroll/${institutionClave}/${period}`;

export interface RegisteredUpload {
  submissionId: string;
  fileId: string;
  version: number;
  /** True when these exact bytes were already uploaded for the period: nothing new happens. */
  duplicate: boolean;
  kind: 'full' | 'complementary';
}

/**
 * Records an uploaded file against its submission (created on the first upload of the period).
 * The same bytes join the existing version; new bytes become the next version. Serialised per
 * submission with a row lock, so concurrent uploads get distinct versions.
 */
export async function registerUpload(
  db: Db,
  input: { institutionClave: string; period: string; stored: StoredObject; originalName: string; uploadedBy: string; kind: 'full' | 'complementary' },
): Promise<RegisteredUpload> {
  return db.transaction(async (tx) => {
    await tx
      .insert(payrollSubmissions)
      .values({ institutionClave: input.institutionClave, period: input.period, workflowId: payrollWorkflowId(input.institutionClave, input.period) })
      .onConflictDoNothing();
    const [submission] = await tx
      .select()
      .from(payrollSubmissions)
      .where(and(eq(payrollSubmissions.institutionClave, input.institutionClave), eq(payrollSubmissions.period, input.period)))
      .for('update');
    const [same] = await tx
      .select()
      .from(payrollFiles)
      .where(and(eq(payrollFiles.submissionId, submission!.id), eq(payrollFiles.sha256, input.stored.sha256)));
    if (same) {
      return { submissionId: submission!.id, fileId: same.id, version: same.version, duplicate: true, kind: same.kind as 'full' | 'complementary' };
    }
    const [{ next }] = (await tx
      .select({ next: sql<number>`coalesce(max(${payrollFiles.version}), 0)::int + 1` })
      .from(payrollFiles)
      .where(eq(payrollFiles.submissionId, submission!.id))) as [{ next: number }];
    const [file] = await tx
      .insert(payrollFiles)
      .values({
        submissionId: submission!.id,
        version: next,
        kind: input.kind,
        storageKey: input.stored.key,
        sha256: input.stored.sha256,
        sizeBytes: input.stored.size,
        // Shown in reports and the period view: no control characters (PostgreSQL refuses U+0000).
        // eslint-disable-next-line no-control-regex
        originalName: input.originalName.replace(/[\u0000-\u001f\u007f]/g, '_').slice(0, 200) || 'nomina',
        uploadedBy: input.uploadedBy,
      })
      .returning({ id: payrollFiles.id });
    return { submissionId: submission!.id, fileId: file!.id, version: next, duplicate: false, kind: input.kind };
  });
}
