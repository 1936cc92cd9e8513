/** The HTTP server behind the speech stand-in: routes, auth, validation, faults, paced audio delivery. */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OggOpusOptions } from '../../support/oggOpus.js';
import { planChunks } from './chunkPlan.js';
import { FaultBook, type FaultMatch, type FaultSet, type SpeechFault } from './faults.js';
import { contentTypeFor } from './formats.js';
import {
  errorBody,
  invalidApiKey,
  invalidRequest,
  missingApiKey,
  rateLimited,
  serverError,
  type OpenAiErrorBody,
} from './openaiErrors.js';
import { sendPaced, type PacedBody } from './pacedSend.js';
import { PERSONALITIES, type Personality, type PersonalityName } from './personalities.js';
import { newRecord, type ResponseOutcome, type SpeechRequestRecord } from './requestRecord.js';
import { createSpeechSynth, type AudioRequest, type SynthesizedAudio } from './synthesize.js';
import { DEFAULT_TRANSCRIBE_MODELS, TRANSCRIPTION_MAX_REQUEST_BYTES, answerTranscription, readForm, recordOf, tooLarge } from './transcriptions.js';
import type { DurationOptions } from './tone.js';
import { DEFAULT_MODELS, DEFAULT_VOICES, validateSpeechRequest, type SpeechRequest } from './validateSpeechRequest.js';

/** Delivery pace: bytes per second, or a multiple of the clip's real-time byte rate. */
export type Pace = number | `realtime-x${number}`;

/** Settings of a stand-in (all optional; see the defaults on each field). */
export interface SpeechStandinOptions extends DurationOptions {
  /** The only key accepted as `Authorization: Bearer <key>`; default 'sk-test-standin'. */
  apiKey?: string;
  /** Delay from request arrival to the response headers; default 0. */
  ttfbMs?: number;
  /**
   * Extra delay per character (code point) of `input` for audio responses, added to `ttfbMs`: a provider that
   * synthesizes before it streams answers long texts later. Default 0. A `delay` fault replaces both.
   */
  ttfbMsPerChar?: number;
  /** Delivery pace; default 'realtime-x4' (4× the clip's bytes / duration; Infinity: no pauses). */
  bytesPerSecond?: Pace;
  /** Fixed piece size in bytes; default ~100 ms of audio per piece (opus: whole Ogg pages). */
  chunkBytes?: number;
  /** Accepted models; default tts-1, tts-1-hd, gpt-4o-mini-tts. */
  models?: string[];
  /** Accepted voices; default the 13 built-in OpenAI voices. */
  voices?: string[];
  /** Ogg Opus layout; default mono, 20 ms packets, 5 packets per page, OpusHead input rate 24000. */
  opusShape?: OggOpusOptions;
  /** Content-Type for opus; default 'audio/opus' (what OpenAI sends; 'audio/ogg' is the registered type). */
  contentTypeOpus?: string;
  /** TCP port on 127.0.0.1; default 0 (ephemeral). Fixed at start. */
  port?: number;
  /**
   * Behave like a known server (see personalities.ts): its models, voices, formats, speed handling, error bodies and
   * models list; `models` / `voices` above still override its lists. Default: plain OpenAI as the stand-in always was.
   */
  personality?: PersonalityName;
  /** Models that are gone (past their shutdown date): refused the personality's way and left out of GET /models. */
  retiredModels?: string[];
  /** Models `POST /v1/audio/transcriptions` accepts; default whisper-1, gpt-4o-transcribe, gpt-4o-mini-transcribe. */
  transcribeModels?: string[];
  /** false: the server has no `/v1/audio/transcriptions` (404 like any unknown URL). Default: true, false for the kokoro and openedai personalities. */
  transcriptions?: boolean;
}

/** Events a stand-in emits: a request arrived (body parsed), or its response ended (any outcome). */
export interface SpeechStandinEvents {
  request: [SpeechRequestRecord];
  'response-end': [SpeechRequestRecord];
}

