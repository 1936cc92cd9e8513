import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { AudioFormatError } from './errors.js';
import { oggPageCrc } from './oggCrc.js';

/** Fields of the OpusHead identification header (RFC 7845 §5.1). */
export interface OpusHead {
  /** Output channel count (1 or 2 for playable streams). */
  channels: number;
  /** 48 kHz samples to discard from the start of the decoded output. */
  preSkip: number;
  /** Sample rate of the original input, informational only (Opus always decodes at 48 kHz here). */
  inputSampleRate: number;
  /** Output gain in dB (the header's Q7.8 value / 256). */
  outputGain: number;
  /** Channel mapping family (0 = mono/stereo). */
  mappingFamily: number;
}

/** What the demuxer has seen so far. */
export interface OggDemuxerStats {
  /** Pages parsed with a valid CRC (all logical streams). */
  pages: number;
  /** Audio packets pushed. */
  packets: number;
  /** Pages skipped for a bad CRC or an unknown version, plus resyncs after garbage between pages. */
  badPages: number;
  /** Packets lost to a skipped page, a sequence gap, a truncated end, or zero length. */
  droppedPackets: number;
}

const CAPTURE = Buffer.from('OggS', 'latin1');
const HEADER_BYTES = 27;
const FLAG_CONTINUED = 0x01;
const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;

/** Reads an OpusHead packet (RFC 7845 §5.1); throws AudioFormatError for heads the bot cannot play. */
export function parseOpusHead(packet: Buffer): OpusHead {
  if (packet.length < 19) throw new AudioFormatError('unsupported', `OpusHead too short (${packet.length} bytes)`);
  const version = packet[8]!;
  if (version >> 4 !== 0) throw new AudioFormatError('unsupported', `OpusHead version ${version} is not supported`);
  const head: OpusHead = {
    channels: packet[9]!,
    preSkip: packet.readUInt16LE(10),
    inputSampleRate: packet.readUInt32LE(12),
    outputGain: packet.readInt16LE(16) / 256,
    mappingFamily: packet[18]!,
  };
  if (head.channels < 1) throw new AudioFormatError('unsupported', 'OpusHead with zero channels');
  // Families other than 0 carry a mapping table; only a single (possibly coupled) stream is plain Opus.
  if (head.mappingFamily !== 0) {
    const streams = packet[19];
    if (streams !== 1) {
      throw new AudioFormatError('unsupported', `multistream Opus (${head.channels} channels, ${streams ?? '?'} streams)`);
    }
  } else if (head.channels > 2) {
    throw new AudioFormatError('unsupported', `OpusHead family 0 with ${head.channels} channels`);
  }
  return head;
}

/**
 * Ogg Opus demuxer: bytes in, Opus packets (Buffers, object mode) out.
 *
 * Unlike prism-media's OggDemuxer it takes any chunking (down to 1 byte), joins packets that continue across
 * pages (any number of pages), checks page CRCs (a bad page is skipped and parsing resyncs on the next `OggS`;
 * the packet it carried is dropped), and skips OpusTags however long. It follows the first logical stream whose
 * BOS page holds an OpusHead; pages of other streams (multiplexed or chained after EOS) are ignored.
 *
 * Events: `'head'` (`OpusHead`) once, before the first packet. Errors (`AudioFormatError`, the stream is
 * destroyed): `not_ogg` as soon as the first bytes are not `OggS`; `no_opus_head` when the BOS pages hold no
 * OpusHead or the input ends before one; `unsupported` for multistream/surround Opus.
 * Zero-length packets are dropped. Single-segment-run packets are views into the input (no copy).
 */
export class OggOpusDemuxer extends Transform {
  private opusHead: OpusHead | null = null;
  /** Counters, updated as pages are read. */
  readonly stats: OggDemuxerStats = { pages: 0, packets: 0, badPages: 0, droppedPackets: 0 };

  private chunks: Buffer[] = [];
  private buffered = 0;
  private checkedPrefix = 0;
  private synced = true;
  private serial: number | null = null;
  private sequence = -1;
  private ended = false;
  private tagsPending = true;
  private partial: Buffer[] = [];

  constructor(options: TransformOptions = {}) {
    super({ ...options, writableObjectMode: false, readableObjectMode: true });
  }

