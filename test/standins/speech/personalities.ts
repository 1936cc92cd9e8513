/**
 * How the OpenAI-compatible speech servers bots meet differ from OpenAI: their voices and models, the formats they
 * really return, whether they honour `speed`, the shape of their error bodies, and whether they have `GET /models`.
 * Read from each project's sources (Kokoro-FastAPI api/src/routers/openai_compatible.py and openai_mappings.json;
 * openedai-speech speech.py and openedai.py; LocalAI core/http/endpoints/localai/tts.go, middleware/request.go,
 * pkg/utils/ffmpeg.go) and OpenAI's own API reference and deprecations guide (shutdown_date in GET /v1/models).
 */
import type { SpeechFormat } from './formats.js';
import { DEFAULT_VOICES } from './validateSpeechRequest.js';

/** The names of the known personalities. */
export type PersonalityName = 'openai' | 'gateway' | 'kokoro' | 'openedai' | 'localai';

/** One error the way a server words it. */
export interface ShapedError {
  status: number;
  body: unknown;
}

/** What a personality changes in the stand-in. */
export interface Personality {
  name: PersonalityName;
  models: readonly string[];
  /** Voices it accepts; undefined: any string (the voice is a property of the model). */
  voices: readonly string[] | undefined;
  /** Whether it needs the Bearer key (self-hosted servers take any or none). */
  needsKey: boolean;
  /** The format it really sends for an asked one (LocalAI builds without ffmpeg conversion send WAV whatever is asked). */
  serves(asked: SpeechFormat): SpeechFormat;
  /** Content-Type it puts on each format. */
  contentType: Partial<Record<SpeechFormat, string>>;
  /** Whether `speed` changes the audio. */
  honoursSpeed: boolean;
  /** Whether fields it does not know (e.g. `instructions`) are ignored instead of refused. */
  ignoresUnknownFields: boolean;
  /** Whether `GET /v1/models` exists. */
  hasModelsList: boolean;
  /** `shutdown_date` (YYYY-MM-DD) per model in its models list. */
  shutdownDates: Readonly<Record<string, string>>;
  /** A refused model, worded its way. */
  unknownModel(model: string): ShapedError;
  /** Any other 4xx/5xx, worded its way (`param` names the field). */
  error(status: number, message: string, param: string | null, code: string | null): ShapedError;
}

const openAiError = (status: number, message: string, param: string | null, code: string | null, type = 'invalid_request_error'): ShapedError => ({
  status,
  body: { error: { message, type: status >= 500 ? 'server_error' : type, param, code } },
});

/** OpenAI's text-to-speech models are deprecated and shut down on this day (OpenAI's text-to-speech guide). */
export const OPENAI_TTS_SHUTDOWN = '2027-01-06';

const openai: Personality = {
  name: 'openai',
  models: ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'],
  voices: DEFAULT_VOICES,
  needsKey: true,
  serves: (asked) => asked,
  contentType: { opus: 'audio/opus' },
  honoursSpeed: true,
  ignoresUnknownFields: false,
  hasModelsList: true,
  shutdownDates: { 'tts-1': OPENAI_TTS_SHUTDOWN, 'tts-1-hd': OPENAI_TTS_SHUTDOWN, 'gpt-4o-mini-tts': OPENAI_TTS_SHUTDOWN },
  unknownModel: (model) => openAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, null, 'model_not_found'),
  error: (status, message, param, code) => openAiError(status, message, param, code),
};

/** A proxy that forwards to OpenAI (LiteLLM-like): OpenAI's names, its own key, no shutdown dates, errors prefixed and coded by status. */
const gateway: Personality = {
  ...openai,
  name: 'gateway',
  contentType: { opus: 'audio/ogg' },
  shutdownDates: {},
  unknownModel: (model) => openAiError(404, `gateway: NotFoundError: OpenAIException - The model \`${model}\` does not exist or you do not have access to it.`, null, '404'),
  error: (status, message, param) => openAiError(status, `gateway: ${message}`, param, String(status)),
};

