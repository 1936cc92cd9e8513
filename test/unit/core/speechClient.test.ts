import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import { createSpeechClient, type SpeechClientOptions } from '../../../src/speech/speechClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { closedPort, reply, startScriptedServer, type Handler, type ScriptedServer } from './scriptedHttpServer.js';
import { rejectionOf } from '../../support/rejectionOf.js';

const API_KEY = 'sk-test-TOPSECRET-7f3a9c';
const request: SpeechRequest = { model: 'gpt-4o-mini-tts', input: 'Hello there', voice: 'alloy', response_format: 'opus', speed: 1.25 };

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function client(overrides: Partial<SpeechClientOptions> = {}) {
  return createSpeechClient({
    baseUrl: server.baseUrl,
    apiKey: API_KEY,
    timeoutMs: 5_000,
    stallTimeoutMs: 5_000,
    maxRetries: 2,
    logger: createLogger('silent'),
    ...overrides,
  });
}

/** Reads a stream to its end; resolves with the bytes and the error it ended with, if any. */
async function drain(stream: Readable): Promise<{ bytes: Buffer; error: unknown; lastByteAt: number; endedAt: number }> {
  const chunks: Buffer[] = [];
  let lastByteAt = performance.now();
  let error: unknown;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      lastByteAt = performance.now();
    }
  } catch (err) {
    error = err;
  }
  return { bytes: Buffer.concat(chunks), error, lastByteAt, endedAt: performance.now() };
}

/** Sends `chunks` as a chunked 200 body, waiting for `gate` after the first one. */
function chunked(chunks: Buffer[], gate: Promise<void> = Promise.resolve(), contentType = 'audio/ogg'): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.write(chunks[0]);
    await gate;
    for (const c of chunks.slice(1)) {
      res.write(c);
      await sleep(5);
    }
    res.end();
  };
}

describe('speech client: the request', () => {
  it('POSTs the JSON body to {base}/audio/speech with the bearer key', async () => {
    server.script(reply(200, Buffer.from('OggS...'), { 'content-type': 'audio/ogg' }));
    const audio = await client().synthesize(request);
    await drain(audio.stream);
    const [seen] = server.requests;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1/audio/speech');
    expect(seen?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen!.body)).toStrictEqual(request);
    expect(audio.contentType).toBe('audio/ogg');
    expect(audio.attempts).toBe(1);
    expect(audio.ttfbMs).toBeGreaterThanOrEqual(0);
  });

  it('sends no authorization header without a key', async () => {
    server.script(reply(200, Buffer.from('x')));
    const audio = await client({ apiKey: undefined }).synthesize(request);
    await drain(audio.stream);
    expect(server.requests[0]?.headers).not.toHaveProperty('authorization');
  });
});

