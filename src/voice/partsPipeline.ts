/**
 * Plays the parts of a long text back to back as ONE objectMode stream of 20 ms Opus packets, while the next parts
 * are being synthesized: while the reader is on part i, parts i+1..i+ahead are requested, so at most ahead + 1 parts
 * are in flight and skipping a long text costs at most `ahead` parts nobody hears. Every part that runs is read as
 * fast as it arrives (the provider's stall clock must measure the provider, not our playback pace) and its packets
 * are handed on as they come; a part is never buffered whole before the reader gets its first packet.
 */
import { Readable, finished } from 'node:stream';

/** One part's audio, opened: 20 ms Opus packets flowing. */
export interface OpenedPart {
  /** objectMode stream of 20 ms Opus packets; destroying it tears down the part's provider call. */
  packets: Readable;
  /** Provider's time to first byte for this part, in ms. */
  ttfbMs: number;
  /** Whether ffmpeg makes the Opus (its output comes in bursts, so it wants a longer pre-buffer). */
  transcoded: boolean;
}

/** Opens part `index` (synthesize + 20 ms framing); the signal cancels it at any point. */
export type PartOpener = (index: number, signal: AbortSignal) => Promise<OpenedPart>;

/** Settings of {@link createPartsStream}. */
export interface PartsStreamOptions {
  /** How many parts there are (≥ 1). */
  count: number;
  open: PartOpener;
  /** Parts requested beyond the one being read (≥ 0). */
  ahead: number;
  /** Aborting it ends the stream (without an error) and cancels every part in flight. */
  signal: AbortSignal;
  /** Packets the stream holds ahead of its reader; default 25 (0.5 s). */
  highWaterMark?: number;
}

/** The packets of every part in order, plus the pre-buffer gate of the first part. */
export interface PartsStream extends Readable {
  /**
   * Resolves with the first part once it has `prebuffer(first)` packets (or ended); rejects if it failed, was cancelled
   * or the stream was destroyed first. The caller destroys the stream when it rejects.
   */
  ready(prebuffer: (first: OpenedPart) => number): Promise<OpenedPart>;
}

/** One part: 'idle' until requested, 'opening' until its packets flow, then 'streaming' → 'done', or 'failed' / 'cancelled'. */
class Part {
  state: 'idle' | 'opening' | 'streaming' | 'done' | 'failed' | 'cancelled' = 'idle';
  /** Packets received and not yet taken by the reader. */
  readonly queue: Buffer[] = [];
  /** Packets received in all. */
  received = 0;
  opened: OpenedPart | undefined;
  error: unknown;
  readonly index: number;
  readonly #controller = new AbortController();
  readonly #onChange: (part: Part) => void;

  constructor(index: number, onChange: (part: Part) => void) {
    this.index = index;
    this.#onChange = onChange;
  }

  /** Requests the part. */
  start(open: PartOpener): void {
    if (this.state !== 'idle') return;
    this.state = 'opening';
    let opening: Promise<OpenedPart>;
    try {
      opening = open(this.index, this.#controller.signal);
    } catch (err) {
      opening = Promise.reject(err);
    }
    opening.then(
      (opened) => this.#onOpened(opened),
      (err: unknown) => this.#fail(err),
    );
  }

  /** The next packet for the reader, if one is here. */
  take(): Buffer | undefined {
    return this.queue.shift();
  }

  /** Stops the part wherever it is and drops what it holds; a part that is over stays as it is. */
  cancel(reason: unknown): void {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'cancelled') return;
    this.state = 'cancelled';
    this.#controller.abort(reason);
    this.opened?.packets.destroy();
    this.queue.length = 0;
  }

  #onOpened(opened: OpenedPart): void {
    if (this.state !== 'opening') {
      // Cancelled while the provider was answering.
      opened.packets.destroy();
      return;
    }
    this.opened = opened;
    this.state = 'streaming';
    opened.packets.on('data', (packet: Buffer) => {
      if (this.state !== 'streaming') return;
      this.queue.push(packet);
      this.received++;
      this.#onChange(this);
    });
    finished(opened.packets, { writable: false }, (err) => {
      if (err) this.#fail(err);
      else if (this.state === 'streaming') {
        this.state = 'done';
        this.#onChange(this);
      }
    });
    this.#onChange(this);
  }

  #fail(err: unknown): void {
    if (this.state !== 'opening' && this.state !== 'streaming') return;
    this.state = 'failed';
    this.error = err;
    this.opened?.packets.destroy();
    this.#onChange(this);
  }
}

