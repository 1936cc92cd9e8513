import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../../src/voice/opus/errors.js';
import { frameToPacket, packetDurationMs, packetFrames, packetSamples48k, parseToc } from '../../../src/voice/opus/toc.js';
import { encodeOpusPackets } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';

// RFC 6716 §3.1, Table 2, row by row: configs, mode, bandwidth, frame sizes.
const TABLE_2 = [
  [[0, 1, 2, 3], 'silk', 'narrowband', [10, 20, 40, 60]],
  [[4, 5, 6, 7], 'silk', 'mediumband', [10, 20, 40, 60]],
  [[8, 9, 10, 11], 'silk', 'wideband', [10, 20, 40, 60]],
  [[12, 13], 'hybrid', 'superwideband', [10, 20]],
  [[14, 15], 'hybrid', 'fullband', [10, 20]],
  [[16, 17, 18, 19], 'celt', 'narrowband', [2.5, 5, 10, 20]],
  [[20, 21, 22, 23], 'celt', 'wideband', [2.5, 5, 10, 20]],
  [[24, 25, 26, 27], 'celt', 'superwideband', [2.5, 5, 10, 20]],
  [[28, 29, 30, 31], 'celt', 'fullband', [2.5, 5, 10, 20]],
] as const;

/** A packet from a TOC config/stereo/code and the bytes after the TOC. */
const pkt = (config: number, code: number, rest: number[] = [], stereo = false): Buffer =>
  Buffer.from([(config << 3) | (stereo ? 4 : 0) | code, ...rest]);
const bytes = (n: number, fill = 0xaa): number[] => new Array<number>(n).fill(fill);

function expectMalformed(packet: Buffer): void {
  let caught: unknown;
  try {
    packetFrames(packet);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AudioFormatError);
  expect((caught as AudioFormatError).reason).toBe('malformed_packet');
  expect((caught as AudioFormatError).key).toBe('audio_format');
}

describe('parseToc', () => {
  const rows = TABLE_2.flatMap(([configs, mode, bandwidth, ms]) =>
    configs.map((config, i) => ({ config, mode, bandwidth, frameDurationMs: ms[i]! })),
  );
  it('covers all 32 configs', () => expect(rows.map((r) => r.config)).toEqual([...Array(32).keys()]));

  for (const row of rows) {
    it(`config ${row.config}: ${row.mode} ${row.bandwidth} ${row.frameDurationMs} ms`, () => {
      for (const code of [0, 1, 2, 3] as const) {
        for (const stereo of [false, true]) {
          expect(parseToc((row.config << 3) | (stereo ? 4 : 0) | code)).toEqual({ ...row, stereo, code });
        }
      }
    });
  }
});

