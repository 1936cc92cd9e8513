/** Encodes PCM to mp3 / aac (ADTS) / flac with the ffmpeg binary from @ffmpeg-installer/ffmpeg. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

/** Formats this module encodes. */
export type FfmpegFormat = 'mp3' | 'aac' | 'flac';

const CODEC_ARGS: Record<FfmpegFormat, { args: string[]; ext: string }> = {
  mp3: { args: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'], ext: 'mp3' },
  aac: { args: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'], ext: 'aac' },
  flac: { args: ['-c:a', 'flac', '-f', 'flac'], ext: 'flac' },
};

/**
 * Encodes interleaved s16le PCM bytes. Output goes to a temporary file rather than a pipe so the muxer can
 * seek back and finish its headers (mp3 Xing/LAME gapless info, flac STREAMINFO sample count and MD5).
 */
export async function encodeWithFfmpeg(pcmBytes: Buffer, sampleRate: number, channels: number, format: FfmpegFormat): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'speech-standin-'));
  const { args, ext } = CODEC_ARGS[format];
  const outPath = join(dir, `out.${ext}`);
  try {
    await runFfmpeg(
      [
        '-hide_banner', '-loglevel', 'error', '-nostdin',
        '-f', 's16le', '-ar', String(sampleRate), '-ac', String(channels), '-i', 'pipe:0',
        // bitexact: no encoder version strings, so the bytes are the same on every run.
        '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact',
        ...args, '-y', outPath,
      ],
      pcmBytes,
    );
    return await readFile(outPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs ffmpeg with `input` on stdin and returns its stdout; rejects with stderr on a non-zero exit. */
export function runFfmpeg(args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg exited with ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
    // ffmpeg may exit before reading all input when it fails; that EPIPE is reported through 'close'.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
