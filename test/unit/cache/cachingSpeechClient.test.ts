import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { AudioCache } from '../../../src/speech/audioCache.js';
import { createCachingSpeechClient, type CachingSpeechClient } from '../../../src/speech/cachingSpeechClient.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import type { SpeechAudio, SpeechClient } from '../../../src/speech/speechClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { rejectionOf } from '../../support/rejectionOf.js';
import { drain, until } from '../../support/streamPolling.js';
import { capturingLogger } from '../settings/fixtures.js';
import { manualProvider } from '../speech/fakeProvider.js';

const logger = createLogger('silent');
const request: SpeechRequest = { model: 'gpt-4o-mini-tts', input: 'Hello there', voice: 'alloy', response_format: 'opus', speed: 1 };

/** One call the fake provider received; the test decides when and how it answers. */
interface FakeCall {
  request: SpeechRequest;
  signal: AbortSignal | undefined;
  /** The body; write chunks to it, end it or destroy it with an error. */
  body: PassThrough;
  /** Resolves synthesize() with the body (as the real client does once the first bytes arrived). */
  answer(): void;
  /** Rejects synthesize(). */
  refuse(err: unknown): void;
}

/** A SpeechClient whose every call the test drives by hand. */
function fakeProvider() {
  const calls: FakeCall[] = [];
  const client: SpeechClient = {
    synthesize(req, options = {}) {
      return new Promise<SpeechAudio>((resolve, reject) => {
        const body = new PassThrough();
        let answered = false;
        calls.push({
          request: req,
          signal: options.signal,
          body,
          answer: () => {
            answered = true;
            resolve({ stream: body, contentType: 'audio/ogg; codecs=opus', ttfbMs: 42, attempts: 2 });
          },
          refuse: reject,
        });
        // Like the real client: an abort rejects a pending call and errors a flowing body.
        options.signal?.addEventListener('abort', () => {
          if (answered) body.destroy(options.signal?.reason as Error);
          else reject(options.signal?.reason);
        });
      });
    },
  };
  return { client, calls };
}


/** Writes the chunks one by one, letting readers run in between. */
async function feed(body: PassThrough, chunks: Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    body.write(chunk);
    await tick();
  }
}

let root: string;
let cacheDir: string;
let clients: CachingSpeechClient[];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'caching-speech-'));
  cacheDir = join(root, 'audio-cache');
  clients = [];
});
afterEach(async () => {
  // Commits finish after the last byte was handed out; let them land before the directory goes.
  await Promise.all(clients.map((client) => client.idle()));
  await rm(root, { recursive: true, force: true });
});

async function setup(maxBytes = 10_000_000, clientLogger = logger) {
  const provider = fakeProvider();
  const cache = await AudioCache.open({ dir: cacheDir, maxBytes, logger });
  const client = createCachingSpeechClient({ inner: provider.client, cache, logger: clientLogger });
  clients.push(client);
  return { ...provider, cache, client };
}

