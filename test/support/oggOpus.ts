/**
 * Ogg Opus test fixtures: real Opus (opusscript = libopus in WASM) in a hand-built Ogg container.
 *
 * Scenario API
 * - `encodeOggOpus(pcm, opts)` → a complete `.opus` file (Buffer): OpusHead page (BOS), OpusTags page, audio pages
 *   with granule positions in 48 kHz samples (pre-skip included, last page trimmed to the exact input length),
 *   Ogg CRC32 on every page, EOS on the last page. ffmpeg decodes it to exactly `pcm.length / channels` samples.
 * - `encodeOpusPackets(pcm, opts)` → the raw Opus packets only (what a demuxer should give back, byte for byte).
 * - `muxOggOpus(packets, opts)` → wrap any packets (e.g. hand-made or malformed ones) in Ogg pages.
 * - `parseOggPages(buf)` → the pages of an Ogg file (flags, granule, lacing, body) to assert on page structure.
 *
 * Shapes worth knowing (libopus via opusscript, 48 kHz):
 * - 2.5/5/10/20 ms frames come out as code-0 packets (one frame).
 * - 40/60 ms at the default bitrate come out as CELT/hybrid packets holding 2 or 3 *20 ms frames* (codes 1/2/3);
 *   only at low bitrates do you get single 40/60 ms SILK frames (`application: 'voip', bitrate: 10000`:
 *   SILK wideband from the first packet; at 12–16 kb/s the stream starts hybrid and turns SILK later).
 * - `framesPerPacket: n` joins n consecutive encoder packets (each must be code 0 with the same TOC) into one
 *   code-3 VBR packet, e.g. `{ frameMs: 20, framesPerPacket: 3 }` → 60 ms packets of three 20 ms frames.
 * - `maxPageBodyBytes` cuts pages so packets continue onto the next page (lacing 255 at the page end,
 *   continued-packet flag 0x01 on the next page); with 255 a 600-byte packet spans 3 pages.
 */
import OpusScript from 'opusscript';
import { oggPageCrc } from '../../src/voice/opus/oggCrc.js';

/** Options for `encodeOpusPackets`. */
export interface OpusEncodeOptions {
  /** Channels of the input PCM and of the encoder. */
  channels: 1 | 2;
  /** Duration of each encoded frame. */
  frameMs: 2.5 | 5 | 10 | 20 | 40 | 60;
  /** Frames per packet; > 1 builds code-3 VBR packets (RFC 6716 §3.2.5). Default 1. */
  framesPerPacket?: number;
  /** libopus application; default 'audio'. */
  application?: 'audio' | 'voip';
  /** Target bitrate in bits/s (OPUS_SET_BITRATE); default: libopus's own choice. */
  bitrate?: number;
}

/** Options for `muxOggOpus`. */
export interface OggMuxOptions {
  /** OpusHead channel count. */
  channels: 1 | 2;
  /** OpusHead input sample rate field (informational only); default 48000. */
  headerInputSampleRate?: number;
  /** OpusHead pre-skip in 48 kHz samples; default 312 (the libopus encoder's lookahead). */
  preSkip?: number;
  /** Completed packets per audio page; default 50. */
  packetsPerPage?: number;
  /** Cut pages at this many body bytes (≥ 255) so packets continue onto the next page. */
  maxPageBodyBytes?: number;
  /** Samples per channel of the original audio; the last page's granule is trimmed to it. Default: no trimming. */
  totalSamples?: number;
  /** Ogg bitstream serial number; default 0x5eed. */
  serial?: number;
  /** Use this packet instead of the generated OpusHead (e.g. a multistream head or a Vorbis header). */
  headPacket?: Buffer;
}

/** Options for `encodeOggOpus`. */
export type OggOpusOptions = OpusEncodeOptions & Omit<OggMuxOptions, 'totalSamples' | 'headPacket'>;

/** One parsed Ogg page. */
export interface OggPage {
  /** Header type flags: 0x01 continued packet, 0x02 BOS, 0x04 EOS. */
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** CRC stored in the page. */
  crc: number;
  /** Whether the stored CRC matches the page. */
  crcOk: boolean;
  lacing: number[];
  body: Buffer;
}

const OPUS_SET_BITRATE = 4002;
/** The libopus encoder's lookahead at 48 kHz ('audio'/'voip'): the OpusHead pre-skip of what we encode. */
export const ENCODER_PRE_SKIP = 312;
const MAX_SEGMENTS = 255;

