import { describe, expect, it } from 'vitest';
import { createFairLimiter, type FairLimiter, type LimiterSlot } from '../../../src/speech/fairLimiter.js';
import { rejectionOf } from '../../support/rejectionOf.js';
import { ManualClock, settle } from '../core/playbackFakes.js';

/** Slots granted so far, by label, in grant order. */
type Grants = Map<string, LimiterSlot>;

/** Asks for a slot and records when (and in which order) it was granted. */
function ask(limiter: FairLimiter, key: string, order: string[], label = key, signal?: AbortSignal, grants?: Grants) {
  let slot: LimiterSlot | undefined;
  let error: unknown;
  const promise = limiter.acquire(key, signal).then(
    (s) => {
      slot = s;
      order.push(label);
      grants?.set(label, s);
      return s;
    },
    (err: unknown) => {
      error = err;
      throw err;
    },
  );
  promise.catch(() => undefined);
  return {
    promise,
    get slot() {
      return slot;
    },
    get error() {
      return error;
    },
  };
}

/** Takes every slot for key 'busy' so that later callers queue. */
async function fill(limiter: FairLimiter, n: number): Promise<LimiterSlot[]> {
  return Promise.all(Array.from({ length: n }, () => limiter.acquire('holder')));
}

describe('fair limiter: slots', () => {
  it('hands out up to maxInFlight slots at once, without waiting', async () => {
    const limiter = createFairLimiter({ maxInFlight: 3 });
    const slots = await Promise.all([limiter.acquire('a'), limiter.acquire('a'), limiter.acquire('b')]);
    expect(slots.map((s) => s.waitedMs)).toEqual([0, 0, 0]);
    expect(limiter.stats()).toMatchObject({ maxInFlight: 3, inFlight: 3, waiting: 0, inFlightByKey: { a: 2, b: 1 }, granted: 3, queued: 0 });
  });

  it('the next caller waits until a slot is released, then gets it', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const first = await limiter.acquire('a');
    const order: string[] = [];
    const second = ask(limiter, 'b', order);
    await settle();
    expect(order).toEqual([]);
    expect(limiter.stats()).toMatchObject({ inFlight: 1, waiting: 1, waitingByKey: { b: 1 } });
    first.release();
    await settle();
    expect(order).toEqual(['b']);
    expect(limiter.stats()).toMatchObject({ inFlight: 1, waiting: 0, waitingByKey: {}, inFlightByKey: { b: 1 } });
  });

  it('release is idempotent: a second call frees nothing more', async () => {
    const limiter = createFairLimiter({ maxInFlight: 2 });
    const a = await limiter.acquire('a');
    await limiter.acquire('b');
    a.release();
    a.release();
    a.release();
    expect(limiter.stats().inFlight).toBe(1);
    await limiter.acquire('c');
    const order: string[] = [];
    ask(limiter, 'd', order);
    a.release();
    await settle();
    // The repeated release did not open a third slot.
    expect(order).toEqual([]);
    expect(limiter.stats()).toMatchObject({ inFlight: 2, waiting: 1 });
  });

  it('rejects a maxInFlight that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => createFairLimiter({ maxInFlight: bad })).toThrow(RangeError);
    }
  });
});