describe('speech client: streaming', () => {
  it('resolves after the first byte, before the rest is sent, and delivers every byte of a chunked body', { timeout: 5_000 }, async () => {
    const chunks = Array.from({ length: 8 }, (_, i) => randomBytes(1000 + i * 997));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.script(chunked(chunks, gate));
    const audio = await client().synthesize(request);
    // The server is still holding everything after the first chunk, so only that can have arrived.
    release();
    const { bytes, error } = await drain(audio.stream);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('an empty 200 body is bad audio', async () => {
    server.script(reply(200, ''));
    const err = await rejectionOf(client({ maxRetries: 0 }).synthesize(request));
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.bad_audio');
  });

  it('a stall mid-body errors the stream with speech.timeout phase stall after stallTimeoutMs', async () => {
    const stallTimeoutMs = 300;
    server.script(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/ogg' });
      res.write(Buffer.from('first'));
      await sleep(20);
      res.write(Buffer.from('second'));
      // ...and then nothing, with the connection left open.
    });
    const audio = await client({ stallTimeoutMs }).synthesize(request);
    const { bytes, error, lastByteAt, endedAt } = await drain(audio.stream);
    expect(bytes.toString()).toBe('firstsecond');
    expect(error).toBeInstanceOf(SpeechError);
    expect((error as SpeechError).key).toBe('speech.timeout');
    expect((error as SpeechError).details).toEqual({ phase: 'stall' });
    // Timers may fire a millisecond early; the lower bound is what matters (not a speed figure).
    expect(endedAt - lastByteAt).toBeGreaterThanOrEqual(stallTimeoutMs - 20);
    // The client gives the connection up.
    await server.requests[0]!.closed;
  });

  it('a connection cut mid-body errors the stream with a SpeechError', async () => {
    server.script(async (req, res) => {
      res.writeHead(200, { 'content-type': 'audio/ogg' });
      res.write(randomBytes(4000));
      await sleep(30);
      req.socket.destroy();
    });
    const audio = await client().synthesize(request);
    const { bytes, error } = await drain(audio.stream);
    expect(bytes.length).toBe(4000);
    expect(error).toBeInstanceOf(SpeechError);
    expect((error as SpeechError).key).toBe('speech.unavailable');
  });
});

describe('speech client: retries', () => {
  it('429 with Retry-After 0.1 then 200 succeeds on attempt 2 after waiting the asked time', async () => {
    server.script(reply(429, JSON.stringify({ error: { message: 'slow down', code: 'rate_limit_exceeded' } }), { 'retry-after': '0.1' }));
    server.script(reply(200, Buffer.from('audio')));
    const audio = await client().synthesize(request);
    expect((await drain(audio.stream)).bytes.toString()).toBe('audio');
    expect(audio.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(95);
  });

  it('a Retry-After longer than maxRetryWaitMs fails at once with speech.rate_limited', { timeout: 5_000 }, async () => {
    server.script(reply(429, '{}', { 'retry-after': '60' }), reply(200, Buffer.from('audio')));
    const err = await rejectionOf(client({ maxRetryWaitMs: 1_000 }).synthesize(request));
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.rate_limited');
    expect((err as SpeechError).retryAfterMs).toBe(60_000);
    expect((err as SpeechError).details).toEqual({ retryAfterSeconds: 60 });
    expect(server.requests).toHaveLength(1);
  });

  it('500, 500, 200 with maxRetries 2 succeeds on attempt 3', async () => {
    server.script(reply(500, '{}'), reply(502, 'Bad Gateway'), reply(200, Buffer.from('audio')));
    const audio = await client({ maxRetries: 2 }).synthesize(request);
    expect((await drain(audio.stream)).bytes.toString()).toBe('audio');
    expect(audio.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    // Every attempt sends the same request.
    for (const r of server.requests) expect(JSON.parse(r.body)).toStrictEqual(request);
  });

  it('500 on every attempt fails with speech.unavailable after maxRetries + 1 attempts', async () => {
    // A fourth attempt would succeed: over-retrying shows up as a pass where a failure is due.
    server.script(reply(500, '{}'), reply(500, '{}'), reply(500, '{}'), reply(200, Buffer.from('audio')));
    const err = await rejectionOf(client({ maxRetries: 2 }).synthesize(request));
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.unavailable');
    expect((err as SpeechError).status).toBe(500);
    expect(server.requests).toHaveLength(3);
  });

  it('401 is not retried', async () => {
    server.script(reply(401, JSON.stringify({ error: { message: 'Incorrect API key', code: 'invalid_api_key' } })), reply(200, Buffer.from('audio')));
    const err = await rejectionOf(client({ maxRetries: 2 }).synthesize(request));
    expect((err as SpeechError).key).toBe('speech.auth');
    expect(server.requests).toHaveLength(1);
  });

  it('400 is not retried and carries the provider message', async () => {
    server.script(reply(400, JSON.stringify({ error: { message: 'voice bob not found' } })), reply(200, Buffer.from('audio')));
    const err = await rejectionOf(client({ maxRetries: 2 }).synthesize(request));
    expect((err as SpeechError).key).toBe('speech.rejected');
    expect((err as SpeechError).details.providerMessage).toBe('voice bob not found');
    expect(server.requests).toHaveLength(1);
  });

  it('a refused connection is speech.unavailable', async () => {
    const port = await closedPort();
    const err = await rejectionOf(client({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }).synthesize(request));
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.unavailable');
    expect((err as SpeechError).retryable).toBe(true);
  });
});

describe('speech client: timeouts and abort', () => {
  it('a server that never answers times out with speech.timeout phase ttfb, without retrying', async () => {
    server.script(() => undefined, reply(200, Buffer.from('audio')));
    const started = performance.now();
    const err = await rejectionOf(client({ timeoutMs: 300, maxRetries: 2 }).synthesize(request));
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.timeout');
    expect((err as SpeechError).details).toEqual({ phase: 'ttfb' });
    expect(server.requests).toHaveLength(1);
    await server.requests[0]!.closed;
  });

  it('headers without a first body byte also time out in phase ttfb', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/ogg' });
      res.flushHeaders();
    });
    const err = await rejectionOf(client({ timeoutMs: 300 }).synthesize(request));
    expect((err as SpeechError).key).toBe('speech.timeout');
    expect((err as SpeechError).details).toEqual({ phase: 'ttfb' });
  });

  it('aborting before the headers rejects with the abort reason and closes the connection', { timeout: 5_000 }, async () => {
    server.script(() => undefined);
    const controller = new AbortController();
    const pending = client({ timeoutMs: 20_000 }).synthesize(request, { signal: controller.signal });
    const seen = await server.waitForRequest(1);
    const reason = new Error('user skipped');
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
    await seen.closed;
    expect(server.requests).toHaveLength(1);
  });

  it('aborting during a retry wait rejects without another attempt', { timeout: 5_000 }, async () => {
    server.script(reply(429, '{}', { 'retry-after': '8' }), reply(200, Buffer.from('audio')));
    const controller = new AbortController();
    const pending = client({ maxRetryWaitMs: 20_000 }).synthesize(request, { signal: controller.signal });
    await server.waitForRequest(1);
    await sleep(50);
    controller.abort(new Error('stop'));
    expect(((await rejectionOf(pending)) as Error).message).toBe('stop');
    expect(server.requests).toHaveLength(1);
  });

  it('aborting after the stream started ends the stream and closes the connection', { timeout: 5_000 }, async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/ogg' });
      res.write(Buffer.from('first'));
    });
    const controller = new AbortController();
    const audio = await client().synthesize(request, { signal: controller.signal });
    controller.abort(new Error('skip'));
    const { error } = await drain(audio.stream);
    expect(error).toBeDefined();
    await server.requests[0]!.closed;
  });
});

