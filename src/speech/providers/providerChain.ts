import type { ProviderSpec } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { SpeechRequest } from '../request.js';
import type { SpeechAudio, SpeechClient, SynthesizeOptions } from '../speechClient.js';
import { providerInTrouble, SpeechError } from '../speechErrors.js';
import { CircuitBreaker, type CircuitState } from './circuitBreaker.js';
import type { ModelAvailability } from './modelAvailability.js';
import { modelsToTry, requestFor, type SpeechOrigin } from './route.js';

/** One provider as the chain runs it: its spec and the client that talks to it (already limited, if it has a limit). */
export interface ChainProvider {
  spec: ProviderSpec;
  client: SpeechClient;
}

/** Settings of {@link createProviderChain}. */
export interface ProviderChainOptions {
  providers: readonly ChainProvider[];
  models: ModelAvailability;
  circuit: { failures: number; cooldownMs: number };
  now: () => number;
  logger: Logger;
}

/** Requests and failovers of one provider since start (exported as metrics later). */
export interface ProviderCounts {
  /** Calls sent to it (each model tried counts once). */
  requests: number;
  /** Calls that brought audio. */
  served: number;
  /** Calls that failed in a way that counts against it (and moved the request on). */
  failures: number;
  /** Requests that left it for the next provider. */
  failovers: number;
  /** Requests retried with its next model because a model was refused. */
  modelFallbacks: number;
  /** Requests that skipped it because its circuit was open. */
  skippedOpen: number;
}

/** A provider's state for /diagnose. */
export interface ProviderStatus {
  name: string;
  circuit: CircuitState;
  counts: ProviderCounts;
}

/** The providers behind the one SpeechClient interface: failover in order, a circuit breaker each, model fallbacks. */
export interface ProviderChain extends SpeechClient {
  /** Who would answer this request now, and what it would be sent (no call is made): the cache keys on it. */
  plan(request: SpeechRequest, options?: Pick<SynthesizeOptions, 'provider'>): SpeechOrigin | undefined;
  /** Each provider's circuit and counters, in priority order. */
  status(): ProviderStatus[];
}

/** Errors that say the provider (not the request) is in trouble: the next provider may well succeed. */
function failsOver(err: unknown): err is SpeechError {
  return providerInTrouble(err) || (err instanceof SpeechError && err.key === 'speech.rejected' && err.status === 404);
}

const emptyCounts = (): ProviderCounts => ({ requests: 0, served: 0, failures: 0, failovers: 0, modelFallbacks: 0, skippedOpen: 0 });

/** Creates the provider chain; see {@link ProviderChain}. */
export function createProviderChain(options: ProviderChainOptions): ProviderChain {
  const log = options.logger.child({ module: 'providers' });
  const runtimes = options.providers.map((p) => ({
    ...p,
    breaker: new CircuitBreaker({ ...options.circuit, now: options.now }),
    counts: emptyCounts(),
  }));
  type Runtime = (typeof runtimes)[number];
  const substitutedVoices = new Set<string>();

  /** Providers in the order to try: the item's provider first when it names one, then priority order. */
  const ordered = (preferred: string | undefined): Runtime[] => {
    const first = preferred === undefined ? undefined : runtimes.find((r) => r.spec.name === preferred);
    return first ? [first, ...runtimes.filter((r) => r !== first)] : runtimes;
  };

  const noteVoice = (r: Runtime, asked: string, sent: string) => {
    const mapped = r.spec.voiceMap[asked] ?? asked;
    const key = `${r.spec.name}\u0000${asked}`;
    if (mapped === sent || substitutedVoices.has(key)) return;
    substitutedVoices.add(key);
    log.warn({ provider: r.spec.name, voice: asked, using: sent }, `voice ${asked} is not one of ${r.spec.name}'s voices; add it to its voiceMap (using ${sent})`);
  };

  type Attempt =
    | { kind: 'audio'; audio: SpeechAudio }
    | { kind: 'failed'; err: SpeechError }
    /** Its circuit is open (or its one probe is out). */
    | { kind: 'skipped' }
    /** None of its models is left; `refused` when one was refused during this very request. */
    | { kind: 'no-model'; refused: boolean };

  /** Tries one provider, model after model while it refuses models; the circuit pass is settled exactly once. */
  async function attempt(r: Runtime, request: SpeechRequest, opts: SynthesizeOptions): Promise<Attempt> {
    if (modelsToTry(r.spec, request.model, options.models.unavailable(r.spec.name)).length === 0) return { kind: 'no-model', refused: false };
    const pass = r.breaker.tryAcquire();
    if (!pass) {
      r.counts.skippedOpen++;
      return { kind: 'skipped' };
    }
    for (;;) {
      const model = modelsToTry(r.spec, request.model, options.models.unavailable(r.spec.name))[0];
      if (model === undefined) {
        pass.release();
        return { kind: 'no-model', refused: true };
      }
      const origin = requestFor(r.spec, request, model);
      noteVoice(r, request.voice, origin.request.voice);
      r.counts.requests++;
      try {
        const audio = await r.client.synthesize(origin.request, { signal: opts.signal, key: opts.key });
        pass.success();
        r.counts.served++;
        return { kind: 'audio', audio: { ...audio, origin } };
      } catch (err) {
        if (opts.signal?.aborted) {
          pass.release();
          throw err;
        }
        if (err instanceof SpeechError && err.key === 'speech.model_unavailable') {
          r.counts.modelFallbacks++;
          options.models.markUnavailable(r.spec.name, model, 'refused', String(err.details.providerMessage ?? err.message));
          continue;
        }
        if (failsOver(err)) {
          pass.failure();
          r.counts.failures++;
          return { kind: 'failed', err };
        }
        // The provider is up and refused this request itself (a bad field, a policy): another provider would too.
        pass.success();
        throw err;
      }
    }
  }

  return {
    async synthesize(request, opts = {}) {
      const order = ordered(opts.provider);
      let lastFailure: SpeechError | undefined;
      let skipped = false;
      for (const [i, r] of order.entries()) {
        const result = await attempt(r, request, opts);
        if (result.kind === 'audio') {
          if (opts.provider !== undefined && r.spec.name !== opts.provider) {
            log.warn({ provider: r.spec.name, preferred: opts.provider }, 'part of an item came from another provider than its first part');
          }
          return result.audio;
        }
        if (result.kind === 'skipped') skipped = true;
        if (result.kind === 'failed') lastFailure = result.err;
        const next = order[i + 1];
        if (result.kind === 'failed' || (result.kind === 'no-model' && result.refused)) {
          r.counts.failovers++;
          if (next) {
            const reason = result.kind === 'failed' ? { reason: result.err.key, status: result.err.status } : { reason: 'no model left' };
            log.warn({ provider: r.spec.name, next: next.spec.name, ...reason }, 'speech provider failed; trying the next one');
          }
        }
      }
      if (lastFailure) throw lastFailure;
      if (skipped) throw new SpeechError('speech.unavailable', { retryable: false, message: 'every speech provider is resting after repeated failures (circuits open)' });
      throw new SpeechError('speech.model_unavailable', { retryable: false, message: 'no provider serves the model any more', details: { model: request.model } });
    },

    plan(request, opts = {}) {
      for (const r of ordered(opts.provider)) {
        if (!r.breaker.available) continue;
        const model = modelsToTry(r.spec, request.model, options.models.unavailable(r.spec.name))[0];
        if (model !== undefined) return requestFor(r.spec, request, model);
      }
      return undefined;
    },

    status() {
      return runtimes.map((r) => ({ name: r.spec.name, circuit: r.breaker.state, counts: { ...r.counts } }));
    },
  };
}
