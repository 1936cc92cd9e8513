import { describe, expect, it } from 'vitest';
import { MAX_INPUT_CHARS } from '../../../src/speech/request.js';
import { splitForSpeech, type SentenceSplitOptions } from '../../../src/speech/sentenceSplit.js';

/** Small sizes so table rows stay readable: parts of ≤ 30, then ≤ 60 characters, the first not padded up. */
const SMALL: SentenceSplitOptions = { firstMaxChars: 30, firstMinChars: 0, maxChars: 60, growth: 2 };

/**
 * The parts are the input, in order, with nothing lost or added: walking the trimmed input, each part is found right
 * where the previous one ended, after white space only. Also the plain check: without white space, joined == input.
 */
function expectFaithful(input: string, parts: string[]): void {
  const text = input.trim();
  let pos = 0;
  for (const part of parts) {
    expect(part.length).toBeGreaterThan(0);
    expect(part).toBe(part.trim());
    while (pos < text.length && /\s/u.test(text[pos]!)) pos++;
    expect(text.startsWith(part, pos), `part at ${pos} is not the next piece of the input`).toBe(true);
    pos += part.length;
  }
  expect(text.slice(pos).trim()).toBe('');
  expect(parts.join('').replace(/\s+/gu, '')).toBe(input.replace(/\s+/gu, ''));
}

/** Offsets in the trimmed input where one part ends and the next begins with nothing between (hard cuts). */
function touchingCuts(input: string, parts: string[]): number[] {
  const text = input.trim();
  const cuts: number[] = [];
  let pos = 0;
  for (const [i, part] of parts.entries()) {
    const start = text.indexOf(part, pos);
    if (i > 0 && start === pos) cuts.push(start);
    pos = start + part.length;
  }
  return cuts;
}

/** Every boundary of a segmenter over the whole text. */
function boundaries(text: string, granularity: 'word' | 'grapheme'): Set<number> {
  const set = new Set<number>();
  for (const { index } of new Intl.Segmenter('en', { granularity }).segment(text)) set.add(index);
  set.add(text.length);
  return set;
}

