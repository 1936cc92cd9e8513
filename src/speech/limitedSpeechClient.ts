import { finished } from 'node:stream';
import type { Logger } from '../observability/logger.js';
import type { FairLimiter, LimiterSlot } from './fairLimiter.js';
import type { SpeechAudio, SpeechClient } from './speechClient.js';

/** What the limited client needs: the client it guards, the shared limiter and a logger. */
export interface LimitedSpeechClientOptions {
  inner: SpeechClient;
  limiter: FairLimiter;
  logger: Logger;
}

/** The limiter key of calls that name none (file replies, anything without a guild). */
export const SHARED_LIMITER_KEY = '(shared)';

/**
 * Holds `slot` until the body is over: ended, errored, or destroyed/closed by its reader. `finished` covers all three
 * (and a stream that is already over), and the slot's release is idempotent, so no path frees it twice or never.
 */
function releaseWhenOver(audio: SpeechAudio, slot: LimiterSlot): void {
  const cleanup = finished(audio.stream, { writable: false }, () => {
    cleanup();
    slot.release();
  });
}

/**
 * Wraps a SpeechClient so every call first takes a slot of the fair limiter (keyed by `options.key`, the guild) and
 * holds it until the body stream is over. Put it under the caching client, so cache hits take no slot.
 */
export function createLimitedSpeechClient(options: LimitedSpeechClientOptions): SpeechClient {
  const { inner, limiter } = options;
  const log = options.logger.child({ module: 'speech-limit' });
  return {
    async synthesize(request, opts = {}) {
      const key = opts.key ?? SHARED_LIMITER_KEY;
      const slot = await limiter.acquire(key, opts.signal);
      if (slot.waitedMs > 0) log.debug({ key, waitedMs: Math.round(slot.waitedMs) }, 'speech call waited for a free slot');
      let audio: SpeechAudio;
      try {
        // The slot may have been granted in the same turn the signal fired.
        opts.signal?.throwIfAborted();
        audio = await inner.synthesize(request, opts);
      } catch (err) {
        slot.release();
        throw err;
      }
      releaseWhenOver(audio, slot);
      return audio;
    },
  };
}
