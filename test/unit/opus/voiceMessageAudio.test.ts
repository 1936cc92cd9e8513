import { describe, expect, it } from 'vitest';
import { oggOpusDurationSecs, oggPages, readOggOpus, withInputRate48k } from '../../../src/voice/opus/oggOpusFile.js';
import { decodeMono, voiceMessageAudio, voiceMessageFit } from '../../../src/voice/opus/voiceMessageAudio.js';
import { encodeWaveform, WaveformBuilder, waveformPoints } from '../../../src/voice/opus/waveform.js';
import { AudioFormatError } from '../../../src/voice/opus/errors.js';
import { encodeOggOpus, parseOggPages } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';

/** A tone, then silence, then a quieter tone: a shape a waveform must show. */
function shapedPcm(): Int16Array {
  const loud = sineWave(440, 1, { amplitude: 0.5 });
  const silence = new Int16Array(48_000);
  const quiet = sineWave(440, 1, { amplitude: 0.1 });
  return Int16Array.from([...loud, ...silence, ...quiet]);
}

describe('waveformPoints', () => {
  it('gives one point per 100 ms up to 256, the loudest slice at 255, silence at 0', () => {
    const points = waveformPoints(shapedPcm(), 48_000);
    expect(points.length).toBe(30);
    expect(Math.max(...points.slice(0, 10))).toBe(255);
    expect(Math.max(...points.slice(10, 20))).toBe(0);
    const quiet = points.slice(21, 29);
    for (const p of quiet) expect(p).toBeGreaterThan(40);
    for (const p of quiet) expect(p).toBeLessThan(60); // a fifth of the loud part
  });

  it('never has more than 256 points, nor fewer than one', () => {
    expect(waveformPoints(new Int16Array(48_000 * 60), 48_000).length).toBe(256);
    expect(waveformPoints(new Int16Array(100), 48_000).length).toBe(1);
    expect([...waveformPoints(new Int16Array(100), 48_000)]).toEqual([0]);
  });

  it('gives the same points fed in pieces as all at once', () => {
    const pcm = shapedPcm();
    const builder = new WaveformBuilder(pcm.length, 48_000);
    for (let i = 0; i < pcm.length; i += 960) builder.add(pcm.subarray(i, i + 960));
    expect([...builder.points()]).toEqual([...waveformPoints(pcm, 48_000)]);
  });

  it('encodes as base64, one byte a point', () => {
    expect(encodeWaveform(Uint8Array.from([0, 255, 128]))).toBe('AP+A');
  });
});

describe('readOggOpus and the duration', () => {
  it('reads head, packets and the exact duration from the last granule', () => {
    const pcm = sineWave(300, 2.345);
    const file = readOggOpus(encodeOggOpus(pcm, { channels: 1, frameMs: 20 }));
    expect(file.head.channels).toBe(1);
    expect(file.packets.length).toBe(Math.ceil(2.345 / 0.02));
    expect(oggOpusDurationSecs(file)).toBeCloseTo(2.345, 4);
  });

  it('refuses what is not Ogg, and a page with a bad CRC', () => {
    expect(() => oggPages(Buffer.from('ID3 not ogg at all, really not'))).toThrow(AudioFormatError);
    const ogg = encodeOggOpus(sineWave(300, 0.5), { channels: 1, frameMs: 20 });
    ogg[ogg.length - 1] = ogg[ogg.length - 1]! ^ 0xff;
    expect(() => readOggOpus(ogg)).toThrow(/bad CRC/);
  });
});

describe('voiceMessageFit and withInputRate48k', () => {
  it('keeps mono 48 kHz, relabels mono 24 kHz, re-encodes stereo', () => {
    const head = { channels: 1, preSkip: 312, inputSampleRate: 48_000, outputGain: 0, mappingFamily: 0 };
    expect(voiceMessageFit(head)).toBe('ready');
    expect(voiceMessageFit({ ...head, inputSampleRate: 24_000 })).toBe('relabel');
    expect(voiceMessageFit({ ...head, channels: 2 })).toBe('transcode');
  });

  it('rewrites only the OpusHead rate and its page CRC', () => {
    const ogg = encodeOggOpus(sineWave(300, 0.5), { channels: 1, frameMs: 20, headerInputSampleRate: 24_000 });
    const fixed = withInputRate48k(ogg);
    expect(readOggOpus(fixed).head.inputSampleRate).toBe(48_000);
    expect(parseOggPages(fixed).every((p) => p.crcOk)).toBe(true);
    const firstPageEnd = oggPages(ogg)[0]!.length;
    expect(fixed.subarray(firstPageEnd).equals(ogg.subarray(firstPageEnd))).toBe(true);
  });
});

describe('voiceMessageAudio', () => {
  it('gives the duration, a waveform of the decoded audio and 48 kHz-labelled data', async () => {
    const ogg = encodeOggOpus(shapedPcm(), { channels: 1, frameMs: 60, headerInputSampleRate: 24_000 });
    const vm = await voiceMessageAudio(ogg);
    expect(vm.durationSecs).toBeCloseTo(3, 2);
    const points = Buffer.from(vm.waveform, 'base64');
    expect(points.length).toBe(30);
    expect(Math.max(...points.subarray(12, 19))).toBeLessThan(10); // the silent second
    expect(Math.max(...points.subarray(0, 10))).toBe(255);
    expect(readOggOpus(vm.data).head.inputSampleRate).toBe(48_000);
  });

  it('decodes to as many samples as the granule says', async () => {
    const ogg = encodeOggOpus(sineWave(300, 1.01), { channels: 1, frameMs: 20 });
    const file = readOggOpus(ogg);
    let samples = 0;
    expect(await decodeMono(file.packets, file.head.preSkip, 48_480, (s) => (samples += s.length))).toBe(48_480);
    expect(samples).toBe(48_480);
  });

  it('refuses stereo (it must be re-encoded to one channel first)', async () => {
    const ogg = encodeOggOpus(sineWave(300, 0.5, { channels: 2 }), { channels: 2, frameMs: 20 });
    await expect(voiceMessageAudio(ogg)).rejects.toThrow(/one channel/);
  });

  it('gives the event loop back while decoding a long voice message', async () => {
    const ogg = encodeOggOpus(sineWave(300, 20), { channels: 1, frameMs: 20 }); // 1000 packets
    let turns = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    try {
      expect((await voiceMessageAudio(ogg)).durationSecs).toBeCloseTo(20, 2);
    } finally {
      running = false;
    }
    // Decoding all at once would let no other callback run; it yields every 25 packets.
    expect(turns).toBeGreaterThanOrEqual(30);
  });
});