/** Part limits under the given options: firstMax, then growing to maxChars. */
function expectSizes(parts: string[], o: Required<SentenceSplitOptions>): void {
  let limit = o.firstMaxChars;
  for (const part of parts) {
    expect(part.length).toBeLessThanOrEqual(limit);
    expect(part.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
    limit = Math.min(o.maxChars, Math.max(limit, Math.floor(limit * o.growth)));
  }
}

const DEFAULTS: Required<SentenceSplitOptions> = { firstMaxChars: 200, firstMinChars: 60, maxChars: 1000, growth: 2 };

describe('splitForSpeech: sentences', () => {
  it.each<[string, string, string[]]>([
    ['one short sentence stays whole', 'Hello there.', ['Hello there.']],
    ['surrounding white space is dropped', '   Hello there.  \n', ['Hello there.']],
    ['three sentences; the later part takes two', 'One two three. Four five six. Seven eight.', ['One two three.', 'Four five six. Seven eight.']],
    ['question and exclamation marks', 'Is it? Yes! Really?! Fine.', ['Is it?', 'Yes! Really?! Fine.']],
    ['decimals are not sentence ends', 'It costs 3.5 dollars today. That is cheap enough.', ['It costs 3.5 dollars today.', 'That is cheap enough.']],
    ['titles: Mr. and Dr. do not end a sentence', 'Mr. Smith met Dr. Jones there. They talked.', ['Mr. Smith met Dr. Jones there.', 'They talked.']],
    ['e.g. before a capital does not end a sentence', 'Use a tool, e.g. The Hammer. Or not.', ['Use a tool, e.g. The Hammer.', 'Or not.']],
    ['initials stay with the name', 'J. R. R. Tolkien wrote it. It is long.', ['J. R. R. Tolkien wrote it.', 'It is long.']],
    ['U.S.A. inside a sentence', 'The U.S.A. is big. So is Canada.', ['The U.S.A. is big.', 'So is Canada.']],
    ['an ellipsis before a capital ends a sentence', 'Wait… Then it came. And went.', ['Wait…', 'Then it came. And went.']],
    ['an ellipsis before lower case does not', 'Well… maybe it did so. Yes.', ['Well… maybe it did so.', 'Yes.']],
    ['three dots end a sentence', 'Wait... Then it came. Fine.', ['Wait...', 'Then it came. Fine.']],
    ['closing quotes stay with their sentence', '“Go home.” She said it twice.', ['“Go home.”', 'She said it twice.']],
    ['line breaks end a sentence', 'first line here\nsecond line here\nthird', ['first line here', 'second line here\nthird']],
    ['blank lines are only white space between parts', 'Para one is here.\n\n\nPara two is here.', ['Para one is here.', 'Para two is here.']],
    ['CJK full stops', '你好。我很好！真的吗？是的。', ['你好。', '我很好！真的吗？是的。']],
    ['Arabic question mark', 'مرحبا كيف حالك اليوم؟ أنا بخير شكرا لك.', ['مرحبا كيف حالك اليوم؟', 'أنا بخير شكرا لك.']],
  ])('%s', (_name, input, expected) => {
    const parts = splitForSpeech(input, SMALL);
    expect(parts).toEqual(expected);
    expectFaithful(input, parts);
  });

  it('CJK sentences are cut at 。！？ when parts must be small', () => {
    const parts = splitForSpeech('你好。我很好！真的吗？', { firstMaxChars: 3, firstMinChars: 0, maxChars: 4 });
    expect(parts).toEqual(['你好。', '我很好！', '真的吗？']);
  });

  it('empty and white-space-only text gives no parts', () => {
    expect(splitForSpeech('')).toEqual([]);
    expect(splitForSpeech(' \n\t  \u00a0 ')).toEqual([]);
  });

  it('the same text always gives the same parts (each part is cached on its own)', () => {
    const text = 'A first sentence that is fairly short. '.repeat(30);
    expect(splitForSpeech(text)).toEqual(splitForSpeech(text));
  });
});

describe('splitForSpeech: part sizes', () => {
  const paragraph = [
    'The committee met on Tuesday to discuss the budget for the coming year.',
    'Several members raised concerns about the cost of the new building, which had grown by a third since spring.',
    'After a long debate, they agreed to ask for three more quotes before deciding.',
    'The chair thanked everyone and closed the meeting at nine.',
  ]
    .join(' ')
    .repeat(6);

  it('a long paragraph: a short first part that ends a sentence, then growing parts, each at most 1000', () => {
    const parts = splitForSpeech(paragraph);
    expectFaithful(paragraph, parts);
    expectSizes(parts, DEFAULTS);
    expect(parts[0]).toBe('The committee met on Tuesday to discuss the budget for the coming year.');
    for (const part of parts) expect(part).toMatch(/[.!?]$/);
    expect(parts[1]!.length).toBeGreaterThan(parts[0]!.length);
    // ~1900 characters in 4 requests, not 24 (one per sentence).
    expect(paragraph.length).toBeGreaterThan(1800);
    expect(parts).toHaveLength(4);
  });

  it('a very short first sentence takes the next ones with it (so part 2 has time to arrive)', () => {
    const text = 'Hi. Thanks for coming, everyone. I have a few things to say tonight. ' + paragraph;
    const parts = splitForSpeech(text);
    expect(parts[0]).toBe('Hi. Thanks for coming, everyone. I have a few things to say tonight.');
    expect(parts[0]!.length).toBeGreaterThanOrEqual(DEFAULTS.firstMinChars);
    expectFaithful(text, parts);
  });

  it('a first sentence longer than 200 is cut after a comma', () => {
    const clause = 'and then we went down to the river to look at the boats';
    const text = `${clause}, ${clause}, ${clause}, ${clause}, ${clause}. The end.`;
    const parts = splitForSpeech(text);
    expect(parts[0]!.length).toBeLessThanOrEqual(200);
    expect(parts[0]).toMatch(/,$/);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
  });

  it('without commas a long sentence is cut at a space, never inside a word', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    expect(parts.flatMap((p) => p.split(' '))).toEqual(words);
  });

  it('maxChars is capped at the endpoint limit of 4096', () => {
    const text = 'lorem ipsum '.repeat(2000);
    const parts = splitForSpeech(text, { maxChars: 100_000, firstMaxChars: 100_000, firstMinChars: 0 });
    expectFaithful(text, parts);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
    expect(parts.length).toBe(Math.ceil(text.trim().length / MAX_INPUT_CHARS));
  });

  it('nonsense options are clamped, not obeyed into empty parts', () => {
    const text = 'Some words here. And more words there.';
    const parts = splitForSpeech(text, { firstMaxChars: 0, maxChars: -5, firstMinChars: 99, growth: 0 });
    expectFaithful(text, parts);
    for (const part of parts) expect(part.length).toBe(1);
  });

  // Found by the property tests: NaN made every size comparison false, so a part could be the whole text.
  it('NaN sizes and growth fall back to the defaults', () => {
    const text = 'lorem ipsum dolor. '.repeat(600);
    for (const nonsense of [{ maxChars: Number.NaN }, { firstMaxChars: Number.NaN }, { growth: Number.NaN }]) {
      const parts = splitForSpeech(text, nonsense);
      expectFaithful(text, parts);
      expect(parts).toEqual(splitForSpeech(text));
    }
  });
});

