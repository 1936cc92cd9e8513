/** Most points a voice message's waveform may have (Discord's docs: one byte each, at most 256). */
export const MAX_WAVEFORM_POINTS = 256;
/** Discord's clients sample the recording at most once per 100 ms. */
const MIN_POINT_SECONDS = 0.1;

/**
 * Builds a voice message's waveform from mono samples fed in pieces, for audio of a known length: one point per equal
 * slice (at least 100 ms each, at most `maxPoints`, at least one), each the slice's RMS loudness scaled so the loudest
 * slice is 255. Silence gives zeros; samples past `totalSamples` are ignored.
 */
export class WaveformBuilder {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private seen = 0;

  constructor(
    private readonly totalSamples: number,
    sampleRate: number,
    maxPoints = MAX_WAVEFORM_POINTS,
  ) {
    const count = Math.max(1, Math.min(maxPoints, Math.floor(totalSamples / sampleRate / MIN_POINT_SECONDS)));
    this.sums = new Float64Array(count);
    this.counts = new Float64Array(count);
  }

  /** Adds the next samples. */
  add(samples: Int16Array): void {
    const points = this.sums.length;
    const total = Math.max(1, this.totalSamples);
    for (let j = 0; j < samples.length && this.seen < this.totalSamples; j++, this.seen++) {
      const point = Math.min(points - 1, Math.floor((this.seen * points) / total));
      this.sums[point]! += samples[j]! * samples[j]!;
      this.counts[point]!++;
    }
  }

  /** The points so far (one byte each). */
  points(): Uint8Array {
    const rms = Array.from(this.sums, (sum, i) => (this.counts[i]! > 0 ? Math.sqrt(sum / this.counts[i]!) : 0));
    const loudest = Math.max(...rms);
    return Uint8Array.from(rms, (v) => (loudest > 0 ? Math.round((255 * v) / loudest) : 0));
  }
}

/** The waveform of mono samples held at once (see WaveformBuilder). */
export function waveformPoints(samples: Int16Array, sampleRate: number, maxPoints = MAX_WAVEFORM_POINTS): Uint8Array {
  const builder = new WaveformBuilder(samples.length, sampleRate, maxPoints);
  builder.add(samples);
  return builder.points();
}

/** The waveform as Discord takes it: base64 of the bytes. */
export function encodeWaveform(points: Uint8Array): string {
  return Buffer.from(points).toString('base64');
}