describe('speech client: the API key stays secret', () => {
  it('never appears in errors or in debug-level logs, even when the provider echoes it', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const echo = (status: number) => reply(status, JSON.stringify({ error: { message: `key ${API_KEY} rejected`, code: null } }));
    const c = client({ logger, maxRetries: 1 });
    const errors: unknown[] = [];

    for (const status of [400, 401, 403, 404]) {
      server.script(echo(status));
      errors.push(await rejectionOf(c.synthesize(request)));
    }
    server.script(echo(429), echo(429));
    errors.push(await rejectionOf(c.synthesize(request)));
    server.script(echo(500), echo(503));
    errors.push(await rejectionOf(c.synthesize(request)));
    server.script(echo(500), reply(200, Buffer.from('audio'), { 'content-type': 'audio/ogg' }));
    await drain((await c.synthesize(request)).stream);
    server.script(() => undefined);
    errors.push(await rejectionOf(client({ logger, timeoutMs: 200 }).synthesize(request)));

    expect(errors).toHaveLength(7);
    for (const err of errors) {
      expect(err).toBeInstanceOf(SpeechError);
      const e = err as SpeechError;
      const text = [e.message, String(e), e.stack ?? '', JSON.stringify(e.details), JSON.stringify(e)].join('\n');
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('TOPSECRET');
    }
    const rejected = errors[0] as SpeechError;
    expect(rejected.details.providerMessage).toBe('key [redacted] rejected');

    // The logs were written (so the check below has something to check): retries and stream starts.
    const log = lines.join('');
    expect(log).toContain('speech request failed, retrying');
    expect(log).toContain('speech stream started');
    expect(log).not.toContain(API_KEY);
    expect(log).not.toContain('TOPSECRET');
  });
});
