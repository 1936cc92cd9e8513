import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { problemsOf } from './configProblems.js';

const APP_ID = '123456789012345678';
const base = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: APP_ID };

const twoProviders = [
  { name: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_KEY' },
  {
    name: 'kokoro',
    baseUrl: 'http://kokoro:8880/v1/',
    models: ['kokoro'],
    voices: ['af_nova', 'af_bella'],
    voiceMap: { nova: 'af_nova' },
    formats: ['mp3', 'wav'],
    speed: false,
    maxConcurrency: 2,
  },
];

describe('TTS_PROVIDERS', () => {
  it('reads a JSON array: keys from named variables, defaults filled in, order kept', () => {
    const config = loadConfig({ ...base, OPENAI_KEY: 'sk-from-env', TTS_PROVIDERS: JSON.stringify(twoProviders) });
    const [openai, kokoro] = config.tts.providers;
    expect(config.tts.providers.map((p) => p.name)).toEqual(['openai', 'kokoro']);
    expect(openai!.apiKey).toBe('sk-from-env');
    expect(openai!.formats).toEqual(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']);
    expect(openai!.speed).toBe(true);
    expect(kokoro).toMatchObject({ baseUrl: 'http://kokoro:8880/v1', apiKey: undefined, voiceMap: { nova: 'af_nova' }, formats: ['mp3', 'wav'], speed: false, maxConcurrency: 2 });
    // The first provider has no lists: members choose from the usual OpenAI names.
    expect(config.tts.defaults.model).toBe('gpt-4o-mini-tts');
    expect(config.tts.voices).toContain('nova');
  });

  it('reads a path to a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'providers-'));
    const file = join(dir, 'providers.json');
    writeFileSync(file, JSON.stringify(twoProviders.slice(1)));
    const config = loadConfig({ ...base, TTS_PROVIDERS: file });
    expect(config.tts.providers.map((p) => p.name)).toEqual(['kokoro']);
    // Members choose from the first provider's names when TTS_MODELS / TTS_VOICES are unset.
    expect(config.tts.models).toEqual(['kokoro']);
    // Its voiceMap names are the bot's names too.
    expect(config.tts.voices).toEqual(['nova', 'af_nova', 'af_bella']);
    expect(config.tts.defaults).toMatchObject({ model: 'kokoro', voice: 'nova' });
  });

  it('reports every mistake in the list in one error, with the other configuration problems', () => {
    const problems = problemsOf({
      ...base,
      TTS_DEFAULT_SPEED: '9',
      TTS_BASE_URL: 'http://old:8000/v1',
      TTS_PROVIDERS: JSON.stringify([
        { name: 'openai', baseUrl: 'https://api.openai.com/v1' },
        { name: 'bad name!', baseUrl: 'not a url', formats: ['ogg'], colour: 'red' },
        { name: 'openai', baseUrl: 'http://x/v1', apiKeyEnv: 'NOT_SET_ANYWHERE', voices: ['a'], voiceMap: { nova: 'b' } },
      ]),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TTS_DEFAULT_SPEED:/),
        expect.stringMatching(/^TTS_BASE_URL: leave it unset when TTS_PROVIDERS/),
        'TTS_PROVIDERS[0].apiKey: is required for OpenAI (give apiKey or apiKeyEnv)',
        expect.stringMatching(/^TTS_PROVIDERS\[1\]\.name: /),
        expect.stringMatching(/^TTS_PROVIDERS\[1\]\.baseUrl: must be a URL/),
        expect.stringMatching(/^TTS_PROVIDERS\[1\]\.formats\.0: /),
        'TTS_PROVIDERS[1]: unknown field(s) colour',
        'TTS_PROVIDERS[2].name: "openai" is used by an earlier provider',
        'TTS_PROVIDERS[2].apiKeyEnv: the variable NOT_SET_ANYWHERE is not set',
        'TTS_PROVIDERS[2].voiceMap.nova: "b" is not one of its voices (a)',
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('says what is wrong with text that is neither JSON nor a file', () => {
    expect(problemsOf({ ...base, TTS_PROVIDERS: '[{"name":' })).toEqual([expect.stringMatching(/^TTS_PROVIDERS: is not valid JSON/)]);
    expect(problemsOf({ ...base, TTS_PROVIDERS: '/nowhere/providers.json' })).toEqual([
      'TTS_PROVIDERS: is neither a JSON array nor the path of an existing file (/nowhere/providers.json)',
    ]);
    expect(problemsOf({ ...base, TTS_PROVIDERS: '[]' })).toEqual(['TTS_PROVIDERS: must be a JSON array with at least one provider']);
  });

  it('an explicit default that the first provider does not know is reported', () => {
    const problems = problemsOf({ ...base, TTS_DEFAULT_VOICE: 'alloy', TTS_PROVIDERS: JSON.stringify(twoProviders.slice(1)) });
    expect(problems).toEqual(['TTS_DEFAULT_VOICE: must be one of TTS_VOICES (nova, af_nova, af_bella)']);
  });

  it('the cool-down and failure count of the circuit are configurable', () => {
    const config = loadConfig({ ...base, TTS_API_KEY: 'k', TTS_CIRCUIT_FAILURES: '5', TTS_CIRCUIT_COOLDOWN_S: '1.5' });
    expect(config.tts.circuit).toEqual({ failures: 5, cooldownMs: 1500 });
  });
});

describe('.env.example', () => {
  it('its TTS_PROVIDERS example is valid together with the rest of the file', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('dotenv');
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const example = /^# TTS_PROVIDERS=(.+)$/m.exec(text)![1]!;
    const env = { ...parse(text), ...base, OPENAI_API_KEY: 'sk-test', TTS_PROVIDERS: example };
    const config = loadConfig(env);
    expect(config.tts.providers.map((p) => p.name)).toEqual(['openai', 'kokoro']);
    expect(config.tts.providers[1]!.voiceMap).toEqual({ alloy: 'af_alloy', nova: 'af_nova' });
  });
});
