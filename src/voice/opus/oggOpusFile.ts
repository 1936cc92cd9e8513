import { AudioFormatError } from './errors.js';
import { oggPageCrc } from './oggCrc.js';
import { parseOpusHead, type OpusHead } from './oggDemuxer.js';

/** One Ogg page of a whole file: where it is and what its header says. */
export interface OggFilePage {
  offset: number;
  /** Header + lacing + body, bytes. */
  length: number;
  flags: number;
  granule: bigint;
  serial: number;
  /** Segment (lacing) values. */
  lacing: number[];
  bodyOffset: number;
}

/** A complete Ogg Opus file, read at once: its head, its audio packets and its final granule position. */
export interface OggOpusFile {
  head: OpusHead;
  /** Audio packets in order (OpusHead and OpusTags left out). */
  packets: Buffer[];
  /** Granule position of the last page: 48 kHz samples, pre-skip included (RFC 7845 §4). */
  lastGranule: bigint;
  pages: OggFilePage[];
}

const HEADER_BYTES = 27;

/** The pages of an Ogg file held in memory; a page with a bad CRC or a cut end is an AudioFormatError. */
export function oggPages(file: Buffer): OggFilePage[] {
  const pages: OggFilePage[] = [];
  let offset = 0;
  while (offset < file.length) {
    if (file.length - offset < HEADER_BYTES || file.toString('latin1', offset, offset + 4) !== 'OggS') {
      throw new AudioFormatError(offset === 0 ? 'not_ogg' : 'malformed_packet', `no Ogg page at byte ${offset}`);
    }
    const count = file[offset + 26]!;
    const lacing = [...file.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + count)];
    const bodyOffset = offset + HEADER_BYTES + count;
    const length = HEADER_BYTES + count + lacing.reduce((a, b) => a + b, 0);
    if (offset + length > file.length) throw new AudioFormatError('malformed_packet', `Ogg page at byte ${offset} is cut short`);
    if (oggPageCrc(file.subarray(offset, offset + length)) !== file.readUInt32LE(offset + 22)) {
      throw new AudioFormatError('malformed_packet', `Ogg page at byte ${offset} has a bad CRC`);
    }
    pages.push({ offset, length, flags: file[offset + 5]!, granule: file.readBigInt64LE(offset + 6), serial: file.readUInt32LE(offset + 14), lacing, bodyOffset });
    offset += length;
  }
  return pages;
}

/** Reads a whole Ogg Opus file (the first logical stream): head, audio packets, last granule. */
export function readOggOpus(file: Buffer): OggOpusFile {
  const pages = oggPages(file);
  const serial = pages[0]?.serial;
  const own = pages.filter((p) => p.serial === serial);
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  for (const page of own) {
    let at = page.bodyOffset;
    for (const size of page.lacing) {
      partial.push(file.subarray(at, at + size));
      at += size;
      if (size < 255) {
        packets.push(partial.length === 1 ? partial[0]! : Buffer.concat(partial));
        partial = [];
      }
    }
  }
  const [headPacket, , ...audio] = packets;
  if (!headPacket || headPacket.toString('latin1', 0, 8) !== 'OpusHead') throw new AudioFormatError('no_opus_head', 'no OpusHead in the first packet');
  const last = own.at(-1)!;
  return { head: parseOpusHead(headPacket), packets: audio.filter((p) => p.length > 0), lastGranule: last.granule, pages: own };
}

/** The audio's length in seconds from its last granule position and pre-skip (RFC 7845 §4). */
export function oggOpusDurationSecs(file: OggOpusFile): number {
  return Math.max(0, Number(file.lastGranule) - file.head.preSkip) / 48_000;
}

/**
 * A copy of the file whose OpusHead says 48000 Hz as the input rate. The field is informational (Opus always decodes at
 * 48 kHz), but Discord's clients were reported to play 24 kHz-labelled voice messages at half speed. The first page
 * holds only the OpusHead (RFC 7845 §3), so only that page and its CRC change; the audio is not touched.
 */
export function withInputRate48k(file: Buffer): Buffer {
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, 4) !== 'OggS') throw new AudioFormatError('not_ogg', 'no Ogg page at byte 0');
  const count = file[26]!;
  const bodyOffset = HEADER_BYTES + count;
  let length = bodyOffset;
  for (let i = 0; i < count; i++) length += file[HEADER_BYTES + i]!;
  if (length > file.length || file.toString('latin1', bodyOffset, bodyOffset + 8) !== 'OpusHead') {
    throw new AudioFormatError('no_opus_head', 'the first Ogg page holds no OpusHead');
  }
  const out = Buffer.from(file);
  out.writeUInt32LE(48_000, bodyOffset + 12);
  out.writeUInt32LE(0, 22);
  out.writeUInt32LE(oggPageCrc(out.subarray(0, length)), 22);
  return out;
}
