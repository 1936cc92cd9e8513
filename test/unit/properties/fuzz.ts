import fc from 'fast-check';
import { expect } from 'vitest';
import { BotError } from '../../../src/errors.js';

/**
 * Shared settings of the property tests. `npm test` runs each property with a fixed seed, so a run is repeatable;
 * `npm run fuzz` sets FUZZ_FACTOR=100 (100× the runs) and a fresh seed each time unless FUZZ_SEED is given. A failure
 * prints the seed and the path of the shrunk counterexample: put them in FUZZ_SEED to replay it.
 */
const FACTOR = Math.max(1, Number(process.env.FUZZ_FACTOR ?? 1) || 1);
const FIXED_SEED = 20261207;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : FACTOR > 1 ? Date.now() % 2 ** 31 : FIXED_SEED;

/** Whether this is a `npm run fuzz` run. */
export const FUZZING = FACTOR > 1;

/** fast-check parameters for a property run `baseRuns` times in `npm test` (×FUZZ_FACTOR when fuzzing). */
export function runs(baseRuns: number): fc.Parameters<unknown> {
  return { numRuns: baseRuns * FACTOR, seed: SEED };
}

/** Per-test time limit (vitest) for a property of `baseRuns` runs that each take up to `msPerRun`. */
export function timeLimit(baseRuns: number, msPerRun: number): number {
  return Math.max(30_000, baseRuns * FACTOR * msPerRun * 2);
}

/** Pieces Discord and users are known to trip over: mentions (zero-width and full-width tricks too), markdown, links,
 * timestamps, emoji sequences, bidi and invisible characters, lone surrogates, private-use placeholders, CJK and Thai. */
export const TRICKY_TOKENS = [
  '<@123456789012345678>', '<@!123456789012345678>', '<@&123456789012345678>', '<#123456789012345678>', '<@>', '<@&>',
  '@everyone', '@here', '@everyonex', 'a@here', '＠everyone', '﹫here', '@\u200Beveryone', '@\u2060here', '@\u00ADeveryone',
  '<@\u200B123>', '<\u200B@123>', '<@!\u200D123>', '\\@everyone', '`@everyone`', '||@here||', '@@everyone',
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u034F', '\u3164', '\u202E', '\u2066', '\u061C', '\u0000', '\u0085', '\u2028',
  '\r\n', '\r', '\n', '\t', '  ', '**', '__', '_', '*', '~~', '||', '`', '```', '```js\ncode```', '> ', '>>> ', '# ', '-# ', '- ',
  '[x](https://example.com)', '[](<https://a.b>)', 'https://a.b/c?d=e)', '<https://x.y>', 'http://', 'https://@everyone.com',
  '<t:1700000000:R>', '<t:99999999999999999>', '<t:-1:F>', '<:blob:123>', '<a:party_time:456>', '</cmd:1>',
  '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '😀😀😀😀😀😀',
  '\uD800', '\uDC00', '\uDBFF\uDFFF', 'e\u0301', 'Ｔｅｓｔ', '中文字符。', 'ไทยภาษา', 'Ἀθῆναι', 'مرحبا',
  '...', '!!!!!!!!', '？', '。', 'Mr.', 'e.g.', 'U.S.A.', '3.5', '—', '\\', '{name}', '{channel}', '{', '}', '{{name}}', '$1', '$&', '$$',
  '\u{E0041}', '\uE000', '\uE001\uE002\uE002', '\uF8FF', '\u{F0000}', '=', ',', '#', '"', '[', ']', '__proto__', 'constructor',
];

/** Text a member could paste: tricky pieces mixed with arbitrary code points. */
export const strangeText = (maxPieces = 30): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...TRICKY_TOKENS) },
        { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
        { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
      ),
      { maxLength: maxPieces },
    )
    .map((pieces) => pieces.join(''));

/** A long text (about `chars` UTF-16 units) built from one repeated strange piece plus arbitrary filler. */
export const longText = (chars: number): fc.Arbitrary<string> =>
  fc.tuple(strangeText(8), strangeText(8)).map(([a, b]) => {
    const unit = `${a} ${b}` || 'x';
    return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
  });

// Discord turns these into pings when allowed_mentions lets it: @everyone / @here anywhere, <@id>, <@!id>, <@&id>.
const PING = /@(?:everyone|here)|<@[!&]?\d+>/;

/** Whether Discord could read a ping in this text (an allowed_mentions with nothing allowed still stops it). */
export function wouldPing(text: string): boolean {
  return PING.test(text);
}

// In spoken text the bot reads @everyone / @here standing as words, and Discord's <@id> tokens; a@here.com is an address.
const SPOKEN_MENTION = /(?<!\w)@+(?:everyone|here)(?!\w)|<@[!&]?\d+>/i;

/** Whether spoken text still holds a mention token instead of words (the text goes to the speech endpoint, not Discord). */
export function mentionLeft(text: string): boolean {
  return SPOKEN_MENTION.test(text);
}

/** Runs `fn`; a BotError (the typed user error) is an answer, anything else thrown fails the test. */
export function userErrorOr<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: BotError } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof BotError) return { ok: false, error };
    throw error;
  }
}

/** Asserts a text could go to the speech endpoint: not blank, at most 4096 UTF-16 units. */
export function expectSpeakable(text: string): void {
  expect(text.trim().length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(4096);
}

/** Milliseconds `fn` takes. */
export function timed(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

export { fc };
