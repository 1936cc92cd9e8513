/**
 * Splits long text into parts for pipelined speech: the first part is short so the first audio comes fast, later
 * parts grow so a long text costs few requests, and every part fits one request. Cuts fall at sentence ends, else at
 * a clause mark or a space, else between words; never inside a word unless a "word" is longer than a whole part.
 *
 * Sentences come from `Intl.Segmenter` with granularity 'sentence' (ICU's UAX #29 rules, built into Node), not from
 * hand-written regular expressions: it already keeps decimals (3.5), "e.g. the", "U.S.A. is", closing quotes and
 * brackets after the full stop ("“Quoted.”"), runs like "?!" and the CJK 。！？ right, for every script, with no
 * dependency. What it lacks is CLDR's abbreviation list (V8 ignores the `-u-ss-standard` locale extension), so
 * "Mr. Smith" would be cut after "Mr."; a short list of such abbreviations and single-letter initials is re-joined
 * below, and "…" before a capital is added as a sentence end. Word boundaries (for text without spaces, e.g. CJK)
 * come from the same API with granularity 'word', which uses ICU's dictionaries for Chinese, Japanese and Thai.
 */
import { MAX_INPUT_CHARS } from './request.js';

/** How parts are sized; every length is in UTF-16 code units, as the endpoint's 4096 limit is counted. */
export interface SentenceSplitOptions {
  /** Longest first part (default 200): it alone stands between the request and the first audio. */
  firstMaxChars?: number;
  /** The first part takes more sentences while it is shorter than this (default 60), so part 2 has time to arrive. */
  firstMinChars?: number;
  /** Longest later part (default 1000, at most 4096). */
  maxChars?: number;
  /** Each later part may be this many times longer than the one before (default 2), up to `maxChars`. */
  growth?: number;
}

const DEFAULTS: Required<SentenceSplitOptions> = { firstMaxChars: 200, firstMinChars: 60, maxChars: 1000, growth: 2 };

/** Abbreviations (lower case, without their final dot) after which ICU would wrongly end a sentence. */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'st', 'sr', 'jr', 'mt', 'vs', 'e.g', 'i.e', 'cf', 'approx', 'no', 'nr', 'fig',
  'vol', 'ca', 'bzw', 'mme', 'mlle', 'sra', 'srta',
]);

/** Clause marks a long sentence may be cut after. */
const CLAUSE_MARKS = new Set([',', ';', ':', '—', '–', '、', '，', '；', '：']);
/** Clause marks that need no space after them (CJK). */
const CLAUSE_MARKS_NO_SPACE = new Set(['、', '，', '；', '：']);

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);

/** A sentence as [start, end) in the text, without surrounding white space. */
interface Span {
  start: number;
  end: number;
}

/** The segmenters one split uses ('en' fixed: the rules are the same for every locale, and parts must not depend on the host). */
interface Segmenters {
  sentence: Intl.Segmenter;
  word: Intl.Segmenter;
  grapheme: Intl.Segmenter;
}

/** Splits `text` into speakable parts; joined with the white space between them they give back `text.trim()`. */
export function splitForSpeech(text: string, options: SentenceSplitOptions = {}): string[] {
  const maxChars = clamp(options.maxChars, DEFAULTS.maxChars, 1, MAX_INPUT_CHARS);
  const firstMaxChars = clamp(options.firstMaxChars, DEFAULTS.firstMaxChars, 1, maxChars);
  const firstMinChars = clamp(options.firstMinChars, DEFAULTS.firstMinChars, 0, firstMaxChars);
  const growth = Math.max(1, Number.isNaN(options.growth) ? DEFAULTS.growth : (options.growth ?? DEFAULTS.growth));
  const seg: Segmenters = {
    sentence: new Intl.Segmenter('en', { granularity: 'sentence' }),
    word: new Intl.Segmenter('en', { granularity: 'word' }),
    grapheme: new Intl.Segmenter('en', { granularity: 'grapheme' }),
  };

  const sentences = sentenceSpans(text, seg);
  const parts: string[] = [];
  let limit = firstMaxChars;
  let i = 0;
  while (i < sentences.length) {
    const head = sentences[i]!;
    const partStart = head.start;
    let partEnd: number;
    if (head.end - head.start > limit) {
      // One sentence longer than the part: cut it, and keep its rest as the next sentence.
      let rest = cutPoint(text, head.start, head.end, limit, seg);
      partEnd = rest;
      while (isSpace(text[partEnd - 1])) partEnd--;
      while (rest < head.end && isSpace(text[rest])) rest++;
      head.start = rest;
      if (rest >= head.end) i++;
    } else {
      partEnd = head.end;
      i++;
      const wantMore = () => (parts.length === 0 ? partEnd - partStart < firstMinChars : true);
      while (i < sentences.length && wantMore() && sentences[i]!.end - partStart <= limit) partEnd = sentences[i++]!.end;
    }
    parts.push(text.slice(partStart, partEnd));
    limit = Math.min(maxChars, Math.max(limit, Math.floor(limit * growth)));
  }
  return parts;
}

