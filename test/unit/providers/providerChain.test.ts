import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../../../src/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ModelAvailability } from '../../../src/speech/providers/modelAvailability.js';
import { createProviderChain } from '../../../src/speech/providers/providerChain.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import type { SpeechAudio, SpeechClient } from '../../../src/speech/speechClient.js';
import { SpeechError, errorFromResponse } from '../../../src/speech/speechErrors.js';

const request: SpeechRequest = { model: 'tts-1', input: 'hello', voice: 'nova', response_format: 'opus', speed: 1.5, instructions: 'softly' };

function spec(name: string, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return {
    name,
    baseUrl: `http://${name}/v1`,
    apiKey: undefined,
    models: undefined,
    voices: undefined,
    voiceMap: {},
    formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
    speed: true,
    instructions: true,
    modelsEndpoint: true,
    maxConcurrency: undefined,
    ...extra,
  };
}

/** A provider that answers each call with the next scripted outcome (the last one repeats) and records what it got. */
function fakeProvider(outcomes: Array<'audio' | SpeechError>) {
  const got: SpeechRequest[] = [];
  const client: SpeechClient = {
    synthesize(req) {
      got.push(req);
      const outcome = outcomes[Math.min(got.length - 1, outcomes.length - 1)]!;
      if (outcome !== 'audio') return Promise.reject(outcome);
      const audio: SpeechAudio = { stream: Readable.from([Buffer.from('audio')]), contentType: 'audio/ogg', ttfbMs: 1, attempts: 1 };
      return Promise.resolve(audio);
    },
  };
  return { client, got };
}

const down = () => new SpeechError('speech.unavailable', { retryable: true, status: 500 });
const modelGone = () => errorFromResponse(404, new Headers(), JSON.stringify({ error: { message: 'The model `tts-1` does not exist', type: 'invalid_request_error', param: null, code: 'model_not_found' } }), undefined);

function chainOf(providers: Array<{ spec: ProviderSpec; client: SpeechClient }>, failures = 2, cooldownMs = 1000) {
  let now = 1_000_000;
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const models = new ModelAvailability(logger, () => now);
  const chain = createProviderChain({ providers, models, circuit: { failures, cooldownMs }, now: () => now, logger });
  return { chain, models, lines, tick: (ms: number) => (now += ms) };
}

