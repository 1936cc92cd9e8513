import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { AudioCache } from '../../../src/speech/audioCache.js';
import { createCachingSpeechClient, type CachingSpeechClient } from '../../../src/speech/cachingSpeechClient.js';
import { createFairLimiter, type FairLimiter } from '../../../src/speech/fairLimiter.js';
import { SHARED_LIMITER_KEY, createLimitedSpeechClient } from '../../../src/speech/limitedSpeechClient.js';
import type { SpeechAudio, SpeechClient } from '../../../src/speech/speechClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { rejectionOf } from '../../support/rejectionOf.js';
import { settle } from '../core/playbackFakes.js';
import { drain, manualProvider, request, until } from './fakeProvider.js';

const logger = createLogger('silent');

function setup(maxInFlight = 1) {
  const provider = manualProvider();
  const limiter = createFairLimiter({ maxInFlight });
  const client = createLimitedSpeechClient({ inner: provider.client, limiter, logger });
  return { ...provider, provider, limiter, client };
}

/** Starts a call and answers it, resolving with its SpeechAudio and the provider's call. */
async function answered(s: ReturnType<typeof setup>, key?: string) {
  const before = s.calls.length;
  const pending = s.client.synthesize(request, key === undefined ? {} : { key });
  await until(() => s.calls.length > before);
  const call = s.calls[before]!;
  call.answer();
  return { audio: await pending, call };
}

describe('limited speech client: a slot per provider call', () => {
  it('takes a slot before calling the provider and passes request, signal and key through', async () => {
    const s = setup(2);
    const controller = new AbortController();
    const pending = s.client.synthesize(request, { signal: controller.signal, key: 'guild-1' });
    await until(() => s.calls.length === 1);
    expect(s.calls[0]!.request).toBe(request);
    expect(s.calls[0]!.options).toMatchObject({ signal: controller.signal, key: 'guild-1' });
    expect(s.limiter.stats()).toMatchObject({ inFlight: 1, inFlightByKey: { 'guild-1': 1 } });
    s.calls[0]!.answer();
    const audio = await pending;
    expect(audio.stream).toBe(s.calls[0]!.body);
  });

  it('a call without a key uses the shared key', async () => {
    const s = setup(2);
    const { call } = await answered(s);
    expect(s.limiter.stats().inFlightByKey).toEqual({ [SHARED_LIMITER_KEY]: 1 });
    call.body.end();
  });

  it('the next call does not reach the provider until the first body is over', async () => {
    const s = setup(1);
    const first = await answered(s, 'a');
    const second = s.client.synthesize(request, { key: 'b' });
    await settle(10);
    expect(s.calls).toHaveLength(1);
    expect(s.limiter.stats()).toMatchObject({ inFlight: 1, waiting: 1 });
    // The slot is held while the body flows, not only until synthesize() resolved.
    first.call.body.write(Buffer.from('ogg'));
    await settle(10);
    expect(s.calls).toHaveLength(1);
    const reading = drain(first.audio.stream);
    first.call.body.end(Buffer.from('more'));
    await reading;
    await until(() => s.calls.length === 2);
    s.calls[1]!.answer();
    await second;
  });

  it('shares the provider fairly between guilds through the limiter', async () => {
    const s = setup(1);
    const holder = await answered(s, 'busy');
    const pending = new Map<string, Promise<SpeechAudio>>();
    for (const [key, label] of [['busy', 'busy1'], ['busy', 'busy2'], ['busy', 'busy3'], ['quiet', 'quiet']] as const) {
      pending.set(label, s.client.synthesize({ ...request, input: label }, { key }));
    }
    holder.call.body.destroy();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await until(() => s.calls.length === i + 2);
      const call = s.calls[i + 1]!;
      order.push(call.request.input);
      call.answer();
      (await pending.get(call.request.input)!).stream.resume();
      call.body.end();
    }
    expect(order).toEqual(['busy1', 'quiet', 'busy2', 'busy3']);
  });
});

