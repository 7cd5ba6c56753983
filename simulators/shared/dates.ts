/** Date helpers shared by the simulators (dates are plain `YYYY-MM-DD` strings). */

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isValidIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const MX_TIME_ZONE = 'America/Mexico_City';

function mexicoParts(now: Date): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: MX_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** Today's date in Mexico City (`YYYY-MM-DD`). */
export function mexicoCityDate(now: Date = new Date()): string {
  const p = mexicoParts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Local Mexico City time as `YYYY-MM-DDThh:mm:ss` (SAT's t_FechaH, no offset). */
export function mexicoCityDateTime(now: Date = new Date()): string {
  const p = mexicoParts(now);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}
