import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { createFairLimiter } from '../fairLimiter.js';
import { createLimitedSpeechClient } from '../limitedSpeechClient.js';
import { createSpeechClient } from '../speechClient.js';
import { ModelAvailability } from './modelAvailability.js';
import { createModelWatch, type ModelWatch, type WatchClock } from './modelWatch.js';
import { createProviderChain, type ProviderChain } from './providerChain.js';

export { type ProviderChain, type ProviderStatus, type ProviderCounts } from './providerChain.js';
export { ModelAvailability } from './modelAvailability.js';
export type { SpeechOrigin } from './route.js';

/** The speech providers of the bot: the chain that speaks, what it knows about models, and the daily model check. */
export interface SpeechProviders {
  chain: ProviderChain;
  models: ModelAvailability;
  watch: ModelWatch;
  /** The configured providers, in priority order. */
  specs: Config['tts']['providers'];
}

/** Builds one speech client per configured provider (with its own concurrency limit if it has one) behind the chain. */
export function createSpeechProviders(deps: { tts: Config['tts']; logger: Logger; clock: WatchClock }): SpeechProviders {
  const { tts, logger, clock } = deps;
  const models = new ModelAvailability(logger, () => clock.now());
  const providers = tts.providers.map((spec) => {
    const client = createSpeechClient({
      baseUrl: spec.baseUrl,
      apiKey: spec.apiKey,
      timeoutMs: tts.timeoutMs,
      stallTimeoutMs: tts.stallTimeoutMs,
      maxRetries: tts.maxRetries,
      logger: logger.child({ provider: spec.name }),
    });
    const limited =
      spec.maxConcurrency === undefined
        ? client
        : createLimitedSpeechClient({ inner: client, limiter: createFairLimiter({ maxInFlight: spec.maxConcurrency }), logger: logger.child({ provider: spec.name }) });
    return { spec, client: limited };
  });
  const chain = createProviderChain({ providers, models, circuit: tts.circuit, now: () => clock.now(), logger });
  const watch = createModelWatch({ providers: tts.providers, models, clock, logger });
  return { chain, models, watch, specs: tts.providers };
}
