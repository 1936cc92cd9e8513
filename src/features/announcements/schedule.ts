import { Cron } from 'croner';

/*
 * Schedules are plain data, read in the guild's IANA time zone. Daily, weekday and weekly schedules
 * are single-time cron patterns, so croner's fixed-time DST rules apply: a time skipped by a
 * spring-forward runs at the first valid minute after the gap on that day (02:30 → 03:00 in Paris on
 * 2026-03-29), and a time repeated by a fall-back runs once, at its first occurrence. A once schedule
 * resolves its local time by the same rules and stores the instant.
 */

/** When a scheduled announcement runs: `at` is an ISO instant, `time` local 'HH:MM', `weekday` (weekly only) 0 = Sunday. */
export type ScheduleSpec =
  | { kind: 'once'; at: string }
  | { kind: 'daily' | 'weekdays' | 'weekly'; time: string; weekday?: number }
  | { kind: 'cron'; expr: string };

/** Why parseWhen refused, as data (the reply words it in the member's language: replies.errors.announce.bad_time). */
export interface ScheduleProblem {
  problem: 'time_zone' | 'not_time' | 'not_time_of_day' | 'not_date' | 'missing' | 'passed' | 'date_not_allowed' | 'not_repeat' | 'bad_cron' | 'never' | 'cron_with_time';
  /** What the member typed that is wrong (a time, a date, a repeat, a cron expression). */
  value: string;
  timeZone: string;
  /** croner's own reason for a bad cron expression. */
  detail: string;
}

/** Outcome of parseWhen. */
export type ParseWhenResult = { ok: true; spec: ScheduleSpec } | { ok: false; problem: ScheduleProblem };

/** Outcome of dueRuns: whether to announce now, how many runs were skipped, and the next run. */
export interface DueRuns {
  fire: boolean;
  missed: number;
  next: Date | null;
}

/** Most missed runs dueRuns counts (each costs a croner lookup; a minutely cron after a long outage stops here). */
export const MISSED_COUNT_LIMIT = 100;

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const DAY_MS = 86_400_000;

/** True when the runtime knows the IANA time zone (e.g. 'Europe/Paris'). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a schedule from the user's words: `text` is 'HH:MM' (the next such time, today or tomorrow) or
 * 'YYYY-MM-DD HH:MM', both in `timeZone`; `recurrence` is one of RECURRENCES. A date only goes with
 * once or weekly (where it picks the weekday); a cron expression says when by itself, so `text` stays empty.
 */
export function parseWhen(text: string, recurrence: string, timeZone: string, now: Date): ParseWhenResult {
  if (!isValidTimeZone(timeZone)) return fail('time_zone', timeZone);
  const repeat = recurrence.trim().toLowerCase();
  if (repeat !== 'once' && repeat !== 'daily' && repeat !== 'weekdays' && repeat !== 'weekly') {
    return parseCron(text, recurrence.trim(), timeZone, now);
  }
  const when = parseLocalTime(text);
  if ('problem' in when) return { ok: false, problem: when };
  if (repeat === 'once') {
    const at = when.date ? localInstant(when.date, when.time, timeZone) : nextLocalTime(when.time, timeZone, now);
    if (at === null) return fail('missing', text.trim(), timeZone);
    if (at.getTime() <= now.getTime()) return fail('passed', text.trim(), timeZone);
    return { ok: true, spec: { kind: 'once', at: at.toISOString() } };
  }
  const time = formatTime(when.time);
  if (repeat === 'weekly') {
    const day = when.date ?? localDate(nextLocalTime(when.time, timeZone, now) ?? now, timeZone);
    return { ok: true, spec: { kind: 'weekly', time, weekday: weekdayOf(day) } };
  }
  if (when.date) return fail('date_not_allowed', repeat);
  return { ok: true, spec: { kind: repeat, time } };
}

/** The first run strictly after `after`, or null if there is none. Throws on a malformed spec or time zone. */
export function nextRun(spec: ScheduleSpec, timeZone: string, after: Date): Date | null {
  return runFinder(spec, timeZone)(after);
}

/**
 * Which runs fell in (lastCheck, now]: fire when one of them is at most `graceMs` old (once, however many).
 * Every other run in that span, such as those missed while the bot was down, counts as missed and is not
 * fired, so a restart never causes a burst. `missed` stops counting at MISSED_COUNT_LIMIT.
 */
export function dueRuns(spec: ScheduleSpec, timeZone: string, lastCheck: Date, now: Date, graceMs = 60_000): DueRuns {
  const next = runFinder(spec, timeZone);
  const end = now.getTime();
  const graceStart = Math.max(lastCheck.getTime(), end - graceMs - 1);
  const recent = next(new Date(graceStart));
  const fire = recent !== null && recent.getTime() <= end;
  let count = 0;
  let cursor = lastCheck;
  while (count <= MISSED_COUNT_LIMIT) {
    const run = next(cursor);
    if (run === null || run.getTime() > end) break;
    count += 1;
    cursor = run;
  }
  return { fire, missed: Math.min(count - (fire ? 1 : 0), MISSED_COUNT_LIMIT), next: next(now) };
}

/** A one-off schedule's local date (YYYY-MM-DD) and time (HH:MM) in a time zone. */
export function localDateTime(at: string, timeZone: string): { date: string; time: string } {
  const instant = new Date(at);
  const parts = wallClock(instant, timeZone);
  return { date: localDate(instant, timeZone), time: `${pad(parts.hour)}:${pad(parts.minute)}` };
}

