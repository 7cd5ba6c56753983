/**
 * Movement rules of the registry (contracts §2 movement codes): what a movement needs to be valid
 * on its own (fields) and against the person's state at the institution (E032/E033). Pure: the
 * single-notice workflow and the quincenal file (thousands of rows) call the same functions.
 *
 * Semantics
 * - A plaza (employment) at an institution is active from its start date while it has no end date.
 * - `A` alta / `R` reingreso open a plaza; refused (E032) while one is active at that institution.
 *   Plazas at different institutions may be simultaneous. The start must follow the last baja at
 *   that institution (E031).
 * - `B` baja closes the active plaza; its date is the last day of service (inclusive). `M`
 *   modificación changes the salary (or data) of the active plaza; `N` (file only) reports the
 *   quincena's salary. All three need an active plaza (E033) and a date not before its start (E031).
 */
import { addDays, daysBetween, isValidIsoDate, type IsoDate } from '../dates';
import { validateCurp } from '../identifiers/curp';
import { rfcAgreesWithCurp, validateRfcPersonaFisica } from '../identifiers/rfc';
import { parseAmount } from '../money';
import { dateInPeriod, parsePeriod } from '../periods';
import { error, warning, type RegistryFinding } from './findings';

export const MOVEMENT_CODES = ['A', 'B', 'M', 'R', 'N'] as const;
export type MovementCode = (typeof MOVEMENT_CODES)[number];
/** Movements that can be sent one at a time as an aviso (N exists only inside the file). */
export const NOTICE_MOVEMENT_CODES = ['A', 'B', 'M', 'R'] as const;
export type NoticeMovementCode = (typeof NOTICE_MOVEMENT_CODES)[number];

export const MOVEMENT_LABELS: Readonly<Record<MovementCode, string>> = {
  A: 'ALTA',
  B: 'BAJA',
  M: 'MODIFICACIÓN',
  R: 'REINGRESO',
  N: 'SIN MOVIMIENTO',
};

const NOUN: Readonly<Record<MovementCode, string>> = {
  A: 'un alta',
  B: 'una baja',
  M: 'una modificación',
  R: 'un reingreso',
  N: 'un registro sin movimiento',
};

export function isMovementCode(value: string): value is MovementCode {
  return (MOVEMENT_CODES as readonly string[]).includes(value);
}

/** Movements that open a plaza. */
export const opensEmployment = (code: MovementCode) => code === 'A' || code === 'R';

/**
 * Whether an inactive or unknown CURP at RENAPO blocks the movement. A baja is never blocked:
 * death (BD) is itself a reason for a baja, and the registry must be able to close the plaza.
 */
export const requiresActiveCurp = (code: MovementCode) => code !== 'B';

export interface MovementFieldsInput {
  movimiento: string;
  curp: string;
  rfc?: string | null;
  fechaMovimiento?: string | null;
  sueldoCotizable?: string | null;
}

export interface MovementFieldsContext {
  /** Quincena `YYYYQQ` of the file: `fecha_movimiento` must fall inside it (E031). */
  period?: string;
  /** Today's date (notices outside a file): the date may not be more than `maxFutureDays` ahead. */
  today?: IsoDate;
  /** Default 31. */
  maxFutureDays?: number;
  /** Whether `N` is accepted (files) or not (single notices). Default false. */
  allowNoMovement?: boolean;
}

