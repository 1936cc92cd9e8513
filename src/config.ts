import { z } from 'zod';
import { AUDIO_FORMATS, legacyProvider, parseProviders, type AudioFormat, type ProviderSpec } from './providersConfig.js';
import { shardAssignmentFrom, type ShardAssignment } from './sharding/assignment.js';

export { AUDIO_FORMATS, type AudioFormat, type ProviderSpec } from './providersConfig.js';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0))
    .pipe(z.array(z.string()).min(1, 'must list at least one value'));

const optionalList = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0))
  .pipe(z.array(z.string()).min(1, 'must list at least one value'))
  .optional();

const intInRange = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** An empty or blank environment value counts as unset. */
export const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const DEFAULT_MODEL = 'gpt-4o-mini-tts';
const DEFAULT_MODELS = 'gpt-4o-mini-tts,tts-1,tts-1-hd';
const DEFAULT_VOICE = 'alloy';
const DEFAULT_VOICES = 'alloy,ash,ballad,coral,echo,fable,nova,onyx,sage,shimmer,verse,marin,cedar';

/** Dollars per million characters by model, when TTS_PRICES is not set (OpenAI's list prices, late 2026). */
export const DEFAULT_PRICES = 'tts-1:15,tts-1-hd:30,gpt-4o-mini-tts:12';

/** Dollars per minute of audio by transcription model, when TRANSCRIBE_PRICES is not set (OpenAI's list prices, late 2026). */
export const DEFAULT_TRANSCRIBE_PRICES = 'whisper-1:0.006,gpt-4o-transcribe:0.006,gpt-4o-mini-transcribe:0.003';

/** Parses `model:dollars,model:dollars` (dollars per million characters); returns what is wrong as a string. */
export function parsePrices(text: string, unit = 'dollars-per-million-characters', example = DEFAULT_PRICES): Record<string, number> | string {
  const prices: Record<string, number> = {};
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const at = entry.lastIndexOf(':');
    const model = entry.slice(0, at).trim();
    const price = Number(entry.slice(at + 1).trim());
    if (at <= 0 || !model || entry.slice(at + 1).trim() === '' || !Number.isFinite(price) || price < 0) {
      return `must be model:${unit} pairs separated by commas (e.g. ${example}); “${entry}” is not`;
    }
    prices[model] = price;
  }
  return prices;
}