async function cacheFiles(): Promise<string[]> {
  const entries = await readdir(cacheDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe('caching speech client: hits', () => {
  it('a miss calls the provider once; the same request afterwards is served from disk with identical bytes', async () => {
    const { client, calls, cache } = await setup();
    const chunks = [randomBytes(1000), randomBytes(2000), randomBytes(500)];
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const audio = await first;
    expect(audio).toMatchObject({ contentType: 'audio/ogg; codecs=opus', ttfbMs: 42, attempts: 2 });
    const reading = drain(audio.stream);
    await feed(calls[0]!.body, chunks);
    calls[0]!.body.end();
    const missed = await reading;
    expect(missed.error).toBeUndefined();
    expect(missed.bytes.equals(Buffer.concat(chunks))).toBe(true);
    await client.idle();

    const again = await client.synthesize({ ...request });
    expect(again.attempts).toBe(0);
    expect(again.contentType).toBe('audio/ogg');
    expect(again.ttfbMs).toBeGreaterThanOrEqual(0);
    const hit = await drain(again.stream);
    expect(hit.bytes.equals(Buffer.concat(chunks))).toBe(true);
    expect(calls).toHaveLength(1);
    expect(client.stats()).toEqual({ hits: 1, misses: 1, sharedInFlight: 0, savedChars: request.input.length });
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 3500 });
  });

  it('logs the running totals every 50 lookups: hit rate and provider characters saved', async () => {
    const log = capturingLogger();
    const { client, calls } = await setup(10_000_000, log.logger);
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    calls[0]!.answer();
    calls[0]!.body.end(randomBytes(300));
    await drain((await first).stream);
    await client.idle();
    for (let i = 0; i < 49; i++) await drain((await client.synthesize({ ...request })).stream);
    const totals = log.lines.filter((l) => l.msg === 'audio cache totals');
    expect(totals).toHaveLength(1);
    expect(totals[0]).toMatchObject({ lookups: 50, hits: 49, misses: 1, hitRate: 0.98, savedChars: 49 * request.input.length });
    expect(JSON.stringify(totals[0])).not.toContain(request.input);
  });

  it('requests differing in speed, voice or instructions each go to the provider', async () => {
    const { client, calls } = await setup();
    const variants: SpeechRequest[] = [request, { ...request, speed: 1.5 }, { ...request, voice: 'nova' }, { ...request, instructions: 'Whisper' }];
    const pending = variants.map((r) => client.synthesize(r));
    await until(() => calls.length === variants.length);
    for (const call of calls) {
      call.answer();
      call.body.end(randomBytes(100));
    }
    for (const audio of await Promise.all(pending)) await drain(audio.stream);
    expect(calls.map((c) => c.request)).toEqual(variants);
    expect(client.stats()).toMatchObject({ misses: 4, hits: 0, sharedInFlight: 0 });
  });

  it('an abort signal destroys a stream served from disk', async () => {
    const { client, calls } = await setup();
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    calls[0]!.answer();
    calls[0]!.body.end(randomBytes(100_000));
    await drain((await first).stream);
    await client.idle();

    const controller = new AbortController();
    const audio = await client.synthesize(request, { signal: controller.signal });
    const reason = new Error('skipped');
    controller.abort(reason);
    expect((await drain(audio.stream)).error).toBe(reason);
    await expect(client.synthesize(request, { signal: controller.signal })).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });
});

