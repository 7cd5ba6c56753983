/**
 * Certification expiry: reminders before a certificate expires, and the day after its last
 * day of validity it stops counting (the score is recomputed).
 */
import { addDays, compareDates, type IsoDate } from '../dates';

/** Days before expiry on which the applicant is reminded. */
export const CERT_REMINDER_DAYS: readonly number[] = [30, 7];

export interface CertificationEvent {
  kind: 'reminder' | 'expired';
  itemId: string;
  expiresOn: IsoDate;
  /** Date on which the event happens (Mexico City calendar). */
  on: IsoDate;
  /** Days before expiry, for reminders. */
  daysBefore?: number;
  /** Stable key so that a retried or replayed event happens once. */
  key: string;
}

/**
 * Events of the given certifications that happen after `since` (the date the score already
 * reflects), sorted by date. Reminders for a certificate that expired by `since` are dropped.
 */
export function certificationEvents(certs: readonly { itemId: string; expiresOn: IsoDate | null }[], since: IsoDate, reminderDays: readonly number[] = CERT_REMINDER_DAYS): CertificationEvent[] {
  const events: CertificationEvent[] = [];
  for (const c of certs) {
    if (!c.expiresOn) continue;
    for (const d of reminderDays) {
      const on = addDays(c.expiresOn, -d);
      events.push({ kind: 'reminder', itemId: c.itemId, expiresOn: c.expiresOn, on, daysBefore: d, key: `reminder:${c.itemId}:${c.expiresOn}:${d}` });
    }
    const expired = addDays(c.expiresOn, 1);
    events.push({ kind: 'expired', itemId: c.itemId, expiresOn: c.expiresOn, on: expired, key: `expired:${c.itemId}:${c.expiresOn}` });
  }
  return events.filter((e) => compareDates(e.on, since) > 0).sort((a, b) => compareDates(a.on, b.on) || a.key.localeCompare(b.key));
}
