import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../../../src/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { AudioCache } from '../../../src/speech/audioCache.js';
import { createCachingSpeechClient } from '../../../src/speech/cachingSpeechClient.js';
import { ModelAvailability } from '../../../src/speech/providers/modelAvailability.js';
import { createProviderChain } from '../../../src/speech/providers/providerChain.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import type { SpeechClient } from '../../../src/speech/speechClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';

const logger = createLogger('silent');
const request: SpeechRequest = { model: 'tts-1', input: 'Hello there', voice: 'nova', response_format: 'mp3', speed: 1 };

function spec(name: string, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return { name, baseUrl: `http://${name}/v1`, apiKey: undefined, models: undefined, voices: undefined, voiceMap: {}, formats: ['mp3', 'opus'], speed: true, instructions: true, modelsEndpoint: false, maxConcurrency: undefined, ...extra };
}

/** A provider whose answers the test switches: up (its name as the audio) or down (500). */
function switchable(name: string) {
  const state = { up: true, calls: 0 };
  const client: SpeechClient = {
    async synthesize(req) {
      state.calls++;
      if (!state.up) throw new SpeechError('speech.unavailable', { retryable: true, status: 500 });
      return { stream: Readable.from([Buffer.from(`${name}:${req.voice}`)]), contentType: 'audio/mpeg', ttfbMs: 1, attempts: 1 };
    },
  };
  return { client, state };
}

const text = async (r: Readable) => Buffer.concat(await r.toArray()).toString();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cache-by-provider-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the audio cache above the provider chain', () => {
  it('never serves a fallback voice as the original, and serves it again while the fallback is who answers', async () => {
    let now = 0;
    const a = switchable('openai');
    const b = switchable('kokoro');
    const chain = createProviderChain({
      providers: [{ spec: spec('openai'), client: a.client }, { spec: spec('kokoro', { voiceMap: { nova: 'af_nova' } }), client: b.client }],
      models: new ModelAvailability(logger, () => now),
      circuit: { failures: 2, cooldownMs: 1000 },
      now: () => now,
      logger,
    });
    const cache = await AudioCache.open({ dir, maxBytes: 1 << 20, logger });
    const speech = createCachingSpeechClient({ inner: chain, cache, logger, plan: chain.plan });

    // The first provider is down: the fallback answers, in its own voice.
    a.state.up = false;
    const first = await speech.synthesize(request);
    expect(await text(first.stream)).toBe('kokoro:af_nova');
    await speech.idle();

    // The first provider is back before its circuit opened: the cached fallback is not what the member gets.
    a.state.up = true;
    const second = await speech.synthesize(request);
    expect(await text(second.stream)).toBe('openai:nova');
    await speech.idle();
    expect(a.state.calls).toBe(2);

    // And its own audio is cached under its own key.
    const third = await speech.synthesize(request);
    expect(await text(third.stream)).toBe('openai:nova');
    expect(a.state.calls).toBe(2);

    // Down for good: the circuit opens; the plan names the fallback and its cached audio plays without a call.
    a.state.up = false;
    await (await speech.synthesize({ ...request, input: 'other 1' })).stream.toArray();
    await (await speech.synthesize({ ...request, input: 'other 2' })).stream.toArray();
    await speech.idle();
    expect(chain.status()[0]!.circuit.status).toBe('open');
    const bCalls = b.state.calls;
    const fromFallback = await speech.synthesize(request);
    expect(await text(fromFallback.stream)).toBe('kokoro:af_nova');
    expect(fromFallback.origin?.provider).toBe('kokoro');
    expect(b.state.calls).toBe(bCalls);
    now += 1000;
    expect(chain.plan(request)?.provider).toBe('openai');
  });
});
