import type { SpokenPhrases } from '../../i18n/spokenPhrases.js';
import { MAX_INPUT_CHARS } from '../../speech/request.js';
import { splitForSpeech } from '../../speech/sentenceSplit.js';
import { endWithAndMore } from './prepareText.js';

/** Reads longer than this many characters (about 10 s of speech) are said in parts, so what is left can still be cut when others post meanwhile. */
export const PARTS_FROM_CHARS = 150;
/** Longest first part of such a read (about 6 s), ending at a sentence end where one falls. */
const FIRST_PART_CHARS = 90;
/** The first part takes whole sentences while shorter than this. */
const FIRST_PART_MIN_CHARS = 40;

/** A long read as what is said first and what is left, or null when it is said in one go. */
export function splitRead(text: string): { first: string; rest: string } | null {
  const whole = text.trim();
  if (whole.length <= PARTS_FROM_CHARS) return null;
  const first = splitForSpeech(whole, { firstMaxChars: FIRST_PART_CHARS, firstMinChars: FIRST_PART_MIN_CHARS, maxChars: MAX_INPUT_CHARS })[0];
  if (first === undefined || first.length >= whole.length) return null;
  const rest = whole.slice(first.length).trim();
  return rest === '' ? null : { first, rest };
}

/** What is left of a read, cut to `cap` characters ending with "and more" when it is longer. */
export function capRest(text: string, cap: number, phrases: SpokenPhrases): string {
  return text.length <= cap ? text : endWithAndMore(text, cap, phrases);
}
