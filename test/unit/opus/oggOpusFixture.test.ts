import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOggOpus, encodeOpusPackets, parseOggPages } from '../../support/oggOpus.js';
import { bufferToPcm, dominantFrequency, rms, sineWave } from '../../support/pcm.js';

const FFMPEG = 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';
const dir = mkdtempSync(join(tmpdir(), 'oggopus-fixture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Decode an Ogg Opus file with ffmpeg to 48 kHz stereo s16le. */
function ffmpegDecode(ogg: Buffer, name: string): Int16Array {
  const file = join(dir, `${name}.ogg`);
  writeFileSync(file, ogg);
  const out = execFileSync(FFMPEG, ['-v', 'error', '-i', file, '-f', 's16le', '-ar', '48000', '-ac', '2', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return bufferToPcm(out);
}

describe('pcm helpers', () => {
  it('finds the frequency of a tone and measures its level', () => {
    for (const f of [110, 440, 1000, 3150]) {
      const tone = sineWave(f, 0.5, { channels: 2 });
      expect(tone.length).toBe(48000);
      expect(Math.abs(dominantFrequency(tone, 48000, 2) / f - 1)).toBeLessThan(0.01);
    }
    expect(rms(sineWave(440, 1, { amplitude: 0.3 }))).toBeCloseTo(0.3 / Math.SQRT2, 2);
    expect(dominantFrequency(new Int16Array(48000), 48000, 1)).toBe(0);
  });
});

describe('encodeOggOpus', () => {
  const cases = [
    { channels: 2, frameMs: 20 },
    { channels: 1, frameMs: 20, headerInputSampleRate: 24000 },
    { channels: 2, frameMs: 2.5 },
    { channels: 1, frameMs: 10 },
    { channels: 2, frameMs: 60 },
    { channels: 1, frameMs: 40, bitrate: 12000, application: 'voip' },
    { channels: 2, frameMs: 20, framesPerPacket: 3 },
    { channels: 2, frameMs: 20, maxPageBodyBytes: 255 },
    { channels: 2, frameMs: 60, maxPageBodyBytes: 300, bitrate: 96000 },
  ] as const;

  for (const opts of cases) {
    it(`ffmpeg decodes ${JSON.stringify(opts)} to the exact length and tone`, () => {
      const seconds = 0.73;
      const pcm = sineWave(440, seconds, { channels: opts.channels });
      const ogg = encodeOggOpus(pcm, opts);
      const decoded = ffmpegDecode(ogg, JSON.stringify(opts).replace(/\W+/g, '_'));
      expect(decoded.length / 2).toBe(pcm.length / opts.channels);
      expect(Math.abs(dominantFrequency(decoded, 48000, 2) / 440 - 1)).toBeLessThan(0.03);
      expect(rms(decoded)).toBeGreaterThan(0.1);
    });
  }

  it('writes the Ogg structure: BOS head, tags, CRCs, granules, EOS', () => {
    const pcm = sineWave(440, 1, { channels: 1 });
    const ogg = encodeOggOpus(pcm, { channels: 1, frameMs: 20, headerInputSampleRate: 24000, packetsPerPage: 10 });
    const pages = parseOggPages(ogg);
    expect(pages.reduce((n, p) => n + 27 + p.lacing.length + p.body.length, 0)).toBe(ogg.length);
    expect(pages.every((p) => p.crcOk)).toBe(true);
    expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
    const [head, tags] = pages;
    expect(head!.flags).toBe(0x02);
    expect(head!.body.toString('latin1', 0, 8)).toBe('OpusHead');
    expect(head!.body[9]).toBe(1);
    expect(head!.body.readUInt32LE(12)).toBe(24000);
    expect(tags!.body.toString('latin1', 0, 8)).toBe('OpusTags');
    const audio = pages.slice(2);
    // 1 s + 312 samples of lookahead flush = 51 packets of 960 samples, 10 per page.
    expect(audio).toHaveLength(6);
    expect(audio.map((p) => p.granule)).toEqual([9600n, 19200n, 28800n, 38400n, 48000n, 312n + 48000n]);
    expect(audio.at(-1)!.flags).toBe(0x04);
  });

  it('continues packets across pages, one packet spanning 3 pages', () => {
    const pcm = sineWave(440, 0.5, { channels: 2 });
    const opts = { channels: 2, frameMs: 60, bitrate: 128000 } as const;
    const packets = encodeOpusPackets(pcm, opts);
    expect(Math.max(...packets.map((p) => p.length))).toBeGreaterThan(510);
    const pages = parseOggPages(encodeOggOpus(pcm, { ...opts, maxPageBodyBytes: 255 }));
    const audio = pages.slice(2);
    expect(audio.every((p) => p.crcOk && p.body.length <= 255)).toBe(true);
    expect(audio.filter((p) => p.flags & 0x01).length).toBeGreaterThan(packets.length);
    // A page with no packet ending on it carries granule -1.
    expect(audio.some((p) => p.granule === -1n && p.lacing.every((l) => l === 255))).toBe(true);
    // Rebuild the packets from lacing values: they must equal what was encoded.
    const rebuilt: Buffer[] = [];
    let partial: Buffer[] = [];
    for (const p of audio) {
      let pos = 0;
      for (const l of p.lacing) {
        partial.push(p.body.subarray(pos, pos + l));
        pos += l;
        if (l < 255) {
          rebuilt.push(Buffer.concat(partial));
          partial = [];
        }
      }
    }
    expect(rebuilt).toEqual(packets);
  });

  it('builds code-3 VBR packets of several 20 ms frames', () => {
    const packets = encodeOpusPackets(sineWave(440, 0.3, { channels: 2 }), { channels: 2, frameMs: 20, framesPerPacket: 3 });
    expect(packets).toHaveLength(6); // ceil((14400 + 312 lookahead) / 960) = 16 frames → 6 packets of 3
    for (const p of packets) {
      expect(p[0]! & 3).toBe(3);
      expect(p[1]).toBe(0x80 | 3);
      expect(p[0]! >> 3).toBe(31); // CELT FB 20 ms
    }
  });
});