const schema = z
  .object({
    DISCORD_TOKEN: z.string({ error: 'is required (the bot token from the Developer Portal)' }).min(1, 'is required'),
    DISCORD_APPLICATION_ID: z
      .string({ error: 'is required (the application id from the Developer Portal)' })
      .regex(/^\d{17,20}$/, 'must be a numeric application id'),
    DISCORD_DEV_GUILD_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{17,20}$/, 'must be a numeric guild id').optional()),
    DISCORD_API_URL: z.preprocess(emptyAsUndefined, z.url().default('https://discord.com/api')),
    TTS_BASE_URL: z.preprocess(emptyAsUndefined, z.url().default('https://api.openai.com/v1')),
    TTS_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    TTS_DEFAULT_MODEL: z.preprocess(emptyAsUndefined, z.string().optional()),
    TTS_DEFAULT_VOICE: z.preprocess(emptyAsUndefined, z.string().optional()),
    TTS_DEFAULT_SPEED: z.preprocess(emptyAsUndefined, z.coerce.number().min(0.25).max(4).default(1)),
    TTS_DEFAULT_FORMAT: z.preprocess(emptyAsUndefined, z.enum(AUDIO_FORMATS).default('mp3')),
    TTS_MODELS: z.preprocess(emptyAsUndefined, optionalList),
    TTS_VOICES: z.preprocess(emptyAsUndefined, optionalList),
    TTS_LANGUAGE_VOICES: z.preprocess(emptyAsUndefined, z.string().optional()),
    TTS_PROVIDERS: z.preprocess(emptyAsUndefined, z.string().optional()),
    TTS_CIRCUIT_FAILURES: z.preprocess(emptyAsUndefined, intInRange(3, 1, 100)),
    TTS_CIRCUIT_COOLDOWN_S: z.preprocess(emptyAsUndefined, z.coerce.number().min(0.1).max(3600).default(30)),
    TTS_INSTRUCTION_MODELS: z.preprocess(emptyAsUndefined, list('gpt-4o-mini-tts')),
    TTS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, intInRange(15_000, 500, 120_000)),
    TTS_STALL_TIMEOUT_MS: z.preprocess(emptyAsUndefined, intInRange(8_000, 200, 120_000)),
    TTS_MAX_RETRIES: z.preprocess(emptyAsUndefined, intInRange(2, 0, 5)),
    TTS_MAX_CONCURRENCY: z.preprocess(emptyAsUndefined, intInRange(8, 1, 1000)),
    TTS_PIPELINE_MIN_CHARS: z.preprocess(emptyAsUndefined, intInRange(300, 0, 4096)),
    TTS_PIPELINE_AHEAD: z.preprocess(emptyAsUndefined, intInRange(2, 1, 8)),
    FFMPEG_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
    QUEUE_MAX_PER_GUILD: z.preprocess(emptyAsUndefined, intInRange(50, 1, 1000)),
    QUEUE_MAX_PER_MEMBER: z.preprocess(emptyAsUndefined, intInRange(5, 1, 1000)),
    VOICE_IDLE_TIMEOUT_S: z.preprocess(emptyAsUndefined, intInRange(300, 5, 86_400)),
    AUDIO_CACHE_MB: z.preprocess(emptyAsUndefined, intInRange(256, 0, 1_000_000)),
    TTS_DAILY_CHAR_BUDGET: z.preprocess(emptyAsUndefined, intInRange(0, 0, 1_000_000_000)),
    TTS_PRICES: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .default(DEFAULT_PRICES)
        .transform((text, ctx) => {
          const parsed = parsePrices(text);
          if (typeof parsed === 'string') {
            ctx.addIssue({ code: 'custom', message: parsed });
            return z.NEVER;
          }
          return parsed;
        }),
    ),
    TRANSCRIBE_MODEL: z.preprocess(emptyAsUndefined, z.string().trim().min(1).default('whisper-1')),
    TRANSCRIBE_PRICES: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .default(DEFAULT_TRANSCRIBE_PRICES)
        .transform((text, ctx) => {
          const parsed = parsePrices(text, 'dollars-per-minute', DEFAULT_TRANSCRIBE_PRICES);
          if (typeof parsed === 'string') {
            ctx.addIssue({ code: 'custom', message: parsed });
            return z.NEVER;
          }
          return parsed;
        }),
    ),
    READING_ENABLED: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['auto', 'true', 'false', 'on', 'off', '1', '0', 'yes', 'no'], { error: 'must be auto, true or false' })
        .default('auto')
        .transform((v): ReadingMode => (v === 'auto' ? 'auto' : ['true', 'on', '1', 'yes'].includes(v) ? 'on' : 'off')),
    ),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
    HTTP_PORT: z.preprocess(emptyAsUndefined, intInRange(0, 0, 65_535)),
    HTTP_HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
    SHUTDOWN_GRACE_S: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(600).default(5)),
    LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json')),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// URL (leave it empty to keep settings in DATA_DIR/settings.sqlite)' })
        .optional(),
    ),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
  });

/** READING_ENABLED: always, never, or when the Developer Portal allows the Message Content intent. */
export type ReadingMode = 'auto' | 'on' | 'off';

/** Why reading is on or off: the configuration said so, or (auto) the application's flags decided. */
export type ReadingCase = 'config-on' | 'config-off' | 'auto-allowed' | 'auto-not-allowed' | 'auto-unknown';

/** The speech vocabulary members choose from, and the providers that speak it. */
interface Speech {
  providers: ProviderSpec[];
  models: string[];
  voices: string[];
  defaultModel: string;
  defaultVoice: string;
  languageVoices: Record<string, string>;
}

