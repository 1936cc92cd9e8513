import { describe, expect, it } from 'vitest';
import { compileDictionary, prepareText, type PrepareOptions, type ReadableMessage } from '../../../src/features/reading/prepareText.js';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { phrasesIn } from '../../support/spokenPhrases.js';
import { validateEntry } from '../../../src/settings/dictionary.js';
import { buildSpeechRequest } from '../../../src/speech/request.js';
import { expectSpeakable, fc, longText, runs, strangeText, mentionLeft, timed, timeLimit, userErrorOr } from './fuzz.js';
import { messageFor } from '../../support/errorWords.js';

const TTS = {
  defaults: { model: 'tts-1', voice: 'alloy', speed: 1, format: 'mp3' as const },
  models: ['tts-1'],
  voices: ['alloy'],
  instructionModels: [],
};

const id = fc.constantFrom('123456789012345678', '1', '99999999999999999999', '42');
const names = fc.dictionary(id, strangeText(6), { maxKeys: 3 });

/** Dictionary entries as the store would accept them (validateEntry refuses the rest). */
const dictionary = fc
  .array(fc.tuple(strangeText(4), strangeText(4)), { maxLength: 6 })
  .map((pairs) => pairs.flatMap(([word, reading]) => {
    const checked = userErrorOr(() => validateEntry(word, reading));
    return checked.ok ? [checked.value] : [];
  }));

const message: fc.Arbitrary<ReadableMessage> = fc.record(
  {
    content: strangeText(),
    authorName: strangeText(6),
    mentions: fc.record({ users: names, roles: names, channels: names }),
    replyToName: strangeText(6),
    attachments: fc.array(fc.record({ name: strangeText(3), contentType: fc.constantFrom('image/png', 'audio/ogg', 'video/mp4', '', 'x') }), { maxLength: 4 }),
    stickers: fc.array(strangeText(3), { maxLength: 3 }),
    poll: fc.record({ question: strangeText(10) }),
    forwarded: fc.boolean(),
    embedsOnly: fc.boolean(),
  },
  { requiredKeys: ['content', 'authorName', 'mentions'] },
);

const options: fc.Arbitrary<PrepareOptions> = fc.record({
  sayName: fc.boolean(),
  customEmoji: fc.constantFrom('name' as const, 'skip' as const),
  unicodeEmoji: fc.constantFrom('name' as const, 'skip' as const),
  // read_max_chars is 20..2000; the function must also survive what no setting allows.
  maxChars: fc.oneof(fc.integer({ min: 20, max: 2000 }), fc.integer(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, -5)),
  maxRepeat: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, -1, Number.NaN, 1.5)),
  dictionary,
  // Every shipped language: its phrases must keep every promise below too.
  phrases: fc.constantFrom(...loadCatalogs().map((c) => phrasesIn(c.code))),
  nameTemplate: fc.constantFrom(undefined, null, '{name}さん', 'x'),
});

describe('prepareText, tried by machine', () => {
  it('never throws; what it returns is accepted by the speech endpoint and holds no mention token', () => {
    fc.assert(
      fc.property(message, options, (m, o) => {
        const said = prepareText(m, o);
        if (said === null) return;
        expectSpeakable(said);
        expect(said).toBe(said.trim());
        expect(mentionLeft(said), said).toBe(false);
        const request = userErrorOr(() => buildSpeechRequest({ text: said }, TTS));
        expect(request.ok, request.ok ? '' : messageFor(request.error.key, { ...request.error.details })).toBe(true);
      }),
      runs(300),
    );
  });

  it('a compiled dictionary never throws on any text', () => {
    fc.assert(
      fc.property(dictionary, strangeText(), (entries, text) => {
        const replace = compileDictionary(entries);
        expect(typeof replace(text)).toBe('string');
      }),
      runs(200),
    );
  });

  it('takes linear time: 100,000 characters of content, names and poll in under 2 s', { timeout: timeLimit(4, 4000) }, () => {
    fc.assert(
      fc.property(longText(100_000), options, (text, o) => {
        const m: ReadableMessage = {
          content: text,
          authorName: text,
          replyToName: text,
          poll: { question: text },
          stickers: [text],
          mentions: { users: { '1': text }, roles: {}, channels: {} },
        };
        let said: string | null = null;
        const ms = timed(() => {
          said = prepareText(m, { ...o, maxChars: 2000 });
        });
        expect(ms).toBeLessThan(2000);
        if (said !== null) expectSpeakable(said);
      }),
      runs(4),
    );
  });
});
