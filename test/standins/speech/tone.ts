/** Deterministic tone and duration for a request text, so audio can be recognised after it went through the bot. */

/** Knobs for {@link durationFor}. */
export interface DurationOptions {
  /** Seconds added per character of input (default 0.04). */
  secondsPerChar?: number;
  /** Seconds for an input of zero characters (default 0.5). */
  minSeconds?: number;
  /** Cap before the speed division (default 20). */
  maxSeconds?: number;
}

const LOWEST_HZ = 220;
const HIGHEST_HZ = 1760;
/** 5 % between neighbouring tones: far outside the ±3 % a frequency check allows. */
const STEP_RATIO = 1.05;
const STEPS = Math.floor(Math.log(HIGHEST_HZ / LOWEST_HZ) / Math.log(STEP_RATIO)) + 1;

/** All tones {@link toneFor} can return, ascending (220 Hz up to < 1760 Hz, 5 % apart). */
export const TONE_GRID_HZ: readonly number[] = Array.from({ length: STEPS }, (_, k) => round2(LOWEST_HZ * STEP_RATIO ** k));

/** Sine frequency (Hz) for a text: FNV-1a hash of its UTF-8 bytes picks a step of {@link TONE_GRID_HZ}. */
export function toneFor(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return TONE_GRID_HZ[hash % TONE_GRID_HZ.length]!;
}

/** Audio length (s) for a text: minSeconds + secondsPerChar per character (code points), capped at maxSeconds, divided by speed. */
export function durationFor(text: string, speed = 1, options: DurationOptions = {}): number {
  const { secondsPerChar = 0.04, minSeconds = 0.5, maxSeconds = 20 } = options;
  const chars = [...text].length;
  return Math.min(maxSeconds, minSeconds + secondsPerChar * chars) / speed;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
