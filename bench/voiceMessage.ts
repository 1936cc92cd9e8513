/**
 * What making a voice message costs the bot process: decoding a mono Ogg Opus clip for its waveform (opusscript, on the
 * main thread, in turns), the longest wait it causes the event loop, and re-encoding WAV to mono Ogg Opus (ffmpeg).
 */
import { PassThrough } from 'node:stream';
import { transcodeToOggOpus } from '../src/voice/opus/transcoder.js';
import { voiceMessageAudio } from '../src/voice/opus/voiceMessageAudio.js';
import { wavFromPcm } from '../test/standins/speech/wav.js';
import { encodeOggOpus } from '../test/support/oggOpus.js';
import { pcmToBuffer, sineWave } from '../test/support/pcm.js';
import type { BenchRow } from './table.js';

const SECONDS = 60;
const FFMPEG = process.env.FFMPEG_PATH ?? 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';

/** Rows: CPU and event-loop stall of the waveform decode; wall time of the ffmpeg re-encode, for a 60 s clip. */
export async function benchVoiceMessage(): Promise<BenchRow[]> {
  const ogg = encodeOggOpus(sineWave(440, SECONDS), { channels: 1, frameMs: 20, headerInputSampleRate: 24_000 });
  // A running bot has made voice messages before: warm the code up (JIT, WASM) so the figures are its steady state.
  await voiceMessageAudio(encodeOggOpus(sineWave(440, 2), { channels: 1, frameMs: 20 }));
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const made = await voiceMessageAudio(ogg);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);

  const wav = wavFromPcm(pcmToBuffer(sineWave(440, SECONDS, { sampleRate: 24_000 })), 24_000, 1);
  const input = new PassThrough();
  input.end(wav);
  const t = performance.now();
  const chunks: Buffer[] = [];
  for await (const c of transcodeToOggOpus(input, { format: 'wav', ffmpegPath: FFMPEG, channels: 1, bitrate: 48_000 })) chunks.push(c as Buffer);
  const transcodeMs = performance.now() - t;

  return [
    { bench: 'voice message', metric: `waveform decode of a ${SECONDS} s clip (CPU)`, value: `${Math.round((used.user + used.system) / 1000)} ms`, note: `${Math.round(wall)} ms wall, ${Buffer.from(made.waveform, 'base64').length} points` },
    { bench: 'voice message', metric: 'longest event-loop wait during it', value: `${Math.round(longest)} ms`, target: '< 20 ms (one voice tick)' },
    { bench: 'voice message', metric: `WAV → mono Ogg Opus, ${SECONDS} s (ffmpeg)`, value: `${Math.round(transcodeMs)} ms`, note: `${Math.round(Buffer.concat(chunks).length / 1024)} KiB out` },
  ];
}
