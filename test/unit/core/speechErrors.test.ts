import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { messageFor } from '../../support/errorWords.js';
import { errorFromResponse, parseRetryAfter, SpeechError } from '../../../src/speech/speechErrors.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const h = (init: Record<string, string> = {}) => new Headers(init);
const openAiError = (message: string, code: string | null = null, type = 'invalid_request_error') =>
  JSON.stringify({ error: { message, type, param: null, code } });

describe('parseRetryAfter', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; ms: number | undefined }> = [
    { name: 'no header', headers: {}, ms: undefined },
    { name: 'whole seconds', headers: { 'retry-after': '3' }, ms: 3000 },
    { name: 'fractional seconds', headers: { 'retry-after': '0.1' }, ms: 100 },
    { name: 'zero', headers: { 'retry-after': '0' }, ms: 0 },
    { name: 'an HTTP date 20 s ahead', headers: { 'retry-after': 'Wed, 01 Jan 2025 12:00:20 GMT' }, ms: 20_000 },
    { name: 'an HTTP date in the past (clamped to 0)', headers: { 'retry-after': 'Wed, 01 Jan 2025 11:59:00 GMT' }, ms: 0 },
    { name: 'garbage', headers: { 'retry-after': 'soon' }, ms: undefined },
    { name: 'OpenAI retry-after-ms', headers: { 'retry-after-ms': '250' }, ms: 250 },
    { name: 'retry-after-ms wins over retry-after', headers: { 'retry-after-ms': '1500', 'retry-after': '2' }, ms: 1500 },
    { name: 'non-numeric retry-after-ms falls back to retry-after', headers: { 'retry-after-ms': 'x', 'retry-after': '2' }, ms: 2000 },
  ];
  for (const { name, headers, ms } of cases) {
    it(name, () => {
      expect(parseRetryAfter(h(headers), NOW)).toBe(ms);
    });
  }
});

describe('errorFromResponse', () => {
  it('401 and 403 are auth errors, not retryable', () => {
    for (const status of [401, 403]) {
      const err = errorFromResponse(status, h(), openAiError('Incorrect API key provided', 'invalid_api_key'), 'sk-x');
      expect(err).toBeInstanceOf(SpeechError);
      expect(err).toBeInstanceOf(BotError);
      expect(err.key).toBe('speech.auth');
      expect(err.retryable).toBe(false);
      expect(err.status).toBe(status);
    }
  });

  it('429 is rate limited, retryable, with the wait from the headers', () => {
    const err = errorFromResponse(429, h({ 'retry-after': '2.5' }), openAiError('Rate limit reached', 'rate_limit_exceeded'), undefined);
    expect(err.key).toBe('speech.rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(2500);
    expect(err.details).toEqual({ retryAfterSeconds: 3 });
    expect(messageFor(err.key, err.details)).toContain('3 s');
  });

  it('429 without a wait has no retryAfter', () => {
    const err = errorFromResponse(429, h(), 'Too Many Requests', undefined);
    expect(err.key).toBe('speech.rate_limited');
    expect(err.retryAfterMs).toBeUndefined();
    expect(err.details).toEqual({});
  });

  it('429 insufficient_quota is a quota error and not retryable', () => {
    const err = errorFromResponse(429, h({ 'retry-after': '1' }), openAiError('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'), undefined);
    expect(err.key).toBe('speech.quota');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('insufficient_quota');
  });

  it('400 is rejected with the provider message for the user', () => {
    const err = errorFromResponse(400, h(), openAiError("Invalid value: 'bob'. Supported values are: 'alloy'."), undefined);
    expect(err.key).toBe('speech.rejected');
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(400);
    expect(err.details.providerMessage).toBe("Invalid value: 'bob'. Supported values are: 'alloy'.");
    expect(messageFor(err.key, err.details)).toContain("Invalid value: 'bob'");
  });

  it('reads the message from other providers\' error shapes', () => {
    const shapes: Array<[string, string]> = [
      [JSON.stringify({ error: 'voice not found' }), 'voice not found'],
      [JSON.stringify({ message: 'bad speed' }), 'bad speed'],
      [JSON.stringify({ detail: 'input too long' }), 'input too long'],
      [JSON.stringify({ detail: [{ msg: 'structured' }] }), 'HTTP 422'],
    ];
    for (const [body, expected] of shapes) {
      expect(errorFromResponse(422, h(), body, undefined).details.providerMessage).toBe(expected);
    }
  });

  it('scrubs the API key from the provider message', () => {
    const key = 'sk-proj-SECRET1234567890';
    const err = errorFromResponse(
      400,
      h(),
      openAiError(`Incorrect request for key ${key}; key ${key} is not allowed to use tts-1-hd`),
      key,
    );
    expect(err.details.providerMessage).toBe('Incorrect request for key [redacted]; key [redacted] is not allowed to use tts-1-hd');
    const everything = `${err.message} ${String(err)} ${JSON.stringify(err.details)} ${messageFor(err.key, err.details)}`;
    expect(everything).not.toContain(key);
    expect(everything).not.toContain('SECRET');
  });

  it('scrubs the API key from a non-JSON body too', () => {
    const key = 'sk-SECRET-abc';
    const err = errorFromResponse(418, h(), `<html>bad key ${key}</html>`, key);
    expect(err.details.providerMessage).toBe('<html>bad key [redacted]</html>');
  });

  it('5xx is unavailable and retryable', () => {
    for (const status of [500, 502, 503, 504]) {
      const err = errorFromResponse(status, h(), openAiError('The server had an error'), undefined);
      expect(err.key).toBe('speech.unavailable');
      expect(err.retryable).toBe(true);
      expect(err.status).toBe(status);
    }
  });

  it('a non-JSON body is shortened, whitespace-collapsed and shown as is', () => {
    const body = `<html>\n  <body>Bad   Gateway</body>\n</html>${'x'.repeat(1000)}`;
    const err = errorFromResponse(400, h(), body, undefined);
    expect(err.key).toBe('speech.rejected');
    const pm = String(err.details.providerMessage);
    expect(pm.startsWith('<html> <body>Bad Gateway</body> </html>xxx')).toBe(true);
    expect(pm.length).toBeLessThanOrEqual(200);
  });

  it('an empty body gives a rejected error naming the status', () => {
    const err = errorFromResponse(404, h(), '', undefined);
    expect(err.key).toBe('speech.rejected');
    expect(err.details.providerMessage).toBe('HTTP 404');
    expect(err.message).toBe('speech endpoint answered 404');
  });
});
