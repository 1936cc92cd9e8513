import { Readable, finished } from 'node:stream';
import type { Logger } from '../observability/logger.js';
import type { AudioCache, AudioCacheWriter } from './audioCache.js';
import type { SpeechOrigin } from './providers/route.js';
import { FORMAT_FILE, type SpeechRequest } from './request.js';
import type { SpeechAudio, SpeechClient, SynthesizeOptions } from './speechClient.js';

/** What the caching client needs: the real client, the disk cache and a logger. */
export interface CachingSpeechClientOptions {
  inner: SpeechClient;
  cache: AudioCache;
  logger: Logger;
  /**
   * Who would answer a request now and what it would be sent (the provider chain's plan): the key then names that
   * provider and its own model/voice/format, so one provider's audio is never served for another's. Absent: the
   * request alone is the key.
   */
  plan?: (request: SpeechRequest, options: Pick<SynthesizeOptions, 'provider'>) => SpeechOrigin | undefined;
  /** Told of every request answered without a provider call of its own (a hit, or a shared call), for usage counts. */
  onSaved?: (request: SpeechRequest, options: SynthesizeOptions) => void;
}

/** Counters of the caching client since it was created. */
export interface CachingSpeechStats {
  /** Requests answered from disk. */
  hits: number;
  /** Requests that started a provider call. */
  misses: number;
  /** Requests that joined a provider call another request had started. */
  sharedInFlight: number;
  /** Input characters that never went to the provider (hits and shared calls). */
  savedChars: number;
}

/** A SpeechClient answering from the disk cache first and sharing identical in-flight calls. */
export interface CachingSpeechClient extends SpeechClient {
  /** Counters since creation. */
  stats(): CachingSpeechStats;
  /** Resolves once every call in flight now has finished and its body was committed or dropped (tests, shutdown). */
  idle(): Promise<void>;
}

/** Audio fields a caller receives besides its own stream. */
type AudioMeta = Omit<SpeechAudio, 'stream'>;

/** One caller's view of a shared call: its own Readable, replaying from the first byte. */
class Listener {
  readonly stream: Readable;
  /** 'waiting' until the provider answered, 'streaming' once the caller has its SpeechAudio. */
  state: 'waiting' | 'streaming' | 'gone' = 'waiting';
  #cursor = 0;
  #wanting = false;
  #eof = false;
  readonly #call: SharedCall;
  readonly #resolve: (meta: AudioMeta) => void;
  readonly #reject: (err: unknown) => void;

  constructor(call: SharedCall, resolve: (meta: AudioMeta) => void, reject: (err: unknown) => void) {
    this.#call = call;
    this.#resolve = resolve;
    this.#reject = reject;
    this.stream = new Readable({
      highWaterMark: 64 * 1024,
      read: () => {
        this.#wanting = true;
        this.pump();
      },
      destroy: (err, callback) => {
        this.state = 'gone';
        this.#call.detach(this);
        callback(err);
      },
    });
  }

  /** Gives the caller its SpeechAudio. */
  handOut(meta: AudioMeta): void {
    if (this.state !== 'waiting') return;
    this.state = 'streaming';
    this.#resolve(meta);
    this.pump();
  }

  /** Pushes what the shared buffer holds beyond this listener's cursor, as far as its reader wants. */
  pump(): void {
    if (this.state !== 'streaming') return;
    const chunks = this.#call.chunks;
    while (this.#wanting && this.#cursor < chunks.length) this.#wanting = this.stream.push(chunks[this.#cursor++]);
    if (!this.#eof && this.#cursor === chunks.length && this.#call.ended) {
      this.#eof = true;
      this.stream.push(null);
    }
  }

  /** Ends this caller's part with `err`: a rejection before hand-out, a stream error after. */
  fail(err: unknown): void {
    if (this.state === 'waiting') {
      this.state = 'gone';
      this.#reject(err);
      // Never handed out, so nobody listens for 'error' on it.
      this.stream.destroy();
    } else if (this.state === 'streaming') {
      this.stream.destroy(err as Error);
    }
  }
}

/**
 * One provider call shared by every identical request while it runs. The whole body stays in memory until the call
 * is over (a few MB at most), so a late joiner replays it from the first byte and each reader goes at its own pace.
 */
class SharedCall {
  readonly chunks: Buffer[] = [];
  ended = false;
  #failed = false;
  #meta: AudioMeta | undefined;
  #source: Readable | undefined;
  readonly #listeners = new Set<Listener>();
  readonly #controller = new AbortController();
  #writer: AudioCacheWriter;
  /** A writer under the key of the provider that actually answered, when it is not the planned one (a failover). */
  readonly #rekey: ((audio: SpeechAudio) => AudioCacheWriter | undefined) | undefined;
  readonly #release: () => void;
  readonly #log: Logger;
  /** Settles when the call has left the in-flight table: body committed, or the call failed. */
  readonly done: Promise<void>;
  #markDone!: () => void;

