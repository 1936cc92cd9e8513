import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseOggPages } from '../../support/oggOpus.js';
import { dominantFrequency } from '../../support/pcm.js';
import { planChunks } from '../../standins/speech/chunkPlan.js';
import {
  durationFor,
  expectedAudio,
  SPEECH_FORMATS,
  startSpeechStandin,
  TONE_GRID_HZ,
  toneFor,
  type SpeechFormat,
  type SpeechStandin,
} from '../../standins/speech/index.js';
import { decodeSpeechAudio, readBodyPieces } from '../../standins/speech/inspectAudio.js';

const TEXT = 'Testing one two three, this is the speech stand-in.'; // 51 chars → 2.54 s

let speech: SpeechStandin;

beforeAll(async () => {
  speech = await startSpeechStandin({ bytesPerSecond: Infinity });
});
afterAll(async () => {
  await speech?.close();
});
beforeEach(() => {
  speech.clearFaults();
  speech.setOptions({ bytesPerSecond: Infinity, ttfbMs: 0, contentTypeOpus: 'audio/opus' });
});

function post(body: unknown, key: string | null = speech.apiKey, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${speech.baseUrl}/audio/speech`, { method: 'POST', headers, body: JSON.stringify(body), ...init });
}

function speak(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'tts-1', input: 'Hello there', voice: 'alloy', ...extra };
}

describe('tone and duration', () => {
  it('maps texts to grid tones at least 4 % apart, deterministically', () => {
    for (let i = 1; i < TONE_GRID_HZ.length; i++) expect(TONE_GRID_HZ[i]! / TONE_GRID_HZ[i - 1]!).toBeGreaterThanOrEqual(1.04);
    expect(TONE_GRID_HZ[0]).toBe(220);
    expect(TONE_GRID_HZ.at(-1)!).toBeLessThanOrEqual(1760);
    expect(toneFor('hello')).toBe(toneFor('hello'));
    const tones = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(toneFor));
    expect(tones.size).toBeGreaterThan(4);
    for (const tone of tones) expect(TONE_GRID_HZ).toContain(tone);
  });

  it('lengthens with the text, caps, and divides by speed', () => {
    expect(durationFor('')).toBeCloseTo(0.5);
    expect(durationFor('abcde')).toBeCloseTo(0.7);
    expect(durationFor('x'.repeat(4096))).toBe(20);
    expect(durationFor('abcde', 2)).toBeCloseTo(0.35);
    expect(durationFor('abcde', 1, { secondsPerChar: 0.1, minSeconds: 1 })).toBeCloseTo(1.5);
    expect(durationFor('😀😀')).toBeCloseTo(0.58); // code points, not UTF-16 units
  });
});

describe('auth', () => {
  it('answers 401 without a key (code null, like OpenAI)', async () => {
    const res = await post(speak(), null);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(String(body.error.message)).toContain("didn't provide an API key");
    const rec = speech.requests.at(-1)!;
    expect(rec).toMatchObject({ hadAuth: false, authOk: false, status: 401 });
  });

  it('answers 401 invalid_api_key with a masked key for a wrong key', async () => {
    const res = await post(speak(), 'sk-wrong-secret-9876');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    expect(String(body.error.message)).toMatch(/^Incorrect API key provided: sk-\*+9876\./);
    expect(String(body.error.message)).not.toContain('secret');
    const rec = speech.requests.at(-1)!;
    expect(rec).toMatchObject({ hadAuth: true, authOk: false });
    expect(rec.headers.authorization).toBeUndefined();
  });

  it('lists models with the right key only', async () => {
    const ok = await fetch(`${speech.baseUrl}/models`, { headers: { authorization: `Bearer ${speech.apiKey}` } });
    expect(ok.status).toBe(200);
    const list = (await ok.json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']);
    expect((await fetch(`${speech.baseUrl}/models`)).status).toBe(401);
    const unknown = await fetch(`${speech.baseUrl}/audio/translations`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('Invalid URL (POST /v1/audio/translations)');
  });
});

describe('validation', () => {
  it.each([
    ['speed 5', { speed: 5 }, 'speed'],
    ['speed 0.1', { speed: 0.1 }, 'speed'],
    ['speed as text', { speed: 'fast' }, 'speed'],
    ['empty input', { input: '' }, 'input'],
    ['4097-char input', { input: 'x'.repeat(4097) }, 'input'],
    ['missing input', { input: undefined }, 'input'],
    ['unknown voice', { voice: 'robot' }, 'voice'],
    ['unknown format', { response_format: 'ogg' }, 'response_format'],
    ['instructions with tts-1', { instructions: 'Speak softly' }, 'instructions'],
    ['instructions with tts-1-hd', { model: 'tts-1-hd', instructions: 'Speak softly' }, 'instructions'],
    ['sse with tts-1', { stream_format: 'sse' }, 'stream_format'],
    ['sse with gpt-4o-mini-tts', { model: 'gpt-4o-mini-tts', stream_format: 'sse' }, 'stream_format'],
    ['an unknown field', { temperature: 1 }, null],
  ])('answers 400 for %s, naming the param', async (_name, extra, param) => {
    const res = await post(speak(extra));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param, code: null });
    expect(String(body.error.message).length).toBeGreaterThan(10);
  });

  it('answers 404 model_not_found for an unknown model and 400 for a non-JSON body', async () => {
    const res = await post(speak({ model: 'tts-9' }));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const bad = await fetch(`${speech.baseUrl}/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${speech.apiKey}` },
      body: '{"model":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/could not parse the JSON body/);
  });

  it('accepts the limits: 4096 chars, speed 0.25 and 4, instructions with gpt-4o-mini-tts, configured voices', async () => {
    const long = await post(speak({ input: 'y'.repeat(4096), response_format: 'pcm' }));
    expect(long.status).toBe(200);
    expect((await long.arrayBuffer()).byteLength).toBe(20 * 24000 * 2);
    for (const speed of [0.25, 4]) {
      const res = await post(speak({ speed, response_format: 'pcm' }));
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(Math.round((durationFor('Hello there') / speed) * 24000) * 2);
    }
    const styled = await post(speak({ model: 'gpt-4o-mini-tts', instructions: 'Cheerful', response_format: 'pcm' }));
    expect(styled.status).toBe(200);
    await styled.arrayBuffer();
    speech.setOptions({ voices: ['robot'] });
    try {
      expect((await post(speak({ voice: 'robot', response_format: 'pcm' }))).status).toBe(200);
      expect((await post(speak({ voice: 'alloy' }))).status).toBe(400);
    } finally {
      speech.setOptions({ voices: undefined });
    }
  });
});

const CONTENT_TYPES: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

describe('formats', () => {
  it.each(SPEECH_FORMATS.map((f) => [f]))('serves %s: content type, chunked, decodable to the right tone and length', async (format) => {
    const res = await post(speak({ input: TEXT, response_format: format }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(CONTENT_TYPES[format]);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(await speech.expectedAudio({ input: TEXT, response_format: format }))).toBe(true);

    const pcm = await decodeSpeechAudio(bytes, format);
    const seconds = pcm.length / 48000;
    expect(Math.abs(seconds / durationFor(TEXT) - 1)).toBeLessThan(0.05);
    expect(Math.abs(dominantFrequency(pcm, 48000, 1) / toneFor(TEXT) - 1)).toBeLessThan(0.03);

    await speech.waitForSettled();
    const rec = speech.requests.at(-1)!;
    expect(rec).toMatchObject({ status: 200, done: true, aborted: false, outcome: 'complete', bytesSent: bytes.length });
    expect(rec.audio).toMatchObject({ format, toneHz: toneFor(TEXT), bytes: bytes.length });
    expect(rec.sha256).toBe(rec.audio!.sha256);
  });

  it('produces the same bytes on a fresh synthesis (deterministic encoders)', async () => {
    for (const format of ['mp3', 'aac', 'flac', 'opus'] as const) {
      const served = await speech.expectedAudio({ input: TEXT, response_format: format });
      expect((await expectedAudio({ input: TEXT, response_format: format })).equals(served)).toBe(true);
    }
  });

  it('shapes opus like OpenAI: mono, OpusHead input rate 24000, ≤ 100 ms pages; content type is configurable', async () => {
    speech.setOptions({ contentTypeOpus: 'audio/ogg' });
    const res = await post(speak({ input: TEXT, response_format: 'opus' }));
    expect(res.headers.get('content-type')).toBe('audio/ogg');
    const pages = parseOggPages(Buffer.from(await res.arrayBuffer()));
    const head = pages[0]!.body;
    expect(head.toString('latin1', 0, 8)).toBe('OpusHead');
    expect(head[9]).toBe(1);
    expect(head.readUInt32LE(12)).toBe(24000);
    const audioPages = pages.slice(2);
    expect(audioPages.length).toBeGreaterThan(20);
    for (let i = 1; i < audioPages.length; i++) {
      expect(Number(audioPages[i]!.granule - audioPages[i - 1]!.granule)).toBeLessThanOrEqual(4800);
    }
    expect(pages.every((p) => p.crcOk)).toBe(true);
  });

  it('speeds up: speed 2 halves the duration', async () => {
    const res = await post(speak({ input: TEXT, response_format: 'wav', speed: 2 }));
    const pcm = await decodeSpeechAudio(Buffer.from(await res.arrayBuffer()), 'wav');
    expect(Math.abs(pcm.length / 48000 / (durationFor(TEXT) / 2) - 1)).toBeLessThan(0.05);
  });
});

describe('pacing', () => {
  it('cuts bodies into ~100 ms pieces, opus on whole Ogg pages', async () => {
    const opus = await speech.expectedAudio({ input: TEXT, response_format: 'opus' });
    const pieces = planChunks(opus, { targetBytes: opus.length / durationFor(TEXT) / 10, oggPages: true });
    expect(pieces.length).toBeGreaterThan(10);
    expect(Buffer.concat(pieces).equals(opus)).toBe(true);
    for (const piece of pieces) {
      expect(piece.toString('latin1', 0, 4)).toBe('OggS');
      const pages = parseOggPages(piece);
      expect(pages.reduce((n, p) => n + 27 + p.lacing.length + p.body.length, 0)).toBe(piece.length);
    }
    const raw = Buffer.alloc(1000);
    expect(planChunks(raw, { targetBytes: 300 }).map((p) => p.length)).toEqual([300, 300, 300, 100]);
  });

  it('waits ttfbMs, then streams in several pieces no faster than the pace', async () => {
    speech.setOptions({ ttfbMs: 150, bytesPerSecond: 'realtime-x4' });
    const sent = performance.now();
    const res = await post(speak({ input: TEXT, response_format: 'pcm' }));
    const headersAt = performance.now();
    const pieces = await readBodyPieces(res);
    const total = pieces.reduce((n, p) => n + p.bytes.length, 0);
    const rec = speech.requests.at(-1)!;
    expect(headersAt - sent).toBeGreaterThanOrEqual(145);
    expect(rec.firstByteAt! - rec.at).toBeGreaterThanOrEqual(145);
    expect(total).toBe(Math.round(durationFor(TEXT) * 24000) * 2);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    // 4× real time: after the first 100 ms piece, the rest cannot arrive sooner than (rest / rate).
    const rate = (4 * total) / durationFor(TEXT);
    const minSpreadMs = ((total - pieces[0]!.bytes.length - 4800) / rate) * 1000;
    expect(pieces.at(-1)!.at - pieces[0]!.at).toBeGreaterThanOrEqual(minSpreadMs * 0.9);
  });
});

describe('ttfbMsPerChar', () => {
  it('adds time to first byte per input character, only for audio, and a delay fault replaces it', async () => {
    speech.setOptions({ ttfbMs: 20, ttfbMsPerChar: 2 });
    try {
      await (await post(speak({ input: 'x'.repeat(100), response_format: 'pcm' }))).arrayBuffer();
      const long = speech.requests.at(-1)!;
      expect(long.firstByteAt! - long.at).toBeGreaterThanOrEqual(215);
      await (await post(speak({ input: 'xy', response_format: 'pcm' }))).arrayBuffer();
      const short = speech.requests.at(-1)!;
      expect(short.firstByteAt! - short.at).toBeGreaterThanOrEqual(20);
      expect(short.firstByteAt! - short.at).toBeLessThan(200);
      await (await post(speak({ input: '' }))).arrayBuffer(); // 400: no per-character wait
      const bad = speech.requests.at(-1)!;
      expect(bad.status).toBe(400);
      speech.next({ kind: 'delay', ttfbMs: 10 });
      await (await post(speak({ input: 'x'.repeat(100), response_format: 'pcm' }))).arrayBuffer();
      const delayed = speech.requests.at(-1)!;
      expect(delayed.firstByteAt! - delayed.at).toBeLessThan(180);
    } finally {
      speech.setOptions({ ttfbMsPerChar: 0 });
    }
  });
});

describe('observing', () => {
  it('emits request events and waits for requests', async () => {
    const seen: number[] = [];
    const onRequest = (rec: { id: number }): void => void seen.push(rec.id);
    speech.on('request', onRequest);
    const before = speech.requests.length;
    const waiting = speech.waitForRequests(before + 2, 5000);
    await (await post(speak({ response_format: 'pcm' }))).arrayBuffer();
    await (await post(speak({ response_format: 'pcm', input: 'Second' }))).arrayBuffer();
    const records = await waiting;
    speech.off('request', onRequest);
    expect(records).toHaveLength(before + 2);
    expect(seen).toEqual([before + 1, before + 2]);
    expect(records.at(-1)!.body).toMatchObject({ input: 'Second' });
    await expect(speech.waitForRequests(before + 10, 50)).rejects.toThrow(/timed out/);
  });
});

describe('close', () => {
  it('returns promptly with a stalled response open, ending it', async () => {
    const own = await startSpeechStandin();
    own.next({ kind: 'stall', afterBytes: 100 });
    const res = await fetch(`${own.baseUrl}/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(speak({ response_format: 'wav' })),
    });
    expect(res.status).toBe(200);
    const pieces: { bytes: Buffer; at: number }[] = [];
    const reading = readBodyPieces(res, pieces);
    await own.waitForRequests(1);
    const closeStart = performance.now();
    await own.close();
    const closeMs = performance.now() - closeStart;
    await expect(reading).rejects.toThrow();
    expect(pieces.reduce((n, p) => n + p.bytes.length, 0)).toBe(100);
    const rec = own.requests[0]!;
    expect(rec).toMatchObject({ outcome: 'closed', done: false, bytesSent: 100 });
    expect(closeMs).toBeLessThan(5000); // sanity bound only: without ending the stall, close() never resolves
  });
});
