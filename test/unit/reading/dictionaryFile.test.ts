import { describe, expect, it } from 'vitest';
import { messageFor } from '../../support/errorWords.js';
import { BotError } from '../../../src/errors.js';
import { dictionaryToJson, parseDictionaryFile } from '../../../src/features/reading/dictionaryFile.js';

describe('dictionary files', () => {
  it('export and import round-trip', () => {
    const entries = [{ word: 'gg', reading: 'good game' }, { word: 'C++', reading: 'C plus plus' }, { word: '草', reading: 'lol' }];
    expect(parseDictionaryFile(dictionaryToJson(entries))).toEqual(entries);
  });
  it.each([
    ['a JSON object', '{"gg": "good game", "brb": "be right back"}', [{ word: 'gg', reading: 'good game' }, { word: 'brb', reading: 'be right back' }]],
    ['lines with = and , and comments', '\uFEFF# mine\ngg = good game\nbrb,be right back\n\nafk\taway', [{ word: 'gg', reading: 'good game' }, { word: 'brb', reading: 'be right back' }, { word: 'afk', reading: 'away' }]],
    ['an empty reading (the word is not said)', 'uh =', [{ word: 'uh', reading: '' }]],
  ])('reads %s', (_name, text, expected) => {
    expect(parseDictionaryFile(text)).toEqual(expected);
  });
  it.each([
    ['broken JSON', '[{"word": "gg"', /not valid JSON/],
    ['an entry without a reading', '[{"word": "gg"}]', /entry 1 needs “word” and “reading”/],
    ['a line without a separator', 'gg good game', /line 1 is not “word = reading”/],
    ['a non-text reading', '{"gg": 5}', /reading of “gg” is not text/],
  ])('refuses %s with a reason', (_name, text, reason) => {
    let error: unknown;
    try {
      parseDictionaryFile(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BotError);
    expect(messageFor((error as BotError).key, { ...(error as BotError).details })).toMatch(reason);
  });
});
