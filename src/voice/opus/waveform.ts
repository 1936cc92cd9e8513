/** Most points a voice message's waveform may have (Discord's docs: one byte each, at most 256). */
export const MAX_WAVEFORM_POINTS = 256;
/** Discord's clients sample the recording at most once per 100 ms. */
const MIN_POINT_SECONDS = 0.1;

/**
 * A voice message's waveform from decoded mono samples: one point per equal slice of the audio (at least 100 ms each,
 * at most `maxPoints` points, at least one), each the slice's RMS loudness scaled so the loudest slice is 255.
 * Silence gives zeros.
 */
export function waveformPoints(samples: Int16Array, sampleRate: number, maxPoints = MAX_WAVEFORM_POINTS): Uint8Array {
  const seconds = samples.length / sampleRate;
  const count = Math.max(1, Math.min(maxPoints, Math.floor(seconds / MIN_POINT_SECONDS)));
  const rms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * samples.length) / count);
    const to = Math.floor(((i + 1) * samples.length) / count);
    let sum = 0;
    for (let j = from; j < to; j++) sum += samples[j]! * samples[j]!;
    rms[i] = to > from ? Math.sqrt(sum / (to - from)) : 0;
  }
  const loudest = Math.max(...rms);
  return Uint8Array.from(rms, (v) => (loudest > 0 ? Math.round((255 * v) / loudest) : 0));
}

/** The waveform as Discord takes it: base64 of the bytes. */
export function encodeWaveform(points: Uint8Array): string {
  return Buffer.from(points).toString('base64');
}
