import type { Logger } from '../../observability/logger.js';
import { SpeechError, errorFromResponse } from '../speechErrors.js';

/** One audio file to turn into text. */
export interface TranscriptionRequest {
  /** The audio bytes, as downloaded. */
  audio: Buffer;
  /** The file name sent (its extension is what the endpoint checks: `.ogg` for a Discord voice message). */
  filename: string;
  contentType: string;
  /** The model (TRANSCRIBE_MODEL). */
  model: string;
}

/** What the endpoint understood. */
export interface Transcript {
  text: string;
}

/** Talks to one OpenAI-compatible `POST {baseUrl}/audio/transcriptions`. */
export interface TranscriptionClient {
  /** Uploads the file (multipart/form-data) and resolves with the text; throws a SpeechError. */
  transcribe(request: TranscriptionRequest, signal?: AbortSignal): Promise<Transcript>;
}

const ERROR_BODY_LIMIT = 16 * 1024;

/** The multipart form OpenAI's endpoint expects: `file`, `model`, `response_format=json`. */
export function transcriptionForm(request: TranscriptionRequest): FormData {
  const form = new FormData();
  const bytes = new Uint8Array(request.audio.buffer, request.audio.byteOffset, request.audio.byteLength);
  form.append('file', new Blob([bytes], { type: request.contentType }), request.filename);
  form.append('model', request.model);
  form.append('response_format', 'json');
  return form;
}

/** Creates the client for one provider; `fetch` is injectable for tests. */
export function createTranscriptionClient(options: {
  baseUrl: string;
  apiKey: string | undefined;
  /** Longest wait for the whole answer (transcription answers only when done). */
  timeoutMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}): TranscriptionClient {
  const doFetch = options.fetch ?? fetch;
  const url = `${options.baseUrl}/audio/transcriptions`;
  return {
    async transcribe(request, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      let res: Response;
      let body: string;
      try {
        // fetch sets the multipart content type with its boundary from the FormData body.
        res = await doFetch(url, { method: 'POST', headers, body: transcriptionForm(request), signal: combined });
        body = (await res.text()).slice(0, res.ok ? Infinity : ERROR_BODY_LIMIT);
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        if (timeout.aborted) throw new SpeechError('speech.timeout', { retryable: false, details: { phase: 'ttfb' }, message: 'transcription endpoint timeout' });
        throw new SpeechError('speech.unavailable', { retryable: true, cause: err, message: `transcription endpoint unreachable: ${(err as Error).message}` });
      }
      if (!res.ok) throw errorFromResponse(res.status, res.headers, body, options.apiKey);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new SpeechError('speech.bad_audio', { retryable: false, message: 'transcription endpoint sent something that is not JSON' });
      }
      const text = (parsed as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new SpeechError('speech.bad_audio', { retryable: false, message: 'transcription answer has no text' });
      options.logger.debug({ chars: text.length }, 'transcription done');
      return { text };
    },
  };
}