const DEFAULT_API_KEY = 'sk-test-standin';
const DEFAULT_PACE: Pace = 'realtime-x4';
const PIECE_SECONDS = 0.1;
const MAX_BODY_BYTES = 1 << 20;

/** A running stand-in for `POST {baseUrl}/audio/speech` (and `GET {baseUrl}/models`). */
export class SpeechStandin extends EventEmitter<SpeechStandinEvents> {
  /** Every request received except GET /v1/models, in arrival order; records update live until their response ends. */
  readonly requests: SpeechRequestRecord[] = [];
  /** Every GET /v1/models received, in arrival order. */
  readonly modelListRequests: SpeechRequestRecord[] = [];
  /** `http://127.0.0.1:PORT/v1`: what a client uses as its OpenAI base URL. */
  readonly baseUrl: string;
  readonly port: number;

  readonly #server: Server;
  #options: SpeechStandinOptions;
  readonly #faults = new FaultBook();
  readonly #synth = createSpeechSynth();
  readonly #open = new Set<AbortController>();
  #closing: Promise<void> | undefined;

  /** Use {@link startSpeechStandin}. */
  constructor(server: Server, options: SpeechStandinOptions) {
    super();
    this.#server = server;
    this.#options = { ...options };
    this.port = (server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${this.port}/v1`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res));
  }

  /** The key the stand-in currently accepts. */
  get apiKey(): string {
    return this.#options.apiKey ?? DEFAULT_API_KEY;
  }

  /** Queued fault entries not used yet. */
  get pendingFaults(): number {
    return this.#faults.pending;
  }

  /** Queues one-shot fault(s) for the next request (whose JSON body matches `match`, if given). */
  next(fault: SpeechFault | SpeechFault[], match?: FaultMatch): void {
    this.#faults.next(fault, match);
  }

  /** Makes fault(s) apply to every request until replaced; null clears. Queued faults override them kind by kind. */
  always(fault: SpeechFault | SpeechFault[] | null): void {
    this.#faults.always(fault);
  }

  /** Drops queued and sticky faults. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Changes settings for requests arriving from now on (port excepted). */
  setOptions(options: Partial<Omit<SpeechStandinOptions, 'port'>>): void {
    this.#options = { ...this.#options, ...options };
  }

  /** The exact body this stand-in serves (with its current settings) for such a request, no faults applied. */
  async expectedAudio(req: AudioRequest): Promise<Buffer> {
    return (await this.#synth.audioFor(req, this.#options)).bytes;
  }

  /** Resolves with the first `n` records once `n` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs = 5000): Promise<SpeechRequestRecord[]> {
    return this.#waitUntil(() => this.requests.length >= n, 'request', timeoutMs, `${n} request(s), got ${this.requests.length}`).then(
      () => this.requests.slice(0, n),
    );
  }

  /** Resolves once every request received so far has an ended response; rejects after `timeoutMs`. */
  waitForSettled(timeoutMs = 5000): Promise<void> {
    return this.#waitUntil(() => this.requests.every((r) => r.endedAt !== undefined), 'response-end', timeoutMs, 'all responses to end');
  }

  /** Ends open responses (stalled ones included, by destroying their sockets) and stops the server. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const controller of this.#open) controller.abort('close');
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  #waitUntil(done: () => boolean, event: keyof SpeechStandinEvents, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`speech stand-in: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, check);
      };
      this.on(event, check);
      check();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const rec = newRecord(this.requests.length + 1, req.method ?? 'GET', req.url ?? '/', req.headers, this.apiKey);
    // Model-list checks (the bot's daily GET /models) are kept apart, so `requests` reads as the speech traffic.
    if (rec.method === 'GET' && rec.path === '/v1/models') this.modelListRequests.push(rec);
    else this.requests.push(rec);
    const controller = new AbortController();
    this.#open.add(controller);
    const hash = createHash('sha256');
    let ended = false;
    const end = (outcome: ResponseOutcome): void => {
      if (ended) return;
      ended = true;
      this.#open.delete(controller);
      rec.outcome = outcome;
      rec.done = outcome === 'complete';
      rec.aborted = outcome === 'client-aborted';
      rec.endedAt = Date.now();
      rec.sha256 = hash.digest('hex');
      this.emit('response-end', rec);
    };
    res.on('close', () => {
      if (!res.writableFinished) controller.abort('client');
      if (!ended) end(res.writableFinished ? 'complete' : controller.signal.reason === 'close' ? 'closed' : 'client-aborted');
    });
    if (this.#closing) {
      res.destroy();
      return;
    }

