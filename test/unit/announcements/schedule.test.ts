import { describe, expect, it } from 'vitest';
import { defuseMentions } from '../../../src/messages.js';
import { messageFor } from '../../support/errorWords.js';
import {
  MISSED_COUNT_LIMIT,
  describeSchedule,
  dueRuns,
  isValidTimeZone,
  nextRun,
  parseWhen,
  type ScheduleSpec,
} from '../../../src/features/announcements/schedule.js';

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';
const USAGE = 'Give the time as HH:MM (24-hour) or YYYY-MM-DD HH:MM.';

const d = (iso: string): Date => new Date(iso);

/** The first `n` runs after `after`, as ISO strings. */
function runs(spec: ScheduleSpec, timeZone: string, after: string, n: number): string[] {
  const out: string[] = [];
  let cursor: Date | null = d(after);
  while (out.length < n) {
    cursor = nextRun(spec, timeZone, cursor);
    if (cursor === null) break;
    out.push(cursor.toISOString());
  }
  return out;
}

describe('isValidTimeZone', () => {
  it.each([
    ['Europe/Paris', true],
    ['America/New_York', true],
    ['Pacific/Auckland', true],
    ['UTC', true],
    ['Mars/Base', false],
    ['Europe/Pariss', false],
    ['', false],
    ['   ', false],
  ])('%s → %s', (tz, expected) => {
    expect(isValidTimeZone(tz)).toBe(expected);
  });
});

