/**
 * Speech to text for the stand-in's own audio. Each clip it synthesizes is one sine tone per text (tone.ts), so a tone
 * alone cannot carry the text (43 tones); the stand-in remembers what it produced (text, tone, length) and maps the
 * tone it hears back to that text, the length telling apart texts that share a tone. Tone and length survive any
 * transcode (Ogg Opus mono 48 kHz, mp3, wav…); a tempo change (pitch kept, as ffmpeg atempo or the `speed` field do)
 * changes only the length, so the most recent text of that tone is taken when no length fits. A message made in
 * parts (clips one after another) is heard as a run of tones, each mapped to its text.
 *
 * Why no extra marker in the clip: measured with two DTMF-like marker tones at 0.08 beside the 0.3 tone, through
 * Opus at 12–64 kbit/s, mp3 and a 1.5× tempo change: 32 of 240 encodes failed, mostly because the voice tests'
 * dominant-frequency measure (test/support/pcm.ts) then picked a marker instead of the tone; 16 marker tones at 0.02
 * did not survive Opus below 64 kbit/s. A marker before or after the tone would change the lengths and gaps those tests
 * judge.
 */
import { goertzelPower } from '../../support/pcm.js';
import { runFfmpeg } from './ffmpegEncode.js';
import { TONE_GRID_HZ } from './tone.js';

/** What the stand-in made: a text with its tone and length. */
export interface ProducedClip {
  input: string;
  toneHz: number;
  durationSeconds: number;
}

/** A tone heard in some audio, and how long the audio is. */
export interface HeardTone {
  toneHz: number;
  seconds: number;
  /** Power of the tone over the strongest other grid tone: a clean tone is far above 20. */
  clarity: number;
}

/** The answer for audio the stand-in did not make (or cannot tell). */
export const UNKNOWN_AUDIO_TRANSCRIPT = '[the speech stand-in does not recognise this audio]';

const RATE = 16_000;
/** The grid tones are 5 % apart: a length within this ratio is "the same length". */
const LENGTH_TOLERANCE = 0.12;
const MIN_CLARITY = 20;

const goertzel = (x: Float64Array, freqHz: number) => goertzelPower(x, freqHz, RATE);

/** Any audio ffmpeg can read → 16 kHz mono s16le samples. */
export async function decodeToPcm16k(bytes: Buffer): Promise<Int16Array> {
  const out = await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', 'pipe:0', '-f', 's16le', '-ar', String(RATE), '-ac', '1', 'pipe:1'], bytes);
  const pcm = new Int16Array(Math.floor(out.length / 2));
  for (let i = 0; i < pcm.length; i++) pcm[i] = out.readInt16LE(i * 2);
  return pcm;
}

/**
 * The grid tone in 16 kHz mono PCM: Goertzel power of every grid tone over a Hann-windowed stretch (up to 0.5 s) from
 * the middle, where codec start-up and padding do not reach. Undefined for silence, too short audio (< 60 ms), or
 * audio that is not one clean grid tone (speech, noise, music).
 */
