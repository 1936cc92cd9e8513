import { spawn } from 'node:child_process';

/** Seconds of an Ogg Opus file: the last page's granule position less the pre-skip, at 48 kHz; undefined if not one. */
export function oggOpusSeconds(bytes: Buffer): number | undefined {
  const head = bytes.indexOf('OpusHead');
  if (head < 0 || bytes.length < head + 12) return undefined;
  const preSkip = bytes.readUInt16LE(head + 10);
  for (let at = bytes.lastIndexOf('OggS'); at >= 0; at = bytes.lastIndexOf('OggS', at - 1)) {
    if (at + 14 > bytes.length) continue;
    const granule = bytes.readBigInt64LE(at + 6);
    if (granule > 0n) return Math.max(0, Number(granule) - preSkip) / 48_000;
  }
  return undefined;
}

/** Seconds of a PCM WAV file from its header and data size; undefined if not one. */
export function wavSeconds(bytes: Buffer): number | undefined {
  if (bytes.length < 44 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let byteRate = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 16 <= bytes.length) byteRate = bytes.readUInt32LE(at + 16);
    if (id === 'data') return byteRate > 0 ? Math.min(size, bytes.length - at - 8) / byteRate : undefined;
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** Seconds of any audio ffmpeg can decode (it is decoded to nothing; the last progress time is the length). */
export function ffmpegSeconds(bytes: Buffer, ffmpegPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-i', 'pipe:0', '-f', 'null', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      const times = [...err.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
      const last = times.at(-1);
      resolve(last ? Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) : undefined);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(bytes);
  });
}

/** The length of downloaded audio in seconds: from its container where that is cheap, else by decoding it with ffmpeg. */
export async function audioSeconds(bytes: Buffer, ffmpegPath: string): Promise<number | undefined> {
  return oggOpusSeconds(bytes) ?? wavSeconds(bytes) ?? (await ffmpegSeconds(bytes, ffmpegPath));
}
