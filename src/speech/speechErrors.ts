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

/** What a provider's error body says, whichever of the known shapes it has. */
interface ProviderErrorFacts {
  message: string;
  code: string | undefined;
  param: string | undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Reads OpenAI's `{error:{message,code,param}}` (also LocalAI's, whose code is a number), FastAPI's `{detail:"..."}`
 * and Kokoro-FastAPI's `{detail:{error,message}}`, and openedai-speech's flat `{message,param}`.
 */
function providerErrorFacts(bodyText: string): ProviderErrorFacts {
  try {
    const parsed = JSON.parse(bodyText) as Record<string, unknown>;
    const err = parsed.error;
    if (typeof err === 'object' && err) {
      const e = err as Record<string, unknown>;
      return { message: str(e.message) ?? '', code: str(e.code), param: str(e.param) };
    }
    if (typeof err === 'string') return { message: err, code: undefined, param: undefined };
    const detail = parsed.detail;
    if (typeof detail === 'object' && detail && !Array.isArray(detail)) {
      const d = detail as Record<string, unknown>;
      return { message: str(d.message) ?? '', code: str(d.error) ?? str(d.code), param: undefined };
    }
    if (typeof detail === 'string') return { message: detail, code: undefined, param: undefined };
    return { message: str(parsed.message) ?? '', code: str(parsed.code), param: str(parsed.param) };
  } catch {
    return { message: bodyText.slice(0, 200), code: undefined, param: undefined };
  }
}

const MODEL_CODES = new Set(['model_not_found', 'invalid_model', 'model_not_available', 'model_deprecated']);
const MODEL_MESSAGE = /\bmodel\b.*\b(not found|does not exist|not supported|unsupported|no longer|deprecated|retired|shut down)\b|\b(unsupported|unknown|no such) model\b/i;

/** Whether a 404 or 400 says the model itself is missing or retired (not a bad URL or a bad field). */
function isModelRefusal(status: number, facts: ProviderErrorFacts): boolean {
  if (status !== 404 && status !== 400) return false;
  if (facts.code && MODEL_CODES.has(facts.code)) return true;
  if (status === 400 && facts.param === 'model') return true;
  return MODEL_MESSAGE.test(facts.message);
}

/** Maps a provider's non-2xx answer to a typed error, scrubbing the key from its message. */
export function errorFromResponse(status: number, headers: Headers, bodyText: string, secret: string | undefined): SpeechError {
  const facts = providerErrorFacts(bodyText);
  const code = facts.code;
  let providerMessage = facts.message;
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
  if (isModelRefusal(status, facts)) {
    return new SpeechError('speech.model_unavailable', { retryable: false, status, message, details: { providerMessage: providerMessage || `HTTP ${status}` } });
  }
  return new SpeechError('speech.rejected', {
    retryable: false,
    status,
    message,
    details: { providerMessage: providerMessage || `HTTP ${status}` },
  });
}

/** Errors that say the provider itself is in trouble (down, slow, rate-limiting, refusing the key, out of quota): another provider may well succeed. */
export function providerInTrouble(err: unknown): err is SpeechError {
  return err instanceof SpeechError && ['speech.unavailable', 'speech.timeout', 'speech.rate_limited', 'speech.auth', 'speech.quota'].includes(err.key);
}
