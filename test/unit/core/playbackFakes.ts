/**
 * Hand-driven fakes of GuildPlayback's ports, for unit tests.
 *
 * Scenario API:
 *   const link = new FakeVoiceLink();            // joins resolve at once; `new FakeVoiceLink({ autoJoin: false })`
 *                                               // leaves them in link.joins[i] to resolve()/reject() by hand
 *   link.plays[i]                                // FakePlayHandle per play(): end(), fail(err), playOut(), stopped, paused
 *   link.disconnect('closed')                    // an unrequested 'disconnected' event
 *   const prep = new FakePreparer<string>();     // prep.prepare is the AudioPreparer
 *   prep.call('a').resolve() / .reject(err)      // finish the fetch for request 'a' (packets: ['a#1', 'a#2'])
 *   const clock = new ManualClock(); clock.advance(ms); clock.pendingTimers
 *   await settle();                              // lets promise chains and stream callbacks run
 */
import { Readable } from 'node:stream';
import type { AudioPreparer, Clock, PlayHandle, PreparedAudio, VoiceLink, VoiceLinkEvent } from '../../../src/voice/ports.js';

/** A promise with its resolve and reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  settled: boolean;
}

/** Makes a Deferred. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      d.settled = true;
      resolve(v);
    },
    reject: (e) => {
      d.settled = true;
      reject(e);
    },
  };
  return d;
}

/** Lets pending promise callbacks and stream events run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** An objectMode stream of the given packets. */
export function packetsOf(...packets: string[]): Readable {
  return Readable.from(packets.map((p) => Buffer.from(p)), { objectMode: true });
}

/** A PlayHandle settled by the test. */
export class FakePlayHandle implements PlayHandle {
  readonly finished: Promise<void>;
  paused = false;
  stopped = false;
  private readonly done = deferred<void>();

  constructor(readonly packets: Readable) {
    this.finished = this.done.promise;
  }

  /** Whether the handle has finished or failed. */
  get settled(): boolean {
    return this.done.settled;
  }

  pause(): boolean {
    if (this.paused || this.settled) return false;
    this.paused = true;
    return true;
  }

  resume(): boolean {
    if (!this.paused || this.settled) return false;
    this.paused = false;
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.end();
  }

  /** The audio ended (played out). */
  end(): void {
    if (!this.settled) this.done.resolve();
  }

  /** The audio stream failed. */
  fail(error: unknown): void {
    if (!this.settled) this.done.reject(error);
  }

  /** Reads every packet, then ends; returns the packets as strings. */
  async playOut(): Promise<string[]> {
    const seen: string[] = [];
    for await (const packet of this.packets) seen.push((packet as Buffer).toString());
    this.end();
    return seen;
  }
}

/** A VoiceLink whose joins and plays the test controls. */
export class FakeVoiceLink implements VoiceLink {
  channelId: string | null = null;
  readonly joins: Array<Deferred<void> & { channelId: string }> = [];
  readonly plays: FakePlayHandle[] = [];
  destroyCount = 0;
  private listener: ((event: VoiceLinkEvent) => void) | undefined;
  private readonly autoJoin: boolean;

  constructor(options: { autoJoin?: boolean } = {}) {
    this.autoJoin = options.autoJoin ?? true;
  }

  join(channelId: string): Promise<void> {
    this.channelId = channelId;
    const d = Object.assign(deferred<void>(), { channelId });
    this.joins.push(d);
    if (this.autoJoin) d.resolve();
    return d.promise;
  }

  play(packets: Readable): FakePlayHandle {
    const handle = new FakePlayHandle(packets);
    this.plays.push(handle);
    return handle;
  }

  destroy(): void {
    this.destroyCount++;
    this.channelId = null;
  }

  onEvent(listener: (event: VoiceLinkEvent) => void): void {
    this.listener = listener;
  }

  /** Emits an unrequested disconnect. */
  disconnect(reason: VoiceLinkEvent['reason'] = 'closed'): void {
    this.listener?.({ type: 'disconnected', reason });
  }
}

/** One call of the fake preparer. */
export interface PrepareCall<R> extends Deferred<PreparedAudio> {
  request: R;
  signal: AbortSignal;
  /** Resolves with packets `<request>#1`, `<request>#2` (or the given ones). */
  resolve(audio?: PreparedAudio): void;
}

/** An AudioPreparer whose fetches the test settles; by default a fetch rejects when its signal aborts, like the real one. */
export class FakePreparer<R extends string> {
  readonly calls: Array<PrepareCall<R>> = [];

  constructor(private readonly options: { honourAbort?: boolean } = {}) {}

  readonly prepare: AudioPreparer<R> = (request, signal) => {
    const d = deferred<PreparedAudio>();
    const settleWith = d.resolve;
    const call: PrepareCall<R> = Object.assign(d, {
      request,
      signal,
      resolve: (audio?: PreparedAudio) => settleWith(audio ?? { packets: packetsOf(`${request}#1`, `${request}#2`), ttfbMs: 42 }),
    });
    if (this.options.honourAbort ?? true) {
      signal.addEventListener('abort', () => {
        if (!d.settled) d.reject(signal.reason);
      });
    }
    this.calls.push(call);
    return d.promise;
  };

  /** The call for a request (throws when it was never asked for). */
  call(request: R): PrepareCall<R> {
    const found = this.calls.find((c) => c.request === request);
    if (!found) throw new Error(`no fetch was started for ${request}`);
    return found;
  }

  /** Requests asked for so far, in order. */
  get requested(): R[] {
    return this.calls.map((c) => c.request);
  }
}

/** A Clock whose timers fire only when the test advances it. */
export class ManualClock implements Clock {
  private time = 0;
  private nextHandle = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  /** Timers armed and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward to an absolute time, firing due timers in order. */
  advanceTo(end: number): void {
    this.advance(end - this.time);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = target;
  }
}
