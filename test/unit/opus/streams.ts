/** Stream helpers shared by the Opus unit tests. */
import { Readable, type Transform } from 'node:stream';
import OpusScript from 'opusscript';
import { OggOpusDemuxer, type OggDemuxerStats, type OpusHead } from '../../../src/voice/opus/oggDemuxer.js';
import { bufferToPcm } from '../../support/pcm.js';

/** `buf` cut into chunks of `size` bytes. */
export function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** `buf` cut into chunks of pseudo-random sizes 1…max (deterministic for a seed). */
export function randomChunks(buf: Buffer, max: number, seed = 1): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let i = 0; i < buf.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % max);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Everything a transform emitted, or the error it failed with. */
export async function drain(input: Buffer[] | unknown[], transform: Transform): Promise<{ out: Buffer[]; error: unknown }> {
  Readable.from(input).pipe(transform);
  try {
    return { out: (await transform.toArray()) as Buffer[], error: null };
  } catch (error) {
    return { out: [], error };
  }
}

/** Run bytes through an `OggOpusDemuxer`. */
export async function demux(chunks: Buffer[]): Promise<{
  packets: Buffer[];
  head: OpusHead | null;
  headEvents: number;
  headBeforeData: boolean;
  error: unknown;
  stats: OggDemuxerStats;
}> {
  const demuxer = new OggOpusDemuxer();
  let head: OpusHead | null = null;
  let headEvents = 0;
  let headBeforeData = true;
  demuxer.on('head', (h) => {
    head = h;
    headEvents++;
  });
  demuxer.once('data', () => {
    headBeforeData = headEvents === 1;
  });
  const { out, error } = await drain(chunks, demuxer);
  return { packets: out, head, headEvents, headBeforeData, error, stats: demuxer.stats };
}

/** Decode Opus packets with a fresh stereo opusscript decoder; returns per-packet sample counts and all PCM. */
export function decodeAll(packets: Buffer[]): { samples: number[]; pcm: Int16Array } {
  const decoder = new OpusScript(48000, 2);
  try {
    const parts = packets.map((p) => decoder.decode(p));
    return { samples: parts.map((b) => b.length / 4), pcm: bufferToPcm(Buffer.concat(parts)) };
  } finally {
    decoder.delete();
  }
}
