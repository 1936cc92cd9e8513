import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../observability/logger.js';
import type { SpeechOrigin } from './providers/route.js';
import type { SpeechRequest } from './request.js';
import { SpeechError, errorFromResponse } from './speechErrors.js';

/** Audio coming back from the endpoint: a byte stream that is already flowing. */
export interface SpeechAudio {
  /** The body, starting with the first bytes received; errors with a SpeechError on stall or cut. */
  stream: Readable;
  /** Content-Type the server declared (servers differ: trust the bytes, not this). */
  contentType: string;
  /** Milliseconds from sending the request (last attempt) to the first body byte. */
  ttfbMs: number;
  /** How many attempts it took. */
  attempts: number;
  /** Which provider made it and what that provider was sent (its model, voice, format); set by the provider chain. */
  origin?: SpeechOrigin | undefined;
  /** True when no provider call was made for this caller: a cache hit, or a call another identical request started. */
  fromCache?: boolean;
}

/** Per-call options of {@link SpeechClient.synthesize}. */
export interface SynthesizeOptions {
  /** Aborts the call: rejects it before audio, errors the body after. */
  signal?: AbortSignal | undefined;
  /** Who asks (the guild id): provider calls are shared fairly between keys; calls without a key share one. */
  key?: string | undefined;
  /** The provider to ask first (the one that served an item's first part), before the others in their order. */
  provider?: string | undefined;
  /** The member the call is made for (their usage is counted); none for calls no member asked for. */
  memberId?: string | undefined;
}

/** Talks to an OpenAI-compatible speech endpoint. */
export interface SpeechClient {
  /** Sends the request and resolves once the first audio bytes have arrived. */
  synthesize(request: SpeechRequest, options?: SynthesizeOptions): Promise<SpeechAudio>;
}

/** Settings of the speech client; `fetch` is injectable for tests. */
export interface SpeechClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  stallTimeoutMs: number;
  maxRetries: number;
  /** Longest Retry-After we will wait before giving up with a rate-limit error. */
  maxRetryWaitMs?: number;
  logger: Logger;
  fetch?: typeof fetch;
}

const ERROR_BODY_LIMIT = 16 * 1024;

/** Creates the speech client: time-to-first-byte and stall timeouts, bounded retries before any audio is passed on. */
export function createSpeechClient(options: SpeechClientOptions): SpeechClient {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl}/audio/speech`;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
  const log = options.logger.child({ module: 'speech' });

  async function attempt(request: SpeechRequest, outer: AbortSignal | undefined, attemptNo: number): Promise<SpeechAudio> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const started = performance.now();
    let phase: 'ttfb' | 'stall' = 'ttfb';
    const timeoutError = () =>
      new SpeechError('speech.timeout', { retryable: false, details: { phase }, message: `speech endpoint ${phase} timeout` });
    let timer = setTimeout(() => controller.abort(timeoutError()), options.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    const translate = (err: unknown): unknown => {
      if (err instanceof SpeechError) return err;
      if (controller.signal.aborted) {
        const reason: unknown = controller.signal.reason;
        return reason instanceof SpeechError ? reason : err;
      }
      return new SpeechError('speech.unavailable', {
        retryable: true,
        cause: err,
        message: `speech endpoint unreachable: ${(err as Error)?.message ?? String(err)}`,
      });
    };
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: '*/*' };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      const res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(request), signal: controller.signal });
      if (!res.ok) {
        const text = (await res.text()).slice(0, ERROR_BODY_LIMIT);
        throw errorFromResponse(res.status, res.headers, text, options.apiKey);
      }
      if (!res.body) throw new SpeechError('speech.bad_audio', { retryable: false, message: 'empty body' });
      const reader = res.body.getReader();
      const first = await reader.read();
      if (first.done || first.value.byteLength === 0) {
        throw new SpeechError('speech.bad_audio', { retryable: true, message: 'speech endpoint sent an empty body' });
      }
      const ttfbMs = performance.now() - started;
      phase = 'stall';
      clearTimeout(timer);
      const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
      log.debug({ ttfbMs: Math.round(ttfbMs), attempt: attemptNo, contentType }, 'speech stream started');

      async function* body(): AsyncGenerator<Buffer> {
        try {
          yield Buffer.from(first.value!);
          for (;;) {
            // The stall clock runs only while we are waiting for bytes we asked for.
            timer = setTimeout(() => controller.abort(timeoutError()), options.stallTimeoutMs);
            let next: Awaited<ReturnType<typeof reader.read>>;
            try {
              next = await reader.read();
            } catch (err) {
              throw translate(err);
            } finally {
              clearTimeout(timer);
            }
            if (next.done) return;
            yield Buffer.from(next.value);
          }
        } finally {
          cleanup();
          if (!controller.signal.aborted) controller.abort();
        }
      }
      const stream = Readable.from(body(), { objectMode: false, highWaterMark: 64 * 1024 });
      return { stream, contentType, ttfbMs, attempts: attemptNo };
    } catch (err) {
      // Translate first: aborting the controller below would make a network error look like an abort.
      const translated = translate(err);
      cleanup();
      if (!controller.signal.aborted) controller.abort();
      throw translated;
    }
  }

  return {
    async synthesize(request, opts = {}) {
      for (let attemptNo = 1; ; attemptNo++) {
        try {
          return await attempt(request, opts.signal, attemptNo);
        } catch (err) {
          if (opts.signal?.aborted) throw opts.signal.reason ?? err;
          if (!(err instanceof SpeechError) || !err.retryable || attemptNo > options.maxRetries) throw err;
          const backoff = 250 * 2 ** (attemptNo - 1) * (0.75 + Math.random() * 0.5);
          const wait = err.retryAfterMs ?? backoff;
          if (wait > maxRetryWaitMs) throw err;
          log.warn({ status: err.status, key: err.key, attempt: attemptNo, waitMs: Math.round(wait) }, 'speech request failed, retrying');
          await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : {}).catch((abortError: unknown) => {
            throw opts.signal?.reason ?? abortError;
          });
        }
      }
    },
  };
}