    const transcription = rec.method === 'POST' && rec.path === '/v1/audio/transcriptions' && this.#hasTranscriptions;
    const { raw, size } = await readBody(req, transcription ? TRANSCRIPTION_MAX_REQUEST_BYTES : MAX_BODY_BYTES);
    const form = transcription && size <= TRANSCRIPTION_MAX_REQUEST_BYTES ? await readForm(raw, req.headers['content-type']) : undefined;
    const parsed: ParsedJson = transcription ? { ok: false } : parseJson(raw);
    rec.body = transcription ? recordOf(form) : parsed.ok ? parsed.value : null;
    this.emit('request', rec);

    const ctx: ResponseContext = {
      res,
      rec,
      signal: controller.signal,
      arrived,
      onWrite: (piece) => {
        hash.update(piece);
        rec.bytesSent += piece.length;
      },
    };
    try {
      const outcome = transcription ? await this.#transcription(ctx, size, form) : await this.#route(req, ctx, raw, parsed);
      if (outcome === 'cut') {
        end('cut');
        res.socket?.destroy();
      } else if (outcome === 'aborted') {
        res.destroy();
      } else {
        end('complete');
      }
    } catch (err) {
      if (!res.headersSent) {
        await this.#sendError(ctx, 500, serverError(500, `speech stand-in failed: ${(err as Error).message}`), {}, 0);
        end('complete');
      } else {
        res.destroy();
      }
    }
  }

  async #route(req: IncomingMessage, ctx: ResponseContext, raw: Buffer, parsed: ParsedJson): Promise<Outcome> {
    const { rec } = ctx;
    const ttfb = this.#options.ttfbMs ?? 0;
    if (rec.method === 'POST' && rec.path === '/v1/audio/speech') return this.#speech(ctx, raw, parsed);
    const persona = this.#personality;
    if (rec.method === 'GET' && rec.path === '/v1/models' && (persona?.hasModelsList ?? true)) {
      if (!this.#authOk(rec)) return this.#sendError(ctx, 401, authError(req), {}, ttfb);
      const retired = new Set(this.#options.retiredModels ?? []);
      const data = this.#models()
        .filter((id) => !retired.has(id))
        .map((id) => {
          const shutdown = persona?.shutdownDates[id];
          return { id, object: 'model', created: 1699046015, owned_by: persona?.name === 'kokoro' ? 'kokoro' : 'system', ...(shutdown ? { shutdown_date: shutdown } : {}) };
        });
      return this.#send(ctx, 200, 'application/json', Buffer.from(JSON.stringify({ object: 'list', data })), {}, ttfb);
    }
    if (persona && persona.name !== 'openai') {
      const shaped = persona.error(404, 'Not Found', null, null);
      return this.#send(ctx, 404, 'application/json', Buffer.from(JSON.stringify(persona.name === 'kokoro' || persona.name === 'openedai' ? { detail: 'Not Found' } : shaped.body)), {}, ttfb);
    }
    return this.#sendError(ctx, 404, invalidRequest(`Invalid URL (${rec.method} ${rec.path})`), {}, ttfb);
  }

  /** Every distinct clip this stand-in made (text, tone, length), oldest first: what its transcription recognises. */
  get produced(): ReturnType<ReturnType<typeof createSpeechSynth>['produced']> {
    return this.#synth.produced();
  }

  /** Texts this stand-in returned from `/v1/audio/transcriptions`, in order (for tests; the bot never stores them). */
  readonly transcripts: string[] = [];

  async #transcription(ctx: ResponseContext, size: number, form: FormData | undefined): Promise<Outcome> {
    const ttfb = this.#options.ttfbMs ?? 0;
    // OpenAI's front end refuses an oversize body before anything else looks at it.
    if (size > TRANSCRIPTION_MAX_REQUEST_BYTES) return this.#sendError(ctx, 413, tooLarge(size), {}, ttfb);
    const faults = this.#faults.take(ctx.rec.body, this.#authOk(ctx.rec));
    ctx.rec.faults = faults;
    if (faults.status) return this.#statusFault(ctx, faults.status, faults.delay?.ttfbMs ?? ttfb);
    if (!this.#authOk(ctx.rec)) return this.#sendError(ctx, 401, authError(ctx.res.req), {}, ttfb);
    const answer = await answerTranscription(form, this.#options.transcribeModels ?? DEFAULT_TRANSCRIBE_MODELS, this.#synth.produced());
    if (answer.kind === 'error') return this.#sendError(ctx, answer.status, answer.body, {}, ttfb);
    this.transcripts.push(answer.text);
    return this.#send(ctx, 200, answer.contentType, Buffer.from(answer.body), {}, faults.delay?.ttfbMs ?? ttfb);
  }

  /** Whether the server has `/v1/audio/transcriptions`: OpenAI, gateways and LocalAI do; Kokoro-FastAPI and openedai-speech speak only. */
  get #hasTranscriptions(): boolean {
    return this.#options.transcriptions ?? !['kokoro', 'openedai'].includes(this.#personality?.name ?? 'openai');
  }

  get #personality(): Personality | undefined {
    return this.#options.personality ? PERSONALITIES[this.#options.personality] : undefined;
  }

  #models(): readonly string[] {
    return this.#options.models ?? this.#personality?.models ?? DEFAULT_MODELS;
  }

  #authOk(rec: SpeechRequestRecord): boolean {
    return rec.authOk || this.#personality?.needsKey === false;
  }

  /** The body as the personality reads it: servers that ignore unknown fields drop them (pydantic / Go JSON do). */
  #asRead(body: unknown): unknown {
    const persona = this.#personality;
    if (!persona?.ignoresUnknownFields || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const known = ['model', 'input', 'voice', 'response_format', 'speed', 'stream_format'];
    return Object.fromEntries(Object.entries(body).filter(([k]) => known.includes(k)));
  }

  async #speech(ctx: ResponseContext, raw: Buffer, parsed: ParsedJson): Promise<Outcome> {
    const { rec } = ctx;
    const persona = this.#personality;
    const body = parsed.ok ? this.#asRead(parsed.value) : undefined;
    const voiceOf = (b: unknown) => (typeof (b as { voice?: unknown })?.voice === 'string' ? [(b as { voice: string }).voice] : []);
    const voices = this.#options.voices ?? (persona ? (persona.voices ?? voiceOf(body)) : DEFAULT_VOICES);
    let validation = parsed.ok ? validateSpeechRequest(body, { models: this.#models(), voices }) : undefined;
    const model = (body as { model?: unknown } | undefined)?.model;
    const retired = typeof model === 'string' && (this.#options.retiredModels ?? []).includes(model);
    if (validation?.ok && retired) validation = { ok: false, status: 404, error: { error: { message: '', type: 'invalid_request_error', param: null, code: 'model_not_found' } } };
    const authOk = this.#authOk(rec);
    const faults = this.#faults.take(rec.body, authOk && validation?.ok === true);
    rec.faults = faults;
    const ttfb = faults.delay?.ttfbMs ?? this.#options.ttfbMs ?? 0;

    if (faults.status) return this.#statusFault(ctx, faults.status, ttfb);
    if (!authOk) return this.#sendError(ctx, 401, authError(ctx.res.req), {}, ttfb);
    if (persona && validation && !validation.ok) {
      const refusal =
        validation.error.error.code === 'model_not_found'
          ? persona.unknownModel(String(model))
          : persona.error(validation.status, validation.error.error.message, validation.error.error.param, validation.error.error.code);
      return this.#send(ctx, refusal.status, 'application/json', Buffer.from(JSON.stringify(refusal.body)), {}, ttfb);
    }
    if (retired && validation && !validation.ok) {
      return this.#sendError(ctx, 404, errorBody(`The model \`${String(model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found'), {}, ttfb);
    }
    if (!parsed.ok || validation === undefined) {
      const message =
        raw.length === 0
          ? 'you must provide a model parameter'
          : "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";
      return this.#sendError(ctx, 400, invalidRequest(message), {}, ttfb);
    }
    if (!validation.ok) return this.#sendError(ctx, validation.status, validation.error, {}, ttfb);
    const perChar = faults.delay ? 0 : (this.#options.ttfbMsPerChar ?? 0);
    return this.#serveAudio(ctx, validation.request, faults, ttfb + perChar * [...validation.request.input].length);
  }

  async #serveAudio(ctx: ResponseContext, request: SpeechRequest, faults: FaultSet, ttfb: number): Promise<Outcome> {
    const persona = this.#personality;
    const format = faults.format?.respondAs ?? persona?.serves(request.response_format) ?? request.response_format;
    const speed = persona && !persona.honoursSpeed ? 1 : request.speed;
    const audioRequest: AudioRequest = { input: request.input, speed, response_format: format };
    if (faults.shape) audioRequest.opus = faults.shape.opus;
    const audio = await this.#synth.audioFor(audioRequest, this.#options);
    ctx.rec.audio = {
      format,
      toneHz: audio.toneHz,
      durationSeconds: audio.durationSeconds,
      bytes: audio.bytes.length,
      sha256: audio.sha256,
    };
    const body = faults.garbage ? garbageBytes(faults.garbage.bytes ?? audio.bytes.length) : audio.bytes;
    const realtimeRate = audio.bytes.length / audio.durationSeconds;
    const chunkBytes = faults.pace?.chunkBytes ?? this.#options.chunkBytes;
    const chunks = planChunks(body, {
      targetBytes: chunkBytes ?? realtimeRate * PIECE_SECONDS,
      oggPages: chunkBytes === undefined && format === 'opus' && !faults.garbage,
    });
    const delivery: Omit<PacedBody, 'signal' | 'onWrite'> = {
      chunks,
      bytesPerSecond: faults.pace?.bytesPerSecond ?? paceOf(this.#options.bytesPerSecond ?? DEFAULT_PACE, audio),
    };
    if (faults.stall) delivery.stall = { afterBytes: faults.stall.afterBytes, ...(faults.stall.forMs === undefined ? {} : { forMs: faults.stall.forMs }) };
    if (faults.cut) delivery.cutAfterBytes = faults.cut.afterBytes;
    const contentType = faults.format?.contentType ?? persona?.contentType[format] ?? contentTypeFor(format, this.#options.contentTypeOpus);
    return this.#respond(ctx, 200, { 'content-type': contentType }, delivery, ttfb);
  }

  #statusFault(ctx: ResponseContext, fault: Extract<SpeechFault, { kind: 'status' }>, ttfb: number): Promise<Outcome> {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(fault.retryAfterSeconds);
      headers['retry-after-ms'] = String(Math.round(fault.retryAfterSeconds * 1000));
    }
    if (fault.raw) return this.#send(ctx, fault.status, fault.raw.contentType, Buffer.from(fault.raw.body), headers, ttfb);
    const bodyModel = (ctx.rec.body as Record<string, unknown> | null)?.model;
    const model = typeof bodyModel === 'string' ? bodyModel : 'tts-1';
    let body: OpenAiErrorBody;
    if (fault.status === 401) body = authError(ctx.res.req);
    else if (fault.status === 429 && fault.code === 'insufficient_quota') {
      body = errorBody(
        fault.message ??
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        null,
        'insufficient_quota',
      );
    } else if (fault.status === 429) body = rateLimited(model, fault.retryAfterSeconds, fault.message);
    else if (fault.status >= 500) {
      const persona = this.#personality;
      if (persona && persona.name !== 'openai') {
        const shaped = persona.error(fault.status, fault.message ?? 'Internal Server Error', null, null);
        return this.#send(ctx, fault.status, 'application/json', Buffer.from(JSON.stringify(shaped.body)), headers, ttfb);
      }
      body = serverError(fault.status, fault.message);
    }
    else body = invalidRequest(fault.message ?? `Stand-in fault: status ${fault.status}.`);
    return this.#sendError(ctx, fault.status, body, headers, ttfb);
  }

  #sendError(ctx: ResponseContext, status: number, body: OpenAiErrorBody, headers: Record<string, string>, ttfb: number): Promise<Outcome> {
    return this.#send(ctx, status, 'application/json', Buffer.from(JSON.stringify(body, null, 2)), headers, ttfb);
  }

  /** A small body in one piece, with Content-Length (as OpenAI sends JSON). */
  #send(ctx: ResponseContext, status: number, contentType: string, body: Buffer, headers: Record<string, string>, ttfb: number): Promise<Outcome> {
    return this.#respond(ctx, status, { ...headers, 'content-type': contentType, 'content-length': String(body.length) }, { chunks: [body], bytesPerSecond: Infinity }, ttfb);
  }

  async #respond(
    ctx: ResponseContext,
    status: number,
    headers: Record<string, string>,
    delivery: Omit<PacedBody, 'signal' | 'onWrite'>,
    ttfb: number,
  ): Promise<Outcome> {
    const { res, rec, signal } = ctx;
    const wait = ctx.arrived + ttfb - performance.now();
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return 'aborted';
      }
    }
    if (signal.aborted) return 'aborted';
    rec.status = status;
    rec.contentType = headers['content-type'];
    rec.firstByteAt = Date.now();
    res.writeHead(status, {
      ...headers,
      'x-request-id': `req_standin_${rec.id}`,
      'openai-version': '2020-10-01',
      'openai-organization': 'org-standin',
      'openai-processing-ms': String(Math.round(performance.now() - ctx.arrived)),
    });
    return sendPaced(res, { ...delivery, signal, onWrite: ctx.onWrite });
  }
}

