/**
 * Review SLA of contracts §7: a registration (or update) is decided within 3 business days
 * (target; then escalated to a supervisor) and at most 5 (breach), counted in the State of
 * Mexico calendar from the business day after submission; a term includes its last day, which
 * ends at 23:59:59.999 Mexico City time. Time waiting for the applicant's corrections does not
 * count: pausing records the business days consumed so far, and resuming counts the remaining
 * ones from the business day after the resubmission.
 */
import type { BusinessCalendar } from '../calendar/business-calendar';
import { addDays, endOfMexicoDay, mexicoDateOf, type IsoDate } from '../dates';

export interface SlaTargets {
  /** Business days after which the registration is escalated to supervisors (contracts §7: 3). */
  escalateAfterBusinessDays: number;
  /** Business days after which the SLA is breached (contracts §7: 5). */
  breachAfterBusinessDays: number;
}

export const SLA_TARGETS_V1: Readonly<SlaTargets> = Object.freeze({ escalateAfterBusinessDays: 3, breachAfterBusinessDays: 5 });

/** Deadline to answer an ARCO request (LGPDPPSO 2025): 20 business days. */
export const ARCO_ANSWER_BUSINESS_DAYS = 20;

export interface SlaDeadlines {
  /** Last business day of the target (escalation after it ends). */
  escalateOn: IsoDate;
  /** Last business day before the breach. */
  breachOn: IsoDate;
  /** End of `escalateOn` (epoch ms): escalated when this passes without a decision. */
  dueAt: number;
  /** End of `breachOn` (epoch ms): breached when this passes without a decision. */
  breachAt: number;
}

export function validateTargets(targets: SlaTargets): void {
  const { escalateAfterBusinessDays: e, breachAfterBusinessDays: b } = targets;
  if (!Number.isInteger(e) || !Number.isInteger(b) || e < 1 || b < e || b > 60) {
    throw new RangeError(`invalid SLA targets: escalate ${e}, breach ${b}`);
  }
}

/**
 * Deadlines for a clock that (re)starts on `fromDate` having already consumed
 * `consumedBusinessDays`. With nothing consumed, the day after `fromDate` is business day 1.
 * When a target is already used up, its deadline is the end of the next business day on or
 * after `fromDate`.
 */
export function slaDeadlines(calendar: BusinessCalendar, fromDate: IsoDate, targets: SlaTargets = SLA_TARGETS_V1, consumedBusinessDays = 0): SlaDeadlines {
  validateTargets(targets);
  const consumed = Math.max(0, Math.floor(consumedBusinessDays));
  const escalateOn = calendar.addBusinessDays(fromDate, Math.max(0, targets.escalateAfterBusinessDays - consumed));
  const breachOn = calendar.addBusinessDays(fromDate, Math.max(0, targets.breachAfterBusinessDays - consumed));
  return { escalateOn, breachOn, dueAt: endOfMexicoDay(escalateOn), breachAt: endOfMexicoDay(breachOn) };
}

/**
 * Business days consumed by a clock that ran from `startDate` to `pauseDate`: the business
 * days after the start up to and including the pause day (the reviewer had that day).
 */
export function businessDaysConsumed(calendar: BusinessCalendar, startDate: IsoDate, pauseDate: IsoDate): number {
  return Math.max(0, calendar.businessDaysBetween(startDate, pauseDate));
}

/** ARCO answer deadline: 20 business days counted from the business day after receipt. */
export function arcoDueOn(calendar: BusinessCalendar, receivedOn: IsoDate, days = ARCO_ANSWER_BUSINESS_DAYS): IsoDate {
  return calendar.addBusinessDays(receivedOn, days);
}
