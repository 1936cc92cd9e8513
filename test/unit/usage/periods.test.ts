import { describe, expect, it } from 'vitest';
import { dayKey, monthOf, nextMidnight } from '../../../src/usage/periods.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('budget days in a time zone', () => {
  it('names the local calendar day', () => {
    expect(dayKey(at('2026-12-07T23:30:00Z'), 'UTC')).toBe('2026-12-07');
    expect(dayKey(at('2026-12-07T23:30:00Z'), 'Europe/Paris')).toBe('2026-12-08');
    expect(dayKey(at('2026-12-07T03:00:00Z'), 'America/New_York')).toBe('2026-12-06');
    expect(dayKey(at('2026-12-31T18:30:00Z'), 'Asia/Kolkata')).toBe('2027-01-01');
    expect(monthOf(dayKey(at('2026-12-31T18:30:00Z'), 'Asia/Kolkata'))).toBe('2027-01');
  });

  it('resets at local midnight, with the offset of that night', () => {
    expect(iso(nextMidnight(at('2026-12-07T12:00:00Z'), 'UTC'))).toBe('2026-12-08T00:00:00.000Z');
    expect(iso(nextMidnight(at('2026-12-07T12:00:00Z'), 'Europe/Paris'))).toBe('2026-12-07T23:00:00.000Z');
    expect(iso(nextMidnight(at('2026-12-07T12:00:00Z'), 'Asia/Kolkata'))).toBe('2026-12-07T18:30:00.000Z');
    // Exactly at midnight, the next reset is a day later.
    expect(iso(nextMidnight(at('2026-12-08T00:00:00Z'), 'UTC'))).toBe('2026-12-09T00:00:00.000Z');
  });

  it('follows daylight saving: Paris in March and October, New York in November', () => {
    // 29 March 2026: clocks go forward at 02:00; that day is 23 hours long.
    const start = nextMidnight(at('2026-03-28T12:00:00Z'), 'Europe/Paris');
    expect(iso(start)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(nextMidnight(start, 'Europe/Paris'))).toBe('2026-03-29T22:00:00.000Z');
    // 25 October 2026: clocks go back; that day is 25 hours long.
    const autumn = nextMidnight(at('2026-10-24T12:00:00Z'), 'Europe/Paris');
    expect(iso(autumn)).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(nextMidnight(autumn, 'Europe/Paris'))).toBe('2026-10-25T23:00:00.000Z');
    expect(iso(nextMidnight(at('2026-11-01T12:00:00Z'), 'America/New_York'))).toBe('2026-11-02T05:00:00.000Z');
  });

  it('where daylight saving skips midnight, the day starts at the first minute it has', () => {
    // Cuba moves from 00:00 to 01:00 on 8 March 2026: the day starts at 01:00 CDT (05:00 UTC).
    const reset = nextMidnight(at('2026-03-07T12:00:00Z'), 'America/Havana');
    expect(iso(reset)).toBe('2026-03-08T05:00:00.000Z');
    expect(dayKey(reset - 1, 'America/Havana')).toBe('2026-03-07');
    expect(dayKey(reset, 'America/Havana')).toBe('2026-03-08');
  });

  it('the day named just before a reset is the old one and just after it the new one', () => {
    for (const zone of ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      let t = at('2026-01-01T00:00:00Z');
      for (let i = 0; i < 400; i++) {
        const reset = nextMidnight(t, zone);
        expect(dayKey(reset - 1, zone)).toBe(dayKey(t, zone));
        // The next calendar day, never one skipped or repeated.
        expect(Date.parse(dayKey(reset, zone)) - Date.parse(dayKey(t, zone))).toBe(86_400_000);
        t = reset;
      }
    }
  });
});