/** Human wording, e.g. "every weekday at 09:00 (Europe/Paris)". */
export function describeSchedule(spec: ScheduleSpec, timeZone: string): string {
  switch (spec.kind) {
    case 'once': {
      const at = new Date(spec.at);
      const date = localDate(at, timeZone);
      const parts = wallClock(at, timeZone);
      return `once on ${date} at ${pad(parts.hour)}:${pad(parts.minute)} (${timeZone})`;
    }
    case 'daily':
      return `every day at ${spec.time} (${timeZone})`;
    case 'weekdays':
      return `every weekday at ${spec.time} (${timeZone})`;
    case 'weekly':
      return `every ${WEEKDAY_NAMES[spec.weekday ?? -1] ?? `week on day ${spec.weekday}`} at ${spec.time} (${timeZone})`;
    case 'cron':
      return `on the cron schedule "${spec.expr}" (${timeZone})`;
  }
}

function fail(problem: ScheduleProblem['problem'], value: string, timeZone = '', detail = ''): ParseWhenResult {
  return { ok: false, problem: { problem, value, timeZone, detail } };
}

function parseCron(text: string, expr: string, timeZone: string, now: Date): ParseWhenResult {
  const fields = expr.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    return fail('not_repeat', expr);
  }
  if (text.trim() !== '') return fail('cron_with_time', text.trim());
  const normalized = fields.join(' ');
  let cron: Cron;
  try {
    cron = new Cron(normalized, { timezone: timeZone, paused: true, mode: '5-part' });
  } catch (error) {
    return fail('bad_cron', normalized, '', (error as Error).message.replace(/^CronPattern: /, ''));
  }
  if (cron.nextRun(now) === null) return fail('never', normalized);
  return { ok: true, spec: { kind: 'cron', expr: normalized } };
}

/** A function giving the first run strictly after a date; building it once saves re-parsing in loops. */
function runFinder(spec: ScheduleSpec, timeZone: string): (after: Date) => Date | null {
  if (spec.kind === 'once') {
    const at = new Date(spec.at);
    if (Number.isNaN(at.getTime())) throw new Error(`Schedule has an invalid date: ${spec.at}`);
    return (after) => (at.getTime() > after.getTime() ? at : null);
  }
  const cron = new Cron(patternOf(spec), { timezone: timeZone, paused: true, mode: '5-part' });
  return (after) => cron.nextRun(after);
}

function patternOf(spec: Exclude<ScheduleSpec, { kind: 'once' }>): string {
  if (spec.kind === 'cron') return spec.expr;
  const time = parseTime(spec.time);
  if (time === null) throw new Error(`Schedule has an invalid time: ${spec.time}`);
  if (spec.kind === 'weekly' && !isWeekday(spec.weekday)) throw new Error(`Weekly schedule has an invalid weekday: ${spec.weekday}`);
  const dayOfWeek = spec.kind === 'daily' ? '*' : spec.kind === 'weekdays' ? '1-5' : String(spec.weekday);
  return `${time.minute} ${time.hour} * * ${dayOfWeek}`;
}

function isWeekday(value: number | undefined): value is number {
  return Number.isInteger(value) && value! >= 0 && value! <= 6;
}

interface LocalTime {
  hour: number;
  minute: number;
}

/** A calendar date as 'YYYY-MM-DD'. */
type IsoDate = string;

function parseTime(text: string): LocalTime | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}

/** Reads 'HH:MM' or 'YYYY-MM-DD HH:MM', or says why it could not. */
function parseLocalTime(text: string): { date: IsoDate | null; time: LocalTime } | ScheduleProblem {
  const problem = (kind: ScheduleProblem['problem'], value: string): ScheduleProblem => ({ problem: kind, value, timeZone: '', detail: '' });
  const m = /^(?:(\d{4}-\d{2}-\d{2})[ T]+)?(\d{1,2}:\d{2})$/.exec(text.trim());
  if (!m) return problem('not_time', text.trim());
  const time = parseTime(m[2]!);
  if (!time) return problem('not_time_of_day', m[2]!);
  const date = m[1] ?? null;
  if (date !== null && !isRealDate(date)) return problem('not_date', date);
  return { date, time };
}

function isRealDate(date: IsoDate): boolean {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/** The instant of a local date and time, by croner's fixed-time DST rules; null if that day has no such time. */
function localInstant(date: IsoDate, time: LocalTime, timeZone: string): Date | null {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const pattern = `0 ${time.minute} ${time.hour} ${d} ${mo} * ${y}`;
  const from = new Date(Date.UTC(y, mo - 1, d) - 2 * DAY_MS);
  const run = new Cron(pattern, { timezone: timeZone, paused: true, mode: '7-part' }).nextRun(from);
  return run !== null && localDate(run, timeZone) === date ? run : null;
}

/** The next instant (strictly after now) the local clock shows `time`: today, or else tomorrow. */
function nextLocalTime(time: LocalTime, timeZone: string, now: Date): Date | null {
  const today = localDate(now, timeZone);
  const first = localInstant(today, time, timeZone);
  if (first !== null && first.getTime() > now.getTime()) return first;
  return localInstant(addDays(today, 1), time, timeZone);
}

function addDays(date: IsoDate, days: number): IsoDate {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
}

function weekdayOf(date: IsoDate): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
}

function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

function localDate(at: Date, timeZone: string): IsoDate {
  const { year, month, day } = wallClock(at, timeZone);
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

function formatTime(time: LocalTime): string {
  return `${pad(time.hour)}:${pad(time.minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