describe('limited speech client: no path leaks a slot', () => {
  it('body read to its end: released', async () => {
    const s = setup();
    const { audio, call } = await answered(s);
    const reading = drain(audio.stream);
    call.body.end(Buffer.from('all of it'));
    expect((await reading).error).toBeUndefined();
    await until(() => s.limiter.stats().inFlight === 0);
  });

  it('body errors (stall, cut): released', async () => {
    const s = setup();
    const { audio, call } = await answered(s);
    const reading = drain(audio.stream);
    call.body.destroy(new SpeechError('speech.timeout', { retryable: false }));
    expect((await reading).error).toBeInstanceOf(SpeechError);
    await until(() => s.limiter.stats().inFlight === 0);
  });

  it('the reader destroys the body (skip): released', async () => {
    const s = setup();
    const { audio } = await answered(s);
    audio.stream.destroy();
    await until(() => s.limiter.stats().inFlight === 0);
  });

  it('the body is closed without being read: released', async () => {
    const s = setup();
    const { call } = await answered(s);
    call.body.destroy();
    await until(() => s.limiter.stats().inFlight === 0);
  });

  it('synthesize rejects (401, retries exhausted): released and the error passed on', async () => {
    const s = setup();
    const pending = s.client.synthesize(request);
    await until(() => s.calls.length === 1);
    const error = new SpeechError('speech.auth', { retryable: false, status: 401 });
    s.calls[0]!.refuse(error);
    expect(await rejectionOf(pending)).toBe(error);
    expect(s.limiter.stats().inFlight).toBe(0);
  });

  it('the inner client throws synchronously: released and the error passed on', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const boom = new Error('boom');
    const inner: SpeechClient = {
      synthesize() {
        throw boom;
      },
    };
    const client = createLimitedSpeechClient({ inner, limiter, logger });
    expect(await rejectionOf(client.synthesize(request))).toBe(boom);
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('aborted while the provider works: the call rejects and the slot is released', async () => {
    const s = setup();
    const controller = new AbortController();
    const pending = s.client.synthesize(request, { signal: controller.signal });
    await until(() => s.calls.length === 1);
    const reason = new DOMException('skipped', 'AbortError');
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
    expect(s.limiter.stats().inFlight).toBe(0);
  });

  it('aborted while the body flows: the body errors and the slot is released', async () => {
    const s = setup();
    const controller = new AbortController();
    const pending = s.client.synthesize(request, { signal: controller.signal });
    await until(() => s.calls.length === 1);
    s.calls[0]!.answer();
    const audio = await pending;
    const reading = drain(audio.stream);
    controller.abort(new Error('stop'));
    expect((await reading).error).toBeDefined();
    await until(() => s.limiter.stats().inFlight === 0);
  });

  it('aborted while waiting for a slot: the provider is never called and no slot is taken', async () => {
    const s = setup(1);
    const first = await answered(s, 'a');
    const controller = new AbortController();
    const waiting = s.client.synthesize(request, { key: 'b', signal: controller.signal });
    await settle();
    const reason = new Error('gone');
    controller.abort(reason);
    expect(await rejectionOf(waiting)).toBe(reason);
    first.call.body.destroy();
    await until(() => s.limiter.stats().inFlight === 0);
    expect(s.calls).toHaveLength(1);
    expect(s.limiter.stats()).toMatchObject({ waiting: 0, abandoned: 1, granted: 1 });
  });

  it('aborted in the same turn the slot was granted: released without calling the provider', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const provider = manualProvider();
    const client = createLimitedSpeechClient({ inner: provider.client, limiter, logger });
    const holder = await limiter.acquire('other');
    const controller = new AbortController();
    const pending = client.synthesize(request, { key: 'g', signal: controller.signal });
    await settle();
    holder.release(); // grants the slot to the waiting call ...
    controller.abort(new Error('late abort')); // ... which is aborted before it runs again
    expect(((await rejectionOf(pending)) as Error).message).toBe('late abort');
    expect(provider.calls).toHaveLength(0);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, granted: 2 });
  });

  it('a body that is already over when the provider returns it: released', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const ended = new PassThrough();
    ended.destroy();
    await settle();
    const inner: SpeechClient = { synthesize: async () => ({ stream: ended, contentType: 'audio/ogg', ttfbMs: 1, attempts: 1 }) };
    const client = createLimitedSpeechClient({ inner, limiter, logger });
    await client.synthesize(request);
    await until(() => limiter.stats().inFlight === 0);
  });

  it('a hundred calls with every kind of ending leave no slot held', async () => {
    const s = setup(3);
    const endings = ['end', 'error', 'destroy', 'refuse', 'abort'] as const;
    const plan = new Map<string, { ending: (typeof endings)[number]; controller: AbortController }>();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      plan.set(`${i}`, { ending: endings[i % endings.length]!, controller });
      const call = s.client.synthesize({ ...request, input: `${i}` }, { key: `g${i % 7}`, signal: controller.signal });
      pending.push(call.then((audio) => audio.stream.resume()).catch(() => undefined));
    }
    for (let handled = 0; handled < 100; handled++) {
      await until(() => s.calls.length > handled);
      const call = s.calls[handled]!;
      const { ending, controller } = plan.get(call.request.input)!;
      if (ending === 'refuse') call.refuse(new Error('refused'));
      else if (ending === 'abort') controller.abort();
      else {
        call.answer();
        await settle();
        if (ending === 'end') call.body.end(Buffer.from('x'));
        else if (ending === 'error') call.body.destroy(new Error('cut'));
        else call.body.destroy();
      }
      expect(s.limiter.stats().inFlight).toBeLessThanOrEqual(3);
      expect(s.provider.inFlight).toBeLessThanOrEqual(3);
    }
    await Promise.all(pending);
    await until(() => s.limiter.stats().inFlight === 0);
    expect(s.limiter.stats()).toMatchObject({ waiting: 0, granted: 100 });
  });
});

