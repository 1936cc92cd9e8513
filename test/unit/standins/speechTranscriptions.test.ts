import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../standins/speech/ffmpegEncode.js';
import { UNKNOWN_AUDIO_TRANSCRIPT, decodeToPcm16k, hearTone, startSpeechStandin, textFor, toneFor, durationFor, type SpeechStandin } from '../../standins/speech/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createTranscriptionClient } from '../../../src/speech/transcription/transcriptionClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { oggOpusSeconds, wavSeconds, ffmpegSeconds } from '../../../src/speech/transcription/audioDuration.js';

let speech: SpeechStandin;
beforeAll(async () => {
  speech = await startSpeechStandin({ bytesPerSecond: Infinity });
});
afterAll(async () => {
  await speech?.close();
});

const logger = createLogger('silent');
const client = () => createTranscriptionClient({ baseUrl: speech.baseUrl, apiKey: speech.apiKey, timeoutMs: 10_000, logger });

/** What a Discord client uploads as a voice message: Ogg Opus, mono, 48 kHz (here at a low bitrate, as phones do). */
const toVoiceMessage = (audio: Buffer, extraFilter: string[] = []) =>
  runFfmpeg(['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', ...extraFilter, '-c:a', 'libopus', '-b:a', '24k', '-ar', '48000', '-ac', '1', '-f', 'ogg', 'pipe:1'], audio);

describe('the speech stand-in recognises its own audio', () => {
  it('maps "hello there" back to its text after a transcode to Ogg Opus mono 48 kHz, as mp3 and as wav', async () => {
    const opus = await speech.expectedAudio({ input: 'hello there', response_format: 'opus' });
    const voice = await toVoiceMessage(opus);
    expect((await client().transcribe({ audio: voice, filename: 'voice-message.ogg', contentType: 'audio/ogg', model: 'whisper-1' })).text).toBe('hello there');
    const mp3 = await speech.expectedAudio({ input: 'mp3 words here', response_format: 'mp3' });
    expect((await client().transcribe({ audio: mp3, filename: 'a.mp3', contentType: 'audio/mpeg', model: 'whisper-1' })).text).toBe('mp3 words here');
    const wav = await speech.expectedAudio({ input: 'a wav file', response_format: 'wav', speed: 2 });
    expect((await client().transcribe({ audio: wav, filename: 'a.wav', contentType: 'audio/wav', model: 'gpt-4o-mini-transcribe' })).text).toBe('a wav file');
  });

  it('survives a tempo change (pitch kept) on top of the transcode', async () => {
    const opus = await speech.expectedAudio({ input: 'faster please', response_format: 'opus' });
    const voice = await toVoiceMessage(opus, ['-af', 'atempo=1.5']);
    expect((await client().transcribe({ audio: voice, filename: 'v.ogg', contentType: 'audio/ogg', model: 'whisper-1' })).text).toBe('faster please');
  });

  it('tells apart two texts that share a tone by their length', async () => {
    const base = 'same tone one';
    let other = '';
    for (let i = 0; i < 5000 && !other; i++) {
      const candidate = `the other text number ${i}`;
      if (toneFor(candidate) === toneFor(base) && Math.abs(durationFor(candidate) - durationFor(base)) > 0.3) other = candidate;
    }
    expect(other).not.toBe('');
    const a = await toVoiceMessage(await speech.expectedAudio({ input: base, response_format: 'opus' }));
    const b = await toVoiceMessage(await speech.expectedAudio({ input: other, response_format: 'mp3' }));
    const heardA = hearTone(await decodeToPcm16k(a))!;
    const heardB = hearTone(await decodeToPcm16k(b))!;
    expect(heardA.toneHz).toBe(heardB.toneHz);
    expect(textFor(heardA, speech.produced)).toBe(base);
    expect(textFor(heardB, speech.produced)).toBe(other);
  });

  it('reads a message spoken in parts (clips one after another, as a long text is made) as their texts in order', async () => {
    // Three sentences of different tones (neighbouring parts of one tone would be one clip to a listener too).
    const parts: string[] = [];
    for (const candidate of ['First part of it.', 'Then the second one, a bit longer.', 'And a third.', 'Or this third.', 'A last one.', 'Or the last.']) {
      if (parts.length < 3 && !parts.some((p) => toneFor(p) === toneFor(candidate))) parts.push(candidate);
    }
    expect(parts).toHaveLength(3);
    const pcm = await Promise.all(parts.map(async (input) => (await speech.expectedAudio({ input, response_format: 'wav' })).subarray(44)));
    const wav = await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '24000', '-ac', '1', '-i', 'pipe:0', '-f', 'wav', 'pipe:1'], Buffer.concat(pcm));
    const voice = await toVoiceMessage(wav);
    expect((await client().transcribe({ audio: voice, filename: 'v.ogg', contentType: 'audio/ogg', model: 'whisper-1' })).text).toBe(parts.join(' '));
  });

  it('gives unknown audio (noise, a tone it never made) the fixed answer', async () => {
    const noise = Buffer.alloc(48_000 * 2);
    for (let i = 0; i < noise.length / 2; i++) noise.writeInt16LE(Math.round((Math.random() - 0.5) * 20_000), i * 2);
    const noiseWav = await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '48000', '-ac', '1', '-i', 'pipe:0', '-f', 'wav', 'pipe:1'], noise);
    expect((await client().transcribe({ audio: noiseWav, filename: 'noise.wav', contentType: 'audio/wav', model: 'whisper-1' })).text).toBe(UNKNOWN_AUDIO_TRANSCRIPT);
    const fresh = await startSpeechStandin();
    try {
      const foreign = await speech.expectedAudio({ input: 'made elsewhere', response_format: 'mp3' });
      const other = createTranscriptionClient({ baseUrl: fresh.baseUrl, apiKey: fresh.apiKey, timeoutMs: 10_000, logger });
      expect((await other.transcribe({ audio: foreign, filename: 'x.mp3', contentType: 'audio/mpeg', model: 'whisper-1' })).text).toBe(UNKNOWN_AUDIO_TRANSCRIPT);
    } finally {
      await fresh.close();
    }
  });
});

