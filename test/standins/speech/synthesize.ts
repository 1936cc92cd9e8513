/** Makes the audio the stand-in serves: a sine tone per text, encoded to the requested format, cached in memory. */
import { createHash } from 'node:crypto';
import { encodeOggOpus, type OggOpusOptions } from '../../support/oggOpus.js';
import { pcmToBuffer, sineWave } from '../../support/pcm.js';
import { encodeWithFfmpeg } from './ffmpegEncode.js';
import type { SpeechFormat } from './formats.js';
import type { ProducedClip } from './recognize.js';
import { durationFor, toneFor, type DurationOptions } from './tone.js';
import { wavFromPcm } from './wav.js';

/** Ogg Opus layout like OpenAI's: mono, 20 ms packets, OpusHead says 24 kHz input, 5 packets (100 ms) per page. */
export const DEFAULT_OPUS_SHAPE: OggOpusOptions = { channels: 1, frameMs: 20, headerInputSampleRate: 24000, packetsPerPage: 5 };

/** OpenAI's sample rate for mp3/aac/flac/wav/pcm (mono). */
export const OUTPUT_SAMPLE_RATE = 24000;
const OPUS_SAMPLE_RATE = 48000;
const AMPLITUDE = 0.3;

/** What decides the bytes of one response body. */
export interface AudioRequest {
  input: string;
  speed?: number;
  response_format?: SpeechFormat;
  /** Ogg Opus layout when the format is opus; default {@link DEFAULT_OPUS_SHAPE}. */
  opus?: OggOpusOptions;
}

/** Settings that shape every generated clip. */
export interface SynthOptions extends DurationOptions {
  /** Default Ogg Opus layout (a request's own `opus` wins). */
  opusShape?: OggOpusOptions;
}

/** One encoded clip and what it contains. */
export interface SynthesizedAudio {
  bytes: Buffer;
  format: SpeechFormat;
  toneHz: number;
  durationSeconds: number;
  /** Hex sha256 of `bytes`. */
  sha256: string;
}

/** A synthesizer with its own cache (one per stand-in). */
export interface SpeechSynth {
  /** The clip for a request, generated once per distinct (text, speed, format, opus shape, duration settings). */
  audioFor(req: AudioRequest, options?: SynthOptions): Promise<SynthesizedAudio>;
  /** Every distinct clip made so far (text, tone, length), oldest first: what transcription recognises. */
  produced(): readonly ProducedClip[];
}

/** Creates a synthesizer whose clips are cached in memory for its lifetime. */
export function createSpeechSynth(): SpeechSynth {
  const cache = new Map<string, Promise<SynthesizedAudio>>();
  const produced: ProducedClip[] = [];
  return {
    audioFor(req, options = {}) {
      const key = cacheKey(req, options);
      let clip = cache.get(key);
      if (clip === undefined) {
        clip = synthesize(req, options);
        cache.set(key, clip);
        clip.then(
          (a) => produced.push({ input: req.input, toneHz: a.toneHz, durationSeconds: a.durationSeconds }),
          () => cache.delete(key),
        );
      }
      return clip;
    },
    produced: () => produced,
  };
}

/** The exact body the stand-in serves for a request with these settings (no cache; encoders are deterministic). */
export async function expectedAudio(req: AudioRequest, options: SynthOptions = {}): Promise<Buffer> {
  return (await synthesize(req, options)).bytes;
}

async function synthesize(req: AudioRequest, options: SynthOptions): Promise<SynthesizedAudio> {
  const format = req.response_format ?? 'mp3';
  const toneHz = toneFor(req.input);
  const durationSeconds = durationFor(req.input, req.speed ?? 1, options);
  const bytes = await encode(format, toneHz, durationSeconds, opusShapeOf(req, options));
  return { bytes, format, toneHz, durationSeconds, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function encode(format: SpeechFormat, toneHz: number, seconds: number, opus: OggOpusOptions): Promise<Buffer> {
  if (format === 'opus') {
    const pcm48k = sineWave(toneHz, seconds, { sampleRate: OPUS_SAMPLE_RATE, channels: opus.channels, amplitude: AMPLITUDE });
    return encodeOggOpus(pcm48k, opus);
  }
  const pcm24k = Buffer.from(pcmToBuffer(sineWave(toneHz, seconds, { sampleRate: OUTPUT_SAMPLE_RATE, channels: 1, amplitude: AMPLITUDE })));
  switch (format) {
    case 'pcm':
      return pcm24k;
    case 'wav':
      return wavFromPcm(pcm24k, OUTPUT_SAMPLE_RATE, 1);
    default:
      return encodeWithFfmpeg(pcm24k, OUTPUT_SAMPLE_RATE, 1, format);
  }
}

function opusShapeOf(req: AudioRequest, options: SynthOptions): OggOpusOptions {
  return req.opus ?? options.opusShape ?? DEFAULT_OPUS_SHAPE;
}

function cacheKey(req: AudioRequest, options: SynthOptions): string {
  const format = req.response_format ?? 'mp3';
  return JSON.stringify([
    req.input,
    req.speed ?? 1,
    format,
    format === 'opus' ? sortedEntries(opusShapeOf(req, options)) : null,
    options.secondsPerChar ?? null,
    options.minSeconds ?? null,
    options.maxSeconds ?? null,
  ]);
}

function sortedEntries(value: object): [string, unknown][] {
  return Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
}
