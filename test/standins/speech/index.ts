/**
 * # Speech stand-in: a local OpenAI-compatible `POST /v1/audio/speech`
 *
 * Tests point the bot's speech base URL at this server instead of api.openai.com. It follows OpenAI's contract
 * (JSON body, Bearer auth, OpenAI error bodies, chunked audio) and serves a *recognisable* sine tone, so the
 * audio can be checked after it went through the bot (attachment bytes, or the tone/length of voice packets).
 *
 * ## Start / stop
 * ```ts
 * const speech = await startSpeechStandin({ ttfbMs: 50 });   // 127.0.0.1, ephemeral port
 * speech.baseUrl;  // 'http://127.0.0.1:PORT/v1'  → the bot's OpenAI base URL
 * speech.apiKey;   // 'sk-test-standin'           → the bot's API key
 * await speech.close();  // also ends open (stalled) responses
 * ```
 * By hand: `node_modules/.bin/node --import tsx test/standins/speech/cli.ts --port 8089` prints URL and key.
 *
 * ## What it answers
 * - `POST /v1/audio/speech` `{ model, input, voice, response_format?, speed?, instructions?, stream_format? }`:
 *   200 with `Content-Type` per format (mp3 audio/mpeg, opus `contentTypeOpus` = audio/opus, aac audio/aac (ADTS),
 *   flac audio/flac, wav audio/wav, pcm audio/pcm), `Transfer-Encoding: chunked`, pieces of ~100 ms of audio
 *   (opus: whole Ogg pages) at 4× real time by default (`bytesPerSecond`, `chunkBytes`, `ttfbMs` options;
 *   `ttfbMsPerChar` adds time to first byte per input character, like a provider that synthesizes before it streams).
 * - 401 without / with a wrong Bearer key (code 'invalid_api_key' for a wrong key; null, as OpenAI, for none).
 * - 400 `{ error: { message, type: 'invalid_request_error', param: '<field>', code: null } }` for a bad field:
 *   input empty or > 4096 chars, unknown voice / response_format, speed outside 0.25–4, instructions with tts-1*,
 *   stream_format 'sse' (not implemented), unknown extra fields (param null, like OpenAI); unknown model → 404 model_not_found.
 * - `GET /v1/models` (the configured models); anything else 404 `Invalid URL (METHOD /path)`.
 * - `POST /v1/audio/transcriptions` (multipart: `file`, `model`, `response_format` json | text | srt | verbose_json | vtt):
 *   413 over 26,214,400 bytes (OpenAI's "Maximum content size limit" body, checked first), 401, 400 for an unparsable form,
 *   a missing `file` / `model`, a file name whose extension OpenAI does not take ("Invalid file format. Supported
 *   formats: [...]") or audio ffmpeg cannot decode; 404 model_not_found for a model not in `transcribeModels`.
 *   The text is what the stand-in synthesized when it hears one of its own tones (recognize.ts: tone + length
 *   against `speech.produced`, robust to transcodes and tempo changes), else `UNKNOWN_AUDIO_TRANSCRIPT`.
 *   `transcriptions: false` makes the route 404 (a provider without it). `speech.transcripts` lists what was answered.
 *
 * ## The audio
 * - `toneFor(text)` Hz (220–1760 Hz grid, 5 % apart) for `durationFor(text, speed)` s (0.5 s + 0.04 s/char, ≤ 20 s, ÷ speed).
 *   Voice and model do not change the audio. opus is Ogg Opus at 48 kHz (mono, 20 ms packets, 5 per page,
 *   OpusHead input rate 24000, like OpenAI); the rest is 24 kHz mono (pcm/wav raw s16le, mp3/aac/flac via ffmpeg).
 * - `speech.expectedAudio({ input, speed?, response_format?, opus? })` → the exact bytes served for such a
 *   request (fault-free). Each record also has `audio.sha256` (the clip) and `sha256` (bytes actually sent).
 *
 * ## Faults (scenario API)
 * - `speech.next(fault | fault[], match?)` applies to the next request (the next whose JSON body matches: a
 *   predicate, or fields to equal, e.g. `{ input: 'hello' }`). `speech.always(fault | fault[] | null)` is sticky.
 *   A request gets the sticky faults, overridden kind by kind by its queued entry. A queued entry without a
 *   `status` fault is only used by a request that will be served (right key, valid body).
 * - `{ kind: 'status', status: 429, retryAfterSeconds?, code?: 'insufficient_quota', message? }`, 500/502/503,
 *   401, any other; `raw: { body, contentType }` for non-JSON bodies (e.g. a proxy's HTML 502). Checked before auth.
 * - `{ kind: 'delay', ttfbMs }` · `{ kind: 'stall', afterBytes, forMs? }` (forever = until client abort / close())
 *   · `{ kind: 'cut', afterBytes }` (socket destroyed) · `{ kind: 'garbage', bytes? }` · `{ kind: 'shape', opus }`
 *   (encodeOggOpus options: 60 ms / 10 ms packets, stereo, `maxPageBodyBytes` for continued packets)
 *   · `{ kind: 'format', respondAs, contentType? }` · `{ kind: 'pace', bytesPerSecond, chunkBytes? }`.
 *
 * ## Observing
 * - `speech.requests`: records (live; GET /v1/models ones are in `speech.modelListRequests` instead) `{ id, at, method, path, headers (no authorization), hadAuth, authOk, body,
 *   status, contentType, bytesSent, firstByteAt, endedAt, done, aborted, outcome, faults, audio, sha256 }`.
 * - `speech.on('request' | 'response-end', rec => …)`, `await speech.waitForRequests(n, timeoutMs)`,
 *   `await speech.waitForSettled(timeoutMs)` (every response ended).
 * - `speech.setOptions({...})` changes settings for later requests.
 *
 * ## Personalities (personalities.ts)
 * `personality: 'openai' | 'gateway' | 'kokoro' | 'openedai' | 'localai'` makes it answer like that server: its
 * models and voices (Kokoro's `af_nova`…, openedai's six OpenAI voices, LocalAI's model-named voices), the format it
 * really sends (LocalAI: WAV whatever is asked), whether speed changes the audio (LocalAI: no), whether a key is
 * needed (self-hosted: no), its error bodies (Kokoro `{detail:{error,message}}`, openedai flat `{message,param}`,
 * LocalAI `{error:{message,code:404}}`), and its `GET /v1/models` (OpenAI's carries `shutdown_date` 2027-01-06 for
 * tts-1, tts-1-hd and gpt-4o-mini-tts). `retiredModels` makes models gone: refused the server's way, left out of
 * the list.
 */
export { startSpeechStandin, SpeechStandin, type Pace, type SpeechStandinEvents, type SpeechStandinOptions } from './server.js';
export type { FaultMatch, FaultSet, SpeechFault } from './faults.js';
export { contentTypeFor, SPEECH_FORMATS, type SpeechFormat } from './formats.js';
export type { ResponseOutcome, SpeechRequestRecord } from './requestRecord.js';
export { DEFAULT_OPUS_SHAPE, expectedAudio, type AudioRequest, type SynthOptions } from './synthesize.js';
export { durationFor, TONE_GRID_HZ, toneFor, type DurationOptions } from './tone.js';
export { DEFAULT_MODELS, DEFAULT_VOICES, type SpeechRequest } from './validateSpeechRequest.js';
export { UNKNOWN_AUDIO_TRANSCRIPT, decodeToPcm16k, hearTone, hearTones, textFor, transcribeOwnAudio, type HeardTone, type ProducedClip } from './recognize.js';
export { TRANSCRIPTION_MAX_REQUEST_BYTES, type TranscriptionRecordBody } from './transcriptions.js';
export { OPENAI_TTS_SHUTDOWN, PERSONALITIES, type Personality, type PersonalityName } from './personalities.js';