  /** The stream's OpusHead, once read (null before). */
  get head(): OpusHead | null {
    return this.opusHead;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.checkedPrefix < CAPTURE.length) this.checkPrefix(chunk);
      if (chunk.length > 0) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
      this.drain();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.partial.length > 0) this.stats.droppedPackets++;
    this.partial = [];
    this.chunks = [];
    if (this.opusHead === null) {
      done(new AudioFormatError('no_opus_head', this.checkedPrefix === 0 ? 'empty audio stream' : 'Ogg stream ended before an OpusHead'));
      return;
    }
    done();
  }

  /** Fail fast on a stream that is not Ogg at all, comparing bytes as they arrive. */
  private checkPrefix(chunk: Buffer): void {
    for (let i = 0; i < chunk.length && this.checkedPrefix < CAPTURE.length; i++, this.checkedPrefix++) {
      if (chunk[i] !== CAPTURE[this.checkedPrefix]) {
        const start = Buffer.concat([...this.chunks, chunk]).subarray(0, 16).toString('latin1');
        throw new AudioFormatError('not_ogg', `audio is not Ogg (starts with ${JSON.stringify(start)})`);
      }
    }
  }

  /** Gather the first `n` buffered bytes into one Buffer (only called once `n` bytes are buffered). */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) {
      const joined = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [joined];
    }
    return this.chunks[0]!;
  }

  private consume(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length <= n) {
        this.chunks.shift();
        n -= first.length;
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  /** Parse every complete page in the buffer. */
  private drain(): void {
    while (this.buffered >= HEADER_BYTES) {
      if (!this.synced) {
        if (!this.resync()) return;
        continue;
      }
      let buf = this.peek(HEADER_BYTES);
      if (buf.compare(CAPTURE, 0, 4, 0, 4) !== 0 || buf[4] !== 0) {
        this.lose();
        continue;
      }
      const segments = buf[26]!;
      if (this.buffered < HEADER_BYTES + segments) return;
      buf = this.peek(HEADER_BYTES + segments);
      let bodyLength = 0;
      for (let i = 0; i < segments; i++) bodyLength += buf[HEADER_BYTES + i]!;
      const pageLength = HEADER_BYTES + segments + bodyLength;
      if (this.buffered < pageLength) return;
      buf = this.peek(pageLength);
      const page = buf.subarray(0, pageLength);
      if (oggPageCrc(page) !== page.readUInt32LE(22)) {
        this.lose();
        continue;
      }
      this.consume(pageLength);
      this.stats.pages++;
      this.readPage(page, segments);
    }
  }

  /** A bad page or garbage: drop one byte, look for the next capture pattern, and lose any packet in progress. */
  private lose(): void {
    this.stats.badPages++;
    if (this.partial.length > 0) this.stats.droppedPackets++;
    this.partial = [];
    this.consume(1);
    this.synced = false;
  }

  /** Skip to the next `OggS` in the buffer; keeps the last 3 bytes when none is found yet. */
  private resync(): boolean {
    const buf = this.peek(this.buffered);
    const at = buf.indexOf(CAPTURE);
    if (at < 0) {
      this.consume(Math.max(0, this.buffered - 3));
      return false;
    }
    this.consume(at);
    this.synced = true;
    return true;
  }

  private readPage(page: Buffer, segments: number): void {
    const flags = page[5]!;
    const serial = page.readUInt32LE(14);
    const sequence = page.readUInt32LE(18);

    if (this.serial === null) {
      if (!(flags & FLAG_BOS)) {
        throw new AudioFormatError('no_opus_head', 'Ogg stream has no Opus logical stream (no OpusHead on a BOS page)');
      }
      const firstLength = page[HEADER_BYTES]!;
      const first = page.subarray(HEADER_BYTES + segments, HEADER_BYTES + segments + firstLength);
      if (first.length < 8 || first.toString('latin1', 0, 8) !== 'OpusHead') return;
      this.opusHead = parseOpusHead(first);
      this.serial = serial;
      this.sequence = sequence;
      this.emit('head', this.opusHead);
      return;
    }
    if (serial !== this.serial || this.ended) return;

    if (sequence !== this.sequence + 1 && this.partial.length > 0) {
      this.stats.droppedPackets++;
      this.partial = [];
    }
    this.sequence = sequence;
    if (flags & FLAG_EOS) this.ended = true;

    // A continued-packet flag with nothing in progress (after a loss): skip the orphaned tail.
    let skipping = (flags & FLAG_CONTINUED) !== 0 && this.partial.length === 0;
    if (!(flags & FLAG_CONTINUED) && this.partial.length > 0) {
      this.stats.droppedPackets++;
      this.partial = [];
    }
    let pos = HEADER_BYTES + segments;
    let start = pos;
    for (let i = 0; i < segments; i++) {
      const lace = page[HEADER_BYTES + i]!;
      pos += lace;
      if (lace === 255) continue;
      if (skipping) skipping = false;
      else this.packet(page.subarray(start, pos));
      start = pos;
    }
    if (start < pos && !skipping) this.partial.push(page.subarray(start, pos));
  }

  /** A segment run ending a packet: join it with any earlier parts and emit it. */
  private packet(tail: Buffer): void {
    const packet = this.partial.length > 0 ? Buffer.concat([...this.partial, tail]) : tail;
    this.partial = [];
    if (this.tagsPending) {
      this.tagsPending = false;
      if (packet.length >= 8 && packet.toString('latin1', 0, 8) === 'OpusTags') return;
    }
    if (packet.length === 0) {
      this.stats.droppedPackets++;
      return;
    }
    this.stats.packets++;
    this.push(packet);
  }
}

/** Typed events of `OggOpusDemuxer`. */
export interface OggOpusDemuxer {
  on(event: 'head', listener: (head: OpusHead) => void): this;
  on(event: 'data', listener: (packet: Buffer) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'head', listener: (head: OpusHead) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}
