import { AudioFormatError } from './errors.js';

/** Opus coding mode (RFC 6716 §3.1). */
export type OpusMode = 'silk' | 'hybrid' | 'celt';
/** Audio bandwidth of a frame (RFC 6716 §3.1, Table 2). */
export type OpusBandwidth = 'narrowband' | 'mediumband' | 'wideband' | 'superwideband' | 'fullband';
/** Legal Opus frame durations in milliseconds. */
export type OpusFrameDurationMs = 2.5 | 5 | 10 | 20 | 40 | 60;

/** The fields of an Opus TOC byte. */
export interface OpusToc {
  /** Configuration number 0…31. */
  config: number;
  mode: OpusMode;
  bandwidth: OpusBandwidth;
  /** Duration of each frame in the packet. */
  frameDurationMs: OpusFrameDurationMs;
  stereo: boolean;
  /** Frame count code: 0 = 1 frame, 1 = 2 equal frames, 2 = 2 frames, 3 = arbitrary count. */
  code: 0 | 1 | 2 | 3;
}

const MAX_FRAME_BYTES = 1275;
const MAX_PACKET_MS = 120;
const SILK_MS = [10, 20, 40, 60] as const;
const CELT_MS = [2.5, 5, 10, 20] as const;
const SILK_BW = ['narrowband', 'mediumband', 'wideband'] as const;
const CELT_BW = ['narrowband', 'wideband', 'superwideband', 'fullband'] as const;

/** Decode an Opus TOC byte (RFC 6716 §3.1). */
export function parseToc(byte: number): OpusToc {
  const config = (byte >> 3) & 0x1f;
  const stereo = (byte & 0x04) !== 0;
  const code = (byte & 0x03) as 0 | 1 | 2 | 3;
  if (config < 12) {
    return { config, mode: 'silk', bandwidth: SILK_BW[config >> 2]!, frameDurationMs: SILK_MS[config & 3]!, stereo, code };
  }
  if (config < 16) {
    return {
      config,
      mode: 'hybrid',
      bandwidth: config < 14 ? 'superwideband' : 'fullband',
      frameDurationMs: config & 1 ? 20 : 10,
      stereo,
      code,
    };
  }
  return { config, mode: 'celt', bandwidth: CELT_BW[(config - 16) >> 2]!, frameDurationMs: CELT_MS[config & 3]!, stereo, code };
}

function malformed(message: string): AudioFormatError {
  return new AudioFormatError('malformed_packet', `Malformed Opus packet: ${message}`);
}

/** Number of frames in a packet, from its TOC (and frame count byte for code 3). */
function frameCount(packet: Uint8Array): number {
  if (packet.length < 1) throw malformed('empty packet');
  const code = packet[0]! & 3;
  if (code === 0) return 1;
  if (code !== 3) return 2;
  if (packet.length < 2) throw malformed('code 3 packet without frame count byte');
  const count = packet[1]! & 0x3f;
  if (count === 0) throw malformed('code 3 packet with zero frames');
  return count;
}

/** Read a frame length (RFC 6716 §3.2.1) at `pos`; returns [length, bytes used]. */
function readFrameLength(packet: Buffer, pos: number): [number, number] {
  const first = packet[pos];
  if (first === undefined) throw malformed('truncated frame length');
  if (first < 252) return [first, 1];
  const second = packet[pos + 1];
  if (second === undefined) throw malformed('truncated two-byte frame length');
  return [second * 4 + first, 2];
}

/**
 * Split an Opus packet into its compressed frames (RFC 6716 §3.2), checking requirements R1–R7 of §3.4.
 * Frames are views into `packet` (no copy); padding is dropped. Throws `AudioFormatError('malformed_packet')`.
 */
export function packetFrames(packet: Buffer): Buffer[] {
  const count = frameCount(packet);
  const toc = parseToc(packet[0]!);
  if (count * toc.frameDurationMs > MAX_PACKET_MS) throw malformed(`${count} frames of ${toc.frameDurationMs} ms exceed 120 ms`);
  const n = packet.length;
  const frames: Buffer[] = [];
  const take = (start: number, len: number): void => {
    if (len > MAX_FRAME_BYTES) throw malformed(`frame of ${len} bytes exceeds ${MAX_FRAME_BYTES}`);
    frames.push(packet.subarray(start, start + len));
  };

  switch (toc.code) {
    case 0:
      take(1, n - 1);
      return frames;
    case 1:
      if ((n - 1) % 2 !== 0) throw malformed('code 1 packet with odd payload length');
      take(1, (n - 1) / 2);
      take(1 + (n - 1) / 2, (n - 1) / 2);
      return frames;
    case 2: {
      const [len, used] = readFrameLength(packet, 1);
      const start = 1 + used;
      if (start + len > n) throw malformed('code 2 first frame longer than the packet');
      take(start, len);
      take(start + len, n - start - len);
      return frames;
    }
    case 3: {
      const vbr = (packet[1]! & 0x80) !== 0;
      const padded = (packet[1]! & 0x40) !== 0;
      let pos = 2;
      let padding = 0;
      if (padded) {
        // Each padding length byte of 255 means 254 bytes of padding plus another length byte.
        for (;;) {
          const b = packet[pos++];
          if (b === undefined) throw malformed('truncated padding length');
          padding += b === 255 ? 254 : b;
          if (b !== 255) break;
        }
      }
      const end = n - padding;
      if (end < pos) throw malformed('padding longer than the packet');
      if (!vbr) {
        const payload = end - pos;
        if (payload % count !== 0) throw malformed('CBR payload not divisible by the frame count');
        const size = payload / count;
        for (let i = 0; i < count; i++) take(pos + i * size, size);
        return frames;
      }
      const lengths: number[] = [];
      for (let i = 0; i < count - 1; i++) {
        const [len, used] = readFrameLength(packet, pos);
        pos += used;
        lengths.push(len);
      }
      let start = pos;
      for (const len of lengths) {
        if (start + len > end) throw malformed('VBR frame lengths exceed the packet');
        take(start, len);
        start += len;
      }
      if (start > end) throw malformed('VBR frame lengths exceed the packet');
      take(start, end - start);
      return frames;
    }
  }
}

/** Samples per channel at 48 kHz in a packet (frame count × frame duration), from its header only. */
export function packetSamples48k(packet: Buffer): number {
  return frameCount(packet) * parseToc(packet[0]!).frameDurationMs * 48;
}

/** Duration of a packet in milliseconds, from its header only. */
export function packetDurationMs(packet: Buffer): number {
  return packetSamples48k(packet) / 48;
}

/** A code-0 packet holding one frame, with the TOC's config and stereo bits and code bits 0. */
export function frameToPacket(tocByte: number, frame: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(frame.length + 1);
  packet[0] = tocByte & 0xfc;
  packet.set(frame, 1);
  return packet;
}