/** Sentences of the text by ICU, re-joined after abbreviations and initials, split after "…" before a capital. */
function sentenceSpans(text: string, seg: Segmenters): Span[] {
  const spans: Span[] = [];
  let joinNext = false;
  for (const { segment, index } of seg.sentence.segment(text)) {
    for (const piece of splitAtEllipsis(segment)) {
      const start = index + piece.offset;
      const trimmed = trimSpan(text, start, start + piece.text.length);
      if (!trimmed) continue;
      const previous = spans[spans.length - 1];
      if (joinNext && previous) previous.end = trimmed.end;
      else spans.push(trimmed);
      joinNext = endsWithAbbreviation(piece.text);
    }
  }
  return spans;
}

/** "Yes… Then" → "Yes… " and "Then" (ICU does not end a sentence at U+2026). */
function splitAtEllipsis(segment: string): { text: string; offset: number }[] {
  const pieces: { text: string; offset: number }[] = [];
  let offset = 0;
  for (const match of segment.matchAll(/…\s+(?=\p{Lu})/gu)) {
    const end = match.index + match[0].length;
    pieces.push({ text: segment.slice(offset, end), offset });
    offset = end;
  }
  pieces.push({ text: segment.slice(offset), offset });
  return pieces;
}

/** Whether a sentence ICU ended ends in "Mr. ", "e.g. ", "J. " and the like, on the same line as what follows. */
function endsWithAbbreviation(sentence: string): boolean {
  const match = /(?:^|[\s(“"'‘])([\p{L}.]+)\.([ \t\u00a0]+)$/u.exec(sentence);
  if (!match) return false;
  const word = match[1]!;
  return [...word].length === 1 || ABBREVIATIONS.has(word.toLowerCase());
}

function trimSpan(text: string, start: number, end: number): Span | undefined {
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  return start < end ? { start, end } : undefined;
}

/**
 * Where to end a part that starts at `start` inside a sentence running to `end`, at most `limit` long: after a clause
 * mark, else at a space, else at a word boundary (each preferred only if it keeps at least half the limit), else at
 * any of those, else at a grapheme boundary, else at a code point boundary.
 */
function cutPoint(text: string, start: number, end: number, limit: number, seg: Segmenters): number {
  const max = start + limit;
  const half = start + Math.ceil(limit / 2);
  const clause = lastClauseCut(text, start, max);
  if (clause >= half) return clause;
  const space = lastSpaceCut(text, start, max);
  if (space >= half) return space;
  const word = lastBoundary(text, start, max, end, seg.word);
  if (word >= half) return word;
  const best = Math.max(clause, space, word);
  if (best > start) return best;
  const grapheme = lastBoundary(text, start, max, end, seg.grapheme);
  if (grapheme > start) return grapheme;
  // One grapheme longer than the part (e.g. thousands of combining marks): keep surrogate pairs whole at least.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff && max - 1 > start ? max - 1 : max;
}

/** The end of the last clause mark in (start, max] that a space follows (or a CJK one), or -1. */
function lastClauseCut(text: string, start: number, max: number): number {
  for (let p = max - 1; p > start; p--) {
    const ch = text[p]!;
    if (CLAUSE_MARKS.has(ch) && (CLAUSE_MARKS_NO_SPACE.has(ch) || isSpace(text[p + 1]))) return p + 1;
  }
  return -1;
}

/** The position of the last white space in (start, max], or -1 (a part ends before the space). */
function lastSpaceCut(text: string, start: number, max: number): number {
  for (let p = max; p > start; p--) if (isSpace(text[p])) return p;
  return -1;
}

/** The last boundary of the segmenter in (start, max], or -1; the window reaches past `max` so a boundary there is real. */
function lastBoundary(text: string, start: number, max: number, end: number, segmenter: Intl.Segmenter): number {
  const windowEnd = Math.min(end, max + 32);
  let best = -1;
  for (const { index } of segmenter.segment(text.slice(start, windowEnd))) {
    const at = start + index;
    if (at > max) break;
    if (at > start) best = at;
  }
  return best;
}

/** `value` floored into [min, max]; unset or NaN (which would make every comparison false, and parts unbounded) → `fallback`. */
function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value === undefined || Number.isNaN(value) ? fallback : value;
  return Math.min(max, Math.max(min, Math.floor(v)));
}