describe('caching speech client: single flight', () => {
  it('five identical requests share one provider call; a late joiner still gets every byte', async () => {
    const { client, calls, cache } = await setup();
    const chunks = Array.from({ length: 6 }, () => randomBytes(4096));
    const early = Array.from({ length: 4 }, () => client.synthesize({ ...request }));
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const readings = (await Promise.all(early)).map((audio) => drain(audio.stream));
    await feed(calls[0]!.body, chunks.slice(0, 3));

    const late = await client.synthesize({ ...request });
    expect(late.attempts).toBe(0);
    expect(late.contentType).toBe('audio/ogg; codecs=opus');
    readings.push(drain(late.stream));
    await feed(calls[0]!.body, chunks.slice(3));
    calls[0]!.body.end();

    const results = await Promise.all(readings);
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result.bytes.equals(Buffer.concat(chunks))).toBe(true);
    }
    expect(calls).toHaveLength(1);
    expect(client.stats()).toEqual({ hits: 0, misses: 1, sharedInFlight: 4, savedChars: 4 * request.input.length });
    await client.idle();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 6 * 4096 });
  });

  it('a request arriving after the last byte but before the commit shares the finished call', async () => {
    const { client, calls } = await setup();
    const body = randomBytes(3000);
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    calls[0]!.answer();
    calls[0]!.body.end(body);
    expect((await drain((await first).stream)).bytes.equals(body)).toBe(true);
    const second = await client.synthesize(request);
    expect((await drain(second.stream)).bytes.equals(body)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(client.stats().misses).toBe(1);
    expect(client.stats().hits + client.stats().sharedInFlight).toBe(1);
  });

  it('a slow reader does not hold back a fast one', async () => {
    const { client, calls } = await setup();
    const chunks = Array.from({ length: 40 }, () => randomBytes(16 * 1024));
    const pending = [client.synthesize(request), client.synthesize(request)];
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const [fast, slow] = await Promise.all(pending);
    const fastReading = drain(fast!.stream);
    await feed(calls[0]!.body, chunks);
    calls[0]!.body.end();
    expect((await fastReading).bytes.equals(Buffer.concat(chunks))).toBe(true);
    // The slow one has not read a byte yet and still gets everything.
    expect((await drain(slow!.stream)).bytes.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('a body cut mid-way errors every reader with the same error, caches nothing, and the next call retries', async () => {
    const { client, calls, cache } = await setup();
    const pending = [client.synthesize(request), client.synthesize(request), client.synthesize(request)];
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const readings = (await Promise.all(pending)).map((audio) => drain(audio.stream));
    await feed(calls[0]!.body, [randomBytes(1000), randomBytes(1000)]);
    const cut = new SpeechError('speech.timeout', { retryable: false, details: { phase: 'stall' }, message: 'stalled' });
    calls[0]!.body.destroy(cut);

    const results = await Promise.all(readings);
    for (const result of results) expect(result.error).toBe(cut);
    await client.idle();
    expect(cache.stats().entries).toBe(0);
    expect(await cacheFiles()).toEqual([]);

    const retry = client.synthesize(request);
    await until(() => calls.length === 2);
    calls[1]!.answer();
    calls[1]!.body.end(randomBytes(10));
    expect((await drain((await retry).stream)).bytes).toHaveLength(10);
  });

  it('a provider refusal rejects every waiting caller with it, and the next call retries', async () => {
    const { client, calls, cache } = await setup();
    const pending = [client.synthesize(request), client.synthesize(request), client.synthesize(request)];
    await until(() => calls.length === 1);
    const refusal = new SpeechError('speech.auth', { retryable: false, status: 401, message: 'speech endpoint answered 401' });
    calls[0]!.refuse(refusal);
    for (const caller of pending) expect(await rejectionOf(caller)).toBe(refusal);
    await client.idle();
    expect(await cacheFiles()).toEqual([]);
    expect(cache.stats().entries).toBe(0);

    const retry = client.synthesize(request);
    await until(() => calls.length === 2);
    calls[1]!.refuse(refusal);
    expect(await rejectionOf(retry)).toBe(refusal);
  });
});

describe('caching speech client: aborts', () => {
  it('one caller aborting mid-stream leaves the others and the provider call alone', async () => {
    const { client, calls, cache } = await setup();
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const pending = controllers.map((c) => client.synthesize(request, { signal: c.signal }));
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const readings = (await Promise.all(pending)).map((audio) => drain(audio.stream));
    const chunks = [randomBytes(1000), randomBytes(1000), randomBytes(1000)];
    await feed(calls[0]!.body, chunks.slice(0, 1));
    const reason = new Error('skipped by user');
    controllers[0]!.abort(reason);
    await feed(calls[0]!.body, chunks.slice(1));
    calls[0]!.body.end();

    const [aborted, ...others] = await Promise.all(readings);
    expect(aborted!.error).toBe(reason);
    for (const other of others) expect(other.bytes.equals(Buffer.concat(chunks))).toBe(true);
    expect(calls[0]!.signal?.aborted).toBe(false);
    await client.idle();
    expect(cache.stats().entries).toBe(1);
  });

  it('a caller aborting before the provider answers is rejected alone', async () => {
    const { client, calls } = await setup();
    const quitter = new AbortController();
    const leaving = client.synthesize(request, { signal: quitter.signal });
    const staying = client.synthesize(request);
    await until(() => calls.length === 1);
    const reason = new Error('left the channel');
    quitter.abort(reason);
    expect(await rejectionOf(leaving)).toBe(reason);
    expect(calls[0]!.signal?.aborted).toBe(false);
    calls[0]!.answer();
    calls[0]!.body.end(Buffer.from('audio'));
    expect((await drain((await staying).stream)).bytes.toString()).toBe('audio');
  });

  it('when every caller aborts, the provider call is aborted, nothing is cached and the next call starts afresh', async () => {
    const { client, calls, cache } = await setup();
    const controllers = [new AbortController(), new AbortController()];
    const pending = controllers.map((c) => client.synthesize(request, { signal: c.signal }));
    await until(() => calls.length === 1);
    calls[0]!.answer();
    const readings = (await Promise.all(pending)).map((audio) => drain(audio.stream));
    await feed(calls[0]!.body, [randomBytes(1000)]);
    controllers[0]!.abort(new Error('first gone'));
    await tick();
    expect(calls[0]!.signal?.aborted).toBe(false);
    controllers[1]!.abort(new Error('second gone'));
    expect(calls[0]!.signal?.aborted).toBe(true);
    for (const reading of await Promise.all(readings)) expect(reading.error).toBeInstanceOf(Error);
    await client.idle();
    expect(cache.stats().entries).toBe(0);
    expect(await cacheFiles()).toEqual([]);

    const fresh = client.synthesize(request);
    await until(() => calls.length === 2);
    expect(calls[1]!.signal?.aborted).toBe(false);
    calls[1]!.answer();
    calls[1]!.body.end(Buffer.from('again'));
    expect((await drain((await fresh).stream)).bytes.toString()).toBe('again');
  });

  it('every caller aborting before the provider answers aborts the call too', async () => {
    const { client, calls } = await setup();
    const controller = new AbortController();
    const only = client.synthesize(request, { signal: controller.signal });
    await until(() => calls.length === 1);
    controller.abort(new Error('gone'));
    await rejectionOf(only);
    expect(calls[0]!.signal?.aborted).toBe(true);
  });

  it('a caller whose signal is already aborted is refused without a provider call', async () => {
    const { client, calls } = await setup();
    const reason = new Error('too late');
    await expect(client.synthesize(request, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toHaveLength(0);
  });
});

describe('caching speech client: cache limits', () => {
  it('streams a body too big to cache without caching it', async () => {
    const { client, calls, cache } = await setup(4000);
    const body = randomBytes(1001);
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    calls[0]!.answer();
    calls[0]!.body.end(body);
    expect((await drain((await first).stream)).bytes.equals(body)).toBe(true);
    await client.idle();
    expect(cache.stats().entries).toBe(0);
    expect(await cacheFiles()).toEqual([]);
  });

  it('disk trouble never reaches the listener: the audio streams, it just is not cached', async () => {
    const { client, calls, cache } = await setup();
    const body = randomBytes(2000);
    const first = client.synthesize(request);
    await until(() => calls.length === 1);
    await rm(cacheDir, { recursive: true, force: true });
    calls[0]!.answer();
    calls[0]!.body.end(body);
    const result = await drain((await first).stream);
    expect(result.error).toBeUndefined();
    expect(result.bytes.equals(body)).toBe(true);
    await client.idle();
    expect(cache.stats().entries).toBe(0);
  });

  it('entries survive a restart of client and cache', async () => {
    const before = await setup();
    const body = randomBytes(5000);
    const first = before.client.synthesize(request);
    await until(() => before.calls.length === 1);
    before.calls[0]!.answer();
    before.calls[0]!.body.end(body);
    await drain((await first).stream);
    await before.client.idle();

    const after = await setup();
    const audio = await after.client.synthesize(request);
    expect((await drain(audio.stream)).bytes.equals(body)).toBe(true);
    expect(after.calls).toHaveLength(0);
    expect(after.client.stats()).toMatchObject({ hits: 1, savedChars: request.input.length });
  });
});

describe('caching speech client: who is charged and what was saved', () => {
  it('the leader’s guild and member reach the provider; followers and hits are reported as saved, with their own ids', async () => {
    const provider = manualProvider();
    const cache = await AudioCache.open({ dir: cacheDir, maxBytes: 10_000_000, logger });
    const saved: Array<{ input: string; key: string | undefined; memberId: string | undefined }> = [];
    const client = createCachingSpeechClient({
      inner: provider.client,
      cache,
      logger,
      onSaved: (r, o) => saved.push({ input: r.input, key: o.key, memberId: o.memberId }),
    });
    clients.push(client);
    const leader = client.synthesize({ ...request }, { key: 'g1', memberId: 'm1' });
    await until(() => provider.calls.length === 1);
    const follower = client.synthesize({ ...request }, { key: 'g1', memberId: 'm2' });
    expect(provider.calls[0]!.options).toMatchObject({ key: 'g1', memberId: 'm1' });
    provider.calls[0]!.answer();
    const [led, followed] = await Promise.all([leader, follower]);
    expect(led.fromCache).toBeUndefined();
    expect(followed.fromCache).toBe(true);
    const readings = [drain(led.stream), drain(followed.stream)];
    provider.calls[0]!.body.end(randomBytes(300));
    await Promise.all(readings);
    await client.idle();
    const hit = await client.synthesize({ ...request }, { key: 'g2', memberId: 'm3' });
    expect(hit.fromCache).toBe(true);
    await drain(hit.stream);
    expect(provider.calls).toHaveLength(1);
    expect(saved).toEqual([
      { input: request.input, key: 'g1', memberId: 'm2' },
      { input: request.input, key: 'g2', memberId: 'm3' },
    ]);
  });

  it('a listener that throws does not fail the request', async () => {
    const provider = manualProvider();
    const cache = await AudioCache.open({ dir: cacheDir, maxBytes: 10_000_000, logger });
    const client = createCachingSpeechClient({
      inner: provider.client,
      cache,
      logger,
      onSaved: () => {
        throw new Error('database is locked');
      },
    });
    clients.push(client);
    const first = client.synthesize({ ...request });
    await until(() => provider.calls.length === 1);
    provider.calls[0]!.answer();
    const reading = drain((await first).stream);
    provider.calls[0]!.body.end(randomBytes(100));
    await reading;
    await client.idle();
    const hit = await client.synthesize({ ...request });
    expect((await drain(hit.stream)).bytes.length).toBe(100);
  });
});