  constructor(writer: AudioCacheWriter, release: () => void, log: Logger, rekey?: (audio: SpeechAudio) => AudioCacheWriter | undefined) {
    this.#writer = writer;
    this.#rekey = rekey;
    this.#release = release;
    this.#log = log;
    this.done = new Promise((resolve) => {
      this.#markDone = resolve;
    });
  }

  /** Starts the provider call on behalf of the leader (whoever asked first is charged for the call: `key`, `memberId`). */
  start(inner: SpeechClient, request: SpeechRequest, who: Pick<SynthesizeOptions, 'key' | 'memberId' | 'provider'>): void {
    let answer: Promise<SpeechAudio>;
    try {
      answer = inner.synthesize(request, { signal: this.#controller.signal, key: who.key, memberId: who.memberId, provider: who.provider });
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (audio) => this.#onAudio(audio),
      (err: unknown) => this.#fail(err),
    );
  }

  /** Adds a caller; `leader` marks the one that started the call (it reports the provider's timing and attempts). */
  join(signal: AbortSignal | undefined, startedAt: number, leader: boolean): Promise<SpeechAudio> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<SpeechAudio>((resolve, reject) => {
      const listener: Listener = new Listener(
        this,
        (meta) => {
          const own = leader ? meta : { ...meta, ttfbMs: performance.now() - startedAt, attempts: 0, fromCache: true };
          resolve({ ...own, stream: listener.stream });
        },
        reject,
      );
      this.#listeners.add(listener);
      if (signal) {
        const onAbort = () => listener.fail(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        listener.stream.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      if (this.#meta) listener.handOut(this.#meta);
    });
  }

  /** Forgets a listener that left; the provider call is aborted when the last one leaves before the end. */
  detach(listener: Listener): void {
    if (!this.#listeners.delete(listener)) return;
    if (this.#listeners.size > 0 || this.ended || this.#failed) return;
    this.#log.debug('every caller left, aborting the shared speech call');
    const reason = new DOMException('every caller of the shared speech call aborted', 'AbortError');
    this.#controller.abort(reason);
    this.#source?.destroy();
    this.#fail(reason);
  }

  #onAudio(audio: SpeechAudio): void {
    if (this.#failed) {
      // Everybody left while the provider was answering.
      audio.stream.destroy();
      return;
    }
    this.#meta = { contentType: audio.contentType, ttfbMs: audio.ttfbMs, attempts: audio.attempts, origin: audio.origin };
    const moved = this.#rekey?.(audio);
    if (moved) {
      void this.#writer.abort().catch((err: unknown) => this.#log.warn({ err }, 'audio cache temp file not removed'));
      this.#writer = moved;
    }
    const source = audio.stream;
    this.#source = source;
    source.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.chunks.push(bytes);
      this.#writer.write(bytes);
      for (const listener of this.#listeners) listener.pump();
    });
    finished(source, { writable: false }, (err) => {
      if (err) this.#fail(err);
      else this.#complete();
    });
    for (const listener of [...this.#listeners]) listener.handOut(this.#meta);
  }

  #complete(): void {
    if (this.#failed || this.ended) return;
    this.ended = true;
    for (const listener of [...this.#listeners]) listener.pump();
    // Stays joinable until committed, so a request arriving meanwhile still needs no provider call.
    this.#writer
      .commit()
      .then((committed) => this.#log.debug({ committed, bytes: this.#byteCount() }, 'speech body done'))
      .catch((err: unknown) => this.#log.warn({ err }, 'audio cache commit failed'))
      .finally(() => this.#settle());
  }

  #fail(err: unknown): void {
    if (this.#failed || this.ended) return;
    this.#failed = true;
    for (const listener of [...this.#listeners]) listener.fail(err);
    this.#writer
      .abort()
      .catch((abortErr: unknown) => this.#log.warn({ err: abortErr }, 'audio cache temp file not removed'))
      .finally(() => this.#markDone());
    // Out of the table at once: the next identical request must try the provider again.
    this.#release();
  }

  #settle(): void {
    this.#release();
    this.#markDone();
  }

  #byteCount(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }
}

/** Lookups between two "audio cache totals" log lines. */
const REPORT_EVERY = 50;

/** Wraps a SpeechClient with the disk cache and single-flight sharing of identical requests. */
export function createCachingSpeechClient(options: CachingSpeechClientOptions): CachingSpeechClient {
  const { inner, cache } = options;
  const log = options.logger.child({ module: 'audio-cache' });
  const inFlight = new Map<string, SharedCall>();
  /** Calls not yet done: a failed call leaves inFlight at once but may still be removing its temp file. */
  const unsettled = new Set<SharedCall>();
  const counts: CachingSpeechStats = { hits: 0, misses: 0, sharedInFlight: 0, savedChars: 0 };
  /** Every REPORT_EVERY lookups, one info line with the running totals (hit rate, provider characters saved). */
  const report = () => {
    const lookups = counts.hits + counts.misses + counts.sharedInFlight;
    if (lookups % REPORT_EVERY !== 0) return;
    const hitRate = Number(((counts.hits + counts.sharedInFlight) / lookups).toFixed(3));
    log.info({ ...counts, lookups, hitRate }, 'audio cache totals');
  };

  /** Counts a request answered without a provider call of its own; the listener's failure must not fail the request. */
  function saved(request: SpeechRequest, opts: SynthesizeOptions) {
    counts.savedChars += request.input.length;
    try {
      options.onSaved?.(request, opts);
    } catch (err) {
      log.warn({ err }, 'could not record what the cache saved');
    }
  }

  function share(call: SharedCall, key: string, request: SpeechRequest, opts: SynthesizeOptions, startedAt: number) {
    const { signal } = opts;
    counts.sharedInFlight++;
    saved(request, opts);
    log.debug({ key: key.slice(0, 12) }, 'speech call shared');
    report();
    return call.join(signal, startedAt, false);
  }

  function fromDisk(stream: Readable, request: SpeechRequest, origin: SpeechOrigin | undefined, signal: AbortSignal | undefined, startedAt: number): SpeechAudio {
    if (signal) {
      const onAbort = () => stream.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    const { contentType } = FORMAT_FILE[request.response_format];
    return { stream, contentType, ttfbMs: performance.now() - startedAt, attempts: 0, origin, fromCache: true };
  }

  return {
    async synthesize(request, opts = {}) {
      const { signal } = opts;
      signal?.throwIfAborted();
      const startedAt = performance.now();
      const origin = options.plan?.(request, { provider: opts.provider });
      // The request as the planned provider gets it: its voice, model and format are what the audio is made of.
      const keyed = origin?.request ?? request;
      const key = cache.keyOf(keyed, origin?.provider);
      const running = inFlight.get(key);
      if (running) return share(running, key, request, opts, startedAt);

      const stream = await cache.open(key);
      if (stream) {
        if (signal?.aborted) {
          stream.destroy();
          throw signal.reason;
        }
        counts.hits++;
        saved(request, opts);
        log.debug({ key: key.slice(0, 12) }, 'audio cache hit');
        report();
        return fromDisk(stream, keyed, origin, signal, startedAt);
      }
      signal?.throwIfAborted();
      // Another identical request may have started a call while we looked on disk.
      const startedMeanwhile = inFlight.get(key);
      if (startedMeanwhile) return share(startedMeanwhile, key, request, opts, startedAt);

      counts.misses++;
      log.debug({ key: key.slice(0, 12) }, 'audio cache miss');
      report();
      const call: SharedCall = new SharedCall(
        cache.writer(key, keyed.response_format),
        () => {
          if (inFlight.get(key) === call) inFlight.delete(key);
        },
        log.child({ key: key.slice(0, 12) }),
        (audio) => {
          // Another provider answered than planned (a failover): file its audio under its own key, never the planned one.
          if (!audio.origin || !origin) return undefined;
          const actual = cache.keyOf(audio.origin.request, audio.origin.provider);
          return actual === key ? undefined : cache.writer(actual, audio.origin.request.response_format);
        },
      );
      inFlight.set(key, call);
      unsettled.add(call);
      void call.done.then(() => unsettled.delete(call));
      const joined = call.join(signal, startedAt, true);
      call.start(inner, request, { key: opts.key, memberId: opts.memberId, provider: opts.provider });
      return joined;
    },

    stats() {
      return { ...counts };
    },

    async idle() {
      await Promise.all([...unsettled].map((call) => call.done));
    },
  };
}
