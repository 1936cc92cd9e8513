import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/playbackFakes.js';
import {
  VoiceEventBatcher,
  type AnnouncementBatch,
  type VoiceEvent,
} from '../../../src/features/announcements/voiceEventBatcher.js';

/** Manual clock: timers run in due order (ties in creation order) as time is advanced. */
class FakeClock extends ManualClock {}

const alice = { userId: 'a', name: 'Alice' };
const bob = { userId: 'b', name: 'Bob' };
const carol = { userId: 'c', name: 'Carol' };
const dan = { userId: 'd', name: 'Dan' };

const join = (who: typeof alice): VoiceEvent => ({ kind: 'join', ...who });
const leave = (who: typeof alice): VoiceEvent => ({ kind: 'leave', ...who });
const move = (who: typeof alice, channelName: string): VoiceEvent => ({ kind: 'move', ...who, channelName });

function batch(parts: Partial<AnnouncementBatch>): AnnouncementBatch {
  return { joined: [], left: [], moved: [], ...parts };
}

interface Flush {
  at: number;
  batch: AnnouncementBatch;
}

/** Pushes each event at its time, runs the clock to `until`, and returns every flush with its time. */
function run(steps: readonly [number, VoiceEvent][], until: number, options: { windowMs?: number; flapMs?: number } = {}): Flush[] {
  const clock = new FakeClock();
  const flushes: Flush[] = [];
  const batcher = new VoiceEventBatcher({ clock, ...options, onFlush: (b) => flushes.push({ at: clock.now(), batch: b }) });
  for (const [at, event] of steps) {
    clock.advanceTo(at);
    batcher.push(event);
  }
  clock.advanceTo(until);
  batcher.dispose();
  return flushes;
}

interface Case {
  name: string;
  steps: [number, VoiceEvent][];
  until?: number;
  options?: { windowMs?: number; flapMs?: number };
  expected: Flush[];
}

const windowCases: Case[] = [
  {
    name: 'merges everything within the window into one batch when it closes',
    steps: [
      [0, join(alice)],
      [500, join(bob)],
      [1500, leave(carol)],
      [1999, move(dan, 'Lounge')],
    ],
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice', 'Bob'], left: ['Carol'], moved: [{ name: 'Dan', channel: 'Lounge' }] }) },
    ],
  },
  {
    name: 'an event after the window closed starts a new batch',
    steps: [
      [0, join(alice)],
      [2000, join(bob)],
    ],
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 4000, batch: batch({ joined: ['Bob'] }) },
    ],
  },
  {
    name: 'the window is measured from the first pending event, not extended by later ones',
    steps: [
      [100, join(alice)],
      [2000, join(bob)],
      [2100, join(carol)],
    ],
    expected: [
      { at: 2100, batch: batch({ joined: ['Alice', 'Bob'] }) },
      { at: 4100, batch: batch({ joined: ['Carol'] }) },
    ],
  },
  {
    name: 'join then leave in one window cancels out',
    steps: [
      [0, join(alice)],
      [1000, leave(alice)],
    ],
    expected: [],
  },
  {
    name: 'leave then rejoin in one window cancels out',
    steps: [
      [0, leave(alice)],
      [1000, join(alice)],
    ],
    expected: [],
  },
  {
    name: 'a cancelled member does not hide the others',
    steps: [
      [0, join(alice)],
      [100, join(bob)],
      [200, leave(alice)],
    ],
    expected: [{ at: 2000, batch: batch({ joined: ['Bob'] }) }],
  },
  {
    name: 'same member several times: the last state wins',
    steps: [
      [0, join(alice)],
      [300, leave(alice)],
      [600, join(alice)],
    ],
    expected: [{ at: 2000, batch: batch({ joined: ['Alice'] }) }],
  },
  {
    name: 'last destination of a move wins',
    steps: [
      [0, move(alice, 'Lounge')],
      [300, join(alice)],
      [600, move(alice, 'Games')],
    ],
    expected: [{ at: 2000, batch: batch({ moved: [{ name: 'Alice', channel: 'Games' }] }) }],
  },
  {
    name: 'a move then a leave is announced as a leave',
    steps: [
      [0, move(alice, 'Lounge')],
      [300, join(alice)],
      [600, leave(alice)],
    ],
    expected: [{ at: 2000, batch: batch({ left: ['Alice'] }) }],
  },
  {
    name: 'the latest display name is used',
    steps: [
      [0, join(alice)],
      [300, leave(alice)],
      [600, join({ userId: 'a', name: 'Ally' })],
    ],
    expected: [{ at: 2000, batch: batch({ joined: ['Ally'] }) }],
  },
  {
    name: 'a move without a channel name is announced as a leave',
    steps: [[0, { kind: 'move', ...alice }]],
    expected: [{ at: 2000, batch: batch({ left: ['Alice'] }) }],
  },
  {
    name: 'a custom window length',
    steps: [
      [0, join(alice)],
      [400, join(bob)],
      [500, join(carol)],
    ],
    options: { windowMs: 500 },
    expected: [
      { at: 500, batch: batch({ joined: ['Alice', 'Bob'] }) },
      { at: 1000, batch: batch({ joined: ['Carol'] }) },
    ],
  },
];