/** Kokoro-FastAPI's own voices (American/British, female/male); OpenAI's names are mapped to some of them. */
const KOKORO_VOICES = [
  'af_alloy', 'af_aoede', 'af_bella', 'af_heart', 'af_jessica', 'af_kore', 'af_nicole', 'af_nova', 'af_river', 'af_sarah', 'af_sky',
  'am_adam', 'am_echo', 'am_eric', 'am_fenrir', 'am_liam', 'am_michael', 'am_onyx', 'am_puck',
  'bf_alice', 'bf_emma', 'bf_isabella', 'bf_lily', 'bm_daniel', 'bm_fable', 'bm_george', 'bm_lewis',
  // Its voices of other languages: each speaks one language (Japanese j*, Mandarin z*, Spanish e*, French f*, Hindi h*, Italian i*, Portuguese p*).
  'jf_alpha', 'jf_gongitsune', 'jf_nezumi', 'jf_tebukuro', 'jm_kumo',
  'zf_xiaobei', 'zf_xiaoni', 'zf_xiaoxiao', 'zf_xiaoyi', 'zm_yunjian', 'zm_yunxi', 'zm_yunxia', 'zm_yunyang',
  'ef_dora', 'em_alex', 'em_santa', 'ff_siwis', 'hf_alpha', 'hf_beta', 'hm_omega', 'hm_psi', 'if_sara', 'im_nicola', 'pf_dora', 'pm_alex', 'pm_santa',
];

const kokoro: Personality = {
  name: 'kokoro',
  models: ['kokoro', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'],
  // Its openai_mappings.json accepts alloy, ash, coral, echo, fable, onyx, nova, sage and shimmer as aliases.
  voices: [...KOKORO_VOICES, 'alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'],
  needsKey: false,
  serves: (asked) => asked,
  contentType: { opus: 'audio/opus', pcm: 'audio/pcm' },
  honoursSpeed: true,
  ignoresUnknownFields: true,
  hasModelsList: true,
  shutdownDates: {},
  // FastAPI HTTPException: the detail object is the body's `detail`.
  unknownModel: (model) => ({ status: 400, body: { detail: { error: 'invalid_model', message: `Unsupported model: ${model}`, type: 'invalid_request_error' } } }),
  error: (status, message) => ({
    status,
    body: { detail: { error: status >= 500 ? 'processing_error' : 'validation_error', message, type: status >= 500 ? 'server_error' : 'invalid_request_error' } },
  }),
};

const openedai: Personality = {
  name: 'openedai',
  models: ['tts-1', 'tts-1-hd'],
  voices: ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'],
  needsKey: false,
  serves: (asked) => asked,
  contentType: { opus: 'audio/ogg;codec=opus', flac: 'audio/x-flac', pcm: 'audio/pcm;rate=24000' },
  honoursSpeed: true,
  ignoresUnknownFields: true,
  hasModelsList: true,
  shutdownDates: {},
  // Its exception handlers answer a flat { message, code, type, param }.
  unknownModel: () => ({ status: 400, body: { message: 'No such model, must be tts-1 or tts-1-hd.', code: 400, type: 'BadRequestError', param: 'model' } }),
  error: (status, message, param) =>
    status >= 500
      ? { status, body: { message: 'InternalServerError', code: status } }
      : { status, body: { message, code: status, type: 'BadRequestError', param } },
};

const localai: Personality = {
  name: 'localai',
  models: ['voice-en-us-amy-low'],
  voices: undefined,
  needsKey: false,
  serves: () => 'wav',
  contentType: { wav: 'audio/x-wav' },
  honoursSpeed: false,
  ignoresUnknownFields: true,
  hasModelsList: true,
  shutdownDates: {},
  unknownModel: (model) => ({
    status: 404,
    body: { error: { message: `model "${model}" not found. To see available models, call GET /v1/models`, code: 404, type: 'invalid_request_error' } },
  }),
  error: (status, message) => ({ status, body: { error: { message, code: status } } }),
};

/** Every known personality by name. */
export const PERSONALITIES: Readonly<Record<PersonalityName, Personality>> = { openai, gateway, kokoro, openedai, localai };
