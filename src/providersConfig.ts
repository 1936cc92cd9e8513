import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** Audio formats the speech endpoint can return. */
export const AUDIO_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
/** One of the endpoint's response formats. */
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** One speech provider as the bot runs it: where it is, what it knows, what it honours. */
export interface ProviderSpec {
  /** Short unique name, shown in logs and /diagnose (never a secret). */
  name: string;
  /** OpenAI-style base URL without a trailing slash, e.g. `http://kokoro:8880/v1`. */
  baseUrl: string;
  /** The key itself (from `apiKey`, or read from the variable named by `apiKeyEnv`). */
  apiKey: string | undefined;
  /** Models it serves, in preference order; absent: whatever model the member chose is sent as is. */
  models: string[] | undefined;
  /** Voices it knows; absent: the (mapped) voice is sent as is. */
  voices: string[] | undefined;
  /** The bot's voice names translated to this provider's (`{ "nova": "af_nova" }`). */
  voiceMap: Record<string, string>;
  /** Formats it can return; another format is asked as the first of these. */
  formats: AudioFormat[];
  /** Whether it honours `speed` (false: it is not sent). */
  speed: boolean;
  /** Whether it honours `instructions` (false: they are not sent). */
  instructions: boolean;
  /** Whether `GET {baseUrl}/models` exists (checked at start and daily for missing and retiring models). */
  modelsEndpoint: boolean;
  /** Calls in flight at once at this provider; absent: only TTS_MAX_CONCURRENCY applies. */
  maxConcurrency: number | undefined;
}

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1-40 letters, digits, dots, dashes or underscores');
const nonEmptyList = z.array(z.string().trim().min(1, 'must not be empty')).min(1, 'must list at least one value');

/** One entry of TTS_PROVIDERS as operators write it. */
const entrySchema = z
  .object({
    name,
    baseUrl: z.url('must be a URL such as https://api.openai.com/v1'),
    apiKey: z.string().min(1, 'must not be empty (leave it out for servers that need no key)').optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
      .optional(),
    models: nonEmptyList.optional(),
    voices: nonEmptyList.optional(),
    voiceMap: z.record(z.string().min(1), z.string().trim().min(1, 'must not be empty')).default({}),
    formats: z.array(z.enum(AUDIO_FORMATS)).min(1, 'must list at least one format').default([...AUDIO_FORMATS]),
    speed: z.boolean().default(true),
    instructions: z.boolean().default(true),
    modelsEndpoint: z.boolean().default(true),
    maxConcurrency: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** What the operator gave as TTS_PROVIDERS: JSON text, or a path to a JSON file. */
function readProvidersText(raw: string): { text: string } | { problem: string } {
  const trimmed = raw.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return { text: trimmed };
  if (!existsSync(trimmed)) return { problem: `TTS_PROVIDERS: is neither a JSON array nor the path of an existing file (${trimmed})` };
  try {
    return { text: readFileSync(trimmed, 'utf8') };
  } catch (err) {
    return { problem: `TTS_PROVIDERS: cannot read ${trimmed} (${(err as Error).message})` };
  }
}

function isOpenAi(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/**
 * Parses TTS_PROVIDERS (JSON array or file path) into provider specs; every problem is returned, named
 * `TTS_PROVIDERS[i].field: what is wrong`, so the caller reports them with the rest of the configuration.
 */
export function parseProviders(raw: string, env: Record<string, string | undefined>): { providers: ProviderSpec[]; problems: string[] } {
  const source = readProvidersText(raw);
  if ('problem' in source) return { providers: [], problems: [source.problem] };
  let json: unknown;
  try {
    json = JSON.parse(source.text);
  } catch (err) {
    return { providers: [], problems: [`TTS_PROVIDERS: is not valid JSON (${(err as Error).message})`] };
  }
  if (!Array.isArray(json) || json.length === 0) {
    return { providers: [], problems: ['TTS_PROVIDERS: must be a JSON array with at least one provider'] };
  }
  const problems: string[] = [];
  const providers: ProviderSpec[] = [];
  const seen = new Set<string>();
  json.forEach((entry, i) => {
    const at = `TTS_PROVIDERS[${i}]`;
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
        problems.push(`${at}${path}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`);
      }
      return;
    }
    const p = parsed.data;
    if (seen.has(p.name)) problems.push(`${at}.name: "${p.name}" is used by an earlier provider`);
    seen.add(p.name);
    if (p.apiKey !== undefined && p.apiKeyEnv !== undefined) problems.push(`${at}: give apiKey or apiKeyEnv, not both`);
    let apiKey = p.apiKey;
    if (p.apiKeyEnv !== undefined) {
      apiKey = env[p.apiKeyEnv]?.trim() || undefined;
      if (!apiKey) problems.push(`${at}.apiKeyEnv: the variable ${p.apiKeyEnv} is not set`);
    }
    if (isOpenAi(p.baseUrl) && p.apiKey === undefined && p.apiKeyEnv === undefined) {
      problems.push(`${at}.apiKey: is required for OpenAI (give apiKey or apiKeyEnv)`);
    }
    if (p.voices) {
      for (const [from, to] of Object.entries(p.voiceMap)) {
        if (!p.voices.includes(to)) problems.push(`${at}.voiceMap.${from}: "${to}" is not one of its voices (${p.voices.join(', ')})`);
      }
    }
    providers.push({
      name: p.name,
      baseUrl: p.baseUrl.replace(/\/+$/, ''),
      apiKey,
      models: p.models,
      voices: p.voices,
      voiceMap: p.voiceMap,
      formats: [...new Set(p.formats)],
      speed: p.speed,
      instructions: p.instructions,
      modelsEndpoint: p.modelsEndpoint,
      maxConcurrency: p.maxConcurrency,
    });
  });
  return { providers, problems };
}

/** The one provider today's TTS_BASE_URL / TTS_API_KEY / TTS_MODELS / TTS_VOICES describe. */
export function legacyProvider(baseUrl: string, apiKey: string | undefined, models: string[], voices: string[]): ProviderSpec {
  return {
    name: isOpenAi(baseUrl) ? 'openai' : 'default',
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKey,
    models,
    voices,
    voiceMap: {},
    formats: [...AUDIO_FORMATS],
    speed: true,
    instructions: true,
    modelsEndpoint: true,
    maxConcurrency: undefined,
  };
}