describe('provider chain', () => {
  it('a failing first provider sends the request to the second, which answers; the audio says who made it', async () => {
    const a = fakeProvider([down()]);
    const b = fakeProvider(['audio']);
    const { chain } = chainOf([{ spec: spec('a'), client: a.client }, { spec: spec('b', { voiceMap: { nova: 'af_nova' } }), client: b.client }]);
    const audio = await chain.synthesize(request);
    expect(audio.origin).toMatchObject({ provider: 'b', request: { voice: 'af_nova', model: 'tts-1' } });
    expect(a.got).toHaveLength(1);
    expect(b.got[0]!.voice).toBe('af_nova');
    expect(chain.status().map((s) => [s.name, s.counts.failovers, s.counts.served])).toEqual([['a', 1, 0], ['b', 0, 1]]);
  });

  it('opens the circuit after repeated failures: the first provider is not asked again until the cool-down ends, then one probe goes', async () => {
    const a = fakeProvider([down(), down(), 'audio']);
    const b = fakeProvider(['audio']);
    const { chain, tick } = chainOf([{ spec: spec('a'), client: a.client }, { spec: spec('b'), client: b.client }], 2, 1000);
    await chain.synthesize(request);
    await chain.synthesize(request);
    expect(chain.status()[0]!.circuit).toMatchObject({ status: 'open', until: 1_001_000 });
    expect(chain.plan(request)?.provider).toBe('b');
    await chain.synthesize(request);
    expect(a.got).toHaveLength(2);
    expect(chain.status()[0]!.counts.skippedOpen).toBe(1);
    tick(1000);
    expect(chain.plan(request)?.provider).toBe('a');
    const back = await chain.synthesize(request);
    expect(back.origin?.provider).toBe('a');
    expect(a.got).toHaveLength(3);
    expect(chain.status()[0]!.circuit.status).toBe('closed');
  });

  it('a refused model is marked unavailable once and the same text goes to the provider’s next model', async () => {
    const a = fakeProvider([modelGone(), 'audio']);
    const { chain, lines, models } = chainOf([{ spec: spec('a', { models: ['tts-1', 'kokoro'] }), client: a.client }]);
    const first = await chain.synthesize(request);
    expect(first.origin?.request.model).toBe('kokoro');
    await chain.synthesize(request);
    await chain.synthesize(request);
    expect(a.got.map((r) => r.model)).toEqual(['tts-1', 'kokoro', 'kokoro', 'kokoro']);
    expect([...models.unavailable('a')]).toEqual(['tts-1']);
    expect(lines.filter((l) => l.includes('is unavailable at a'))).toHaveLength(1);
    // Model refusals are not the provider's ill health.
    expect(chain.status()[0]!.circuit.status).toBe('closed');
  });

  it('when no provider has a model left, says the model is gone', async () => {
    const a = fakeProvider([modelGone()]);
    const { chain } = chainOf([{ spec: spec('a', { models: ['tts-1'] }), client: a.client }]);
    await expect(chain.synthesize(request)).rejects.toMatchObject({ key: 'speech.model_unavailable', details: { model: 'tts-1' } });
    await expect(chain.synthesize(request)).rejects.toMatchObject({ key: 'speech.model_unavailable' });
    expect(a.got).toHaveLength(1);
  });

  it('a request the provider rejects for itself (a bad field) does not fail over', async () => {
    const a = fakeProvider([new SpeechError('speech.rejected', { retryable: false, status: 400, details: { providerMessage: 'bad' } })]);
    const b = fakeProvider(['audio']);
    const { chain } = chainOf([{ spec: spec('a'), client: a.client }, { spec: spec('b'), client: b.client }]);
    await expect(chain.synthesize(request)).rejects.toMatchObject({ key: 'speech.rejected' });
    expect(b.got).toHaveLength(0);
  });

  it('asks the item’s provider first when one is named', async () => {
    const a = fakeProvider(['audio']);
    const b = fakeProvider(['audio']);
    const { chain } = chainOf([{ spec: spec('a'), client: a.client }, { spec: spec('b'), client: b.client }]);
    expect((await chain.synthesize(request, { provider: 'b' })).origin?.provider).toBe('b');
    expect(chain.plan(request, { provider: 'b' })?.provider).toBe('b');
    expect(a.got).toHaveLength(0);
  });

  it('sends each provider what it can take: its voice, a format it returns, no speed or instructions it ignores', () => {
    const { chain } = chainOf([
      { spec: spec('local', { voices: ['amy'], formats: ['wav'], speed: false, instructions: false, models: ['piper'] }), client: fakeProvider(['audio']).client },
    ]);
    expect(chain.plan(request)).toEqual({
      provider: 'local',
      request: { model: 'piper', input: 'hello', voice: 'amy', response_format: 'wav', speed: 1 },
      speedHonoured: false,
    });
  });
});

describe('model refusals in each provider’s words', () => {
  const key = (status: number, body: unknown) => errorFromResponse(status, new Headers(), JSON.stringify(body), undefined).key;
  it.each([
    ['OpenAI 404 model_not_found', 404, { error: { message: 'The model `tts-1` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } }],
    ['Kokoro-FastAPI 400 invalid_model', 400, { detail: { error: 'invalid_model', message: 'Unsupported model: tts-2', type: 'invalid_request_error' } }],
    ['openedai-speech 400 param model', 400, { message: 'No such model, must be tts-1 or tts-1-hd.', code: 400, type: 'BadRequestError', param: 'model' }],
    ['LocalAI 404', 404, { error: { message: 'model "tts-2" not found. To see available models, call GET /v1/models', code: 404, type: 'invalid_request_error' } }],
  ])('%s is a model refusal', (_name, status, body) => {
    expect(key(status, body)).toBe('speech.model_unavailable');
  });
  it.each([
    ['a wrong URL', 404, { error: { message: 'Invalid URL (POST /v1/audio/speeches)', type: 'invalid_request_error', param: null, code: null } }],
    ['an unknown voice', 400, { detail: { error: 'validation_error', message: "Voice 'x' not found.", type: 'invalid_request_error' } }],
  ])('%s is not', (_name, status, body) => {
    expect(key(status, body)).toBe('speech.rejected');
  });
});
