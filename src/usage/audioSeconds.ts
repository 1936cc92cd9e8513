/**
 * How transcription is counted: seconds of audio, converted to characters so that one daily budget (and one set of
 * stored counters) covers both directions. One second of audio counts as {@link CHARS_PER_AUDIO_SECOND} characters:
 * about what the speech service says in a second (the same pace reading uses to estimate audio length), so a
 * transcribed second weighs on the budget what a spoken second does. Counters keep it under the model name
 * `transcribe:<model>`, which is how /usage tells the two apart and shows seconds and a per-minute cost.
 */

/** Characters one second of transcribed audio is counted as. */
export const CHARS_PER_AUDIO_SECOND = 15;

const PREFIX = 'transcribe:';

/** The counter's model name for a transcription model. */
export function audioCounterModel(model: string): string {
  return `${PREFIX}${model}`;
}

/** The transcription model behind a counter's model name, or undefined for a speech model. */
export function transcriptionModelOf(counterModel: string): string | undefined {
  return counterModel.startsWith(PREFIX) ? counterModel.slice(PREFIX.length) : undefined;
}

/** Characters charged for `seconds` of audio (whole seconds, at least one). */
export function charsForSeconds(seconds: number): number {
  return Math.max(1, Math.ceil(seconds)) * CHARS_PER_AUDIO_SECOND;
}

/** Seconds of audio behind a count of charged characters. */
export function secondsForChars(chars: number): number {
  return Math.round(chars / CHARS_PER_AUDIO_SECOND);
}