describe('splitForSpeech: hostile input', () => {
  it('100k characters of words without punctuation: faithful, parts ≤ 1000, fast', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(3704);
    expect(text.length).toBeGreaterThan(100_000);
    const started = performance.now();
    const parts = splitForSpeech(text);
    const ms = performance.now() - started;
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    expect(touchingCuts(text, parts)).toEqual([]);
    expect(parts.length).toBeLessThan(110);
    expect(ms).toBeLessThan(2000);
  });

  it('100k characters without a single space or mark: hard cuts, faithful, within the sizes', () => {
    const text = 'a'.repeat(100_000);
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    expect(parts.slice(0, 4).map((p) => p.length)).toEqual([200, 400, 800, 1000]);
  });

  it('only punctuation', () => {
    for (const text of ['?!.'.repeat(5000), '.'.repeat(3000), '…'.repeat(3000), '!!! ??? ... '.repeat(400)]) {
      const parts = splitForSpeech(text);
      expectFaithful(text, parts);
      expectSizes(parts, DEFAULTS);
    }
  });

  it('emoji: a ZWJ family sequence is never cut apart, nor a surrogate pair', () => {
    const text = '👨‍👩‍👧‍👦'.repeat(1000);
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    const graphemes = boundaries(text, 'grapheme');
    for (const cut of touchingCuts(text, parts)) expect(graphemes.has(cut)).toBe(true);
    for (const part of parts) expect(part.length % '👨‍👩‍👧‍👦'.length).toBe(0);
  });

  it('emoji between words and sentences', () => {
    const text = 'I love this 😀😀😀 so much! Flags 🇫🇷🇩🇪 and skin tones 👍🏽 too. '.repeat(50);
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    for (const part of parts) expect(part).toMatch(/[!.]$/);
  });

  it('CJK without punctuation is cut between words (ICU dictionary), not inside them', () => {
    const text = '我们今天下午一起去公园散步然后去图书馆看书'.repeat(200);
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
    const words = boundaries(text, 'word');
    const cuts = touchingCuts(text, parts);
    expect(cuts.length).toBe(parts.length - 1);
    for (const cut of cuts) expect(words.has(cut)).toBe(true);
  });

  it('one grapheme longer than a part (thousands of combining marks): cut anyway, nothing lost', () => {
    const text = `Z${'\u0301'.repeat(5000)} after`;
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
  });

  it('a surrogate pair at a hard cut stays whole', () => {
    // 199 ASCII letters then astral characters: the 200-char cut would fall inside 😀.
    const text = `${'b'.repeat(199)}${'😀'.repeat(300)}`;
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    for (const part of parts) {
      expect(part.charCodeAt(part.length - 1)).not.toSatisfy((c: number) => c >= 0xd800 && c <= 0xdbff);
      expect(part.charCodeAt(0)).not.toSatisfy((c: number) => c >= 0xdc00 && c <= 0xdfff);
    }
  });

  it('control characters, NULs and odd white space do not break it', () => {
    const text = `${'\u0000\u0007'.repeat(3000)} Hello.\u2028World.\u00a0\u00a0Again.\r\nDone.`;
    const parts = splitForSpeech(text);
    expectFaithful(text, parts);
    expectSizes(parts, DEFAULTS);
  });

  it('random mixes of words, marks, emoji and CJK stay faithful and within limits', () => {
    const pieces = ['word', ' ', '. ', '! ', ', ', '\n', 'Mr. ', '3.5', '😀', '👨‍👩‍👧‍👦', '你好', '。', '…', 'a'.repeat(50), '  '];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 50; round++) {
      let text = '';
      const length = Math.floor(random() * 6000);
      while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
      const parts = splitForSpeech(text);
      expectFaithful(text, parts);
      expectSizes(parts, DEFAULTS);
    }
  });
});