export function hearTone(pcm: Int16Array): HeardTone | undefined {
  // Leading and trailing near-silence (codec padding) does not count towards the length.
  let first = 0;
  let last = pcm.length - 1;
  while (first < pcm.length && Math.abs(pcm[first]!) < 300) first++;
  while (last > first && Math.abs(pcm[last]!) < 300) last--;
  const sounding = last - first + 1;
  if (sounding < RATE * 0.06) return undefined;
  const n = Math.min(sounding, Math.round(RATE * 0.5));
  const start = first + Math.floor((sounding - n) / 2);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = pcm[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const powers = TONE_GRID_HZ.map((f) => goertzel(x, f));
  const order = powers.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const [best, second] = [order[0]!, order[1]!];
  const clarity = best[0] / Math.max(second[0], 1e-9);
  if (clarity < MIN_CLARITY) return undefined;
  return { toneHz: TONE_GRID_HZ[best[1]]!, seconds: sounding / RATE, clarity };
}

/** RMS (sample units) under which a 200 ms frame counts as silence. */
const SILENT_RMS = 200;
const FRAME = Math.round(RATE * 0.2);
const HOP = Math.round(RATE * 0.025);

/**
 * The tones heard one after another (a message spoken in several parts, each its own clip and tone): 200 ms frames
 * every 25 ms are labelled with their grid tone; runs of one tone become segments, measured again with
 * {@link hearTone}. One tone (or none) gives one entry (or none), as {@link hearTone} over the whole audio would.
 */
export function hearTones(pcm: Int16Array): HeardTone[] {
  if (pcm.length < FRAME * 2) {
    const one = hearTone(pcm);
    return one ? [one] : [];
  }
  const labels: number[] = [];
  const x = new Float64Array(FRAME);
  for (let start = 0; start + FRAME <= pcm.length; start += HOP) {
    let energy = 0;
    for (let i = 0; i < FRAME; i++) {
      const v = pcm[start + i]!;
      energy += v * v;
      x[i] = v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME - 1)));
    }
    if (Math.sqrt(energy / FRAME) < SILENT_RMS) {
      labels.push(-1);
      continue;
    }
    const powers = TONE_GRID_HZ.map((f) => goertzel(x, f));
    const order = powers.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
    labels.push(order[0]![0] / Math.max(order[1]![0], 1e-9) >= 4 ? order[0]![1] : -1);
  }
  // Runs of one label; a frame's label speaks for its centre.
  const runs: Array<{ label: number; from: number; to: number }> = [];
  labels.forEach((label, i) => {
    const last = runs.at(-1);
    if (last && last.label === label) last.to = i;
    else runs.push({ label, from: i, to: i });
  });
  // Runs of one tone broken by unclear frames are one clip.
  const toned: typeof runs = [];
  for (const r of runs.filter((x) => x.label >= 0 && x.to - x.from >= 2)) {
    const last = toned.at(-1);
    if (last && last.label === r.label) last.to = r.to;
    else toned.push({ ...r });
  }
  if (toned.length <= 1) {
    const one = hearTone(pcm);
    return one ? [one] : [];
  }
  const heard: HeardTone[] = [];
  toned.forEach((r, k) => {
    const from = k === 0 ? 0 : r.from * HOP + FRAME / 2 - HOP / 2;
    const to = k === toned.length - 1 ? pcm.length : r.to * HOP + FRAME / 2 + HOP / 2;
    const one = hearTone(pcm.subarray(Math.max(0, Math.round(from)), Math.min(pcm.length, Math.round(to))));
    if (one) heard.push(one);
  });
  return heard;
}

/**
 * The text behind a heard tone among the clips the stand-in produced: same tone; of those, the one whose length is
 * nearest within 12 % (several: the latest), else the latest of that tone (a tempo change). Undefined: not ours.
 */
export function textFor(heard: HeardTone, produced: readonly ProducedClip[]): string | undefined {
  const sameTone = produced.filter((c) => c.toneHz === heard.toneHz);
  if (sameTone.length === 0) return undefined;
  const off = (c: ProducedClip) => Math.abs(heard.seconds - c.durationSeconds) / c.durationSeconds;
  let pick: ProducedClip | undefined;
  for (const c of sameTone) if (off(c) <= LENGTH_TOLERANCE && (pick === undefined || off(c) <= off(pick))) pick = c;
  return (pick ?? sameTone.at(-1)!).input;
}

/**
 * The transcript of some audio bytes: the produced text it carries (several clips one after another: their texts,
 * joined by a space), or {@link UNKNOWN_AUDIO_TRANSCRIPT} when none is one of the stand-in's own.
 */
export async function transcribeOwnAudio(bytes: Buffer, produced: readonly ProducedClip[]): Promise<string> {
  const texts = hearTones(await decodeToPcm16k(bytes)).flatMap((heard) => textFor(heard, produced) ?? []);
  return texts.length > 0 ? texts.join(' ') : UNKNOWN_AUDIO_TRANSCRIPT;
}
