import { Cron } from 'croner';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function dayKey(ms: number, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(ms);
}

/** The month of a day key: YYYY-MM. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/**
 * The first instant after `ms` when the calendar day changes in the time zone: local midnight, or the first minute
 * of the day where a daylight-saving change skips midnight (croner handles the zone rules).
 */
export function nextMidnight(ms: number, timeZone: string): number {
  const next = new Cron('0 0 * * *', { timezone: timeZone, paused: true }).nextRun(new Date(ms));
  if (!next) throw new Error(`no next midnight in ${timeZone}`);
  return next.getTime();
}