class PartsReadable extends Readable implements PartsStream {
  readonly #parts: Part[];
  readonly #open: PartOpener;
  readonly #ahead: number;
  readonly #signal: AbortSignal;
  /** The part the reader is on. */
  #current = 0;
  /** Parts requested so far (they are requested in order). */
  #started = 0;
  /** Index of the first failed part: nothing after it is requested or kept. */
  #failedAt = Infinity;
  #wanting = false;
  #ended = false;
  /** The error of a failed part the reader has reached; raised once the reader took every packet before it. */
  #failure: Error | undefined;
  #raised = false;
  #gate: { prebuffer: (first: OpenedPart) => number; resolve: (first: OpenedPart) => void; reject: (err: unknown) => void } | undefined;
  #gateSettled = false;
  readonly #onAbort: () => void;

  constructor(options: PartsStreamOptions) {
    super({ objectMode: true, highWaterMark: options.highWaterMark ?? 25 });
    if (!Number.isInteger(options.count) || options.count < 1) {
      throw new RangeError(`a parts stream needs ≥ 1 part, got ${options.count}`);
    }
    this.#open = options.open;
    this.#ahead = Math.max(0, Math.floor(options.ahead));
    this.#signal = options.signal;
    this.#parts = Array.from({ length: options.count }, (_, i) => new Part(i, (part) => this.#onChange(part)));
    // The error reaches whoever reads (listener, `errored`, iterator); a stream nobody reads yet must not crash the process.
    this.on('error', () => {});
    this.#onAbort = () => this.destroy();
    if (this.#signal.aborted) {
      this.destroy();
      return;
    }
    this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#fill();
  }

  ready(prebuffer: (first: OpenedPart) => number): Promise<OpenedPart> {
    return new Promise<OpenedPart>((resolve, reject) => {
      this.#gate = { prebuffer, resolve, reject };
      if (this.destroyed) this.#settleGate(this.#stopReason(this.errored));
      else this.#checkGate();
    });
  }

  override _read(): void {
    this.#wanting = true;
    this.#pump();
  }

  // Every way of reading (read(), 'data', iterators, pipes) goes through read(): the place to see the buffer empty.
  override read(size?: number): unknown {
    const packet: unknown = super.read(size);
    if (this.#failure && this.readableLength === 0) this.#raise();
    return packet;
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    const reason = this.#stopReason(err);
    for (const part of this.#parts) part.cancel(reason);
    this.#settleGate(reason);
    callback(err);
  }

  /** Hands queued packets to the reader, part after part, as far as it wants them. */
  #pump(): void {
    while (this.#wanting && !this.#ended && !this.destroyed) {
      const part = this.#parts[this.#current];
      if (!part) {
        this.#ended = true;
        this.push(null);
        return;
      }
      const packet = part.take();
      if (packet) {
        this.#wanting = this.push(packet);
        continue;
      }
      if (part.state === 'done') {
        this.#current++;
        this.#fill();
        continue;
      }
      if (part.state === 'failed') {
        // Every packet the part made is in our buffer: its error ends the stream once the reader has taken them
        // (destroying now would drop them).
        this.#failure = part.error instanceof Error ? part.error : new Error(String(part.error));
        if (this.readableLength === 0) this.#raise();
      }
      return;
    }
  }

  /** Ends the stream with the failure, after the reader has had the packet it is taking now. */
  #raise(): void {
    if (this.#raised) return;
    this.#raised = true;
    const failure = this.#failure!;
    queueMicrotask(() => this.destroy(failure));
  }

  /** Requests the parts inside the window [current, current + ahead], never past a failed one. */
  #fill(): void {
    const limit = Math.min(this.#parts.length - 1, this.#current + this.#ahead, this.#failedAt);
    while (this.#started <= limit) this.#parts[this.#started++]!.start(this.#open);
  }

  #onChange(part: Part): void {
    if (part.state === 'failed' && part.index < this.#failedAt) {
      this.#failedAt = part.index;
      // The reader stops at this part's error, so nothing after it will be heard.
      for (const later of this.#parts.slice(part.index + 1)) later.cancel(part.error);
    }
    if (part.index === 0) this.#checkGate();
    if (part.index === this.#current) this.#pump();
  }

  #checkGate(): void {
    const gate = this.#gate;
    const first = this.#parts[0]!;
    if (!gate || this.#gateSettled) return;
    if (first.state === 'failed' || first.state === 'cancelled') {
      this.#settleGate(first.error ?? this.#stopReason(null));
      return;
    }
    const opened = first.opened;
    if (opened && (first.state === 'done' || first.received >= gate.prebuffer(opened))) {
      this.#gateSettled = true;
      gate.resolve(opened);
    }
  }

  /** Rejects the gate if it is still open. */
  #settleGate(reason: unknown): void {
    if (!this.#gate || this.#gateSettled) return;
    this.#gateSettled = true;
    this.#gate.reject(reason);
  }

  #stopReason(err: Error | null | undefined): unknown {
    if (err) return err;
    if (this.#signal.aborted) return this.#signal.reason;
    return new Error('audio stream closed before it started');
  }
}

/** Creates the stream and requests the first parts at once; see {@link PartsStream}. */
export function createPartsStream(options: PartsStreamOptions): PartsStream {
  return new PartsReadable(options);
}
