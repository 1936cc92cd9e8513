import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { AudioFormatError, TranscoderError } from './errors.js';

/** Input formats `transcodeToOggOpus` accepts (`pcm` = s16le, 24 kHz, mono: OpenAI's `pcm`). */
export type TranscodeInputFormat = 'mp3' | 'aac' | 'flac' | 'wav' | 'pcm' | 'opus';

/** Options for `transcodeToOggOpus`. */
export interface TranscodeOptions {
  /** What the input is; it is told to ffmpeg (no probing, so a wrong claim fails instead of guessing). */
  format: TranscodeInputFormat;
  /** Path of the ffmpeg executable. */
  ffmpegPath: string;
  /** Aborting kills ffmpeg, destroys the input and fails the output with `signal.reason`. */
  signal?: AbortSignal;
  /** Opus bitrate in bits/s; default 64000. */
  bitrate?: number;
  /** Play this many times faster (0.25-4) without changing the pitch, for servers that ignore `speed`; default 1. */
  tempo?: number;
  /** Output channels; default 2 (what the voice path plays). Voice messages are made with 1, as Discord's clients do. */
  channels?: 1 | 2;
}

const INPUT_ARGS: Record<TranscodeInputFormat, string[]> = {
  mp3: ['-f', 'mp3'],
  aac: ['-f', 'aac'],
  flac: ['-f', 'flac'],
  wav: ['-f', 'wav'],
  pcm: ['-f', 's16le', '-ar', '24000', '-ac', '1'],
  opus: ['-f', 'ogg'],
};
const STDERR_TAIL = 2000;

/** ffmpeg's atempo takes 0.5-2 per filter in older builds: a chain of them makes any factor from 0.25 to 4. */
export function atempoChain(tempo: number): string {
  const steps: number[] = [];
  let rest = tempo;
  while (rest > 2) {
    steps.push(2);
    rest /= 2;
  }
  while (rest < 0.5) {
    steps.push(0.5);
    rest /= 0.5;
  }
  steps.push(rest);
  return steps.map((f) => `atempo=${Number(f.toFixed(6))}`).join(',');
}

/** The ffmpeg arguments for one transcode (exported for tests and logs). */
export function ffmpegArgs(format: TranscodeInputFormat, bitrate = 64000, tempo = 1, channels: 1 | 2 = 2): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    // Without these ffmpeg analyses ~5 s of input before writing anything: a streamed reply would play only once
    // complete. With them mp3/aac/pcm/opus start at once; wav still buffers 64 KiB (its S/PDIF probe) and flac
    // waits for the end. No `-fflags nobuffer`: this ffmpeg (Lavf58) then drops the packets read while probing.
    '-probesize', '32', '-analyzeduration', '0',
    ...INPUT_ARGS[format], '-i', 'pipe:0',
    '-vn', '-map_metadata', '-1',
    ...(tempo === 1 ? [] : ['-af', atempoChain(tempo)]),
    '-c:a', 'libopus', '-b:a', String(bitrate), '-ar', '48000', '-ac', String(channels),
    '-frame_duration', '20', '-application', 'audio',
    // One page per 20 ms packet, flushed at once: the first audio reaches the demuxer without waiting for 1 s pages.
    '-page_duration', '20000', '-flush_packets', '1',
    '-f', 'ogg', 'pipe:1',
  ];
}

/**
 * Transcode audio (mp3/aac/flac/wav/raw pcm/Ogg Opus) to Ogg Opus, 48 kHz stereo, 20 ms packets, with ffmpeg.
 * `input` is piped to ffmpeg's stdin; the returned stream is ffmpeg's stdout. Output starts while input still
 * arrives for mp3, aac, pcm and opus; wav starts after 64 KiB of input and flac only after the input ends.
 *
 * Failures arrive as an `'error'` on the returned stream: `AudioFormatError('undecodable')` (ffmpeg exited non-zero;
 * the message has the end of its stderr), `TranscoderError` (ffmpeg could not start or was killed by a signal),
 * the input's own error, or `signal.reason`. Destroying the returned stream (or an error) kills ffmpeg and destroys
 * `input`.
 */
export function transcodeToOggOpus(input: Readable, opts: TranscodeOptions): Readable {
  const out = new PassThrough();
  const { signal } = opts;
  if (signal?.aborted) {
    input.destroy();
    out.destroy(signal.reason as Error);
    return out;
  }

  const child = spawn(opts.ffmpegPath, ffmpegArgs(opts.format, opts.bitrate, opts.tempo, opts.channels), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const fail = (err: Error): void => {
    if (!out.destroyed) out.destroy(err);
  };
  const onAbort = (): void => fail(signal!.reason as Error);
  signal?.addEventListener('abort', onAbort, { once: true });

  child.on('error', (err) => fail(new TranscoderError(`ffmpeg could not run (${opts.ffmpegPath}): ${err.message}`, { cause: err })));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  // EPIPE when ffmpeg gives up before reading all input: the exit code says why.
  child.stdin.on('error', () => {});
  input.on('error', fail);
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });

  child.on('close', (code, sig) => {
    if (out.destroyed) return;
    if (code === 0) out.end();
    else if (sig) fail(new TranscoderError(`ffmpeg was killed by ${sig}`));
    else fail(new AudioFormatError('undecodable', `ffmpeg could not decode ${opts.format} audio (exit ${code}): ${stderr.trim()}`));
  });

  out.on('close', () => {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    input.unpipe(child.stdin);
    if (!input.readableEnded) input.destroy();
  });
  return out;
}