/** E010/E011 (CURP), E020/W021/W022 (RFC), E030 (movement), E031 (date), E040 (salary). */
export function validateMovementFields(input: MovementFieldsInput, ctx: MovementFieldsContext = {}): RegistryFinding[] {
  const findings: RegistryFinding[] = [];
  const code = input.movimiento.trim().toUpperCase();
  const allowed = ctx.allowNoMovement ? MOVEMENT_CODES : NOTICE_MOVEMENT_CODES;
  const validCode = (allowed as readonly string[]).includes(code);
  if (!validCode) {
    findings.push(
      error(
        'E030',
        `El movimiento "${input.movimiento}" no es válido: use ${allowed.join(', ')} (A alta, B baja, M modificación, R reingreso${ctx.allowNoMovement ? ', N sin movimiento' : ''}).`,
        'movimiento',
        input.movimiento,
      ),
    );
  }

  const curp = validateCurp(input.curp);
  if (!curp.ok) findings.push(error(curp.code, curp.message, 'curp', input.curp));

  const rfcText = (input.rfc ?? '').trim();
  const rfc = validateRfcPersonaFisica(rfcText);
  if (!rfc.ok) {
    findings.push(error('E020', rfc.message, 'rfc', rfcText));
  } else {
    if (!rfc.checkDigitValid) {
      findings.push(
        warning(
          'W021',
          'El dígito verificador del RFC no corresponde con el cálculo del SAT. Se acepta el movimiento, pero confirme el RFC con la constancia de situación fiscal.',
          'rfc',
          rfc.rfc,
        ),
      );
    }
    if (curp.ok && !rfcAgreesWithCurp(rfc.rfc, curp.curp)) {
      findings.push(
        warning(
          'W022',
          'El RFC y la CURP no coinciden en las iniciales o en la fecha de nacimiento (posiciones 1 a 10). Verifique que ambos correspondan a la misma persona.',
          'rfc',
          rfc.rfc,
        ),
      );
    }
  }

  const fecha = (input.fechaMovimiento ?? '').trim();
  if (code !== 'N') {
    if (!fecha) {
      findings.push(error('E031', 'Falta la fecha del movimiento (fecha_movimiento, formato AAAA-MM-DD).', 'fecha_movimiento'));
    } else if (!isValidIsoDate(fecha)) {
      findings.push(
        error('E031', `La fecha del movimiento "${fecha}" no es una fecha válida; use el formato AAAA-MM-DD, por ejemplo 2026-03-16.`, 'fecha_movimiento', fecha),
      );
    } else if (ctx.period) {
      const info = parsePeriod(ctx.period);
      if (info && !dateInPeriod(fecha, ctx.period)) {
        findings.push(
          error(
            'E031',
            `La fecha del movimiento ${fecha} está fuera de la quincena ${ctx.period} (del ${info.start} al ${info.end}). Repórtelo en el archivo de la quincena que corresponde.`,
            'fecha_movimiento',
            fecha,
          ),
        );
      }
    } else if (ctx.today) {
      const maxAhead = ctx.maxFutureDays ?? 31;
      if (daysBetween(ctx.today, fecha) > maxAhead) {
        findings.push(
          error(
            'E031',
            `La fecha del movimiento ${fecha} está a más de ${maxAhead} días en el futuro (último día aceptado: ${addDays(ctx.today, maxAhead)}). Envíe el aviso más cerca de la fecha efectiva.`,
            'fecha_movimiento',
            fecha,
          ),
        );
      }
    }
  }

  const sueldoText = (input.sueldoCotizable ?? '').trim();
  if (sueldoText === '') {
    if (code !== 'B') {
      findings.push(error('E040', 'Falta el sueldo sujeto a cotización (sueldo_cotizable); es obligatorio y mayor que cero salvo en una baja.', 'sueldo_cotizable'));
    }
  } else {
    const amount = parseAmount(sueldoText);
    if (amount === null) {
      findings.push(
        error(
          'E040',
          `El sueldo sujeto a cotización "${sueldoText}" no es un importe válido: use números con punto decimal y máximo dos decimales, sin comas ni signo de pesos (por ejemplo 12500.50).`,
          'sueldo_cotizable',
          sueldoText,
        ),
      );
    } else if (amount.isZero() && code !== 'B') {
      findings.push(
        error('E040', 'El sueldo sujeto a cotización es cero; solo una baja puede reportarse sin sueldo. Capture el sueldo de la quincena.', 'sueldo_cotizable', sueldoText),
      );
    }
  }
  return findings;
}

/** What the registry knows about a person at one institution, for the E032/E033 rules. */
export interface PersonInstitutionState {
  /** The active plaza, if any. */
  open: { start: IsoDate } | null;
  /** End date of the most recent closed plaza at this institution, if any. */
  lastEnd: IsoDate | null;
}

export type MovementEffect = 'open' | 'close' | 'update';
export type MovementDecision = { ok: true; effect: MovementEffect } | { ok: false; finding: RegistryFinding };

/**
 * Decides a movement against the person's state at the institution (contracts §2 E032/E033 and
 * date order E031). `fecha` must already be a valid ISO date except for `N` (may be null).
 */
export function decideMovement(code: MovementCode, fecha: IsoDate | null, state: PersonInstitutionState): MovementDecision {
  const label = NOUN[code];
  if (opensEmployment(code)) {
    if (state.open) {
      return {
        ok: false,
        finding: error(
          'E032',
          `La persona ya está activa en esta institución desde el ${state.open.start}; no procede ${label}. Si cambió su sueldo o puesto envíe una modificación (M); si dejó de laborar, envíe primero la baja (B).`,
          'movimiento',
          code,
        ),
      };
    }
    if (fecha && state.lastEnd && fecha <= state.lastEnd) {
      return {
        ok: false,
        finding: error(
          'E031',
          `La fecha de ${label} (${fecha}) debe ser posterior a la última baja de la persona en esta institución (${state.lastEnd}).`,
          'fecha_movimiento',
          fecha,
        ),
      };
    }
    return { ok: true, effect: 'open' };
  }
  if (!state.open) {
    const since = state.lastEnd ? ` (su última baja fue el ${state.lastEnd})` : '';
    return {
      ok: false,
      finding: error(
        'E033',
        `La persona no está activa en esta institución${since}; no procede ${label}. Si ingresa por primera vez envíe un alta (A); si regresa después de una baja, un reingreso (R).`,
        'movimiento',
        code,
      ),
    };
  }
  if (fecha && fecha < state.open.start) {
    return {
      ok: false,
      finding: error(
        'E031',
        `La fecha de ${label} (${fecha}) es anterior al inicio de la plaza activa (${state.open.start}); corrija la fecha.`,
        'fecha_movimiento',
        fecha,
      ),
    };
  }
  return { ok: true, effect: code === 'B' ? 'close' : 'update' };
}

/** Normalises a name for comparison: upper case, no accents, single spaces. */
export function normaliseName(value: string | null | undefined): string {
  return (value ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9Ñ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** W061: whether the names sent agree with RENAPO's record (accents and case ignored). */
export function namesAgree(
  sent: { primerApellido: string; segundoApellido?: string | null; nombres: string },
  renapo: { firstSurname: string; secondSurname: string | null; givenNames: string },
): boolean {
  return (
    normaliseName(sent.primerApellido) === normaliseName(renapo.firstSurname) &&
    normaliseName(sent.segundoApellido) === normaliseName(renapo.secondSurname) &&
    normaliseName(sent.nombres) === normaliseName(renapo.givenNames)
  );
}