describe('packetFrames', () => {
  it('code 0: one frame, a view into the packet', () => {
    const p = pkt(31, 0, [1, 2, 3]);
    const frames = packetFrames(p);
    expect(frames).toEqual([Buffer.from([1, 2, 3])]);
    expect(frames[0]!.buffer).toBe(p.buffer);
    expect(packetFrames(pkt(31, 0))).toEqual([Buffer.alloc(0)]); // DTX / lost frame
  });

  it('code 1: two equal frames; odd payload is malformed', () => {
    expect(packetFrames(pkt(31, 1, [1, 2, 3, 4]))).toEqual([Buffer.from([1, 2]), Buffer.from([3, 4])]);
    expect(packetFrames(pkt(31, 1))).toEqual([Buffer.alloc(0), Buffer.alloc(0)]);
    expectMalformed(pkt(31, 1, [1, 2, 3]));
  });

  it('code 2: one- and two-byte first frame lengths', () => {
    expect(packetFrames(pkt(31, 2, [2, 7, 8, 9]))).toEqual([Buffer.from([7, 8]), Buffer.from([9])]);
    // 301 = 4 × 12 + 253: first byte 252 + (301 & 3) = 253, second byte 12.
    const two = packetFrames(pkt(31, 2, [253, 12, ...bytes(301, 1), ...bytes(5, 2)]));
    expect(two.map((f) => f.length)).toEqual([301, 5]);
    expect(two[1]).toEqual(Buffer.from(bytes(5, 2)));
    expectMalformed(pkt(31, 2)); // no length byte
    expectMalformed(pkt(31, 2, [252])); // two-byte length cut short
    expectMalformed(pkt(31, 2, [5, 1, 2])); // first frame longer than the packet
  });

  it('code 3 CBR, with and without padding', () => {
    expect(packetFrames(pkt(31, 3, [3, 1, 1, 2, 2, 3, 3])).map((f) => [...f])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expectMalformed(pkt(31, 3, [3, 1, 1, 2, 2, 3])); // 5 bytes do not split into 3
    // Padding flag, 2 bytes of padding.
    expect(packetFrames(pkt(31, 3, [0x40 | 2, 2, 1, 2, 0, 0])).map((f) => [...f])).toEqual([[1], [2]]);
    // Padding length 255 → 254 bytes plus the next length byte (10): 264 bytes of padding.
    const padded = pkt(31, 3, [0x40 | 1, 255, 10, 9, 9, ...bytes(264, 0)]);
    expect(packetFrames(padded).map((f) => [...f])).toEqual([[9, 9]]);
    expectMalformed(pkt(31, 3, [0x40 | 1, 255])); // padding length cut short
    expectMalformed(pkt(31, 3, [0x40 | 1, 50, 1, 2])); // padding longer than the packet
  });

  it('code 3 VBR, with one- and two-byte lengths and padding', () => {
    const vbr = pkt(31, 3, [0x80 | 3, 2, 253, 12, 1, 1, ...bytes(301, 2), 3, 3, 3]);
    expect(packetFrames(vbr).map((f) => f.length)).toEqual([2, 301, 3]);
    expect([...packetFrames(vbr)[2]!]).toEqual([3, 3, 3]);
    const vbrPad = pkt(31, 3, [0x80 | 0x40 | 2, 1, 1, 5, 6, 7, 0]);
    expect(packetFrames(vbrPad).map((f) => [...f])).toEqual([[5], [6, 7]]);
    expectMalformed(pkt(31, 3, [0x80 | 3, 2, 9, 1, 1])); // lengths exceed the packet
    expectMalformed(pkt(31, 3, [0x80 | 3, 2])); // second length missing
  });

  it('rejects empty packets, zero frame counts, > 120 ms and oversized frames', () => {
    expectMalformed(Buffer.alloc(0));
    expectMalformed(pkt(31, 3)); // no frame count byte
    expectMalformed(pkt(31, 3, [0])); // M = 0
    expectMalformed(pkt(31, 3, [7, ...bytes(7)])); // 7 × 20 ms = 140 ms
    expectMalformed(pkt(3, 3, [3, ...bytes(3)])); // 3 × 60 ms SILK = 180 ms
    expect(packetFrames(pkt(28, 3, [48, ...bytes(48)]))).toHaveLength(48); // 48 × 2.5 ms = 120 ms is legal
    expectMalformed(pkt(28, 3, [49, ...bytes(49)]));
    expectMalformed(pkt(31, 0, bytes(1276))); // frame > 1275 bytes
    expect(packetFrames(pkt(31, 0, bytes(1275)))[0]).toHaveLength(1275);
  });

  it('splits real libopus code-3 packets into the frames the encoder made', () => {
    const pcm = sineWave(440, 0.2, { channels: 2 });
    const singles = encodeOpusPackets(pcm, { channels: 2, frameMs: 20 });
    const triples = encodeOpusPackets(pcm, { channels: 2, frameMs: 20, framesPerPacket: 3 });
    const rebuilt = triples.flatMap((p) => packetFrames(p).map((f) => frameToPacket(p[0]!, f)));
    // 0.2 s + lookahead = 11 frames; the last triple is completed with one extra (silent) frame.
    expect(rebuilt).toHaveLength(12);
    expect(rebuilt.slice(0, 11)).toEqual(singles);
    const decoder = new OpusScript(48000, 2);
    try {
      for (const p of rebuilt) expect(decoder.decode(p).length).toBe(960 * 2 * 2);
    } finally {
      decoder.delete();
    }
  });
});

describe('packet durations and frameToPacket', () => {
  it('counts frames × frame duration', () => {
    expect(packetDurationMs(pkt(31, 0, [1]))).toBe(20);
    expect(packetDurationMs(pkt(16, 1, [1, 1]))).toBe(5);
    expect(packetDurationMs(pkt(11, 0, [1]))).toBe(60);
    expect(packetDurationMs(pkt(14, 2, [0]))).toBe(20);
    expect(packetDurationMs(pkt(31, 3, [0x80 | 6]))).toBe(120);
    expect(packetSamples48k(pkt(28, 3, [3]))).toBe(360);
    expect(() => packetDurationMs(Buffer.alloc(0))).toThrow(AudioFormatError);
  });

  it('builds a code-0 packet keeping config and stereo bits', () => {
    const p = frameToPacket((27 << 3) | 4 | 3, Buffer.from([9, 8]));
    expect([...p]).toEqual([(27 << 3) | 4, 9, 8]);
    expect(parseToc(p[0]!)).toMatchObject({ config: 27, stereo: true, code: 0 });
  });
});
