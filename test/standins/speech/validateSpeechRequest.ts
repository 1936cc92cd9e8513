/** Checks a `POST /audio/speech` JSON body against the OpenAI contract and answers OpenAI-style errors. */
import { isSpeechFormat, SPEECH_FORMATS, type SpeechFormat } from './formats.js';
import { errorBody, invalidRequest, type OpenAiErrorBody } from './openaiErrors.js';

/** A speech request that passed validation, with defaults filled in. */
export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  response_format: SpeechFormat;
  speed: number;
  instructions?: string;
  stream_format: 'audio';
}

/** What the validator accepts as model and voice names. */
export interface SpeechCatalog {
  models: readonly string[];
  voices: readonly string[];
}

/** Outcome of {@link validateSpeechRequest}. */
export type SpeechValidation = { ok: true; request: SpeechRequest } | { ok: false; status: number; error: OpenAiErrorBody };

/** Models the stand-in knows unless configured otherwise. */
export const DEFAULT_MODELS: readonly string[] = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'];
/** Built-in voices the stand-in knows unless configured otherwise. */
export const DEFAULT_VOICES: readonly string[] = [
  'alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar',
];

const MAX_INPUT_CHARS = 4096;
const MIN_SPEED = 0.25;
const MAX_SPEED = 4;
const KNOWN_FIELDS = new Set(['model', 'input', 'voice', 'response_format', 'speed', 'instructions', 'stream_format']);

/** Validates a parsed JSON body; the first problem found is reported, in the order OpenAI checks fields. */
export function validateSpeechRequest(body: unknown, catalog: SpeechCatalog): SpeechValidation {
  const fail = (message: string, param: string | null = null): SpeechValidation => ({ ok: false, status: 400, error: invalidRequest(message, param) });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(`Invalid type for request body: expected an object, but got ${jsonType(body)} instead.`);
  }
  const fields = body as Record<string, unknown>;
  const unknownField = Object.keys(fields).find((key) => !KNOWN_FIELDS.has(key));
  if (unknownField !== undefined) return fail(`Unrecognized request argument supplied: ${unknownField}`);

  const { model, input, voice } = fields;
  // Optional fields sent as JSON null count as absent, as with the real API.
  const format = fields.response_format ?? 'mp3';
  const speed = fields.speed ?? 1;
  const instructions = fields.instructions ?? undefined;
  const streamFormat = fields.stream_format ?? 'audio';

  if (model === undefined || model === null) return fail('you must provide a model parameter');
  if (typeof model !== 'string') return fail(typeMessage('model', 'a string', model), 'model');
  if (!catalog.models.includes(model)) {
    return {
      ok: false,
      status: 404,
      error: errorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found'),
    };
  }

  if (input === undefined || input === null) return fail("Missing required parameter: 'input'.", 'input');
  if (typeof input !== 'string') return fail(typeMessage('input', 'a string', input), 'input');
  const inputChars = [...input].length;
  if (inputChars < 1) {
    return fail("Invalid 'input': string too short. Expected a string with minimum length 1, but got an empty string instead.", 'input');
  }
  if (inputChars > MAX_INPUT_CHARS) {
    return fail(
      `Invalid 'input': string too long. Expected a string with maximum length ${MAX_INPUT_CHARS}, but got a string with length ${inputChars} instead.`,
      'input',
    );
  }

  if (voice === undefined || voice === null) return fail("Missing required parameter: 'voice'.", 'voice');
  if (typeof voice !== 'string') return fail(typeMessage('voice', 'a string', voice), 'voice');
  if (!catalog.voices.includes(voice)) return fail(valueMessage(voice, catalog.voices), 'voice');

  if (typeof format !== 'string') return fail(typeMessage('response_format', 'a string', format), 'response_format');
  if (!isSpeechFormat(format)) return fail(valueMessage(format, SPEECH_FORMATS), 'response_format');

  if (typeof speed !== 'number' || !Number.isFinite(speed)) return fail(typeMessage('speed', 'a decimal', speed), 'speed');
  if (speed < MIN_SPEED) {
    return fail(`Invalid 'speed': decimal below minimum value. Expected a value >= ${MIN_SPEED}, but got ${speed} instead.`, 'speed');
  }
  if (speed > MAX_SPEED) {
    return fail(`Invalid 'speed': decimal above maximum value. Expected a value <= ${MAX_SPEED}, but got ${speed} instead.`, 'speed');
  }

  const legacyModel = model.startsWith('tts-1');
  if (instructions !== undefined) {
    if (typeof instructions !== 'string') return fail(typeMessage('instructions', 'a string', instructions), 'instructions');
    if (legacyModel) return fail(`Instructions are not supported for the model ${model}.`, 'instructions');
  }

  if (streamFormat !== 'audio' && streamFormat !== 'sse') return fail(valueMessage(streamFormat, ['sse', 'audio']), 'stream_format');
  if (streamFormat === 'sse') {
    return fail(
      legacyModel
        ? `stream_format 'sse' is not supported for the model ${model}.`
        : "stream_format 'sse' is not supported by the speech stand-in; use 'audio'.",
      'stream_format',
    );
  }

  const request: SpeechRequest = { model, input, voice, response_format: format, speed, stream_format: 'audio' };
  if (typeof instructions === 'string') request.instructions = instructions;
  return { ok: true, request };
}

function typeMessage(param: string, expected: string, value: unknown): string {
  return `Invalid type for '${param}': expected ${expected}, but got ${jsonType(value)} instead.`;
}

function valueMessage(value: unknown, allowed: readonly string[]): string {
  const quoted = allowed.map((v) => `'${v}'`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}` : (quoted[0] ?? '');
  return `Invalid value: '${String(value)}'. Supported values are: ${list}.`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}
