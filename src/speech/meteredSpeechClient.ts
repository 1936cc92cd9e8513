import type { SpeechOutcome } from '../observability/metrics.js';
import type { SpeechClient } from './speechClient.js';

/** Where a metered client reports each call: its outcome, the characters sent, and the time to first byte when audio came. */
export type SpeechCallObserver = (outcome: SpeechOutcome, characters: number, ttfbMs?: number) => void;

/** Wraps a SpeechClient so every call is reported (metrics, readiness); put it right above the provider chain. */
export function createMeteredSpeechClient(inner: SpeechClient, observe: SpeechCallObserver): SpeechClient {
  return {
    async synthesize(request, options = {}) {
      try {
        const audio = await inner.synthesize(request, options);
        observe('ok', request.input.length, audio.ttfbMs);
        return audio;
      } catch (err) {
        observe(options.signal?.aborted ? 'aborted' : 'error', request.input.length);
        throw err;
      }
    },
  };
}
