import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../../src/voice/opus/errors.js';
import { OpusReframer } from '../../../src/voice/opus/reframer.js';
import { packetDurationMs, parseToc } from '../../../src/voice/opus/toc.js';
import { encodeOpusPackets, type OpusEncodeOptions } from '../../support/oggOpus.js';
import { dominantFrequency, sineWave } from '../../support/pcm.js';
import { decodeAll, drain } from './streams.js';

const TONE = 440;

async function reframe(input: Buffer[]): Promise<{ out: Buffer[]; error: unknown; stats: OpusReframer['stats'] }> {
  const reframer = new OpusReframer();
  const { out, error } = await drain(input, reframer);
  return { out, error, stats: reframer.stats };
}

/** Every output packet is 20 ms, the total is within one frame of the input, and the tone survives. */
function expectGood20ms(input: Buffer[], out: Buffer[]): void {
  const { samples, pcm } = decodeAll(out);
  expect(samples.every((n) => n === 960)).toBe(true);
  expect(out.every((p) => parseToc(p[0]!).frameDurationMs === 20 && parseToc(p[0]!).code === 0)).toBe(true);
  const inMs = input.reduce((ms, p) => ms + packetDurationMs(p), 0);
  expect(Math.abs(out.length * 20 - inMs)).toBeLessThanOrEqual(20);
  expect(Math.abs(dominantFrequency(pcm, 48000, 2) / TONE - 1)).toBeLessThan(0.03);
}

function encode(opts: OpusEncodeOptions, seconds = 0.5): Buffer[] {
  return encodeOpusPackets(sineWave(TONE, seconds, { channels: opts.channels }), opts);
}

describe('OpusReframer', () => {
  for (const channels of [1, 2] as const) {
    it(`passes 20 ms packets through untouched (${channels} ch)`, async () => {
      const input = encode({ channels, frameMs: 20 });
      const { out, stats } = await reframe(input);
      expect(stats).toEqual({ passthrough: input.length, split: 0, transcodedIn: 0, out: input.length, dropped: 0 });
      expect(out.length).toBe(input.length);
      expect(out.every((p, i) => p === input[i])).toBe(true); // the same Buffers, not copies
      expectGood20ms(input, out);
    });

    for (const frameMs of [2.5, 5, 10] as const) {
      it(`transcodes ${frameMs} ms frames into 20 ms packets (${channels} ch)`, async () => {
        const input = encode({ channels, frameMs });
        const { out, stats } = await reframe(input);
        expect(stats).toMatchObject({ passthrough: 0, split: 0, transcodedIn: input.length, dropped: 0 });
        expect(stats.out).toBe(out.length);
        expect(out.length).toBe(Math.ceil((input.length * frameMs) / 20)); // remainder carried, last frame padded
        expectGood20ms(input, out);
      });
    }

    for (const frameMs of [40, 60] as const) {
      it(`splits libopus' ${frameMs} ms CELT packets (20 ms frames) without re-encoding (${channels} ch)`, async () => {
        const input = encode({ channels, frameMs });
        expect(input.every((p) => parseToc(p[0]!).frameDurationMs === 20 && parseToc(p[0]!).code !== 0)).toBe(true);
        const { out, stats } = await reframe(input);
        expect(stats).toEqual({ passthrough: 0, split: input.length, transcodedIn: 0, out: out.length, dropped: 0 });
        expect(out.length).toBe((input.length * frameMs) / 20);
        expectGood20ms(input, out);
      });

      it(`transcodes ${frameMs} ms SILK frames (${channels} ch)`, async () => {
        const input = encode({ channels, frameMs, application: 'voip', bitrate: 10000 });
        expect(parseToc(input[0]![0]!)).toMatchObject({ mode: 'silk', frameDurationMs: frameMs, code: 0 });
        const { out, stats } = await reframe(input);
        expect(stats).toMatchObject({ passthrough: 0, split: 0, transcodedIn: input.length, dropped: 0 });
        expectGood20ms(input, out);
      });
    }
  }

  it('splits code-3 packets of 3 × 20 ms into the frames the encoder made', async () => {
    const pcm = sineWave(TONE, 0.5, { channels: 2 });
    const singles = encodeOpusPackets(pcm, { channels: 2, frameMs: 20 });
    const input = encodeOpusPackets(pcm, { channels: 2, frameMs: 20, framesPerPacket: 3 });
    const { out, stats } = await reframe(input);
    expect(stats).toEqual({ passthrough: 0, split: input.length, transcodedIn: 0, out: input.length * 3, dropped: 0 });
    expect(out.slice(0, singles.length)).toEqual(singles);
    expectGood20ms(input, out);
  });

  it('switches to transcoding mid-stream when 40 ms SILK follows splittable packets', async () => {
    // At 16 kb/s libopus starts with hybrid 2 × 20 ms packets, then moves to single 40 ms SILK frames.
    const input = encode({ channels: 1, frameMs: 40, bitrate: 16000 }, 1);
    const firstSilk = input.findIndex((p) => parseToc(p[0]!).frameDurationMs === 40);
    expect(firstSilk).toBeGreaterThan(0);
    const { out, stats } = await reframe(input);
    expect(stats.split).toBe(firstSilk);
    expect(stats.transcodedIn).toBe(input.length - firstSilk);
    expectGood20ms(input, out);
  });

  it('drops malformed packets and keeps going', async () => {
    const good = encode({ channels: 2, frameMs: 20 }, 0.1);
    const oddCode1 = Buffer.from([(31 << 3) | 1, 1, 2, 3]);
    const { out, stats, error } = await reframe([good[0]!, oddCode1, Buffer.alloc(0), ...good.slice(1)]);
    expect(error).toBeNull();
    expect(out).toEqual(good);
    expect(stats.dropped).toBe(2);

    const short = encode({ channels: 2, frameMs: 10 }, 0.1);
    const transcoded = await reframe([...short.slice(0, 3), Buffer.from([(30 << 3) | 3, 0]), ...short.slice(3)]);
    expect(transcoded.error).toBeNull();
    expect(transcoded.stats).toMatchObject({ transcodedIn: short.length, dropped: 1 });
  });

  it('fails with a typed error when every packet is malformed', async () => {
    const { error } = await reframe([Buffer.from([(31 << 3) | 1, 1, 2, 3]), Buffer.from([(31 << 3) | 3, 0])]);
    expect(error).toBeInstanceOf(AudioFormatError);
    expect((error as AudioFormatError).reason).toBe('malformed_packet');
  });

  it('ends cleanly with no input', async () => {
    const { out, error } = await reframe([]);
    expect(error).toBeNull();
    expect(out).toEqual([]);
  });
});
