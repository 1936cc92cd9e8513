/** Helpers for checking what came out of the stand-in (or out of the bot): decode audio, read a body piece by piece. */
import { bufferToPcm } from '../../support/pcm.js';
import { runFfmpeg } from './ffmpegEncode.js';
import type { SpeechFormat } from './formats.js';
import { OUTPUT_SAMPLE_RATE } from './synthesize.js';

/** Decodes any served format with ffmpeg to mono s16 PCM at `sampleRate` (default 48 kHz). */
export async function decodeSpeechAudio(bytes: Buffer, format: SpeechFormat, sampleRate = 48000): Promise<Int16Array> {
  // Raw pcm has no header: tell ffmpeg what it is (OpenAI's 24 kHz mono s16le).
  const input = format === 'pcm' ? ['-f', 's16le', '-ar', String(OUTPUT_SAMPLE_RATE), '-ac', '1'] : [];
  const out = await runFfmpeg(
    ['-hide_banner', '-loglevel', 'error', '-nostdin', ...input, '-i', 'pipe:0', '-f', 's16le', '-ar', String(sampleRate), '-ac', '1', '-'],
    bytes,
  );
  return bufferToPcm(out);
}

/** One read from a response body and when it arrived (performance.now()). */
export interface BodyPiece {
  bytes: Buffer;
  at: number;
}

/** Reads a fetch Response body to its end, keeping each read separately; rejects if the body fails (cut, abort). */
export async function readBodyPieces(res: Response, pieces: BodyPiece[] = []): Promise<BodyPiece[]> {
  if (!res.body) return pieces;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return pieces;
    pieces.push({ bytes: Buffer.from(value), at: performance.now() });
  }
}
