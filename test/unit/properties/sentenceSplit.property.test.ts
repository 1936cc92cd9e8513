import { describe, expect, it } from 'vitest';
import { splitForSpeech, type SentenceSplitOptions } from '../../../src/speech/sentenceSplit.js';
import { expectSpeakable, fc, longText, runs, strangeText, timed, timeLimit } from './fuzz.js';

const WHITE_SPACE = /\s+/gu;

const size = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 5000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -3, Number.NaN, Number.POSITIVE_INFINITY, 0.5, 4096, 4097) },
);
const options: fc.Arbitrary<SentenceSplitOptions> = fc.record(
  { firstMaxChars: size, firstMinChars: size, maxChars: size, growth: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constant(Number.NaN)) },
  { requiredKeys: [] },
);

/** Checks what the splitter promises: parts fit one request, are never blank, and together are the whole text. */
function checkParts(text: string, parts: string[], o: SentenceSplitOptions): void {
  const limit = Number.isFinite(o.maxChars) && (o.maxChars ?? 0) >= 1 ? Math.min(Math.floor(o.maxChars!), 4096) : 4096;
  for (const part of parts) {
    expectSpeakable(part);
    expect(part.length).toBeLessThanOrEqual(limit);
  }
  expect(parts.join('').replace(WHITE_SPACE, '')).toBe(text.replace(WHITE_SPACE, ''));
}

describe('splitForSpeech, tried by machine', () => {
  it('never throws; every part is one non-blank request within the limit, and nothing is lost', () => {
    fc.assert(
      fc.property(strangeText(60), options, (text, o) => {
        checkParts(text, splitForSpeech(text, o), o);
      }),
      runs(300),
    );
  });

  // Part sizes come from the code (the defaults), not from users; a part of 1 character would mean 100,000 segmenter calls.
  const realistic: fc.Arbitrary<SentenceSplitOptions> = fc.record(
    { firstMaxChars: fc.integer({ min: 20, max: 4096 }), firstMinChars: fc.integer({ min: 0, max: 200 }), maxChars: fc.integer({ min: 100, max: 4096 }), growth: fc.double({ min: 1, max: 4, noNaN: true }) },
    { requiredKeys: [] },
  );

  it('takes linear time: 100,000 characters in under 2 s', { timeout: timeLimit(4, 4000) }, () => {
    fc.assert(
      fc.property(longText(100_000), realistic, (text, o) => {
        let parts: string[] = [];
        expect(timed(() => (parts = splitForSpeech(text, o)))).toBeLessThan(2000);
        checkParts(text, parts, o);
      }),
      runs(4),
    );
  });
});
