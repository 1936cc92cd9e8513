import { z } from 'zod';
import { AUDIO_FORMATS, type AudioFormat, type Config } from '../config.js';
import { BotError, type ErrorKey } from '../errors.js';

/** The endpoint's hard limit on input length, in characters. */
export const MAX_INPUT_CHARS = 4096;
/** Allowed speed range of the endpoint. */
export const SPEED_RANGE = { min: 0.25, max: 4 } as const;

/** A validated request body for POST {base}/audio/speech. */
export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  response_format: AudioFormat;
  speed: number;
  instructions?: string;
}

/** What a caller asks for; unset fields take the configured defaults. */
export interface SpeechAsk {
  text: string;
  voice?: string | undefined;
  model?: string | undefined;
  speed?: number | undefined;
  format?: AudioFormat | string | undefined;
  instructions?: string | undefined;
}

type TtsConfig = Pick<Config['tts'], 'defaults' | 'models' | 'voices' | 'instructionModels'>;

function invalid(key: ErrorKey & `request.${string}`, details: Record<string, string | number> = {}): never {
  throw new BotError(key, details);
}

/** Builds and validates a speech request against the endpoint's contract, with a reply-ready reason on failure. */
export function buildSpeechRequest(ask: SpeechAsk, tts: TtsConfig): SpeechRequest {
  const input = ask.text.trim();
  if (input.length === 0) invalid('request.no_text');
  if (input.length > MAX_INPUT_CHARS) {
    invalid('request.text_too_long', { length: input.length, limit: MAX_INPUT_CHARS });
  }
  const model = ask.model ?? tts.defaults.model;
  if (!tts.models.includes(model)) invalid('request.unknown_model', { model, allowed: tts.models.join(', ') });
  const voice = ask.voice ?? tts.defaults.voice;
  if (!tts.voices.includes(voice)) invalid('request.unknown_voice', { voice, allowed: tts.voices.join(', ') });
  const format = ask.format ?? tts.defaults.format;
  const parsedFormat = z.enum(AUDIO_FORMATS).safeParse(format);
  if (!parsedFormat.success) invalid('request.unknown_format', { format: String(format), allowed: AUDIO_FORMATS.join(', ') });
  const speed = ask.speed ?? tts.defaults.speed;
  if (!Number.isFinite(speed) || speed < SPEED_RANGE.min || speed > SPEED_RANGE.max) {
    invalid('request.bad_speed', { min: SPEED_RANGE.min, max: SPEED_RANGE.max });
  }
  const request: SpeechRequest = { model, input, voice, response_format: parsedFormat.data, speed };
  const instructions = ask.instructions?.trim();
  if (instructions) {
    if (!tts.instructionModels.includes(model)) {
      invalid('request.no_instructions', { models: tts.instructionModels.join(', '), model });
    }
    if (instructions.length > MAX_INPUT_CHARS) invalid('request.instructions_too_long', { limit: MAX_INPUT_CHARS });
    request.instructions = instructions;
  }
  return request;
}

/** File extension and MIME type for each response format. */
export const FORMAT_FILE: Record<AudioFormat, { ext: string; contentType: string }> = {
  mp3: { ext: 'mp3', contentType: 'audio/mpeg' },
  opus: { ext: 'ogg', contentType: 'audio/ogg' },
  aac: { ext: 'aac', contentType: 'audio/aac' },
  flac: { ext: 'flac', contentType: 'audio/flac' },
  wav: { ext: 'wav', contentType: 'audio/wav' },
  pcm: { ext: 'pcm', contentType: 'audio/l16;rate=24000;channels=1' },
};