/** Starts a stand-in on 127.0.0.1 (ephemeral port unless `port` is given). */
export async function startSpeechStandin(options: SpeechStandinOptions = {}): Promise<SpeechStandin> {
  const server = createServer({ keepAliveTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new SpeechStandin(server, options);
}

type Outcome = 'complete' | 'cut' | 'aborted';
type ParsedJson = { ok: true; value: unknown } | { ok: false };

interface ResponseContext {
  res: ServerResponse;
  rec: SpeechRequestRecord;
  signal: AbortSignal;
  /** performance.now() at arrival; ttfb counts from here. */
  arrived: number;
  onWrite(piece: Buffer): void;
}

function authError(req: IncomingMessage): OpenAiErrorBody {
  const header = req.headers.authorization;
  if (header === undefined) return missingApiKey();
  return invalidApiKey(header.replace(/^Bearer\s+/i, ''));
}

function paceOf(pace: Pace, audio: SynthesizedAudio): number {
  if (typeof pace === 'number') return pace;
  const factor = Number(pace.slice('realtime-x'.length));
  if (!(factor > 0)) throw new Error(`speech stand-in: bad bytesPerSecond '${pace}'`);
  return (factor * audio.bytes.length) / audio.durationSeconds;
}

/** Random bytes with 0xFF replaced, so no MPEG/ADTS frame sync can appear by chance. */
function garbageBytes(length: number): Buffer {
  const bytes = randomBytes(length);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0xff) bytes[i] = 0x7f;
  return bytes;
}

/** Reads the whole body, storing at most `maxStored` bytes (the rest is read so the client can finish), and its size. */
async function readBody(req: IncomingMessage, maxStored: number): Promise<{ raw: Buffer; size: number }> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of req as AsyncIterable<Buffer>) {
      size += part.length;
      // A speech request is a few KiB at most; keep reading (so the client can finish) but stop storing.
      if (size <= maxStored) parts.push(part);
    }
  } catch {
    // Client went away mid-body: handled through the response's close event.
  }
  return { raw: Buffer.concat(parts), size };
}

function parseJson(raw: Buffer): ParsedJson {
  if (raw.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}
