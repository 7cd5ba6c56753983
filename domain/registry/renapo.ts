/**
 * Interpretation of RENAPO answers for a movement (domain-reference §3, contracts §2 E012/E013).
 * Pure: the adapter's records come in as plain summaries.
 *
 * - AN, AH, CRA, RCN, RCC are in force; every other status is inactive (E013, naming the status).
 * - RCC/BCC with a new CURP mean the person's key changed: the chain is followed to the new CURP,
 *   the movement applies to it (W070) and the person keeps the old one in its CURP history.
 * - BD (baja por defunción) stops vigencia de derechos of a person already in the registry.
 */
import { error, warning, CURP_REPLACED_CODE, type RegistryFinding } from './findings';
import { requiresActiveCurp, type MovementCode } from './movements';

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['AN', 'AH', 'CRA', 'RCN', 'RCC']);
export const CURP_CHANGE_STATUSES: ReadonlySet<string> = new Set(['RCC', 'BCC']);
export const DECEASED_STATUS = 'BD';
/** How many CURP replacements are followed before giving up (a loop or a broken chain). */
export const MAX_CURP_HOPS = 3;

export interface RenapoSummary {
  curp: string;
  found: boolean;
  status: string | null;
  statusDescription: string | null;
  newCurp: string | null;
}

export interface RenapoInterpretation {
  /** The CURP the movement applies to (the last of the chain), or null when none is usable. */
  effectiveCurp: string | null;
  /** CURPs replaced along the way (oldest first), to keep in the person's history. */
  replacedCurps: string[];
  /** Whether the effective CURP is in force at RENAPO. */
  active: boolean;
  /** RENAPO reports the person deceased (BD): vigencia must stop. */
  deceased: boolean;
  findings: RegistryFinding[];
}

/** Whether a check points to a replacement CURP that should be followed. */
export function replacementOf(check: RenapoSummary): string | null {
  if (!check.found || !check.status || !CURP_CHANGE_STATUSES.has(check.status)) return null;
  const next = check.newCurp?.trim().toUpperCase();
  return next && next !== check.curp ? next : null;
}

function statusText(check: RenapoSummary): string {
  return check.statusDescription ? `${check.status}: ${check.statusDescription}` : String(check.status);
}

/**
 * Interprets the chain of checks (first = the CURP sent, then each replacement in order).
 * `movimiento` decides whether an inactive or unknown CURP blocks (it never blocks a baja).
 */
export function interpretRenapoChain(chain: readonly RenapoSummary[], movimiento: MovementCode): RenapoInterpretation {
  const first = chain[0];
  if (!first) throw new RangeError('interpretRenapoChain needs at least one check');
  const blocking = requiresActiveCurp(movimiento);
  const findings: RegistryFinding[] = [];
  const replaced: string[] = [];
  let current = first;
  for (let i = 1; i < chain.length; i++) {
    replaced.push(current.curp);
    current = chain[i]!;
  }
  const last = current;

  if (!first.found) {
    if (blocking) {
      findings.push(
        error(
          'E012',
          `La CURP ${first.curp} no existe en RENAPO. Verifíquela contra la constancia CURP de la persona (gob.mx/curp) y corrija el aviso.`,
          'curp',
          first.curp,
        ),
      );
    }
    return { effectiveCurp: blocking ? null : first.curp, replacedCurps: [], active: false, deceased: false, findings };
  }

  if (replaced.length > 0) {
    if (!last.found) {
      if (blocking) {
        findings.push(
          error(
            'E012',
            `RENAPO indica que la CURP ${first.curp} fue sustituida por ${last.curp}, pero la nueva CURP no se encuentra en RENAPO. Solicite a la persona su constancia CURP actualizada.`,
            'curp',
            first.curp,
          ),
        );
      }
      return { effectiveCurp: blocking ? null : first.curp, replacedCurps: [], active: false, deceased: false, findings };
    }
    findings.push(
      warning(
        CURP_REPLACED_CODE,
        `RENAPO sustituyó la CURP ${first.curp} por ${last.curp} (${statusText(first)}). El movimiento se aplicó a la persona con su nueva CURP; actualícela en su sistema de nómina.`,
        'curp',
        first.curp,
      ),
    );
  } else if (replacementOf(first)) {
    // The replacement could not be followed (loop or too many hops): treat as not usable.
    if (blocking) {
      findings.push(
        error(
          'E013',
          `La CURP ${first.curp} fue sustituida en RENAPO (${statusText(first)}) y no fue posible confirmar la CURP nueva. Solicite a la persona su constancia CURP actualizada.`,
          'curp',
          first.curp,
        ),
      );
    }
    return { effectiveCurp: blocking ? null : first.curp, replacedCurps: [], active: false, deceased: false, findings };
  }

  const active = last.status !== null && ACTIVE_STATUSES.has(last.status);
  const deceased = last.status === DECEASED_STATUS || first.status === DECEASED_STATUS;
  if (!active && blocking) {
    const why =
      last.status === DECEASED_STATUS
        ? `está dada de baja en RENAPO por defunción (estatus ${statusText(last)})`
        : `no está vigente en RENAPO (estatus ${statusText(last)})`;
    findings.push(
      error(
        'E013',
        `La CURP ${last.curp} ${why}; no se puede registrar el movimiento. Si es un error, la persona debe aclararlo ante RENAPO y la institución enviar de nuevo el aviso.`,
        'curp',
        last.curp,
      ),
    );
  }
  return { effectiveCurp: active || !blocking ? last.curp : null, replacedCurps: replaced, active, deceased, findings };
}