describe('parseWhen', () => {
  // Saturday 2026-03-28, 13:00 in Paris (CET, UTC+1); Paris moves to CEST (UTC+2) the next night.
  const now = d('2026-03-28T12:00:00Z');

  const accepted: { text: string; recurrence: string; tz?: string; now?: Date; spec: ScheduleSpec }[] = [
    { text: '14:00', recurrence: 'once', spec: { kind: 'once', at: '2026-03-28T13:00:00.000Z' } },
    // Tomorrow is already on summer time.
    { text: '09:00', recurrence: 'once', spec: { kind: 'once', at: '2026-03-29T07:00:00.000Z' } },
    // Exactly now is not "next": tomorrow.
    { text: '13:00', recurrence: 'once', spec: { kind: 'once', at: '2026-03-29T11:00:00.000Z' } },
    // 02:30 does not exist on 2026-03-29 in Paris: the first minute after the gap, 03:00 CEST.
    { text: '02:30', recurrence: 'once', spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' } },
    { text: '2026-03-29 02:30', recurrence: 'once', spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' } },
    // 02:30 happens twice on 2026-10-25 in Paris: the first one, still CEST.
    { text: '2026-10-25 02:30', recurrence: 'once', spec: { kind: 'once', at: '2026-10-25T00:30:00.000Z' } },
    { text: '2026-10-25 03:30', recurrence: 'once', spec: { kind: 'once', at: '2026-10-25T02:30:00.000Z' } },
    { text: '2026-04-01T09:15', recurrence: 'once', spec: { kind: 'once', at: '2026-04-01T07:15:00.000Z' } },
    { text: '2026-03-08 02:30', recurrence: 'once', tz: NEW_YORK, now: d('2026-03-01T00:00:00Z'), spec: { kind: 'once', at: '2026-03-08T07:00:00.000Z' } },
    { text: '2026-11-01 01:30', recurrence: 'once', tz: NEW_YORK, spec: { kind: 'once', at: '2026-11-01T05:30:00.000Z' } },
    { text: '2026-11-01 02:30', recurrence: 'once', tz: NEW_YORK, spec: { kind: 'once', at: '2026-11-01T07:30:00.000Z' } },
    // In Auckland it is already Sunday 01:00 (NZDT, UTC+13).
    { text: '09:00', recurrence: 'once', tz: 'Pacific/Auckland', spec: { kind: 'once', at: '2026-03-28T20:00:00.000Z' } },
    { text: ' 9:05 ', recurrence: 'ONCE', spec: { kind: 'once', at: '2026-03-29T07:05:00.000Z' } },
    { text: '9:00', recurrence: 'daily', spec: { kind: 'daily', time: '09:00' } },
    { text: '23:59', recurrence: 'Daily', spec: { kind: 'daily', time: '23:59' } },
    { text: '18:30', recurrence: 'weekdays', spec: { kind: 'weekdays', time: '18:30' } },
    // The next 09:00 is Sunday's, the next 14:00 today's (Saturday).
    { text: '09:00', recurrence: 'weekly', spec: { kind: 'weekly', time: '09:00', weekday: 0 } },
    { text: '14:00', recurrence: 'weekly', spec: { kind: 'weekly', time: '14:00', weekday: 6 } },
    { text: '2026-04-01 09:00', recurrence: 'weekly', spec: { kind: 'weekly', time: '09:00', weekday: 3 } },
    { text: '09:00', recurrence: 'weekly', tz: 'Pacific/Auckland', spec: { kind: 'weekly', time: '09:00', weekday: 0 } },
    { text: '', recurrence: '0 9 * * 1-5', spec: { kind: 'cron', expr: '0 9 * * 1-5' } },
    { text: '  ', recurrence: '  */15  8-18 * * MON-FRI ', spec: { kind: 'cron', expr: '*/15 8-18 * * MON-FRI' } },
  ];

  it.each(accepted)('"$text" $recurrence $tz → $spec', (c) => {
    expect(parseWhen(c.text, c.recurrence, c.tz ?? PARIS, c.now ?? now)).toEqual({ ok: true, spec: c.spec });
  });

  const refused: { text: string; recurrence: string; tz?: string; reason: string }[] = [
    { text: '09:00', recurrence: 'once', tz: 'Mars/Base', reason: '"Mars/Base" is not a time zone; use an IANA name such as Europe/Paris.' },
    { text: '09:00', recurrence: 'daily', tz: '', reason: '"" is not a time zone; use an IANA name such as Europe/Paris.' },
    { text: '25:00', recurrence: 'once', reason: `25:00 is not a time of day. ${USAGE}` },
    { text: '12:60', recurrence: 'daily', reason: `12:60 is not a time of day. ${USAGE}` },
    { text: '9am', recurrence: 'once', reason: `"9am" is not a time. ${USAGE}` },
    { text: '', recurrence: 'daily', reason: `"" is not a time. ${USAGE}` },
    { text: '2026-02-30 09:00', recurrence: 'once', reason: `2026-02-30 is not a date. ${USAGE}` },
    { text: '2026-03-01 09:00', recurrence: 'once', reason: '2026-03-01 09:00 (Europe/Paris) has already passed.' },
    { text: '2026-03-28 13:00', recurrence: 'once', reason: '2026-03-28 13:00 (Europe/Paris) has already passed.' },
    { text: '2026-04-01 09:00', recurrence: 'daily', reason: 'A daily schedule takes only a time (HH:MM), not a date.' },
    { text: '2026-04-01 09:00', recurrence: 'weekdays', reason: 'A weekdays schedule takes only a time (HH:MM), not a date.' },
    {
      text: '09:00',
      recurrence: 'monthly',
      reason: `"monthly" is not a repeat: use 'once', 'daily', 'weekdays', 'weekly' or a 5-field cron expression (minute hour day-of-month month day-of-week).`,
    },
    {
      text: '',
      recurrence: '0 0 9 * * 1-5',
      reason: `"0 0 9 * * 1-5" is not a repeat: use 'once', 'daily', 'weekdays', 'weekly' or a 5-field cron expression (minute hour day-of-month month day-of-week).`,
    },
    {
      text: '',
      recurrence: '@daily',
      reason: `"@daily" is not a repeat: use 'once', 'daily', 'weekdays', 'weekly' or a 5-field cron expression (minute hour day-of-month month day-of-week).`,
    },
    { text: '', recurrence: '61 9 * * *', reason: '"61 9 * * *" is not a valid cron expression: Invalid value for minute: 61.' },
    { text: '', recurrence: '0 0 30 2 *', reason: '"0 0 30 2 *" never runs.' },
    { text: '09:00', recurrence: '0 9 * * *', reason: 'A cron expression already says when it runs; leave the time empty.' },
  ];

  it.each(refused)('"$text" $recurrence $tz is refused', (c) => {
    const result = parseWhen(c.text, c.recurrence, c.tz ?? PARIS, now);
    expect(result.ok).toBe(false);
    // The reply defuses what the member typed ("@daily" can never become a mention).
    expect(!result.ok && messageFor('announce.bad_time', { ...result.problem })).toBe(defuseMentions(c.reason));
  });

  it('refuses invalid cron syntax with croner’s reason', () => {
    const result = parseWhen('', '0 9 * * FOO', PARIS, now);
    expect(result.ok).toBe(false);
    expect(!result.ok && messageFor('announce.bad_time', { ...result.problem }).startsWith('"0 9 * * FOO" is not a valid cron expression: ')).toBe(true);
  });
});

describe('nextRun', () => {
  const cases: { name: string; spec: ScheduleSpec; tz: string; after: string; expected: string[] }[] = [
    {
      name: 'daily 09:00 in Paris across the spring-forward (CET → CEST)',
      spec: { kind: 'daily', time: '09:00' },
      tz: PARIS,
      after: '2026-03-27T12:00:00Z',
      expected: ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'],
    },
    {
      name: 'daily 02:30 in Paris: the skipped time runs at 03:00 CEST',
      spec: { kind: 'daily', time: '02:30' },
      tz: PARIS,
      after: '2026-03-27T12:00:00Z',
      expected: ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    },
    {
      name: 'daily 02:30 in Paris: the repeated time runs once, at its first occurrence',
      spec: { kind: 'daily', time: '02:30' },
      tz: PARIS,
      after: '2026-10-24T12:00:00Z',
      expected: ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    },
    {
      name: 'daily 09:00 in Paris across the fall-back (CEST → CET)',
      spec: { kind: 'daily', time: '09:00' },
      tz: PARIS,
      after: '2026-10-24T12:00:00Z',
      expected: ['2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z'],
    },
    {
      name: 'daily 02:30 in New York across the spring-forward',
      spec: { kind: 'daily', time: '02:30' },
      tz: NEW_YORK,
      after: '2026-03-07T12:00:00Z',
      expected: ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
    },
    {
      name: 'daily 01:30 in New York across the fall-back',
      spec: { kind: 'daily', time: '01:30' },
      tz: NEW_YORK,
      after: '2026-10-31T12:00:00Z',
      expected: ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
    },
    {
      name: 'weekdays skip Saturday and Sunday (and the DST change between them)',
      spec: { kind: 'weekdays', time: '09:00' },
      tz: PARIS,
      after: '2026-03-26T12:00:00Z',
      expected: ['2026-03-27T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z'],
    },
    {
      name: 'weekdays from a Friday after the time: next Monday',
      spec: { kind: 'weekdays', time: '09:00' },
      tz: PARIS,
      after: '2026-04-03T08:00:00Z',
      expected: ['2026-04-06T07:00:00.000Z'],
    },
    {
      name: 'weekly on Monday 18:00 in New York, across the spring-forward',
      spec: { kind: 'weekly', time: '18:00', weekday: 1 },
      tz: NEW_YORK,
      after: '2026-03-01T00:00:00Z',
      expected: ['2026-03-02T23:00:00.000Z', '2026-03-09T22:00:00.000Z', '2026-03-16T22:00:00.000Z'],
    },
    {
      name: 'weekly on Sunday 00:00 (weekday 0)',
      spec: { kind: 'weekly', time: '00:00', weekday: 0 },
      tz: PARIS,
      after: '2026-03-28T12:00:00Z',
      expected: ['2026-03-28T23:00:00.000Z', '2026-04-04T22:00:00.000Z'],
    },
    {
      name: 'cron every 30 minutes runs through both passes of the repeated hour',
      spec: { kind: 'cron', expr: '*/30 * * * *' },
      tz: PARIS,
      after: '2026-10-25T00:00:00Z',
      expected: [
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T02:00:00.000Z',
      ],
    },
    {
      name: 'cron on weekdays',
      spec: { kind: 'cron', expr: '0 9 * * 1-5' },
      tz: NEW_YORK,
      after: '2026-03-06T15:00:00Z',
      expected: ['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z'],
    },
    {
      name: 'once: the time itself, then nothing',
      spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' },
      tz: PARIS,
      after: '2026-03-28T00:00:00Z',
      expected: ['2026-03-29T01:00:00.000Z'],
    },
    {
      name: 'once in the past: nothing',
      spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' },
      tz: PARIS,
      after: '2026-03-29T01:00:00Z',
      expected: [],
    },
  ];

  it.each(cases)('$name', (c) => {
    expect(runs(c.spec, c.tz, c.after, c.expected.length + 1).slice(0, c.expected.length)).toEqual(c.expected);
  });

  it('is strictly after: a run exactly at `after` is not returned', () => {
    expect(nextRun({ kind: 'daily', time: '09:00' }, PARIS, d('2026-03-30T07:00:00Z'))).toEqual(d('2026-03-31T07:00:00Z'));
    expect(nextRun({ kind: 'daily', time: '09:00' }, PARIS, d('2026-03-30T06:59:59.999Z'))).toEqual(d('2026-03-30T07:00:00Z'));
  });

  it('agrees with parseWhen on a weekly schedule', () => {
    const parsed = parseWhen('2026-04-01 09:00', 'weekly', PARIS, d('2026-03-28T12:00:00Z'));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(nextRun(parsed.spec, PARIS, d('2026-03-28T12:00:00Z'))).toEqual(d('2026-04-01T07:00:00Z'));
  });

  it.each<[string, ScheduleSpec, string]>([
    ['a weekly spec without weekday', { kind: 'weekly', time: '09:00' }, PARIS],
    ['a weekday out of range', { kind: 'weekly', time: '09:00', weekday: 7 }, PARIS],
    ['a malformed time', { kind: 'daily', time: '9h' }, PARIS],
    ['a malformed date', { kind: 'once', at: 'tomorrow' }, PARIS],
    ['an unknown time zone', { kind: 'daily', time: '09:00' }, 'Mars/Base'],
  ])('throws on %s', (_, spec, tz) => {
    expect(() => nextRun(spec, tz, d('2026-03-28T12:00:00Z'))).toThrow();
  });
});

describe('dueRuns', () => {
  const daily9: ScheduleSpec = { kind: 'daily', time: '09:00' };
  const cases: {
    name: string;
    spec: ScheduleSpec;
    tz?: string;
    lastCheck: string;
    now: string;
    graceMs?: number;
    expected: { fire: boolean; missed: number; next: string | null };
  }[] = [
    {
      name: 'a run since the last check fires',
      spec: daily9,
      lastCheck: '2026-03-30T06:59:30Z',
      now: '2026-03-30T07:00:30Z',
      expected: { fire: true, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'no run since the last check',
      spec: daily9,
      lastCheck: '2026-03-30T06:59:00Z',
      now: '2026-03-30T06:59:30Z',
      expected: { fire: false, missed: 0, next: '2026-03-30T07:00:00.000Z' },
    },
    {
      name: 'a run exactly at now fires',
      spec: daily9,
      lastCheck: '2026-03-30T06:59:30Z',
      now: '2026-03-30T07:00:00Z',
      expected: { fire: true, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'a run exactly at the last check was handled then',
      spec: daily9,
      lastCheck: '2026-03-30T07:00:00Z',
      now: '2026-03-30T07:00:30Z',
      expected: { fire: false, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'a run exactly graceMs old still fires',
      spec: daily9,
      lastCheck: '2026-03-30T06:00:00Z',
      now: '2026-03-30T07:01:00Z',
      expected: { fire: true, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'a run 1 ms older than graceMs is missed',
      spec: daily9,
      lastCheck: '2026-03-30T06:00:00Z',
      now: '2026-03-30T07:01:00.001Z',
      expected: { fire: false, missed: 1, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'a custom grace',
      spec: daily9,
      lastCheck: '2026-03-30T06:00:00Z',
      now: '2026-03-30T07:05:00Z',
      graceMs: 600_000,
      expected: { fire: true, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'down for three days (across the DST change): all missed, nothing fired',
      spec: daily9,
      lastCheck: '2026-03-27T12:00:00Z',
      now: '2026-03-30T12:00:00Z',
      expected: { fire: false, missed: 3, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'back just after a run: that run fires, the older ones are missed',
      spec: daily9,
      lastCheck: '2026-03-27T12:00:00Z',
      now: '2026-03-30T07:00:45Z',
      expected: { fire: true, missed: 2, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'weekdays down over the weekend: Saturday and Sunday were never due',
      spec: { kind: 'weekdays', time: '09:00' },
      lastCheck: '2026-03-27T12:00:00Z',
      now: '2026-03-30T07:00:05Z',
      expected: { fire: true, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
    {
      name: 'minutely cron after five minutes down: one fire, no burst',
      spec: { kind: 'cron', expr: '* * * * *' },
      lastCheck: '2026-01-01T00:00:30Z',
      now: '2026-01-01T00:05:30Z',
      expected: { fire: true, missed: 4, next: '2026-01-01T00:06:00.000Z' },
    },
    {
      name: 'minutely cron after a month down: the count stops at the limit',
      spec: { kind: 'cron', expr: '* * * * *' },
      lastCheck: '2026-01-01T00:00:30Z',
      now: '2026-02-01T00:00:30Z',
      expected: { fire: true, missed: MISSED_COUNT_LIMIT, next: '2026-02-01T00:01:00.000Z' },
    },
    {
      name: 'skipped 02:30 in Paris fires at 03:00 CEST',
      spec: { kind: 'daily', time: '02:30' },
      lastCheck: '2026-03-29T00:59:30Z',
      now: '2026-03-29T01:00:30Z',
      expected: { fire: true, missed: 0, next: '2026-03-30T00:30:00.000Z' },
    },
    {
      name: 'repeated 02:30 in Paris does not fire on its second occurrence',
      spec: { kind: 'daily', time: '02:30' },
      lastCheck: '2026-10-25T01:29:30Z',
      now: '2026-10-25T01:30:30Z',
      expected: { fire: false, missed: 0, next: '2026-10-26T01:30:00.000Z' },
    },
    {
      name: 'interval cron through the repeated hour: every pass counts',
      spec: { kind: 'cron', expr: '*/30 * * * *' },
      lastCheck: '2026-10-25T00:00:00Z',
      now: '2026-10-25T02:00:10Z',
      expected: { fire: true, missed: 3, next: '2026-10-25T02:30:00.000Z' },
    },
    {
      name: 'New York weekly on Monday 18:00 after the spring-forward',
      spec: { kind: 'weekly', time: '18:00', weekday: 1 },
      tz: NEW_YORK,
      lastCheck: '2026-03-09T21:59:30Z',
      now: '2026-03-09T22:00:20Z',
      expected: { fire: true, missed: 0, next: '2026-03-16T22:00:00.000Z' },
    },
    {
      name: 'once, on time',
      spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' },
      lastCheck: '2026-03-29T00:59:30Z',
      now: '2026-03-29T01:00:10Z',
      expected: { fire: true, missed: 0, next: null },
    },
    {
      name: 'once, while the bot was down: missed, not fired',
      spec: { kind: 'once', at: '2026-03-29T01:00:00.000Z' },
      lastCheck: '2026-03-28T00:00:00Z',
      now: '2026-03-29T02:00:00Z',
      expected: { fire: false, missed: 1, next: null },
    },
    {
      name: 'a last check after now sees nothing',
      spec: daily9,
      lastCheck: '2026-03-30T08:00:00Z',
      now: '2026-03-30T07:00:10Z',
      expected: { fire: false, missed: 0, next: '2026-03-31T07:00:00.000Z' },
    },
  ];

  it.each(cases)('$name', (c) => {
    const result = dueRuns(c.spec, c.tz ?? PARIS, d(c.lastCheck), d(c.now), c.graceMs);
    expect({ ...result, next: result.next?.toISOString() ?? null }).toEqual(c.expected);
  });
});

describe('describeSchedule', () => {
  it.each<[ScheduleSpec, string, string]>([
    [{ kind: 'once', at: '2026-03-29T01:00:00.000Z' }, PARIS, 'once on 2026-03-29 at 03:00 (Europe/Paris)'],
    [{ kind: 'once', at: '2026-03-29T01:00:00.000Z' }, NEW_YORK, 'once on 2026-03-28 at 21:00 (America/New_York)'],
    [{ kind: 'daily', time: '09:00' }, PARIS, 'every day at 09:00 (Europe/Paris)'],
    [{ kind: 'weekdays', time: '09:00' }, PARIS, 'every weekday at 09:00 (Europe/Paris)'],
    [{ kind: 'weekly', time: '18:00', weekday: 1 }, NEW_YORK, 'every Monday at 18:00 (America/New_York)'],
    [{ kind: 'weekly', time: '00:00', weekday: 0 }, PARIS, 'every Sunday at 00:00 (Europe/Paris)'],
    [{ kind: 'cron', expr: '0 9 * * 1-5' }, PARIS, 'on the cron schedule "0 9 * * 1-5" (Europe/Paris)'],
  ])('%j in %s → %s', (spec, tz, expected) => {
    expect(describeSchedule(spec, tz)).toBe(expected);
  });
});
