/**
 * PCM helpers for audio tests: make a test tone, find the tone again after a codec round trip, measure loudness.
 *
 * All PCM here is signed 16-bit, interleaved (`L R L R …` for stereo), held in an `Int16Array`.
 * To hand it to opusscript or ffmpeg use `pcmToBuffer`; to read their s16le output back use `bufferToPcm`.
 */

/** Options for `sineWave`. */
export interface SineWaveOptions {
  /** Samples per second per channel; default 48000. */
  sampleRate?: number;
  /** Channel count; every channel carries the same tone. Default 1. */
  channels?: 1 | 2;
  /** Peak level as a fraction of full scale; default 0.3. */
  amplitude?: number;
}

/** A sine tone of `freqHz` lasting `seconds`, interleaved over `channels` channels. */
export function sineWave(freqHz: number, seconds: number, opts: SineWaveOptions = {}): Int16Array {
  const sampleRate = opts.sampleRate ?? 48000;
  const channels = opts.channels ?? 1;
  const peak = Math.round((opts.amplitude ?? 0.3) * 32767);
  const frames = Math.round(seconds * sampleRate);
  const out = new Int16Array(frames * channels);
  const step = (2 * Math.PI * freqHz) / sampleRate;
  for (let i = 0; i < frames; i++) {
    const v = Math.round(peak * Math.sin(step * i));
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}

/** Average of the channels of interleaved PCM, as floats in sample units. */
function mixdown(pcm: Int16Array, channels: number): Float64Array {
  const frames = Math.floor(pcm.length / channels);
  const mono = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm[i * channels + c]!;
    mono[i] = sum / channels;
  }
  return mono;
}

/** Power of one frequency in a (windowed) signal, by the Goertzel algorithm. */
export function goertzelPower(x: Float64Array, freqHz: number, sampleRate: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/**
 * The strongest frequency (Hz) in interleaved PCM, from a Goertzel scan of a mono mixdown.
 * Scans 20 Hz … min(12 kHz, 0.45 × sampleRate) in 0.5 % steps, then refines around the peak in 0.05 % steps,
 * over a Hann-windowed stretch of at most 16384 samples from the middle of the signal
 * (so codec start-up and end padding do not count). Accurate to well within ±1 % for a clean tone.
 * Returns 0 for silence or a signal too short to measure (< 1024 frames).
 */
export function dominantFrequency(pcm: Int16Array, sampleRate: number, channels: number): number {
  const mono = mixdown(pcm, channels);
  if (mono.length < 1024) return 0;
  const n = Math.min(16384, mono.length);
  const start = Math.floor((mono.length - n) / 2);
  const x = new Float64Array(n);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    x[i] = mono[start + i]! * w;
    energy += x[i]! * x[i]!;
  }
  if (energy === 0) return 0;

  const maxHz = Math.min(12000, 0.45 * sampleRate);
  let best = 0;
  let bestPower = -1;
  for (let f = 20; f <= maxHz; f *= 1.005) {
    const p = goertzelPower(x, f, sampleRate);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  const coarse = best;
  for (let f = coarse / 1.005; f <= coarse * 1.005; f *= 1.0005) {
    const p = goertzelPower(x, f, sampleRate);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

/** Root mean square of the samples as a fraction of full scale (a 0.3-amplitude sine gives ≈ 0.212; silence 0). */
export function rms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / pcm.length) / 32768;
}

/** The bytes of `pcm` as s16le (a view, no copy, on little-endian hosts). */
export function pcmToBuffer(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** s16le bytes as samples (copies, so the result is aligned whatever the buffer's offset). */
export function bufferToPcm(buf: Buffer): Int16Array {
  const out = new Int16Array(Math.floor(buf.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}
