import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { TranscriptionCallOutcome } from '../../observability/metrics.js';
import { createTranscriptionChain, type TranscriptionChain } from './transcriptionChain.js';
import { createTranscriptionClient } from './transcriptionClient.js';

export { TRANSCRIBE_MAX_BYTES, isAudioAttachment, uploadName } from './limits.js';
export { audioSeconds } from './audioDuration.js';
export type { TranscriptionChain } from './transcriptionChain.js';
export type { Transcript, TranscriptionRequest } from './transcriptionClient.js';

/** Longest wait for a transcription answer (the endpoint answers once the whole file is done). */
const TRANSCRIBE_TIMEOUT_MS = 60_000;

/** One transcription client per configured speech provider (same base URL and key), behind the failover chain. */
export function createTranscription(deps: {
  tts: Config['tts'];
  logger: Logger;
  now: () => number;
  /** Told of each call to a provider and how it ended (metrics). */
  onCall?: (provider: string, outcome: TranscriptionCallOutcome) => void;
}): TranscriptionChain {
  const providers = deps.tts.providers.map((spec) => ({
    name: spec.name,
    client: createTranscriptionClient({
      baseUrl: spec.baseUrl,
      apiKey: spec.apiKey,
      timeoutMs: TRANSCRIBE_TIMEOUT_MS,
      logger: deps.logger.child({ provider: spec.name, module: 'transcription' }),
    }),
  }));
  return createTranscriptionChain({ providers, circuit: deps.tts.circuit, now: deps.now, logger: deps.logger, onCall: deps.onCall });
}
