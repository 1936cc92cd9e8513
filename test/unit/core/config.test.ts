import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const APP_ID = '123456789012345678';
const minimal = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: APP_ID, TTS_API_KEY: 'sk-test' };

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function problemsOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig: problems are reported all at once', () => {
  it('an empty environment names the token, the application id and the API key in one error', () => {
    const err = problemsOf({});
    expect(err.name).toBe('ConfigError');
    expect(err.problems).toHaveLength(3);
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DISCORD_APPLICATION_ID', 'DISCORD_TOKEN', 'TTS_API_KEY']);
    for (const p of err.problems) expect(p).toMatch(/is required/);
    // One message carries every problem, so a first run tells the operator everything at once.
    for (const name of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'TTS_API_KEY']) expect(err.message).toContain(`- ${name}:`);
    expect(err.message).toContain('.env.example');
  });

  it('empty strings count as missing', () => {
    const err = problemsOf({ DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '', TTS_API_KEY: '  ' });
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DISCORD_APPLICATION_ID', 'DISCORD_TOKEN', 'TTS_API_KEY']);
    for (const p of err.problems) expect(p).toMatch(/is required/);
  });

  it('several bad values are all reported: speed 9, non-numeric app id, default voice not in TTS_VOICES', () => {
    const err = problemsOf({
      ...minimal,
      DISCORD_APPLICATION_ID: 'my-bot',
      TTS_DEFAULT_SPEED: '9',
      TTS_VOICES: 'alloy,nova',
      TTS_DEFAULT_VOICE: 'shimmer',
    });
    expect(err.problems).toHaveLength(3);
    const byName = new Map(err.problems.map((p) => [p.split(':')[0], p]));
    expect(byName.get('DISCORD_APPLICATION_ID')).toMatch(/numeric application id/);
    expect(byName.get('TTS_DEFAULT_SPEED')).toMatch(/4/);
    expect(byName.get('TTS_DEFAULT_VOICE')).toBe('TTS_DEFAULT_VOICE: must be one of TTS_VOICES (alloy, nova)');
    for (const p of err.problems) expect(err.message).toContain(p);
  });

  it('reports a default model missing from TTS_MODELS, a bad format, bad numbers and a bad URL together', () => {
    const err = problemsOf({
      ...minimal,
      TTS_MODELS: 'tts-1',
      TTS_DEFAULT_FORMAT: 'ogg',
      TTS_DEFAULT_SPEED: 'fast',
      TTS_MAX_RETRIES: '9',
      QUEUE_MAX_PER_GUILD: '0',
      TTS_TIMEOUT_MS: '1.5',
      DISCORD_DEV_GUILD_ID: 'guild',
      TTS_BASE_URL: 'not a url',
      LOG_LEVEL: 'verbose',
    });
    const names = err.problems.map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(
      [
        'DISCORD_DEV_GUILD_ID',
        'LOG_LEVEL',
        'QUEUE_MAX_PER_GUILD',
        'TTS_BASE_URL',
        'TTS_DEFAULT_FORMAT',
        'TTS_DEFAULT_MODEL',
        'TTS_DEFAULT_SPEED',
        'TTS_MAX_RETRIES',
        'TTS_TIMEOUT_MS',
      ].sort(),
    );
    expect(err.problems).toContain('TTS_DEFAULT_MODEL: must be one of TTS_MODELS (tts-1)');
  });

  it('the list in a problem shows only real entries', () => {
    const err = problemsOf({ ...minimal, TTS_VOICES: ' alloy, ,nova,', TTS_DEFAULT_VOICE: 'bob' });
    expect(err.problems).toEqual(['TTS_DEFAULT_VOICE: must be one of TTS_VOICES (alloy, nova)']);
  });

  it('never puts the token or API key in the message', () => {
    const err = problemsOf({ DISCORD_TOKEN: 'very-secret-token', DISCORD_APPLICATION_ID: 'x', TTS_API_KEY: 'sk-very-secret', TTS_DEFAULT_SPEED: '0' });
    expect(err.message).not.toContain('very-secret');
  });
});

