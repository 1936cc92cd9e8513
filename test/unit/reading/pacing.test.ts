import { describe, expect, it } from 'vitest';
import { CAP_FLOOR_CHARS, pace, speedFor, type PacingInput, type PacingLimits, type WaitingRead } from '../../../src/features/reading/pacing.js';

const limits: PacingLimits = { maxLagMs: 8_000, maxSpeed: 1.6, speedHonoured: true, maxChars: 300, charsPerSecond: 15 };
const NOW = 100_000;
/** A waiting read posted `agoS` seconds before NOW. */
const r = (id: string, authorId: string, chars: number, agoS = 0): WaitingRead => ({ id, authorId, chars, postedAt: NOW - agoS * 1000 });
/** Everyone heard a moment ago unless named. */
const heard = (entries: Record<string, number> = {}) => new Map(Object.entries({ a: NOW - 1_000, b: NOW - 1_000, c: NOW - 1_000, ...entries }));
const input = (waiting: WaitingRead[], over: Partial<PacingInput> & { lim?: Partial<PacingLimits> } = {}): PacingInput => ({
  now: NOW,
  aheadMs: 0,
  waiting,
  lastHeardAt: heard(),
  ...over,
  limits: { ...limits, ...over.lim },
});

describe('speedFor', () => {
  it.each([
    ['no backlog', 0, limits, 1],
    ['under a few seconds', 3_000, limits, 1],
    ['at the budget', 8_000, limits, 1.6],
    ['past the budget', 30_000, limits, 1.6],
    ['a provider that ignores speed', 30_000, { ...limits, speedHonoured: false }, 1],
    ['read_max_speed 1 (pacing off)', 30_000, { ...limits, maxSpeed: 1 }, 1],
    ['a higher ceiling', 8_000, { ...limits, maxSpeed: 2.5 }, 2.5],
  ])('%s', (_name, backlog, lim, expected) => {
    expect(speedFor(backlog, lim)).toBe(expected);
  });
  it('rises smoothly and never falls as the backlog grows', () => {
    let prev = 1;
    for (let ms = 0; ms <= 10_000; ms += 100) {
      const s = speedFor(ms, limits);
      expect(s).toBeGreaterThanOrEqual(prev);
      expect(s - prev).toBeLessThan(0.05);
      prev = s;
    }
    expect(speedFor(5_500, limits)).toBeGreaterThan(1.2);
    expect(speedFor(5_500, limits)).toBeLessThan(1.4);
  });
});

