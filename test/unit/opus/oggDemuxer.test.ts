import { execFileSync } from 'node:child_process';
import prism from 'prism-media';
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../../src/voice/opus/errors.js';
import { encodeOpusPackets, muxOggOpus, opusHead, parseOggPages, type OpusEncodeOptions } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';
import { chunked, demux, drain, randomChunks } from './streams.js';

const FFMPEG = 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';

function packetsFor(opts: OpusEncodeOptions, seconds = 0.4): Buffer[] {
  return encodeOpusPackets(sineWave(440, seconds, { channels: opts.channels }), opts);
}

function expectFormatError(error: unknown, reason: string): void {
  expect(error).toBeInstanceOf(AudioFormatError);
  expect((error as AudioFormatError).reason).toBe(reason);
}

describe('OggOpusDemuxer', () => {
  for (const frameMs of [10, 20, 40, 60] as const) {
    for (const channels of [1, 2] as const) {
      it(`gives back every packet byte for byte: ${frameMs} ms, ${channels} ch`, async () => {
        const packets = packetsFor({ channels, frameMs });
        const ogg = muxOggOpus(packets, { channels, packetsPerPage: 7 });
        const whole = await demux([ogg]);
        expect(whole.error).toBeNull();
        expect(whole.packets).toEqual(packets);
        expect(whole.stats).toEqual({ pages: parseOggPages(ogg).length, packets: packets.length, badPages: 0, droppedPackets: 0 });
        const random = await demux(randomChunks(ogg, 700, frameMs));
        expect(random.packets).toEqual(packets);
      });
    }
  }

  it('takes the input one byte at a time', async () => {
    const packets = packetsFor({ channels: 2, frameMs: 20 });
    const result = await demux(chunked(muxOggOpus(packets, { channels: 2, packetsPerPage: 5 }), 1));
    expect(result.error).toBeNull();
    expect(result.packets).toEqual(packets);
  });

  it('joins packets continued across pages, including one spanning 3 pages, at any chunking', async () => {
    const packets = packetsFor({ channels: 2, frameMs: 60, bitrate: 128000 });
    const ogg = muxOggOpus(packets, { channels: 2, maxPageBodyBytes: 255 });
    expect(Math.max(...packets.map((p) => p.length))).toBeGreaterThan(2 * 255); // so it spans ≥ 3 pages of 255
    expect(parseOggPages(ogg).some((p) => p.flags & 0x01 && p.lacing.every((l) => l === 255))).toBe(true);
    for (const chunks of [[ogg], chunked(ogg, 1), randomChunks(ogg, 300, 7)]) {
      const result = await demux(chunks);
      expect(result.error).toBeNull();
      expect(result.packets).toEqual(packets);
    }
  });

  it('emits the OpusHead fields once, before the first packet', async () => {
    const packets = packetsFor({ channels: 1, frameMs: 20 });
    const result = await demux(chunked(muxOggOpus(packets, { channels: 1, headerInputSampleRate: 24000 }), 3));
    expect(result.head).toEqual({ channels: 1, preSkip: 312, inputSampleRate: 24000, outputGain: 0, mappingFamily: 0 });
    expect(result.headEvents).toBe(1);
    expect(result.headBeforeData).toBe(true);
  });

  it('reads a real ffmpeg Ogg Opus file', async () => {
    const ogg = execFileSync(FFMPEG, [
      '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5:sample_rate=24000',
      '-c:a', 'libopus', '-ac', '1', '-f', 'ogg', 'pipe:1',
    ]);
    const result = await demux(randomChunks(ogg, 100));
    expect(result.error).toBeNull();
    // This ffmpeg (4.x) writes pre-skip 156, the lookahead in 24 kHz units, though RFC 7845 wants 48 kHz (312).
    expect(result.head).toMatchObject({ channels: 1, inputSampleRate: 24000, preSkip: 156 });
    expect(result.packets).toHaveLength(26); // 0.5 s + 312 samples of lookahead in 20 ms packets
  });

  it('outlasts prism-media, which stalls at the first page ending in a continued packet', async () => {
    // 1 s of 60 ms stereo packets at 128 kb/s (~960 bytes) on pages cut at 4000 body bytes: the first audio page
    // holds 3 whole packets and the start of a 4th. Measured: prism-media 1.3.5 emits 0 packets (it discards that
    // whole page, complete packets included, then waits forever) and ends without an error; ours emits all 17.
    const packets = packetsFor({ channels: 2, frameMs: 60, bitrate: 128000 }, 1);
    const ogg = muxOggOpus(packets, { channels: 2, maxPageBodyBytes: 4000 });
    expect(parseOggPages(ogg)[3]!.flags & 0x01).toBe(1);
    const ours = await demux([ogg]);
    const theirs = await drain([ogg], new prism.opus.OggDemuxer());
    expect(ours.packets).toEqual(packets);
    expect(ours.packets).toHaveLength(17);
    expect(theirs.error).toBeNull();
    expect(theirs.out).toHaveLength(0);
  });

  it('fails at once on bytes that are not Ogg (mp3, HTML)', async () => {
    const id3 = await demux([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00', 'latin1')]);
    expectFormatError(id3.error, 'not_ogg');
    expect((id3.error as Error).message).toContain('ID3');
    const html = await demux([Buffer.from('<html><body>502 Bad Gateway</body></html>')]);
    expectFormatError(html.error, 'not_ogg');
    expect((html.error as AudioFormatError).key).toBe('audio_format');
  });

  it('fails on the first bad byte without waiting for the end of the input', async () => {
    const { OggOpusDemuxer } = await import('../../../src/voice/opus/oggDemuxer.js');
    const demuxer = new OggOpusDemuxer();
    const failed = new Promise<unknown>((resolve) => demuxer.once('error', resolve));
    demuxer.write(Buffer.from('Og<'));
    expectFormatError(await failed, 'not_ogg');
    expect(demuxer.destroyed).toBe(true);
  });

  it('fails on Ogg without Opus (Vorbis) and on empty input', async () => {
    const vorbis = execFileSync(FFMPEG, [
      '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.2', '-c:a', 'libvorbis', '-f', 'ogg', 'pipe:1',
    ]);
    expectFormatError((await demux([vorbis])).error, 'no_opus_head');
    expectFormatError((await demux([])).error, 'no_opus_head');
    const truncatedHead = muxOggOpus(packetsFor({ channels: 2, frameMs: 20 }), { channels: 2 }).subarray(0, 30);
    expectFormatError((await demux([truncatedHead])).error, 'no_opus_head');
  });

  it('refuses multistream (surround) Opus', async () => {
    const head = Buffer.concat([opusHead(6, 312, 48000), Buffer.from([4, 2, 0, 4, 1, 2, 3, 5])]);
    head[18] = 1; // mapping family 1: 6 channels in 4 streams
    const ogg = muxOggOpus(packetsFor({ channels: 2, frameMs: 20 }, 0.1), { channels: 2, headPacket: head });
    expectFormatError((await demux([ogg])).error, 'unsupported');
  });

  it('skips a page with a bad CRC, loses only its packets, and resyncs', async () => {
    const packets = packetsFor({ channels: 2, frameMs: 20 });
    const ogg = Buffer.from(muxOggOpus(packets, { channels: 2, packetsPerPage: 5 }));
    const pages = parseOggPages(ogg);
    const third = pages.slice(0, 4).reduce((n, p) => n + 27 + p.lacing.length + p.body.length, 0); // audio page #3
    ogg[third + 27 + pages[4]!.lacing.length + 10]! ^= 0xff;
    const result = await demux(randomChunks(ogg, 500));
    expect(result.error).toBeNull();
    expect(result.packets).toEqual([...packets.slice(0, 10), ...packets.slice(15)]);
    expect(result.stats.badPages).toBeGreaterThanOrEqual(1);
  });

  it('drops a packet whose continuation page is lost and keeps the rest', async () => {
    const packets = packetsFor({ channels: 2, frameMs: 60, bitrate: 128000 });
    const ogg = muxOggOpus(packets, { channels: 2, maxPageBodyBytes: 255 });
    const pages = parseOggPages(ogg);
    // Remove audio page #2 (index 3): it holds only the middle of packet 0, which must be dropped.
    const start = pages.slice(0, 3).reduce((n, p) => n + 27 + p.lacing.length + p.body.length, 0);
    const len = 27 + pages[3]!.lacing.length + pages[3]!.body.length;
    expect(pages[3]!.flags & 0x01).toBe(1);
    const cut = Buffer.concat([ogg.subarray(0, start), ogg.subarray(start + len)]);
    const result = await demux([cut]);
    expect(result.error).toBeNull();
    expect(result.packets[0]).toEqual(packets[1]);
    expect(result.packets.slice(1)).toEqual(packets.slice(2));
    expect(result.stats.droppedPackets).toBeGreaterThanOrEqual(1);
  });

  it('skips garbage between pages without losing packets', async () => {
    const packets = packetsFor({ channels: 1, frameMs: 20 });
    const ogg = muxOggOpus(packets, { channels: 1, packetsPerPage: 4 });
    const pages = parseOggPages(ogg);
    const at = pages.slice(0, 5).reduce((n, p) => n + 27 + p.lacing.length + p.body.length, 0);
    const dirty = Buffer.concat([ogg.subarray(0, at), Buffer.from('garbage OggX junk'), ogg.subarray(at)]);
    const result = await demux(chunked(dirty, 13));
    expect(result.error).toBeNull();
    expect(result.packets).toEqual(packets);
    expect(result.stats.badPages).toBeGreaterThanOrEqual(1);
  });

  it('ends quietly on a truncated file, dropping the cut packet', async () => {
    const packets = packetsFor({ channels: 2, frameMs: 20 });
    const ogg = muxOggOpus(packets, { channels: 2, maxPageBodyBytes: 1000 });
    const result = await demux([ogg.subarray(0, Math.floor(ogg.length / 2))]);
    expect(result.error).toBeNull();
    expect(result.packets.length).toBeGreaterThan(0);
    expect(result.packets).toEqual(packets.slice(0, result.packets.length));
  });

  it('ignores a chained second stream and a multiplexed foreign stream', async () => {
    const a = packetsFor({ channels: 2, frameMs: 20 }, 0.2);
    const b = packetsFor({ channels: 1, frameMs: 10 }, 0.2);
    const chained = Buffer.concat([muxOggOpus(a, { channels: 2, serial: 1 }), muxOggOpus(b, { channels: 1, serial: 2 })]);
    expect((await demux([chained])).packets).toEqual(a);
    // A foreign BOS page (a Vorbis-like header, serial 9) before ours, and a foreign page after: both skipped.
    const foreign = muxOggOpus([], { channels: 1, serial: 9, headPacket: Buffer.from('\x01vorbis.....', 'latin1') });
    const [bos] = parseOggPages(foreign);
    expect(bos!.flags).toBe(0x02);
    const bosLength = 27 + bos!.lacing.length + bos!.body.length;
    const muxed = Buffer.concat([foreign.subarray(0, bosLength), muxOggOpus(a, { channels: 2, serial: 1 }), foreign.subarray(bosLength)]);
    const result = await demux([muxed]);
    expect(result.error).toBeNull();
    expect(result.packets).toEqual(a);
  });
});