/** Encode interleaved 48 kHz PCM into a complete Ogg Opus file. */
export function encodeOggOpus(pcm: Int16Array, opts: OggOpusOptions): Buffer {
  const packets = encodeOpusPackets(pcm, opts);
  return muxOggOpus(packets, { ...opts, totalSamples: Math.floor(pcm.length / opts.channels) });
}

/**
 * Encode interleaved 48 kHz PCM into Opus packets. The input is followed by `ENCODER_PRE_SKIP` samples of silence
 * (to flush the encoder's lookahead, as opusenc does) and the last frame is zero-padded.
 */
export function encodeOpusPackets(pcm: Int16Array, opts: OpusEncodeOptions): Buffer[] {
  const { channels, frameMs } = opts;
  const perPacket = opts.framesPerPacket ?? 1;
  if (!Number.isInteger(perPacket) || perPacket < 1 || perPacket > 48 || perPacket * frameMs > 120) {
    throw new RangeError(`framesPerPacket ${perPacket} × ${frameMs} ms is not a legal Opus packet`);
  }
  const frameSize = frameMs * 48;
  const app = opts.application === 'voip' ? OpusScript.Application.VOIP : OpusScript.Application.AUDIO;
  const encoder = new OpusScript(48000, channels, app);
  try {
    if (opts.bitrate !== undefined) encoder.encoderCTL(OPUS_SET_BITRATE, opts.bitrate);
    const step = frameSize * channels;
    const frames: Buffer[] = [];
    const padded = new Int16Array(pcm.length + ENCODER_PRE_SKIP * channels);
    padded.set(pcm);
    for (let i = 0; i < padded.length; i += step) {
      const chunk = new Int16Array(step);
      chunk.set(padded.subarray(i, Math.min(i + step, padded.length)));
      frames.push(encoder.encode(Buffer.from(chunk.buffer), frameSize));
    }
    if (perPacket === 1) return frames;
    const packets: Buffer[] = [];
    for (let i = 0; i < frames.length; i += perPacket) {
      const group = frames.slice(i, i + perPacket);
      while (group.length < perPacket) group.push(encoder.encode(Buffer.alloc(step * 2), frameSize));
      packets.push(joinCode3(group));
    }
    return packets;
  } finally {
    encoder.delete();
  }
}

/** Join code-0 packets with one TOC config into a code-3 VBR packet. */
function joinCode3(packets: Buffer[]): Buffer {
  const toc = packets[0]![0]!;
  for (const p of packets) {
    if ((p[0]! & 3) !== 0) throw new Error('framesPerPacket > 1 needs code-0 encoder output (use frameMs ≤ 20)');
    if ((p[0]! & 0xfc) !== (toc & 0xfc)) throw new Error('encoder changed TOC config between frames of one packet');
  }
  const parts: Buffer[] = [Buffer.from([(toc & 0xfc) | 3, 0x80 | packets.length])];
  for (const p of packets.slice(0, -1)) parts.push(frameLengthBytes(p.length - 1));
  for (const p of packets) parts.push(p.subarray(1));
  return Buffer.concat(parts);
}

/** RFC 6716 §3.2.1 frame length coding: one byte below 252, else two. */
function frameLengthBytes(len: number): Buffer {
  if (len < 252) return Buffer.from([len]);
  const first = 252 + (len & 3);
  return Buffer.from([first, (len - first) >> 2]);
}