describe('POST /v1/audio/transcriptions validation (OpenAI shapes)', () => {
  const post = (form: FormData | string, contentType?: string) =>
    fetch(`${speech.baseUrl}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${speech.apiKey}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body: form,
    });
  const formWith = (fields: Record<string, string>, file?: { name: string; bytes: Buffer }) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    if (file) f.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
    return f;
  };

  it('refuses a file name OpenAI does not take with its message, and the bot reads it as a rejection', async () => {
    const res = await post(formWith({ model: 'whisper-1' }, { name: 'notes.txt', bytes: Buffer.from('hello') }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
    expect(body.error).toEqual({
      message: "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const err = await client().transcribe({ audio: Buffer.from('x'), filename: 'a.txt', contentType: 'text/plain', model: 'whisper-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).key).toBe('speech.rejected');
    expect((err as SpeechError).details.providerMessage).toMatch(/Invalid file format/);
  });

  it('answers missing fields, JSON bodies, undecodable audio and unknown models as OpenAI does', async () => {
    expect((await post(formWith({}, { name: 'a.ogg', bytes: Buffer.from('x') }))).status).toBe(400);
    const noFile = await post(formWith({ model: 'whisper-1' }));
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { param: string } }).error.param).toBe('file');
    expect((await post(JSON.stringify({ model: 'whisper-1' }), 'application/json')).status).toBe(400);
    const garbage = await post(formWith({ model: 'whisper-1' }, { name: 'a.ogg', bytes: Buffer.from('not audio at all') }));
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toMatch(/could not be decoded/);
    const model = await post(formWith({ model: 'tts-1' }, { name: 'a.ogg', bytes: Buffer.from('x') }));
    expect(model.status).toBe(404);
    expect(((await model.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('refuses a request over 26,214,400 bytes with 413 and OpenAI\'s message', async () => {
    const big = Buffer.alloc(26_214_400 + 1);
    const res = await post(formWith({ model: 'whisper-1' }, { name: 'big.ogg', bytes: big }));
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).toMatch(/^Maximum content size limit \(26214400\) exceeded \(\d+ bytes read\)$/);
  });

  it('without the route (transcriptions: false) answers 404 like any unknown URL', async () => {
    const none = await startSpeechStandin({ transcriptions: false });
    try {
      const c = createTranscriptionClient({ baseUrl: none.baseUrl, apiKey: none.apiKey, timeoutMs: 5000, logger });
      const err = await c.transcribe({ audio: Buffer.from('x'), filename: 'a.ogg', contentType: 'audio/ogg', model: 'whisper-1' }).catch((e: unknown) => e);
      expect((err as SpeechError).status).toBe(404);
    } finally {
      await none.close();
    }
  });
});

describe('audio length of a downloaded file', () => {
  it('reads Ogg Opus from its last granule, WAV from its header, anything else through ffmpeg', async () => {
    const seconds = durationFor('length check');
    expect(oggOpusSeconds(await speech.expectedAudio({ input: 'length check', response_format: 'opus' }))!).toBeCloseTo(seconds, 1);
    expect(wavSeconds(await speech.expectedAudio({ input: 'length check', response_format: 'wav' }))!).toBeCloseTo(seconds, 2);
    expect((await ffmpegSeconds(await speech.expectedAudio({ input: 'length check', response_format: 'mp3' }), ffmpeg.path))!).toBeCloseTo(seconds, 1);
    expect(oggOpusSeconds(Buffer.from('not ogg'))).toBeUndefined();
  });
});
