import { Transform, type TransformCallback } from 'node:stream';
import OpusScript from 'opusscript';
import { AudioFormatError } from './errors.js';
import { frameToPacket, packetFrames, parseToc } from './toc.js';

/** What the reframer did with its input so far. */
export interface ReframerStats {
  /** Input packets passed on untouched (20 ms code 0). */
  passthrough: number;
  /** Input packets split into 20 ms code-0 packets without re-encoding (code 1/2/3 of 20 ms frames). */
  split: number;
  /** Input packets decoded for re-encoding. */
  transcodedIn: number;
  /** Packets emitted, each exactly 20 ms. */
  out: number;
  /** Input packets dropped as malformed or undecodable. */
  dropped: number;
}

/** Options for `OpusReframer`. */
export interface OpusReframerOptions {
  /** Bitrate (bits/s) of re-encoded packets when transcoding; default 64000 (a Discord channel's default). */
  bitrate?: number;
}

const RATE = 48000;
const CHANNELS = 2;
const FRAME_SAMPLES = 960;
const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2;
const OPUS_SET_BITRATE = 4002;
/** Input packets remembered in copy mode to warm the decoder up if the stream switches to transcoding. */
const WARMUP_PACKETS = 2;

/**
 * Makes every Opus packet exactly 20 ms, because @discordjs/voice sends one packet per 20 ms tick and advances
 * the RTP timestamp by 960 whatever the packet holds. Object mode in and out: Opus packets (e.g. from
 * `OggOpusDemuxer`) in, 20 ms Opus packets out.
 *
 * - 20 ms code-0 packet: passed through untouched (same Buffer).
 * - Packet of 20 ms frames (code 1/2/3, e.g. libopus' 40/60 ms CELT output): split into code-0 packets, no re-encoding.
 * - Anything else (2.5/5/10 ms frames, 40/60 ms SILK frames): the stream switches to transcoding for good:
 *   decode (48 kHz stereo), re-encode as 20 ms 48 kHz stereo packets; leftover samples carry over to the next packet
 *   and the last partial frame is zero-padded at the end. The decoder is first fed the last 2 input packets
 *   (output discarded) so its state matches the stream; the switch point may still click slightly.
 *
 * The decoder always decodes to stereo (libopus upmixes mono packets), so no channel count is needed and mono or
 * stereo streams (or a mix) all work. Pre-skip and granule end-trimming are not applied (≤ 6.5 ms at each end).
 * Malformed or undecodable packets are dropped (`stats.dropped`); the stream fails with
 * `AudioFormatError('malformed_packet')` only if it ends having dropped packets and emitted nothing.
 */
export class OpusReframer extends Transform {
  /** Live counters. */
  readonly stats: ReframerStats = { passthrough: 0, split: 0, transcodedIn: 0, out: 0, dropped: 0 };

  private readonly bitrate: number;
  private codec: OpusScript | null = null;
  private recent: Buffer[] = [];
  private pcm: Buffer = Buffer.alloc(0);

  constructor(options: OpusReframerOptions = {}) {
    super({ objectMode: true });
    this.bitrate = options.bitrate ?? 64000;
  }

  override _transform(packet: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.codec) this.transcode(packet);
      else this.copy(packet);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.codec && this.pcm.length > 0) {
        const last = Buffer.alloc(FRAME_BYTES);
        this.pcm.copy(last);
        this.emitEncoded(last);
      }
      this.release();
      if (this.stats.out === 0 && this.stats.dropped > 0) {
        done(new AudioFormatError('malformed_packet', `all ${this.stats.dropped} Opus packets were malformed`));
        return;
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.release();
    callback(err);
  }

  /** Copy mode: pass or split 20 ms material; switch to transcoding on anything else. */
  private copy(packet: Buffer): void {
    if (packet.length === 0) {
      this.stats.dropped++;
      return;
    }
    const toc = parseToc(packet[0]!);
    if (toc.frameDurationMs !== 20) {
      this.startTranscoding();
      this.transcode(packet);
      return;
    }
    if (toc.code === 0) {
      this.remember(packet);
      this.stats.passthrough++;
      this.stats.out++;
      this.push(packet);
      return;
    }
    let frames: Buffer[];
    try {
      frames = packetFrames(packet);
    } catch {
      this.stats.dropped++;
      return;
    }
    this.remember(packet);
    this.stats.split++;
    for (const frame of frames) {
      this.stats.out++;
      this.push(frameToPacket(packet[0]!, frame));
    }
  }

  private remember(packet: Buffer): void {
    this.recent.push(packet);
    if (this.recent.length > WARMUP_PACKETS) this.recent.shift();
  }

  private startTranscoding(): void {
    const codec = new OpusScript(RATE, CHANNELS, OpusScript.Application.AUDIO);
    this.codec = codec;
    codec.encoderCTL(OPUS_SET_BITRATE, this.bitrate);
    for (const earlier of this.recent) this.decode(earlier);
    this.recent = [];
  }

  /** Decode a packet frame by frame (opusscript's output buffer holds at most 60 ms) into stereo s16le. */
  private decode(packet: Buffer): Buffer[] | null {
    let frames: Buffer[];
    try {
      frames = packetFrames(packet);
    } catch {
      return null;
    }
    const out: Buffer[] = [];
    for (const frame of frames) {
      try {
        out.push(this.codec!.decode(frameToPacket(packet[0]!, frame)));
      } catch {
        return null;
      }
    }
    return out;
  }

  private transcode(packet: Buffer): void {
    const decoded = packet.length > 0 ? this.decode(packet) : null;
    if (!decoded) {
      this.stats.dropped++;
      return;
    }
    this.stats.transcodedIn++;
    const pcm = Buffer.concat([this.pcm, ...decoded]);
    let pos = 0;
    for (; pcm.length - pos >= FRAME_BYTES; pos += FRAME_BYTES) this.emitEncoded(pcm.subarray(pos, pos + FRAME_BYTES));
    this.pcm = Buffer.from(pcm.subarray(pos));
  }

  private emitEncoded(frame: Buffer): void {
    this.stats.out++;
    this.push(this.codec!.encode(frame, FRAME_SAMPLES));
  }

  private release(): void {
    this.codec?.delete();
    this.codec = null;
    this.recent = [];
  }
}
