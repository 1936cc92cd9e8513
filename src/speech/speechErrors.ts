import { BotError, type ErrorKey } from '../errors.js';

/** A failed speech request, typed by what the user can do about it. */
export class SpeechError extends BotError {
  /** Whether asking again (before any audio was passed on) may succeed. */
  readonly retryable: boolean;
  /** HTTP status from the provider, when there was one. */
  readonly status: number | undefined;
  /** How long the provider asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(
    key: Extract<ErrorKey, `speech.${string}`>,
    init: { retryable: boolean; status?: number; retryAfterMs?: number; details?: Record<string, string | number>; cause?: unknown; message?: string },
  ) {
    super(key, init.details ?? {}, { cause: init.cause, message: init.message ?? key });
    this.name = 'SpeechError';
    this.retryable = init.retryable;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Parses Retry-After (seconds or HTTP date) and OpenAI's retry-after-ms into milliseconds. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Maps a provider's non-2xx answer to a typed error, scrubbing the key from its message. */
export function errorFromResponse(status: number, headers: Headers, bodyText: string, secret: string | undefined): SpeechError {
  let providerMessage = '';
  let code: string | undefined;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown; detail?: unknown };
    const err = parsed.error;
    if (typeof err === 'object' && err) {
      providerMessage = typeof err.message === 'string' ? err.message : '';
      code = typeof err.code === 'string' ? err.code : undefined;
    } else if (typeof err === 'string') {
      providerMessage = err;
    } else if (typeof parsed.message === 'string') {
      providerMessage = parsed.message;
    } else if (typeof parsed.detail === 'string') {
      providerMessage = parsed.detail;
    }
  } catch {
    providerMessage = bodyText.slice(0, 200);
  }
  if (secret) providerMessage = providerMessage.split(secret).join('[redacted]');
  providerMessage = providerMessage.replace(/\s+/g, ' ').trim().slice(0, 300);
  const message = `speech endpoint answered ${status}${code ? ` (${code})` : ''}`;
  if (status === 401 || status === 403) return new SpeechError('speech.auth', { retryable: false, status, message });
  if (status === 429) {
    if (code === 'insufficient_quota') return new SpeechError('speech.quota', { retryable: false, status, message });
    const retryAfterMs = parseRetryAfter(headers);
    return new SpeechError('speech.rate_limited', {
      retryable: true,
      status,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
    });
  }
  if (status >= 500) return new SpeechError('speech.unavailable', { retryable: true, status, message });
  return new SpeechError('speech.rejected', {
    retryable: false,
    status,
    message,
    details: { providerMessage: providerMessage || `HTTP ${status}` },
  });
}