const flapCases: Case[] = [
  {
    name: 'left 5 s after being announced as joined, back before 30 s: never announced',
    steps: [
      [0, join(alice)],
      [7000, leave(alice)],
      [12_000, join(alice)],
    ],
    until: 100_000,
    expected: [{ at: 2000, batch: batch({ joined: ['Alice'] }) }],
  },
  {
    name: 'left 5 s after being announced as joined and stayed away: "left" once 30 s have passed',
    steps: [
      [0, join(alice)],
      [7000, leave(alice)],
    ],
    until: 100_000,
    // Hold ends at 2000 + 30000; the member then goes through a normal window.
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 34_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'a held member joins a window that is already open',
    steps: [
      [0, join(alice)],
      [7000, leave(alice)],
      [31_000, join(bob)],
    ],
    until: 100_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 33_000, batch: batch({ joined: ['Bob'], left: ['Alice'] }) },
    ],
  },
  {
    name: 'flapping several times during the hold: only the state at its end counts',
    steps: [
      [0, join(alice)],
      [5000, leave(alice)],
      [10_000, join(alice)],
      [15_000, move(alice, 'Lounge')],
    ],
    until: 100_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 34_000, batch: batch({ moved: [{ name: 'Alice', channel: 'Lounge' }] }) },
    ],
  },
  {
    name: 'a change whose window closes exactly flapMs after the last announcement is announced at once',
    steps: [
      [0, join(alice)],
      [30_000, leave(alice)],
    ],
    until: 100_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 32_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'a change whose window closes 1 ms too early is held until flapMs has passed',
    steps: [
      [0, join(alice)],
      [29_999, leave(alice)],
    ],
    until: 100_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 34_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'the hold of one member does not delay the others',
    steps: [
      [0, join(alice)],
      [5000, leave(alice)],
      [5500, join(bob)],
    ],
    until: 100_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 7000, batch: batch({ joined: ['Bob'] }) },
      { at: 34_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'the flap time counts from the last announcement, so a later leave is held again',
    steps: [
      [0, join(alice)],
      [5000, leave(alice)],
      [40_000, join(alice)],
      [70_000, leave(alice)],
    ],
    until: 200_000,
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 34_000, batch: batch({ left: ['Alice'] }) },
      { at: 66_000, batch: batch({ joined: ['Alice'] }) },
      { at: 98_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'a member who cancelled out was never announced, so is not held',
    steps: [
      [0, join(alice)],
      [1000, leave(alice)],
      [3000, join(alice)],
    ],
    until: 100_000,
    expected: [{ at: 5000, batch: batch({ joined: ['Alice'] }) }],
  },
  {
    name: 'a custom flap time',
    steps: [
      [0, join(alice)],
      [3000, leave(alice)],
    ],
    until: 100_000,
    options: { flapMs: 10_000 },
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 14_000, batch: batch({ left: ['Alice'] }) },
    ],
  },
  {
    name: 'flapMs 0 turns the hold off',
    steps: [
      [0, join(alice)],
      [3000, leave(alice)],
      [6000, join(alice)],
    ],
    until: 100_000,
    options: { flapMs: 0 },
    expected: [
      { at: 2000, batch: batch({ joined: ['Alice'] }) },
      { at: 5000, batch: batch({ left: ['Alice'] }) },
      { at: 8000, batch: batch({ joined: ['Alice'] }) },
    ],
  },
];

describe('VoiceEventBatcher window', () => {
  it.each(windowCases)('$name', (c) => {
    expect(run(c.steps, c.until ?? 60_000, c.options)).toEqual(c.expected);
  });

  it('does not flush before the window closes', () => {
    const clock = new FakeClock();
    const flushes: AnnouncementBatch[] = [];
    const batcher = new VoiceEventBatcher({ clock, onFlush: (b) => flushes.push(b) });
    batcher.push(join(alice));
    clock.advanceTo(1999);
    expect(flushes).toEqual([]);
    clock.advanceTo(2000);
    expect(flushes).toEqual([batch({ joined: ['Alice'] })]);
  });
});

describe('VoiceEventBatcher flap rule', () => {
  it.each(flapCases)('$name', (c) => {
    expect(run(c.steps, c.until ?? 60_000, c.options)).toEqual(c.expected);
  });
});

describe('VoiceEventBatcher dispose', () => {
  it('clears the window timer and ignores later events', () => {
    const clock = new FakeClock();
    const flushes: AnnouncementBatch[] = [];
    const batcher = new VoiceEventBatcher({ clock, onFlush: (b) => flushes.push(b) });
    batcher.push(join(alice));
    expect(clock.pendingTimers).toBe(1);
    batcher.dispose();
    expect(clock.pendingTimers).toBe(0);
    batcher.push(join(bob));
    expect(clock.pendingTimers).toBe(0);
    clock.advanceTo(100_000);
    expect(flushes).toEqual([]);
  });

  it('clears flap holds', () => {
    const clock = new FakeClock();
    const flushes: AnnouncementBatch[] = [];
    const batcher = new VoiceEventBatcher({ clock, onFlush: (b) => flushes.push(b) });
    batcher.push(join(alice));
    clock.advanceTo(5000);
    batcher.push(leave(alice));
    clock.advanceTo(7000);
    expect(clock.pendingTimers).toBe(1);
    batcher.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advanceTo(100_000);
    expect(flushes).toEqual([batch({ joined: ['Alice'] })]);
  });

  it('leaves no timers once everything is settled', () => {
    const clock = new FakeClock();
    const batcher = new VoiceEventBatcher({ clock, onFlush: () => undefined });
    batcher.push(join(alice));
    clock.advanceTo(5000);
    batcher.push(leave(alice));
    clock.advanceTo(100_000);
    expect(clock.pendingTimers).toBe(0);
    batcher.dispose();
  });
});
