/**
 * Findings of the registry's movement rules. Codes are those of contracts §2 where they apply
 * (E010/E011/E012/E013/E020/W021/W022/E030/E031/E032/E033/E040/W061), so a movement sent through
 * the API and the same movement inside a quincenal file are reported alike. One registry-only
 * code is added (never renumber):
 * - `W070` warning: RENAPO replaced the CURP (RCC/BCC); the movement was applied to the new CURP.
 * Messages are Spanish, for a payroll clerk: what is wrong and how to fix it.
 */
export type FindingSeverity = 'error' | 'warning';

export interface RegistryFinding {
  code: string;
  severity: FindingSeverity;
  /** Contract column name (`curp`, `fecha_movimiento`, …) when the finding is about one field. */
  field?: string;
  value?: string;
  message: string;
}

export const CURP_REPLACED_CODE = 'W070';

export function hasBlockingFinding(findings: readonly RegistryFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function error(code: string, message: string, field?: string, value?: string | null): RegistryFinding {
  return { code, severity: 'error', message, ...(field ? { field } : {}), ...(value ? { value } : {}) };
}

export function warning(code: string, message: string, field?: string, value?: string | null): RegistryFinding {
  return { code, severity: 'warning', message, ...(field ? { field } : {}), ...(value ? { value } : {}) };
}