/** Samples per channel at 48 kHz of one Opus packet, from its TOC byte (and frame count byte for code 3). */
export function opusPacketSamples(packet: Buffer): number {
  const toc = packet[0]!;
  const config = toc >> 3;
  let frameSize: number;
  if (config < 12) frameSize = [480, 960, 1920, 2880][config & 3]!;
  else if (config < 16) frameSize = config & 1 ? 960 : 480;
  else frameSize = [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  const count = code === 0 ? 1 : code === 3 ? packet[1]! & 0x3f : 2;
  return frameSize * count;
}

/** Build the OpusHead packet (RFC 7845 §5.1, channel mapping family 0). */
export function opusHead(channels: number, preSkip: number, inputSampleRate: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(inputSampleRate, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0;
  return head;
}

/** Build an OpusTags packet with a vendor string and no comments. */
export function opusTags(vendor = 'speech-bot test fixture (opusscript)'): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const tags = Buffer.alloc(8 + 4 + v.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(v.length, 8);
  v.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + v.length);
  return tags;
}

interface PageDraft {
  flags: number;
  granule: bigint;
  lacing: number[];
  body: Buffer[];
  bodyLen: number;
  completed: number;
}

/** Wrap Opus packets in an Ogg Opus stream: head page, tags page, then audio pages. */
export function muxOggOpus(packets: Buffer[], opts: OggMuxOptions): Buffer {
  const preSkip = opts.preSkip ?? ENCODER_PRE_SKIP;
  const perPage = opts.packetsPerPage ?? 50;
  const maxBody = opts.maxPageBodyBytes ?? Infinity;
  if (maxBody < 255) throw new RangeError('maxPageBodyBytes must be at least 255 (one full lacing segment)');
  const serial = opts.serial ?? 0x5eed;

  const pages: PageDraft[] = [];
  const newPage = (flags: number): PageDraft => ({ flags, granule: -1n, lacing: [], body: [], bodyLen: 0, completed: 0 });
  const whole = (packet: Buffer, flags: number): PageDraft => {
    const page = newPage(flags);
    page.granule = 0n;
    for (let n = packet.length; ; n -= 255) {
      page.lacing.push(Math.min(n, 255));
      if (n < 255) break;
    }
    page.body.push(packet);
    page.bodyLen = packet.length;
    return page;
  };
  pages.push(whole(opts.headPacket ?? opusHead(opts.channels, preSkip, opts.headerInputSampleRate ?? 48000), 0x02));
  pages.push(whole(opusTags(), 0));

  // Granule = 48 kHz samples decoded from the stream start, pre-skip samples included (RFC 7845 §4).
  let granule = 0n;
  let page = newPage(0);
  const flush = (continued: boolean): void => {
    pages.push(page);
    page = newPage(continued ? 0x01 : 0);
  };
  for (const packet of packets) {
    let offset = 0;
    for (;;) {
      const rest = packet.length - offset;
      const segRoom = MAX_SEGMENTS - page.lacing.length;
      const bodyRoom = maxBody - page.bodyLen;
      if (Math.floor(rest / 255) + 1 <= segRoom && rest <= bodyRoom) {
        for (let n = rest; n >= 255; n -= 255) page.lacing.push(255);
        page.lacing.push(rest % 255);
        page.body.push(packet.subarray(offset));
        page.bodyLen += rest;
        granule += BigInt(opusPacketSamples(packet));
        page.granule = granule;
        page.completed++;
        if (page.completed >= perPage) flush(false);
        break;
      }
      // The packet does not fit: put whole 255-byte segments here and continue it on the next page.
      const n = Math.min(segRoom, Math.floor(bodyRoom / 255), Math.floor(rest / 255));
      for (let i = 0; i < n; i++) page.lacing.push(255);
      page.body.push(packet.subarray(offset, offset + n * 255));
      page.bodyLen += n * 255;
      offset += n * 255;
      flush(offset > 0);
    }
  }
  if (page.lacing.length > 0) pages.push(page);
  const last = pages[pages.length - 1]!;
  last.flags |= 0x04;
  if (opts.totalSamples !== undefined && pages.length > 2) {
    const trimmed = BigInt(preSkip + opts.totalSamples);
    if (trimmed < last.granule) last.granule = trimmed;
  }
  return Buffer.concat(pages.map((p, i) => serializePage(p, serial, i)));
}

function serializePage(p: PageDraft, serial: number, sequence: number): Buffer {
  const header = Buffer.alloc(27 + p.lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = p.flags;
  header.writeBigInt64LE(p.granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header.writeUInt32LE(0, 22);
  header[26] = p.lacing.length;
  Buffer.from(p.lacing).copy(header, 27);
  const page = Buffer.concat([header, ...p.body]);
  page.writeUInt32LE(oggPageCrc(page), 22);
  return page;
}

/** Parse every page of an Ogg file (stops at the first byte that does not start a complete page). */
export function parseOggPages(buf: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  let pos = 0;
  while (pos + 27 <= buf.length && buf.toString('latin1', pos, pos + 4) === 'OggS') {
    const nseg = buf[pos + 26]!;
    const lacing = [...buf.subarray(pos + 27, pos + 27 + nseg)];
    const bodyLen = lacing.reduce((a, b) => a + b, 0);
    const end = pos + 27 + nseg + bodyLen;
    if (end > buf.length) break;
    const crc = buf.readUInt32LE(pos + 22);
    pages.push({
      flags: buf[pos + 5]!,
      granule: buf.readBigInt64LE(pos + 6),
      serial: buf.readUInt32LE(pos + 14),
      sequence: buf.readUInt32LE(pos + 18),
      crc,
      crcOk: oggPageCrc(buf.subarray(pos, end)) === crc,
      lacing,
      body: buf.subarray(pos + 27 + nseg, end),
    });
    pos = end;
  }
  return pages;
}
