import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opusPacketSamples, parseOggPages } from '../../support/oggOpus.js';
import { dominantFrequency } from '../../support/pcm.js';
import { durationFor, startSpeechStandin, toneFor, type SpeechStandin } from '../../standins/speech/index.js';
import { decodeSpeechAudio, readBodyPieces, type BodyPiece } from '../../standins/speech/inspectAudio.js';

const TEXT = 'Faults make the bot stronger.'; // 29 chars → 1.66 s

let speech: SpeechStandin;

beforeAll(async () => {
  speech = await startSpeechStandin({ bytesPerSecond: Infinity });
});
afterAll(async () => {
  await speech?.close();
});
beforeEach(() => {
  speech.clearFaults();
  speech.setOptions({ bytesPerSecond: Infinity, ttfbMs: 0 });
});

function post(extra: Record<string, unknown> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(`${speech.baseUrl}/audio/speech`, {
    method: 'POST',
    headers: { authorization: `Bearer ${speech.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', input: TEXT, voice: 'nova', ...extra }),
    ...init,
  });
}

async function errorOf(res: Response): Promise<{ message: string; type: string; param: unknown; code: unknown }> {
  return ((await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } }).error;
}

/** Packets over 255 bytes (high bitrate) in pages of at most 255 body bytes: every packet continues onto the next page. */
const LARGE_PACKETS = { channels: 1, frameMs: 20, bitrate: 160_000, maxPageBodyBytes: 255 } as const;

function total(pieces: BodyPiece[]): Buffer {
  return Buffer.concat(pieces.map((p) => p.bytes));
}

describe('status faults', () => {
  it('answers one 429 with retry-after, then serves again', async () => {
    speech.next({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBe('2000');
    expect(await errorOf(limited)).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    const ok = await post({ response_format: 'pcm' });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect(speech.pendingFaults).toBe(0);
  });

  it('answers an insufficient_quota 429', async () => {
    speech.next({ kind: 'status', status: 429, code: 'insufficient_quota' });
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await errorOf(res)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
  });

  it.each([500, 502, 503])('answers %i with an OpenAI server_error body', async (status) => {
    speech.next({ kind: 'status', status });
    const res = await post();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await errorOf(res)).toMatchObject({ type: 'server_error', param: null, code: null });
  });

  it('answers 401 even with the right key, and raw non-JSON bodies', async () => {
    speech.next({ kind: 'status', status: 401 });
    speech.next({ kind: 'status', status: 502, raw: { body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' } });
    const denied = await post();
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).code).toBe('invalid_api_key');
    const proxy = await post();
    expect(proxy.status).toBe(502);
    expect(proxy.headers.get('content-type')).toBe('text/html');
    expect(await proxy.text()).toContain('502 Bad Gateway');
  });
});

describe('delivery faults', () => {
  it('delays the first byte', async () => {
    speech.next({ kind: 'delay', ttfbMs: 250 });
    const sent = performance.now();
    const res = await post({ response_format: 'pcm' });
    expect(performance.now() - sent).toBeGreaterThanOrEqual(245);
    await res.arrayBuffer();
    expect(speech.requests.at(-1)!.faults.delay).toEqual({ kind: 'delay', ttfbMs: 250 });
  });

  it('stalls forever after some bytes until the client aborts', async () => {
    speech.next({ kind: 'stall', afterBytes: 1000 });
    const abort = new AbortController();
    const res = await post({ response_format: 'wav' }, { signal: abort.signal });
    expect(res.status).toBe(200);
    const pieces: BodyPiece[] = [];
    const reading = readBodyPieces(res, pieces);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(total(pieces).length).toBe(1000);
    abort.abort();
    await expect(reading).rejects.toThrow();
    await speech.waitForSettled();
    expect(speech.requests.at(-1)).toMatchObject({ bytesSent: 1000, done: false, aborted: true, outcome: 'client-aborted' });
  });

  it('stalls for forMs, then completes with the exact audio', async () => {
    speech.next({ kind: 'stall', afterBytes: 0, forMs: 150 });
    const sent = performance.now();
    const res = await post({ response_format: 'mp3' });
    const body = total(await readBodyPieces(res));
    expect(performance.now() - sent).toBeGreaterThanOrEqual(145);
    expect(body.equals(await speech.expectedAudio({ input: TEXT, response_format: 'mp3' }))).toBe(true);
    await speech.waitForSettled();
    expect(speech.requests.at(-1)).toMatchObject({ done: true, outcome: 'complete' });
  });

  it('cuts the connection mid-body', async () => {
    speech.next({ kind: 'cut', afterBytes: 1500 });
    const res = await post({ response_format: 'mp3' });
    expect(res.status).toBe(200);
    const pieces: BodyPiece[] = [];
    await expect(readBodyPieces(res, pieces)).rejects.toThrow();
    const expected = await speech.expectedAudio({ input: TEXT, response_format: 'mp3' });
    expect(total(pieces).equals(expected.subarray(0, 1500))).toBe(true);
    await speech.waitForSettled();
    expect(speech.requests.at(-1)).toMatchObject({ bytesSent: 1500, done: false, aborted: false, outcome: 'cut' });
  });

  it('serves garbage with the right content type', async () => {
    speech.next({ kind: 'garbage' });
    const res = await post({ response_format: 'mp3' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const body = Buffer.from(await res.arrayBuffer());
    const expected = await speech.expectedAudio({ input: TEXT, response_format: 'mp3' });
    expect(body.length).toBe(expected.length);
    expect(body.equals(expected)).toBe(false);
    expect(body.includes(0xff)).toBe(false); // no MPEG frame sync anywhere
    expect(['ID3', 'Ogg', 'RIF', 'fLa']).not.toContain(body.toString('latin1', 0, 3));
  });

  it('reshapes opus: stereo 60 ms packets, and packets continued across pages', async () => {
    speech.next({ kind: 'shape', opus: { channels: 2, frameMs: 20, framesPerPacket: 3, packetsPerPage: 2 } });
    const stereo = Buffer.from(await (await post({ response_format: 'opus' })).arrayBuffer());
    const pages = parseOggPages(stereo);
    expect(pages[0]!.body[9]).toBe(2);
    const firstPacket = pages[2]!.body.subarray(0, pages[2]!.lacing[0]);
    expect(opusPacketSamples(firstPacket)).toBe(2880);
    const pcm = await decodeSpeechAudio(stereo, 'opus');
    expect(Math.abs(dominantFrequency(pcm, 48000, 1) / toneFor(TEXT) - 1)).toBeLessThan(0.03);

    speech.next({ kind: 'shape', opus: LARGE_PACKETS });
    const continued = Buffer.from(await (await post({ response_format: 'opus' })).arrayBuffer());
    expect(parseOggPages(continued).some((p) => (p.flags & 0x01) !== 0)).toBe(true);
    expect(continued.equals(await speech.expectedAudio({ input: TEXT, response_format: 'opus', opus: LARGE_PACKETS }))).toBe(true);
  });

  it('ignores response_format when told to', async () => {
    speech.next({ kind: 'format', respondAs: 'wav' });
    const res = await post({ response_format: 'opus' });
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.toString('latin1', 0, 4)).toBe('RIFF');
    expect(speech.requests.at(-1)!.audio?.format).toBe('wav');
  });

  it('paces with a per-request rate and piece size', async () => {
    speech.next({ kind: 'pace', bytesPerSecond: 40_000, chunkBytes: 2000 });
    const res = await post({ response_format: 'pcm', input: 'Pace me' }); // 0.78 s → 37440 bytes
    const pieces = await readBodyPieces(res);
    const body = total(pieces);
    expect(body.length).toBe(Math.round(durationFor('Pace me') * 24000) * 2);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    expect(pieces.at(-1)!.at - pieces[0]!.at).toBeGreaterThanOrEqual(((body.length - 4000) / 40_000) * 1000 * 0.9);
  });
});

describe('fault selection', () => {
  it('applies a matched fault only to the matching request', async () => {
    speech.next({ kind: 'status', status: 503 }, { input: 'second' });
    speech.next({ kind: 'status', status: 500 }, (body) => String(body.input).startsWith('third'));
    const first = await post({ input: 'first', response_format: 'pcm' });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    expect((await post({ input: 'third one' })).status).toBe(500);
    expect((await post({ input: 'second' })).status).toBe(503);
    expect(speech.pendingFaults).toBe(0);
  });

  it('keeps sticky faults until cleared; queued ones override them by kind', async () => {
    speech.always({ kind: 'status', status: 503 });
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(503);
    speech.next({ kind: 'status', status: 429 });
    expect((await post()).status).toBe(429);
    speech.always(null);
    const ok = await post({ response_format: 'pcm' });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });

  it('combines faults and keeps a delivery fault for a request that will be served', async () => {
    speech.next([{ kind: 'format', respondAs: 'flac' }, { kind: 'cut', afterBytes: 200 }]);
    const rejected = await fetch(`${speech.baseUrl}/audio/speech`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-nope-0000', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input: TEXT, voice: 'nova' }),
    });
    expect(rejected.status).toBe(401);
    await rejected.arrayBuffer();
    expect(speech.pendingFaults).toBe(1);
    const res = await post();
    expect(res.headers.get('content-type')).toBe('audio/flac');
    const pieces: BodyPiece[] = [];
    await expect(readBodyPieces(res, pieces)).rejects.toThrow();
    expect(total(pieces).toString('latin1', 0, 4)).toBe('fLaC');
    expect(total(pieces).length).toBe(200);
  });
});
