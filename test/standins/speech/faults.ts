/** Scenario faults: one-shot (queued, optionally matched to a request body) or sticky, merged per request. */
import type { OggOpusOptions } from '../../support/oggOpus.js';
import type { SpeechFormat } from './formats.js';

/** A misbehaviour the stand-in can show for one request (or every request while sticky). */
export type SpeechFault =
  /**
   * Answer with an error status instead of audio (checked before auth and validation). 429 sends `retry-after`
   * (+ `retry-after-ms`) when `retryAfterSeconds` is set; `code: 'insufficient_quota'` gives OpenAI's quota
   * error instead of the rate limit one; `raw` replaces the JSON body (e.g. a proxy's HTML 502 page).
   */
  | {
      kind: 'status';
      status: number;
      message?: string;
      retryAfterSeconds?: number;
      code?: 'rate_limit_exceeded' | 'insufficient_quota';
      raw?: { body: string; contentType: string };
    }
  /** Wait this long before the response headers (applies to error responses too). */
  | { kind: 'delay'; ttfbMs: number }
  /** Send headers and `afterBytes` body bytes, then nothing for `forMs` (default: until the client aborts or close()). */
  | { kind: 'stall'; afterBytes: number; forMs?: number }
  /** Send headers and `afterBytes` body bytes, then destroy the socket (no terminating chunk). */
  | { kind: 'cut'; afterBytes: number }
  /** 200 with the right content type but random bytes (no 0xFF, so no MPEG/ADTS sync words); default: as long as the audio. */
  | { kind: 'garbage'; bytes?: number }
  /** Ogg Opus layout for this request (only matters when opus is served). */
  | { kind: 'shape'; opus: OggOpusOptions }
  /** Ignore `response_format` and serve this format (labelled as it, unless `contentType` says otherwise). */
  | { kind: 'format'; respondAs: SpeechFormat; contentType?: string }
  /** Deliver at this pace (Infinity: all at once); `chunkBytes` cuts the body into pieces of that size instead. */
  | { kind: 'pace'; bytesPerSecond: number; chunkBytes?: number };

/** Which requests a queued fault waits for: a predicate on the JSON body, or fields it must equal. */
export type FaultMatch = ((body: Readonly<Record<string, unknown>>) => boolean) | Readonly<Record<string, unknown>>;

/** Faults that apply to a request, at most one per kind. */
export type FaultSet = Partial<{ [K in SpeechFault['kind']]: Extract<SpeechFault, { kind: K }> }>;

interface Queued {
  faults: SpeechFault[];
  match: FaultMatch | undefined;
}

/** Holds queued and sticky faults of one stand-in. */
export class FaultBook {
  #queue: Queued[] = [];
  #sticky: SpeechFault[] = [];

  /** Queues faults for the next request (whose body matches, if `match` is given). */
  next(fault: SpeechFault | SpeechFault[], match?: FaultMatch): void {
    this.#queue.push({ faults: toArray(fault), match });
  }

  /** Makes faults apply to every request until replaced; null clears them. */
  always(fault: SpeechFault | SpeechFault[] | null): void {
    this.#sticky = fault === null ? [] : toArray(fault);
  }

  /** Drops queued and sticky faults. */
  clear(): void {
    this.#queue = [];
    this.#sticky = [];
  }

  /** Queued fault entries not yet used. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * The faults for a request: sticky ones, overridden kind by kind by the first queued entry matching the body.
   * A queued entry is used up (and applied) only if it holds a `status` fault or `willServe` is true, so requests
   * the stand-in rejects anyway (bad key, invalid body) leave it for the next one.
   */
  take(body: unknown, willServe: boolean): FaultSet {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const index = this.#queue.findIndex((entry) => matches(entry.match, fields));
    const queued = index >= 0 ? this.#queue[index]!.faults : [];
    if (index >= 0 && (willServe || queued.some((fault) => fault.kind === 'status'))) {
      this.#queue.splice(index, 1);
      return toSet([...this.#sticky, ...queued]);
    }
    return toSet(this.#sticky);
  }
}

function matches(match: FaultMatch | undefined, fields: Record<string, unknown>): boolean {
  if (match === undefined) return true;
  if (typeof match === 'function') return match(fields);
  return Object.entries(match).every(([key, value]) => Object.is(fields[key], value));
}

function toArray(fault: SpeechFault | SpeechFault[]): SpeechFault[] {
  return Array.isArray(fault) ? [...fault] : [fault];
}

function toSet(faults: SpeechFault[]): FaultSet {
  const set: Record<string, SpeechFault> = {};
  for (const fault of faults) set[fault.kind] = fault;
  return set as FaultSet;
}
