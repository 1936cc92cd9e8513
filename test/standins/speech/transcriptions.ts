/**
 * `POST /v1/audio/transcriptions` as OpenAI answers it: multipart/form-data with `file` and `model` (optional
 * `language`, `prompt`, `response_format` json | text | srt | verbose_json | vtt, `temperature`); the file's format
 * is judged by its name; the whole request may be at most 26,214,400 bytes (413, OpenAI's own message); error bodies
 * `{ error: { message, type, param, code } }`.
 */
import { errorBody, invalidRequest, type OpenAiErrorBody } from './openaiErrors.js';
import { transcribeOwnAudio, type ProducedClip } from './recognize.js';

/** OpenAI's request size limit for uploads (25 MiB), as its 413 message states it. */
export const TRANSCRIPTION_MAX_REQUEST_BYTES = 26_214_400;

/** File extensions OpenAI accepts, in the order its error message lists them. */
export const TRANSCRIPTION_FORMATS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'] as const;

/** Transcription models accepted by default. */
export const DEFAULT_TRANSCRIBE_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'];

const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'];

/** What a transcription request was, for the request record (never the audio itself). */
export interface TranscriptionRecordBody {
  model: string | null;
  response_format: string | null;
  file: { filename: string; contentType: string; bytes: number } | null;
}

/** The answer to one transcription request. */
export type TranscriptionAnswer =
  | { kind: 'error'; status: number; body: OpenAiErrorBody }
  | { kind: 'ok'; contentType: string; body: string; text: string };

/** The 413 OpenAI sends for a request over its limit. */
export function tooLarge(bytesRead: number): OpenAiErrorBody {
  return errorBody(`Maximum content size limit (${TRANSCRIPTION_MAX_REQUEST_BYTES}) exceeded (${bytesRead} bytes read)`, 'server_error');
}

/** Parses the multipart form (undici's parser, as in fetch's Request.formData()). */
export async function readForm(raw: Buffer, contentType: string | undefined): Promise<FormData | undefined> {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  try {
    return await new Request('http://standin/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  } catch {
    return undefined;
  }
}

/** What the record shows of a form. */
export function recordOf(form: FormData | undefined): TranscriptionRecordBody | null {
  if (!form) return null;
  const file = form.get('file');
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === 'string' ? v : null;
  };
  return {
    model: text('model'),
    response_format: text('response_format'),
    file: file instanceof File ? { filename: file.name, contentType: file.type, bytes: file.size } : null,
  };
}

/** Validates the form and transcribes its file (the stand-in's own audio is recognised; anything else gets a fixed text). */
export async function answerTranscription(form: FormData | undefined, models: readonly string[], produced: readonly ProducedClip[]): Promise<TranscriptionAnswer> {
  const fail = (status: number, body: OpenAiErrorBody): TranscriptionAnswer => ({ kind: 'error', status, body });
  if (!form) return fail(400, invalidRequest('Could not parse multipart form'));
  const model = form.get('model');
  if (typeof model !== 'string' || model === '') return fail(400, errorBody("Missing required parameter: 'model'.", 'invalid_request_error', 'model', 'missing_required_parameter'));
  const file = form.get('file');
  if (!(file instanceof File)) return fail(400, errorBody("Missing required parameter: 'file'.", 'invalid_request_error', 'file', 'missing_required_parameter'));
  if (!models.includes(model)) {
    return fail(404, errorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found'));
  }
  const format = form.get('response_format') ?? 'json';
  if (typeof format !== 'string' || !RESPONSE_FORMATS.includes(format)) {
    return fail(400, invalidRequest(`'${String(format)}' is not one of ${RESPONSE_FORMATS.map((f) => `'${f}'`).join(', ')} - 'response_format'`, 'response_format'));
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
  if (!ext || !(TRANSCRIPTION_FORMATS as readonly string[]).includes(ext)) {
    return fail(400, invalidRequest(`Invalid file format. Supported formats: [${TRANSCRIPTION_FORMATS.map((f) => `'${f}'`).join(', ')}]`));
  }
  let text: string;
  try {
    text = await transcribeOwnAudio(Buffer.from(await file.arrayBuffer()), produced);
  } catch {
    return fail(400, invalidRequest('The audio file could not be decoded or its format is not supported.'));
  }
  if (format === 'text') return { kind: 'ok', contentType: 'text/plain; charset=utf-8', body: `${text}\n`, text };
  if (format === 'srt' || format === 'vtt') {
    const cue = `00:00:00${format === 'srt' ? ',' : '.'}000 --> 00:00:01${format === 'srt' ? ',' : '.'}000\n${text}\n`;
    return { kind: 'ok', contentType: 'text/plain; charset=utf-8', body: format === 'srt' ? `1\n${cue}` : `WEBVTT\n\n${cue}`, text };
  }
  const json = format === 'verbose_json' ? { task: 'transcribe', language: 'english', duration: 0, text, segments: [] } : { text, usage: { type: 'duration', seconds: 0 } };
  return { kind: 'ok', contentType: 'application/json', body: JSON.stringify(json), text };
}