describe('fair limiter: fairness', () => {
  it('one key is served first in, first out', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const holder = await limiter.acquire('x');
    const order: string[] = [];
    const waiters = [1, 2, 3, 4].map((n) => ask(limiter, 'a', order, `a${n}`));
    holder.release();
    for (const w of waiters) {
      await settle();
      w.slot!.release();
    }
    await settle();
    expect(order).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('keys with waiters take turns (round-robin), in the order they started waiting', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const holder = await limiter.acquire('x');
    const order: string[] = [];
    const grants: Grants = new Map();
    for (const n of [1, 2, 3, 4]) ask(limiter, 'a', order, `a${n}`, undefined, grants);
    for (const n of [1, 2]) ask(limiter, 'b', order, `b${n}`, undefined, grants);
    ask(limiter, 'c', order, 'c1', undefined, grants);
    holder.release();
    for (let i = 0; i < 7; i++) {
      await settle();
      // Whoever holds the one slot gives it back; the next key in the ring gets it.
      grants.get(order.at(-1)!)!.release();
    }
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('a key that starts waiting mid-round is served in that round, before keys already served in it', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const holder = await limiter.acquire('x');
    const order: string[] = [];
    const grants: Grants = new Map();
    for (const key of ['a', 'b', 'c']) for (const n of [1, 2]) ask(limiter, key, order, `${key}${n}`, undefined, grants);
    holder.release();
    await settle();
    expect(order).toEqual(['a1']);
    ask(limiter, 'd', order, 'd1', undefined, grants);
    for (let i = 0; i < 6; i++) {
      grants.get(order.at(-1)!)!.release();
      await settle();
    }
    expect(order).toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'c2']);
  });

  it('a guild with 100 requests queued cannot starve one that asks later: it is served within one turn', async () => {
    const limiter = createFairLimiter({ maxInFlight: 4 });
    const holders = await fill(limiter, 4);
    const order: string[] = [];
    const busy = Array.from({ length: 100 }, (_, n) => ask(limiter, 'busy', order, `busy${n}`));
    const quiet = ask(limiter, 'quiet', order, 'quiet');
    // Everything holds its slot until released: free the 4 holders, then release in grant order.
    for (const h of holders) h.release();
    await settle();
    expect(order).toEqual(['busy0', 'quiet', 'busy1', 'busy2']);
    expect(quiet.slot).toBeDefined();
    for (const w of busy) w.promise.then((s) => s.release(), () => undefined);
    quiet.slot!.release();
    await settle(20);
    expect(order).toHaveLength(101);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0, granted: 105, queued: 101 });
  });

  it('a key that got a turn goes to the back, behind keys that arrived meanwhile', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    let held = await limiter.acquire('x');
    const order: string[] = [];
    const a1 = ask(limiter, 'a', order, 'a1');
    ask(limiter, 'a', order, 'a2');
    held.release();
    await settle();
    held = a1.slot!;
    // b arrives while a1 holds the slot; a still has a2 queued, and a was just served.
    ask(limiter, 'b', order, 'b1');
    held.release();
    await settle();
    expect(order).toEqual(['a1', 'b1']);
  });
});

describe('fair limiter: aborted waits', () => {
  it('an aborted waiter rejects with the reason, leaves its queue and never takes a slot', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const holder = await limiter.acquire('x');
    const order: string[] = [];
    const controller = new AbortController();
    const quitter = ask(limiter, 'a', order, 'quitter', controller.signal);
    const stayer = ask(limiter, 'a', order, 'stayer');
    await settle();
    const reason = new Error('user skipped');
    controller.abort(reason);
    expect(await rejectionOf(quitter.promise)).toBe(reason);
    expect(limiter.stats()).toMatchObject({ waiting: 1, waitingByKey: { a: 1 }, abandoned: 1 });
    holder.release();
    await settle();
    expect(order).toEqual(['stayer']);
    expect(quitter.slot).toBeUndefined();
    expect(limiter.stats()).toMatchObject({ inFlight: 1, inFlightByKey: { a: 1 }, granted: 2 });
  });

  it('a signal aborted before asking rejects at once, even with slots free', async () => {
    const limiter = createFairLimiter({ maxInFlight: 5 });
    const reason = new DOMException('gone', 'AbortError');
    expect(await rejectionOf(limiter.acquire('a', AbortSignal.abort(reason)))).toBe(reason);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, waiting: 0, granted: 0 });
  });

  it('aborting after the slot was granted changes nothing: the holder still has to release', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const controller = new AbortController();
    const slot = await limiter.acquire('a', controller.signal);
    controller.abort();
    expect(limiter.stats()).toMatchObject({ inFlight: 1, abandoned: 0 });
    slot.release();
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('a granted waiter forgets its signal: a later abort neither rejects nor double-counts', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const holder = await limiter.acquire('x');
    const controller = new AbortController();
    const order: string[] = [];
    const w = ask(limiter, 'a', order, 'a', controller.signal);
    holder.release();
    await settle();
    controller.abort();
    await settle();
    expect(w.error).toBeUndefined();
    expect(w.slot).toBeDefined();
    expect(limiter.stats()).toMatchObject({ inFlight: 1, abandoned: 0, waiting: 0 });
  });

  it('when the only waiter of a key leaves, the key leaves the ring and rejoins at the back', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    let held = await limiter.acquire('x');
    const order: string[] = [];
    const controller = new AbortController();
    ask(limiter, 'a', order, 'a-quitter', controller.signal);
    ask(limiter, 'b', order, 'b1');
    controller.abort();
    await settle();
    ask(limiter, 'a', order, 'a2');
    expect(limiter.stats().waitingByKey).toEqual({ b: 1, a: 1 });
    held.release();
    await settle();
    expect(order).toEqual(['b1']);
  });

  it('many aborts at once leave consistent counters and no slot taken', async () => {
    const limiter = createFairLimiter({ maxInFlight: 2 });
    const holders = await fill(limiter, 2);
    const order: string[] = [];
    const controllers = Array.from({ length: 30 }, () => new AbortController());
    const waiters = controllers.map((c, i) => ask(limiter, `k${i % 3}`, order, `w${i}`, c.signal));
    controllers.forEach((c, i) => i % 2 === 0 && c.abort());
    await settle();
    expect(limiter.stats()).toMatchObject({ waiting: 15, abandoned: 15, inFlight: 2 });
    for (const h of holders) h.release();
    await settle();
    expect(order).toHaveLength(2);
    expect(order.every((label) => Number(label.slice(1)) % 2 === 1)).toBe(true);
    expect(waiters.filter((w) => w.error !== undefined)).toHaveLength(15);
    expect(waiters.filter((w) => w.error !== undefined && w.slot !== undefined)).toHaveLength(0);
  });
});