describe('limited speech client under the caching client: caching(limited(provider))', () => {
  let root: string;
  const clients: CachingSpeechClient[] = [];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'limited-speech-'));
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.idle()));
    await rm(root, { recursive: true, force: true });
  });

  async function composed(limiter: FairLimiter) {
    const provider = manualProvider();
    const cache = await AudioCache.open({ dir: join(root, 'cache'), maxBytes: 10_000_000, logger });
    const client = createCachingSpeechClient({ inner: createLimitedSpeechClient({ inner: provider.client, limiter, logger }), cache, logger });
    clients.push(client);
    return { provider, client };
  }

  it('the guild key reaches the limiter through the caching client; a cache hit takes no slot', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const { provider, client } = await composed(limiter);
    const miss = client.synthesize(request, { key: 'guild-7' });
    await until(() => provider.calls.length === 1);
    expect(provider.calls[0]!.options.key).toBe('guild-7');
    expect(limiter.stats().inFlightByKey).toEqual({ 'guild-7': 1 });
    provider.calls[0]!.answer();
    const reading = drain((await miss).stream);
    provider.calls[0]!.body.end(Buffer.from('OggS audio bytes'));
    await reading;
    await client.idle();
    expect(limiter.stats().inFlight).toBe(0);

    // Every slot taken by someone else: a hit must still play at once.
    const blocker = await limiter.acquire('other');
    const hit = await client.synthesize({ ...request }, { key: 'guild-8' });
    expect(Buffer.concat((await drain(hit.stream)).chunks).toString()).toBe('OggS audio bytes');
    expect(provider.calls).toHaveLength(1);
    expect(limiter.stats()).toMatchObject({ inFlight: 1, waiting: 0, granted: 2 });
    blocker.release();
  });

  it('identical requests in flight share one provider call and one slot', async () => {
    const limiter = createFairLimiter({ maxInFlight: 4 });
    const { provider, client } = await composed(limiter);
    const pending = ['g1', 'g2', 'g3'].map((key) => client.synthesize({ ...request, input: 'same' }, { key }));
    await until(() => provider.calls.length === 1);
    await settle(10);
    expect(provider.calls).toHaveLength(1);
    expect(limiter.stats().inFlightByKey).toEqual({ g1: 1 });
    provider.calls[0]!.answer();
    const readers = (await Promise.all(pending)).map((audio) => drain(audio.stream));
    provider.calls[0]!.body.end(Buffer.from('shared'));
    await Promise.all(readers);
    await client.idle();
    expect(limiter.stats()).toMatchObject({ inFlight: 0, granted: 1 });
  });
});