/** "ja:jf_alpha, zh-CN:zf_xiaobei" → { ja: 'jf_alpha', 'zh-CN': 'zf_xiaobei' }, or what is wrong with it. */
export function parseLanguageVoices(text: string): Record<string, string> | string {
  const voices: Record<string, string> = {};
  for (const entry of csv(text)) {
    const match = /^([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\s*:\s*(\S+)$/.exec(entry);
    if (!match) return `must be language:voice pairs separated by commas (e.g. ja:jf_alpha,zh-CN:zf_xiaobei); “${entry}” is not`;
    voices[match[1]!] = match[2]!;
  }
  return voices;
}

const csv = (v: string) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/**
 * Checks that span several variables, run on the raw environment so they are reported with the rest. With
 * TTS_PROVIDERS, members choose from the first provider's models and voices (and its voiceMap names) unless
 * TTS_MODELS / TTS_VOICES say otherwise.
 */
function speechSetup(env: Record<string, string | undefined>): { speech: Speech; problems: string[] } {
  const problems: string[] = [];
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const providersRaw = value('TTS_PROVIDERS');
  let providers: ProviderSpec[] = [];
  if (providersRaw !== undefined) {
    const parsed = parseProviders(providersRaw, env);
    providers = parsed.providers;
    problems.push(...parsed.problems);
    for (const legacy of ['TTS_BASE_URL', 'TTS_API_KEY']) {
      if (value(legacy) !== undefined) problems.push(`${legacy}: leave it unset when TTS_PROVIDERS lists the providers (give each its own baseUrl and apiKey)`);
    }
  }
  const first = providers[0];
  const models = value('TTS_MODELS') ? csv(value('TTS_MODELS')!) : (first?.models ?? csv(DEFAULT_MODELS));
  // The first provider's voiceMap names are the bot's own voice names too.
  const firstVoices = first?.voices ? [...new Set([...Object.keys(first.voiceMap), ...first.voices])] : undefined;
  const voices = value('TTS_VOICES') ? csv(value('TTS_VOICES')!) : (firstVoices ?? csv(DEFAULT_VOICES));
  const derived = (fallback: string, l: string[]) => (providersRaw === undefined || l.includes(fallback) ? fallback : (l[0] ?? fallback));
  const defaultModel = value('TTS_DEFAULT_MODEL') ?? derived(DEFAULT_MODEL, models);
  const defaultVoice = value('TTS_DEFAULT_VOICE') ?? derived(DEFAULT_VOICE, voices);
  if (providersRaw === undefined) {
    const baseUrl = value('TTS_BASE_URL') ?? 'https://api.openai.com/v1';
    let isOpenAi = false;
    try {
      isOpenAi = new URL(baseUrl).hostname === 'api.openai.com';
      providers = [legacyProvider(baseUrl, value('TTS_API_KEY'), models, voices)];
    } catch {
      // reported by the schema
    }
    if (isOpenAi && !value('TTS_API_KEY')) problems.push('TTS_API_KEY: is required when TTS_BASE_URL is OpenAI');
  }
  if (models.length > 0 && !models.includes(defaultModel)) problems.push(`TTS_DEFAULT_MODEL: must be one of TTS_MODELS (${models.join(', ')})`);
  if (voices.length > 0 && !voices.includes(defaultVoice)) problems.push(`TTS_DEFAULT_VOICE: must be one of TTS_VOICES (${voices.join(', ')})`);
  const parsedLanguageVoices = parseLanguageVoices(value('TTS_LANGUAGE_VOICES') ?? '');
  const languageVoices = typeof parsedLanguageVoices === 'string' ? {} : parsedLanguageVoices;
  if (typeof parsedLanguageVoices === 'string') problems.push(`TTS_LANGUAGE_VOICES: ${parsedLanguageVoices}`);
  for (const [language, voice] of Object.entries(languageVoices)) {
    if (voices.length > 0 && !voices.includes(voice)) problems.push(`TTS_LANGUAGE_VOICES: ${language}:${voice}: the voice must be one of TTS_VOICES (${voices.join(', ')})`);
  }
  return { speech: { providers, models, voices, defaultModel, defaultVoice, languageVoices }, problems };
}

/** The validated configuration the whole bot runs on. */
export interface Config {
  discord: { token: string; applicationId: string; devGuildId: string | undefined; apiUrl: string };
  tts: {
    /** The speech providers in priority order (TTS_PROVIDERS, or the one TTS_BASE_URL describes). */
    providers: ProviderSpec[];
    /** Failures in a row that open a provider's circuit, and how long it stays open before one probe. */
    circuit: { failures: number; cooldownMs: number };
    defaults: { model: string; voice: string; speed: number; format: AudioFormat };
    models: string[];
    voices: string[];
    /** Default voice per spoken language (`ja` → `jf_alpha`), for voices that speak one language; keys as written in TTS_LANGUAGE_VOICES. */
    languageVoices: Record<string, string>;
    instructionModels: string[];
    timeoutMs: number;
    stallTimeoutMs: number;
    maxRetries: number;
    /** Provider calls in flight at once, across all guilds (shared fairly between them). */
    maxConcurrency: number;
    /** Voice texts longer than `minChars` are spoken as sentence parts, `ahead` parts made while one plays; 0 turns it off. */
    pipeline: { minChars: number; ahead: number };
  };
  ffmpegPath: string | undefined;
  queue: { maxPerGuild: number; maxPerMember: number };
  voice: { idleTimeoutMs: number };
  /** Disk cache of synthesized audio; 0 bytes turns it off. */
  cache: { maxBytes: number };
  /** Reading messages aloud needs the privileged Message Content intent; with `auto`, `enabled` is settled at start. */
  reading: { mode: ReadingMode; enabled: boolean; case: ReadingCase };
  /** Characters the whole bot may send to the provider per UTC day (0: no limit), and dollars per million characters by model. */
  usage: { dailyCharBudget: number; prices: Record<string, number> };
  /** Speech to text: the model sent to `POST {baseUrl}/audio/transcriptions`, and dollars per minute of audio by model. */
  transcribe: { model: string; prices: Record<string, number> };
  dataDir: string;
  /** The operations HTTP server (/healthz, /readyz, /metrics); port 0 turns it off. */
  http: { port: number; host: string };
  /** How long a shutdown lets the item being said finish. */
  shutdown: { graceMs: number };
  /** JSON lines for machines, or readable lines at a terminal. */
  logFormat: 'json' | 'pretty';
  /** PostgreSQL connection URL for the settings store; undefined: SQLite in DATA_DIR. */
  databaseUrl: string | undefined;
  /** The shards this process runs, when started by `npm run start:sharded` (discord.js's ShardingManager); else unsharded. */
  sharding: ShardAssignment | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Raised when the environment does not make a valid configuration; the message lists every problem. */
export class ConfigError extends Error {
  /** One line per problem, `NAME: what is wrong`. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The part of the configuration the deploy script needs (no speech settings required). */
export function loadDiscordConfig(env: Record<string, string | undefined>): Config['discord'] {
  const parsed = schema
    .pick({ DISCORD_TOKEN: true, DISCORD_APPLICATION_ID: true, DISCORD_DEV_GUILD_ID: true, DISCORD_API_URL: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  return {
    token: e.DISCORD_TOKEN,
    applicationId: e.DISCORD_APPLICATION_ID,
    devGuildId: e.DISCORD_DEV_GUILD_ID,
    apiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
  };
}

/** Validates the environment into a Config, reporting every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  const { speech, problems: speechProblems } = speechSetup(env);
  const sharding = shardAssignmentFrom(env);
  const extra = typeof sharding === 'string' ? [...speechProblems, sharding] : speechProblems;
  if (!parsed.success || extra.length > 0) {
    const problems = (parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const received = env[name];
      const missing = received === undefined || received === '';
      return `${name}: ${missing && !/required/.test(issue.message) ? `is required (${issue.message})` : issue.message}`;
    });
    throw new ConfigError([...problems, ...extra]);
  }
  const e = parsed.data!;
  return {
    discord: {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      devGuildId: e.DISCORD_DEV_GUILD_ID,
      apiUrl: e.DISCORD_API_URL.replace(/\/+$/, ''),
    },
    tts: {
      providers: speech.providers,
      circuit: { failures: e.TTS_CIRCUIT_FAILURES, cooldownMs: Math.round(e.TTS_CIRCUIT_COOLDOWN_S * 1000) },
      defaults: { model: speech.defaultModel, voice: speech.defaultVoice, speed: e.TTS_DEFAULT_SPEED, format: e.TTS_DEFAULT_FORMAT },
      models: speech.models,
      voices: speech.voices,
      languageVoices: speech.languageVoices,
      instructionModels: e.TTS_INSTRUCTION_MODELS,
      timeoutMs: e.TTS_TIMEOUT_MS,
      stallTimeoutMs: e.TTS_STALL_TIMEOUT_MS,
      maxRetries: e.TTS_MAX_RETRIES,
      maxConcurrency: e.TTS_MAX_CONCURRENCY,
      pipeline: { minChars: e.TTS_PIPELINE_MIN_CHARS, ahead: e.TTS_PIPELINE_AHEAD },
    },
    ffmpegPath: e.FFMPEG_PATH,
    queue: { maxPerGuild: e.QUEUE_MAX_PER_GUILD, maxPerMember: e.QUEUE_MAX_PER_MEMBER },
    voice: { idleTimeoutMs: e.VOICE_IDLE_TIMEOUT_S * 1000 },
    cache: { maxBytes: e.AUDIO_CACHE_MB * 1024 * 1024 },
    reading: {
      mode: e.READING_ENABLED,
      enabled: e.READING_ENABLED === 'on',
      case: e.READING_ENABLED === 'on' ? 'config-on' : e.READING_ENABLED === 'off' ? 'config-off' : 'auto-unknown',
    },
    usage: { dailyCharBudget: e.TTS_DAILY_CHAR_BUDGET, prices: e.TTS_PRICES },
    transcribe: { model: e.TRANSCRIBE_MODEL, prices: e.TRANSCRIBE_PRICES },
    dataDir: e.DATA_DIR,
    // Each shard process serves /metrics and /healthz on HTTP_PORT + its first shard id (stable across restarts and machines).
    http: { port: e.HTTP_PORT > 0 && typeof sharding === 'object' ? e.HTTP_PORT + sharding.ids[0]! : e.HTTP_PORT, host: e.HTTP_HOST },
    shutdown: { graceMs: Math.round(e.SHUTDOWN_GRACE_S * 1000) },
    logFormat: e.LOG_FORMAT,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    sharding: typeof sharding === 'object' ? sharding : undefined,
  };
}
