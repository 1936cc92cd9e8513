import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { AudioFormatError, TranscoderError, ffmpegArgs, opusPacketsFrom, transcodeToOggOpus } from '../../../src/voice/opus/index.js';
import type { TranscodeInputFormat } from '../../../src/voice/opus/index.js';
import { encodeOggOpus } from '../../support/oggOpus.js';
import { dominantFrequency, sineWave } from '../../support/pcm.js';
import { chunked, decodeAll } from './streams.js';

const FFMPEG = 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';

/** A 1 s 440 Hz tone made by ffmpeg in the given output format. */
function tone(args: string[]): Buffer {
  return execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1:sample_rate=24000', ...args, 'pipe:1']);
}

const inputs = new Map<TranscodeInputFormat, Buffer>();
/** Seconds ffmpeg alone decodes each input to: mp3 and aac carry encoder delay/padding (≈ 1.045 s and 1.067 s). */
const decodedSeconds = new Map<TranscodeInputFormat, number>();
beforeAll(() => {
  inputs.set('mp3', tone(['-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-f', 'mp3']));
  inputs.set('wav', tone(['-f', 'wav']));
  inputs.set('pcm', tone(['-ac', '1', '-f', 's16le']));
  inputs.set('flac', tone(['-f', 'flac']));
  inputs.set('aac', tone(['-c:a', 'aac', '-f', 'adts']));
  const demuxers: Record<string, string[]> = { mp3: ['-f', 'mp3'], aac: ['-f', 'aac'], pcm: ['-f', 's16le', '-ar', '24000', '-ac', '1'] };
  for (const [format, data] of inputs) {
    const args = ['-v', 'error', ...(demuxers[format] ?? []), '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '48000', 'pipe:1'];
    decodedSeconds.set(format, execFileSync(FFMPEG, args, { input: data }).length / 2 / 48000);
  }
});

describe('transcodeToOggOpus → opusPacketsFrom', () => {
  for (const format of ['mp3', 'wav', 'pcm', 'flac', 'aac'] as const) {
    it(`turns ${format} into 20 ms Opus packets of the same tone and length`, async () => {
      const ogg = transcodeToOggOpus(Readable.from(chunked(inputs.get(format)!, 4096)), { format, ffmpegPath: FFMPEG });
      const { packets, head, stats } = opusPacketsFrom(ogg);
      const out = (await packets.toArray()) as Buffer[];
      expect(await head).toMatchObject({ channels: 2, mappingFamily: 0 });
      expect(stats).toMatchObject({ passthrough: out.length, split: 0, transcodedIn: 0, dropped: 0 });
      const { samples, pcm } = decodeAll(out);
      expect(samples.every((n) => n === 960)).toBe(true);
      const seconds = pcm.length / 2 / 48000;
      expect(Math.abs(seconds - decodedSeconds.get(format)!)).toBeLessThanOrEqual(0.04);
      expect(Math.abs(seconds - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(dominantFrequency(pcm, 48000, 2) / 440 - 1)).toBeLessThan(0.03);
    });
  }

  it('fails with AudioFormatError (and the ffmpeg message) on garbage, without hanging', async () => {
    const garbage = Buffer.alloc(20000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + (i >> 3)) & 0xff;
    for (const format of ['mp3', 'wav', 'aac', 'flac'] as const) {
      const { packets, head } = opusPacketsFrom(transcodeToOggOpus(Readable.from([garbage]), { format, ffmpegPath: FFMPEG }));
      const error = await packets.toArray().then(() => null, (err: unknown) => err);
      expect(error, format).toBeInstanceOf(AudioFormatError);
      expect((error as AudioFormatError).reason).toBe('undecodable');
      expect((error as Error).message).toMatch(/exit \d+\): \S/);
      await expect(head).rejects.toBe(error);
    }
  });

  it('fails with TranscoderError when ffmpeg cannot start', async () => {
    const out = transcodeToOggOpus(Readable.from([inputs.get('wav')!]), { format: 'wav', ffmpegPath: '/nonexistent/ffmpeg' });
    const [error] = await once(out, 'error');
    expect(error).toBeInstanceOf(TranscoderError);
    expect((error as TranscoderError).key).toBe('audio_transcoder');
  });

  it('aborts: the output fails with the abort reason and the input is destroyed', async () => {
    const input = new PassThrough();
    input.write(inputs.get('wav')!.subarray(0, 8000)); // a stream that never ends
    const controller = new AbortController();
    const out = transcodeToOggOpus(input, { format: 'wav', ffmpegPath: FFMPEG, signal: controller.signal });
    out.resume();
    setImmediate(() => controller.abort());
    const [error] = await once(out, 'error');
    expect((error as Error).name).toBe('AbortError');
    expect(input.destroyed).toBe(true);
  });

  for (const format of ['pcm', 'mp3', 'aac'] as const) {
    it(`streams ${format}: packets come out while the input is still open`, { timeout: 10_000 }, async () => {
      const input = new PassThrough();
      input.write(inputs.get(format)!.subarray(0, 16000)); // ~⅓ s of audio; the input never ends
      const { packets, stats } = opusPacketsFrom(transcodeToOggOpus(input, { format, ffmpegPath: FFMPEG }));
      await once(packets, 'readable');
      expect(stats.out).toBeGreaterThan(0);
      expect(input.writableEnded).toBe(false);
      packets.destroy();
      await once(input, 'close');
    });
  }

  it('destroying the packets tears down the chain back to the input', { timeout: 10_000 }, async () => {
    const input = new PassThrough();
    input.write(inputs.get('pcm')!);
    const ogg = transcodeToOggOpus(input, { format: 'pcm', ffmpegPath: FFMPEG });
    const { packets } = opusPacketsFrom(ogg);
    await once(packets, 'readable');
    packets.destroy();
    await once(input, 'close');
    expect(ogg.destroyed).toBe(true);
    expect(input.destroyed).toBe(true);
  });

  it('passes raw pcm as 24 kHz mono s16le and asks for 20 ms Ogg Opus pages', () => {
    const args = ffmpegArgs('pcm');
    expect(args.join(' ')).toContain('-f s16le -ar 24000 -ac 1 -i pipe:0');
    expect(args.join(' ')).toContain('-frame_duration 20');
    expect(args.at(-1)).toBe('pipe:1');
  });
});

describe('opusPacketsFrom', () => {
  it('reframes an Ogg Opus stream of 10 ms packets and reports the head', async () => {
    const ogg = encodeOggOpus(sineWave(440, 0.5, { channels: 1 }), { channels: 1, frameMs: 10, headerInputSampleRate: 24000 });
    const { packets, head, stats } = opusPacketsFrom(Readable.from(chunked(ogg, 500)));
    const out = (await packets.toArray()) as Buffer[];
    expect(await head).toEqual({ channels: 1, preSkip: 312, inputSampleRate: 24000, outputGain: 0, mappingFamily: 0 });
    expect(stats.transcodedIn).toBeGreaterThan(0);
    expect(stats.out).toBe(out.length);
    expect(decodeAll(out).samples.every((n) => n === 960)).toBe(true);
  });

  it('surfaces a demuxer error on the packets and rejects the head', async () => {
    const { packets, head } = opusPacketsFrom(Readable.from([Buffer.from('<!DOCTYPE html><p>quota exceeded</p>')]));
    const error = await packets.toArray().then(() => null, (err: unknown) => err);
    expect(error).toBeInstanceOf(AudioFormatError);
    expect((error as AudioFormatError).reason).toBe('not_ogg');
    await expect(head).rejects.toBe(error);
  });
});

describe('tempo for servers that ignore speed', () => {
  it('chains atempo filters within 0.5-2 whose product is the factor', async () => {
    const { atempoChain } = await import('../../../src/voice/opus/transcoder.js');
    expect(atempoChain(1.5)).toBe('atempo=1.5');
    expect(atempoChain(4)).toBe('atempo=2,atempo=2');
    expect(atempoChain(0.25)).toBe('atempo=0.5,atempo=0.5');
    expect(atempoChain(3)).toBe('atempo=2,atempo=1.5');
    expect(ffmpegArgs('wav', 64000, 2)).toEqual(expect.arrayContaining(['-af', 'atempo=2']));
    expect(ffmpegArgs('wav')).not.toContain('-af');
  });
});
