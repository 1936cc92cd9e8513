import { describe, expect, it } from 'vitest';
import { capRest, PARTS_FROM_CHARS, splitRead } from '../../../src/features/reading/readInParts.js';
import type { SpokenPhrases } from '../../../src/i18n/spokenPhrases.js';

const phrases = { language: 'en-US', say: (_key: string, values?: Record<string, unknown>) => `${String(values?.text ?? '')} and more`, emojiName: () => undefined } as unknown as SpokenPhrases;

describe('splitRead', () => {
  it('leaves a read up to the threshold whole', () => {
    expect(splitRead('a'.repeat(PARTS_FROM_CHARS))).toBeNull();
    expect(splitRead('Alice said: see you at nine.')).toBeNull();
  });

  it('says the first sentence first when it is long enough, and the rest after; together they are the whole text', () => {
    const text = 'Alice said: long one: we meet at nine tonight. Bring the potions, the scrolls and the spare armour, and tell everyone in the guild that the raid starts on time.';
    const parts = splitRead(text)!;
    expect(parts.first).toBe('Alice said: long one: we meet at nine tonight.');
    expect(`${parts.first} ${parts.rest}`).toBe(text);
  });

  it('cuts a long sentence between words, the first part at most 90 characters', () => {
    const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const parts = splitRead(text)!;
    expect(parts.first.length).toBeLessThanOrEqual(90);
    expect(parts.first).toMatch(/word\d+$/);
    expect(`${parts.first} ${parts.rest}`).toBe(text);
  });

  it('cuts text without spaces (Japanese) at a clause or sentence mark', () => {
    const text = 'アリスさん、今夜九時に集合です。ポーションと巻物と予備の鎧を持ってきてください。'.repeat(4);
    const parts = splitRead(text)!;
    expect(parts.first.length).toBeLessThanOrEqual(90);
    expect(parts.first).toMatch(/[。、]$/);
    expect(parts.first + parts.rest).toBe(text);
  });
});

describe('capRest', () => {
  it('keeps a rest within the cap as it is', () => {
    expect(capRest('Bring the potions.', 30, phrases)).toBe('Bring the potions.');
  });

  it('cuts a longer rest at a word, “and more” included in the cap', () => {
    const capped = capRest('Bring the potions, the scrolls and the spare armour.', 30, phrases);
    expect(capped).toBe('Bring the potions and more');
    expect(capped.length).toBeLessThanOrEqual(30);
  });
});
