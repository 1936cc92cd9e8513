import { BotError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { TranscriptionCallOutcome } from '../../observability/metrics.js';
import { CircuitBreaker } from '../providers/circuitBreaker.js';
import { providerInTrouble, SpeechError } from '../speechErrors.js';
import type { TranscriptionClient, TranscriptionRequest, Transcript } from './transcriptionClient.js';

/** One provider as the transcription chain runs it. */
export interface TranscriptionProvider {
  name: string;
  client: TranscriptionClient;
}

/** Whether the failure says the provider has no transcription route at all. */
const noRoute = (err: SpeechError) => err.key === 'speech.rejected' && (err.status === 404 || err.status === 405);

/** Errors that say this provider cannot serve the request but the next one may: it is down, or has no such route. */
function failsOver(err: unknown): err is SpeechError {
  return providerInTrouble(err) || (err instanceof SpeechError && (err.key === 'speech.model_unavailable' || noRoute(err)));
}

/** The outcome of one provider call that threw: its typed key, with a missing route said as transcribe.unsupported. */
function outcomeOf(err: unknown, signal: AbortSignal | undefined): TranscriptionCallOutcome {
  if (signal?.aborted) return 'aborted';
  if (err instanceof SpeechError) return noRoute(err) ? 'transcribe.unsupported' : err.key;
  return 'internal';
}

/** How long a provider that answered 404/405 for the route is skipped before it is asked again. */
const NO_ROUTE_RECHECK_MS = 60 * 60_000;

/**
 * The configured providers, in order, for speech to text: a provider that is down, refuses the key, or has no
 * `/audio/transcriptions` (404/405) passes the file to the next; a refusal of the file itself (400, 413) does not.
 * Each provider has its own circuit breaker for transcription, apart from its speech circuit (a missing route must not
 * stop its speech). When no provider has the route, a BotError('transcribe.unsupported') says so.
 */
export function createTranscriptionChain(options: {
  providers: readonly TranscriptionProvider[];
  circuit: { failures: number; cooldownMs: number };
  now: () => number;
  logger: Logger;
  /** Told of each call to a provider and how it ended (metrics). */
  onCall?: (provider: string, outcome: TranscriptionCallOutcome) => void;
}) {
  const log = options.logger.child({ module: 'transcription' });
  const runtimes = options.providers.map((p) => ({
    ...p,
    breaker: new CircuitBreaker({ ...options.circuit, now: options.now }),
    /** Until when it is skipped because it answered that it has no transcription route. */
    noRouteUntil: 0,
  }));
  return {
    /** Transcribes with the first provider that can; throws SpeechError or BotError('transcribe.unsupported'). */
    async transcribe(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcript> {
      let last: SpeechError | undefined;
      // True while every provider seen so far has no transcription route (asked now, or known from before).
      let allNoRoute = true;
      let sawNoRoute = false;
      for (const r of runtimes) {
        if (r.noRouteUntil > options.now()) {
          sawNoRoute = true;
          continue;
        }
        const pass = r.breaker.tryAcquire();
        if (!pass) {
          allNoRoute = false;
          continue;
        }
        try {
          const transcript = await r.client.transcribe(request, signal);
          pass.success();
          options.onCall?.(r.name, 'ok');
          return transcript;
        } catch (err) {
          options.onCall?.(r.name, outcomeOf(err, signal));
          if (signal?.aborted) {
            pass.release();
            throw err;
          }
          if (!failsOver(err)) {
            pass.success();
            throw err;
          }
          last = err;
          if (noRoute(err)) {
            pass.success();
            sawNoRoute = true;
            r.noRouteUntil = options.now() + NO_ROUTE_RECHECK_MS;
            log.warn({ provider: r.name, status: err.status }, 'provider has no /audio/transcriptions: skipped for transcription for an hour');
            continue;
          }
          pass.failure();
          allNoRoute = false;
          log.warn({ provider: r.name, reason: err.key, status: err.status }, 'transcription provider failed; trying the next one');
        }
      }
      if (allNoRoute && sawNoRoute) throw new BotError('transcribe.unsupported');
      if (last) throw last;
      throw new SpeechError('speech.unavailable', { retryable: false, message: 'every transcription provider is resting after repeated failures (circuits open)' });
    },
  };
}

/** The transcription chain's shape. */
export type TranscriptionChain = ReturnType<typeof createTranscriptionChain>;