describe('pace', () => {
  it('a single message on an empty queue is read as it is, however long', () => {
    expect(pace(input([r('1', 'a', 300)]))).toEqual({ speed: 1, capChars: 300, next: ['1'], shed: [] });
  });

  it.each<[string, PacingInput, { speed: number; capChars: number; next: string[]; shed: string[] }]>([
    ['nothing waiting', input([]), { speed: 1, capChars: 300, next: [], shed: [] }],
    ['one short message: read as it is', input([r('1', 'a', 40)]), { speed: 1, capChars: 300, next: ['1'], shed: [] }],
    ['two authors alternate: no merging', input([r('1', 'a', 10), r('2', 'b', 10), r('3', 'a', 10)]), { speed: 1, capChars: 300, next: ['1'], shed: [] }],
    ['one author twice in a row: merged', input([r('1', 'a', 10), r('2', 'a', 10), r('3', 'b', 10)]), { speed: 1, capChars: 300, next: ['1', '2'], shed: [] }],
    ['a modest backlog: sped up, nothing cut', input([r('1', 'a', 30), r('2', 'b', 30)], { aheadMs: 2_000 }), { speed: 1.06, capChars: 300, next: ['1'], shed: [] }],
    ['past half the budget: sped up and cut to bring it back to half', input([r('1', 'a', 60), r('2', 'b', 60)], { aheadMs: 1_000 }), { speed: 1.21, capChars: 54, next: ['1'], shed: [] }],
    ['speed ignored by the provider: the cap shrinks instead', input([r('1', 'a', 200), r('2', 'b', 100)], { lim: { speedHonoured: false } }), { speed: 1, capChars: 60, next: ['1'], shed: [] }],
    ['a long backlog: full speed and a shorter cap', input([r('1', 'a', 200), r('2', 'b', 200), r('3', 'c', 200)]), { speed: 1.6, capChars: 48, next: ['1'], shed: [] }],
    ['how long messages waited counts, not only the audio ahead', input([r('1', 'a', 40, 5), r('2', 'b', 40, 5)], { aheadMs: 1_000 }), { speed: 1.6, capChars: CAP_FLOOR_CHARS, next: ['1'], shed: [] }],
    ['past half the budget from the audio ahead alone: cut to the floor, never below (what follows starts sooner)', input([r('1', 'a', 300)], { aheadMs: 6_000 }), { speed: 1.39, capChars: CAP_FLOOR_CHARS, next: ['1'], shed: [] }],
  ])('%s', (_name, given, expected) => {
    expect(pace(given)).toEqual(expected);
  });

  it('sheds the oldest first, each once, until the rest start within the budget', () => {
    const waiting = [r('1', 'a', 200, 9), r('2', 'b', 200, 8), r('3', 'a', 200, 7), r('4', 'b', 200, 1), r('5', 'a', 40, 0)];
    const d = pace(input(waiting, { aheadMs: 4_000 }));
    expect(d.capChars).toBe(CAP_FLOOR_CHARS);
    expect(d.shed).toEqual(['1', '2', '3']);
    expect(new Set(d.shed).size).toBe(d.shed.length);
    expect(d.next).toEqual(['4']);
  });

  it('never sheds the newest message of an author unheard for a minute', () => {
    const waiting = [r('1', 'c', 40, 20), r('2', 'a', 200, 15), r('3', 'b', 200, 12)];
    const d = pace(input(waiting, { aheadMs: 4_000, lastHeardAt: heard({ c: NOW - 61_000 }) }));
    expect(d.shed).not.toContain('1');
    expect(d.shed).toEqual(['2', '3'].filter((id) => d.shed.includes(id)));
    expect(d.next).toEqual(['1']);
  });

  it('an author never heard at all keeps their newest message, but not their older ones', () => {
    const waiting = [r('1', 'c', 100, 20), r('2', 'c', 100, 19), r('3', 'a', 100, 18)];
    const lastHeardAt = new Map([['a', NOW - 1_000]]);
    const d = pace(input(waiting, { aheadMs: 2_000, lastHeardAt }));
    expect(d.shed).toEqual(['1', '3']);
    expect(d.next).toEqual(['2']);
  });

  it('pacing off (budget 60 s, speed 1): nothing sped up, cut or shed while the backlog is under half a minute', () => {
    const waiting = Array.from({ length: 6 }, (_, i) => r(String(i), i % 2 ? 'a' : 'b', 60, 6 - i));
    const d = pace(input(waiting, { aheadMs: 2_000, lim: { maxLagMs: 60_000, maxSpeed: 1 } }));
    expect(d).toEqual({ speed: 1, capChars: 300, next: ['0'], shed: [] });
  });

  it('is pure: the same backlog gives the same decisions', () => {
    const given = input([r('1', 'a', 200, 9), r('2', 'b', 200, 8), r('3', 'a', 200, 7)], { aheadMs: 4_000 });
    expect(pace(given)).toEqual(pace(given));
  });
  describe('what the estimate counts', () => {
    // Two reads of 45 characters (3 s each) behind 1 s of audio, each with a name of 15 characters (1 s) when said.
    const named = (id: string, authorId: string) => ({ ...r(id, authorId, 45), nameChars: 15 });

    it('the name at the start of each author’s turn: two turns cost two names, and the estimate shortens for them', () => {
      const d = pace(input([named('1', 'a'), named('2', 'b')], { aheadMs: 1_000 }));
      // b would start after 1 s + a's 4 s = 5 s, past half the budget (4 s): cut.
      expect(d.capChars).toBeLessThan(300);
    });

    it('no name when the read continues the author heard just before: the same backlog needs no cut', () => {
      const d = pace(input([named('1', 'a'), named('2', 'b')], { aheadMs: 1_000, lastAuthorId: 'a' }));
      // b would start after 1 s + a's 3 s = 4 s: within half the budget.
      expect(d).toEqual({ speed: 1.06, capChars: 300, next: ['1'], shed: [] });
    });

    it('one name for a merged run of one author', () => {
      const short = (id: string) => ({ ...r(id, 'a', 15), nameChars: 15 });
      const d = pace(input([short('1'), short('2'), r('3', 'b', 10)], { aheadMs: 0 }));
      // 'b' starts after one name and two texts (1 + 1 + 1 s and a join): within half the budget. Two names would make it 4.1 s.
      expect(d.capChars).toBe(300);
      expect(d.next).toEqual(['1', '2']);
    });

    it('a gap per request: the same reads start later, so they are cut sooner', () => {
      // 'c' starts after 1 + 1.3 + 1.3 s, within half the budget; with a second's gap per request, after 5.7 s.
      const waiting = [r('1', 'a', 20), r('2', 'b', 20), r('3', 'c', 10)];
      expect(pace(input(waiting, { aheadMs: 1_000 })).capChars).toBe(300);
      expect(pace(input(waiting, { aheadMs: 1_000, lim: { itemGapMs: 1_000 } })).capChars).toBeLessThan(300);
    });
  });

  it('never sheds a read marked keep (the rest of a message already begun), even when late; it may still be cut', () => {
    const waiting = [{ ...r('rest', 'a', 200, 12), keep: true }, r('2', 'b', 40, 1)];
    const d = pace(input(waiting, { aheadMs: 4_000 }));
    expect(d.shed).not.toContain('rest');
    expect(d.next).toEqual(['rest']);
    expect(d.capChars).toBe(CAP_FLOOR_CHARS);
  });
});
