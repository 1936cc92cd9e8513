import type { SpeechClient } from '../speech/speechClient.js';
import type { UsageMeter } from './usageMeter.js';

/**
 * Wraps the provider side of the speech stack (put it under the caching client, so only misses reach it): every call
 * first reserves its input characters against the guild's and the bot's daily budgets, for the guild (`key`) and
 * the member (`memberId`) it is made for. A refused reservation throws before the provider is asked. A call that
 * fails before any audio arrived gives its characters back (the provider produced nothing, and most bill nothing);
 * once audio has started, the characters stay counted even if the body is cut later.
 */
export function createBudgetedSpeechClient(options: { inner: SpeechClient; meter: Pick<UsageMeter, 'reserve'> }): SpeechClient {
  const { inner, meter } = options;
  return {
    async synthesize(request, opts = {}) {
      opts.signal?.throwIfAborted();
      const reservation = meter.reserve({ guildId: opts.key, memberId: opts.memberId }, request.model, request.input.length);
      try {
        return await inner.synthesize(request, opts);
      } catch (err) {
        reservation.release();
        throw err;
      }
    },
  };
}