describe('fair limiter: stats', () => {
  it('adds up queue time with the injected clock', async () => {
    const clock = new ManualClock();
    const limiter = createFairLimiter({ maxInFlight: 1, clock });
    const holder = await limiter.acquire('x');
    const order: string[] = [];
    const a = ask(limiter, 'a', order);
    clock.advance(100);
    const b = ask(limiter, 'b', order);
    clock.advance(50);
    holder.release();
    await settle();
    expect(a.slot!.waitedMs).toBe(150);
    clock.advance(300);
    a.slot!.release();
    await settle();
    expect(b.slot!.waitedMs).toBe(350);
    expect(limiter.stats()).toMatchObject({ granted: 3, queued: 2, totalWaitedMs: 500, maxWaitedMs: 350 });
  });

  it('returns a snapshot, not live objects', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const before = limiter.stats();
    await limiter.acquire('a');
    expect(before.inFlight).toBe(0);
    expect(before.inFlightByKey).toEqual({});
  });
});

describe('fair limiter: random schedules', () => {
  it('never exceeds maxInFlight, serves or rejects every caller, and ends with nothing held', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 20; round++) {
      const max = 1 + Math.floor(random() * 4);
      const limiter = createFairLimiter({ maxInFlight: max });
      const held: LimiterSlot[] = [];
      const outcomes: Promise<string>[] = [];
      const pendingAborts: AbortController[] = [];
      for (let step = 0; step < 200; step++) {
        const r = random();
        if (r < 0.5) {
          const controller = new AbortController();
          pendingAborts.push(controller);
          outcomes.push(
            limiter.acquire(`g${Math.floor(random() * 5)}`, controller.signal).then(
              (slot) => {
                held.push(slot);
                return 'granted';
              },
              () => 'aborted',
            ),
          );
        } else if (r < 0.8 && held.length > 0) {
          held.splice(Math.floor(random() * held.length), 1)[0]!.release();
        } else if (pendingAborts.length > 0) {
          pendingAborts.splice(Math.floor(random() * pendingAborts.length), 1)[0]!.abort();
        }
        await settle(1);
        const stats = limiter.stats();
        expect(stats.inFlight).toBeLessThanOrEqual(max);
        expect(stats.inFlight).toBe(held.length);
        // Nobody waits while a slot is free.
        if (stats.waiting > 0) expect(stats.inFlight).toBe(max);
      }
      // Drain: release everything as it comes, until every caller has an outcome.
      let done = false;
      void Promise.all(outcomes).then(() => (done = true));
      while (!done) {
        while (held.length > 0) held.pop()!.release();
        await settle(1);
      }
      while (held.length > 0) held.pop()!.release();
      const stats = limiter.stats();
      expect(stats).toMatchObject({ inFlight: 0, waiting: 0, inFlightByKey: {}, waitingByKey: {} });
      const results = await Promise.all(outcomes);
      expect(stats.granted).toBe(results.filter((r) => r === 'granted').length);
      expect(stats.abandoned).toBe(results.filter((r) => r === 'aborted').length);
    }
  });
});
