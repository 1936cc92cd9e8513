/**
 * A fair concurrency limit: at most `maxInFlight` slots are held at once; callers that find every slot taken wait in
 * a FIFO queue of their own key (a guild) and, whenever a slot frees, the keys with waiters take turns (round-robin),
 * so one busy guild cannot starve the others. A wait can be aborted; an aborted waiter leaves its queue and never
 * takes a slot. A slot is held until its holder releases it.
 */

/** A slot taken from the limiter; `release()` gives it back (once; later calls do nothing). */
export interface LimiterSlot {
  /** The key the slot was taken for. */
  readonly key: string;
  /** How long the caller waited in a queue for it, in ms (0 when a slot was free). */
  readonly waitedMs: number;
  /** Gives the slot back; idempotent. */
  release(): void;
}

/** Settings of the limiter; the clock is injectable for tests. */
export interface FairLimiterOptions {
  /** Slots that may be held at once (an integer ≥ 1). */
  maxInFlight: number;
  /** Time source for wait times, in ms; default `performance.now()`. */
  clock?: { now(): number };
}

/** A snapshot of the limiter. */
export interface FairLimiterStats {
  maxInFlight: number;
  /** Slots held now. */
  inFlight: number;
  /** Callers queued now. */
  waiting: number;
  /** Slots held now per key (keys holding none are left out). */
  inFlightByKey: Record<string, number>;
  /** Callers queued now per key (keys with none are left out). */
  waitingByKey: Record<string, number>;
  /** Slots handed out since creation. */
  granted: number;
  /** Of those, how many were handed out after a wait in a queue. */
  queued: number;
  /** Waits given up through their abort signal. */
  abandoned: number;
  /** Sum of the queue time of every granted slot, in ms. */
  totalWaitedMs: number;
  /** Longest queue time of a granted slot, in ms. */
  maxWaitedMs: number;
}

/** Hands out at most `maxInFlight` slots, serving waiting keys round-robin. */
export interface FairLimiter {
  /** Resolves with a slot for `key`, at once if one is free; rejects with the signal's reason if aborted first. */
  acquire(key: string, signal?: AbortSignal): Promise<LimiterSlot>;
  /** Counters and the current occupancy. */
  stats(): FairLimiterStats;
}

/** One queued caller: 'waiting' until it is granted a slot or leaves through its signal. */
interface Waiter {
  readonly key: string;
  readonly enqueuedAt: number;
  state: 'waiting' | 'granted' | 'abandoned';
  grant(waitedMs: number): void;
  /** Removes the abort listener (after the waiter left the queue either way). */
  detach(): void;
}

/** Creates a fair limiter with `maxInFlight` slots. */
export function createFairLimiter(options: FairLimiterOptions): FairLimiter {
  const { maxInFlight } = options;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${maxInFlight}`);
  const clock = options.clock ?? { now: () => performance.now() };
  /** Per-key FIFO queues; only keys with waiters are in it. */
  const queues = new Map<string, Waiter[]>();
  /**
   * The round-robin ring: keys with waiters, and `turn`, the index of the key served next. A round goes from `turn` to
   * the end; the keys before `turn` were served in it already. A key that gets its first waiter joins at the end.
   */
  const ring: string[] = [];
  let turn = 0;
  const held = new Map<string, number>();
  let inFlight = 0;
  let waiting = 0;
  const counts = { granted: 0, queued: 0, abandoned: 0, totalWaitedMs: 0, maxWaitedMs: 0 };

  function take(key: string, waitedMs: number): LimiterSlot {
    inFlight++;
    held.set(key, (held.get(key) ?? 0) + 1);
    counts.granted++;
    counts.totalWaitedMs += waitedMs;
    counts.maxWaitedMs = Math.max(counts.maxWaitedMs, waitedMs);
    let released = false;
    return {
      key,
      waitedMs,
      release() {
        if (released) return;
        released = true;
        inFlight--;
        const left = held.get(key)! - 1;
        if (left === 0) held.delete(key);
        else held.set(key, left);
        dispatch();
      },
    };
  }

  /** Gives free slots to the queue heads, one key after the other. */
  function dispatch(): void {
    while (inFlight < maxInFlight && waiting > 0) {
      if (turn >= ring.length) turn = 0;
      const key = ring[turn]!;
      const queue = queues.get(key)!;
      const waiter = queue.shift()!;
      waiting--;
      if (queue.length > 0) turn++;
      else dropKey(key);
      waiter.state = 'granted';
      waiter.detach();
      counts.queued++;
      waiter.grant(Math.max(0, clock.now() - waiter.enqueuedAt));
    }
  }

  /** Takes a key without waiters out of the ring, keeping the turn on the key that was next. */
  function dropKey(key: string): void {
    queues.delete(key);
    const index = ring.indexOf(key);
    ring.splice(index, 1);
    if (index < turn) turn--;
  }

  function leave(waiter: Waiter): void {
    const queue = queues.get(waiter.key);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    waiting--;
    // Leaving does not cost the key its turn: it keeps its place in the ring while it has waiters.
    if (queue.length === 0) dropKey(waiter.key);
  }

  return {
    acquire(key, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      // Waiters exist only while every slot is taken, so a free slot here means nobody is queued ahead.
      if (inFlight < maxInFlight) return Promise.resolve(take(key, 0));
      return new Promise<LimiterSlot>((resolve, reject) => {
        const onAbort = () => {
          if (waiter.state !== 'waiting') return;
          waiter.state = 'abandoned';
          leave(waiter);
          waiter.detach();
          counts.abandoned++;
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          key,
          enqueuedAt: clock.now(),
          state: 'waiting',
          grant: (waitedMs) => resolve(take(key, waitedMs)),
          detach: () => signal?.removeEventListener('abort', onAbort),
        };
        const queue = queues.get(key);
        if (queue) queue.push(waiter);
        else {
          queues.set(key, [waiter]);
          // At the end of the current round: after the keys still to be served in it, before those already served.
          ring.push(key);
        }
        waiting++;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },

    stats() {
      return {
        maxInFlight,
        inFlight,
        waiting,
        inFlightByKey: Object.fromEntries(held),
        waitingByKey: Object.fromEntries(ring.map((key) => [key, queues.get(key)!.length])),
        ...counts,
      };
    },
  };
}