describe('loadConfig: valid environments', () => {
  it('applies the defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      discord: { token: 'bot-token', applicationId: APP_ID, devGuildId: undefined, apiUrl: 'https://discord.com/api' },
      tts: {
        providers: [
          {
            name: 'openai',
            baseUrl: 'https://api.openai.com/v1',
            apiKey: 'sk-test',
            models: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
            voices: ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'],
            voiceMap: {},
            formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],
            speed: true,
            instructions: true,
            modelsEndpoint: true,
            maxConcurrency: undefined,
          },
        ],
        circuit: { failures: 3, cooldownMs: 30_000 },
        defaults: { model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 1, format: 'mp3' },
        models: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
        voices: ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'],
        languageVoices: {},
        instructionModels: ['gpt-4o-mini-tts'],
        timeoutMs: 15_000,
        stallTimeoutMs: 8_000,
        maxRetries: 2,
        maxConcurrency: 8,
        pipeline: { minChars: 300, ahead: 2 },
      },
      ffmpegPath: undefined,
      queue: { maxPerGuild: 50, maxPerMember: 5 },
      voice: { idleTimeoutMs: 300_000 },
      cache: { maxBytes: 256 * 1024 * 1024 },
      reading: { mode: 'auto', enabled: false, case: 'auto-unknown' },
      usage: { dailyCharBudget: 0, prices: { 'tts-1': 15, 'tts-1-hd': 30, 'gpt-4o-mini-tts': 12 } },
      transcribe: { model: 'whisper-1', prices: { 'whisper-1': 0.006, 'gpt-4o-transcribe': 0.006, 'gpt-4o-mini-transcribe': 0.003 } },
      dataDir: './data',
      http: { port: 0, host: '127.0.0.1' },
      shutdown: { graceMs: 5_000 },
      logFormat: 'json',
      databaseUrl: undefined,
      logLevel: 'info',
    });
  });

  it('DATABASE_URL: a postgres:// URL chooses PostgreSQL; anything else is refused without echoing it', () => {
    expect(loadConfig({ ...minimal, DATABASE_URL: 'postgres://bot:pw@db:5432/speech' }).databaseUrl).toBe('postgres://bot:pw@db:5432/speech');
    expect(loadConfig({ ...minimal, DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    const err = problemsOf({ ...minimal, DATABASE_URL: 'mysql://bot:s3cret@db/speech' });
    expect(err.problems).toEqual([expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\/ URL/)]);
    expect(err.message).not.toContain('s3cret');
  });

  it('reads the bot’s daily character budget and the price table', () => {
    const config = loadConfig({ ...minimal, TTS_DAILY_CHAR_BUDGET: '500000', TTS_PRICES: ' kokoro:0, my:model:2.5 ,tts-1:15,' });
    expect(config.usage).toEqual({ dailyCharBudget: 500_000, prices: { kokoro: 0, 'my:model': 2.5, 'tts-1': 15 } });
  });

  it.each(['tts-1', 'tts-1:', ':15', 'tts-1:abc', 'tts-1:-1'])('TTS_PRICES “%s” is a problem that shows the expected form', (prices) => {
    const err = problemsOf({ ...minimal, TTS_PRICES: prices });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^TTS_PRICES: must be model:dollars-per-million-characters pairs/);
  });

  it('reads TRANSCRIBE_MODEL and TRANSCRIBE_PRICES (dollars per minute), and names a bad price', () => {
    expect(loadConfig({ ...minimal, TRANSCRIBE_MODEL: 'gpt-4o-transcribe', TRANSCRIBE_PRICES: 'gpt-4o-transcribe:0.006' }).transcribe).toEqual({
      model: 'gpt-4o-transcribe',
      prices: { 'gpt-4o-transcribe': 0.006 },
    });
    const err = problemsOf({ ...minimal, TRANSCRIBE_PRICES: 'whisper-1:cheap' });
    expect(err.problems).toEqual([expect.stringMatching(/^TRANSCRIBE_PRICES: must be model:dollars-per-minute pairs/)]);
  });

  it('TTS_DAILY_CHAR_BUDGET must be a whole number, 0 or more', () => {
    expect(problemsOf({ ...minimal, TTS_DAILY_CHAR_BUDGET: '-5' }).problems[0]).toMatch(/^TTS_DAILY_CHAR_BUDGET/);
  });

  it.each([
    ['true', 'on'],
    ['on', 'on'],
    ['1', 'on'],
    ['false', 'off'],
    ['off', 'off'],
    ['auto', 'auto'],
    ['', 'auto'],
  ])('READING_ENABLED=%j is mode %s', (value, mode) => {
    const { reading } = loadConfig({ ...minimal, READING_ENABLED: value });
    expect(reading.mode).toBe(mode);
    // auto is settled at start from the application's flags; until then reading is off.
    expect(reading.enabled).toBe(mode === 'on');
  });

  it('READING_ENABLED must be auto, true or false', () => {
    expect(() => loadConfig({ ...minimal, READING_ENABLED: 'sometimes' })).toThrow(/READING_ENABLED: must be auto, true or false/);
  });

  it('empty optional variables take their defaults', () => {
    const config = loadConfig({ ...minimal, TTS_DEFAULT_SPEED: '', TTS_VOICES: '', LOG_LEVEL: ' ', DISCORD_DEV_GUILD_ID: '' });
    expect(config.tts.defaults.speed).toBe(1);
    expect(config.tts.voices).toContain('alloy');
    expect(config.logLevel).toBe('info');
    expect(config.discord.devGuildId).toBeUndefined();
  });

  it('TTS_API_KEY is optional for a non-OpenAI TTS_BASE_URL', () => {
    const config = loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP_ID, TTS_BASE_URL: 'http://127.0.0.1:8880/v1/' });
    expect(config.tts.providers).toHaveLength(1);
    expect(config.tts.providers[0]!.apiKey).toBeUndefined();
    expect(config.tts.providers[0]!.baseUrl).toBe('http://127.0.0.1:8880/v1');
    expect(config.tts.providers[0]!.name).toBe('default');
    // The same URL on OpenAI's host needs the key.
    expect(problemsOf({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP_ID, TTS_BASE_URL: 'https://api.openai.com/v1/' }).problems).toEqual([
      'TTS_API_KEY: is required when TTS_BASE_URL is OpenAI',
    ]);
  });

  it('parses lists from comma strings, trimming blanks and empty entries', () => {
    const config = loadConfig({
      ...minimal,
      TTS_MODELS: ' kokoro , tts-1,, ',
      TTS_DEFAULT_MODEL: 'kokoro',
      TTS_VOICES: 'af_bella,af_sky',
      TTS_DEFAULT_VOICE: 'af_sky',
      TTS_INSTRUCTION_MODELS: 'kokoro',
    });
    expect(config.tts.models).toEqual(['kokoro', 'tts-1']);
    expect(config.tts.voices).toEqual(['af_bella', 'af_sky']);
    expect(config.tts.instructionModels).toEqual(['kokoro']);
    expect(config.tts.defaults).toMatchObject({ model: 'kokoro', voice: 'af_sky' });
  });

  it('a list of only commas is a problem, not an empty list', () => {
    const err = problemsOf({ ...minimal, TTS_INSTRUCTION_MODELS: ' , ,' });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^TTS_INSTRUCTION_MODELS: .*at least one/);
  });

  it('coerces numbers, converts the idle timeout to ms and keeps explicit values', () => {
    const config = loadConfig({
      ...minimal,
      DISCORD_DEV_GUILD_ID: '987654321098765432',
      DISCORD_API_URL: 'http://127.0.0.1:3000/api//',
      TTS_DEFAULT_SPEED: '0.25',
      TTS_DEFAULT_FORMAT: 'opus',
      TTS_TIMEOUT_MS: '500',
      TTS_STALL_TIMEOUT_MS: '1200',
      TTS_MAX_RETRIES: '0',
      QUEUE_MAX_PER_GUILD: '3',
      QUEUE_MAX_PER_MEMBER: '1',
      VOICE_IDLE_TIMEOUT_S: '5',
      FFMPEG_PATH: '/usr/bin/ffmpeg',
      DATA_DIR: '/var/lib/bot',
      LOG_LEVEL: 'silent',
    });
    expect(config.discord.devGuildId).toBe('987654321098765432');
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:3000/api');
    expect(config.tts.defaults).toEqual({ model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 0.25, format: 'opus' });
    expect(config.tts).toMatchObject({ timeoutMs: 500, stallTimeoutMs: 1200, maxRetries: 0 });
    expect(config.queue).toEqual({ maxPerGuild: 3, maxPerMember: 1 });
    expect(config.voice.idleTimeoutMs).toBe(5000);
    expect(config.ffmpegPath).toBe('/usr/bin/ffmpeg');
    expect(config.dataDir).toBe('/var/lib/bot');
    expect(config.logLevel).toBe('silent');
  });

  it('accepts the speed range edges and rejects just outside them', () => {
    expect(loadConfig({ ...minimal, TTS_DEFAULT_SPEED: '4' }).tts.defaults.speed).toBe(4);
    expect(problemsOf({ ...minimal, TTS_DEFAULT_SPEED: '4.01' }).problems[0]).toMatch(/^TTS_DEFAULT_SPEED:/);
    expect(problemsOf({ ...minimal, TTS_DEFAULT_SPEED: '0.24' }).problems[0]).toMatch(/^TTS_DEFAULT_SPEED:/);
  });
});
