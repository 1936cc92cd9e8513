import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageFor } from '../../support/errorWords.js';
import { compileDictionary } from '../../../src/features/reading/prepareText.js';
import { dictionaryToJson, parseDictionaryFile } from '../../../src/features/reading/dictionaryFile.js';
import { DICTIONARY_LIMIT, DICTIONARY_TEXT_MAX } from '../../../src/settings/dictionary.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { capturingLogger, TTS, tempDataDir } from '../settings/fixtures.js';
import { fc, longText, runs, strangeText, timed, timeLimit, userErrorOr, wouldPing } from './fuzz.js';

const GUILD = '100000000000000001';

const entry = fc.record({ word: strangeText(4), reading: strangeText(4) });
/** What members upload: our export format, a JSON object, "word = reading" lines, any JSON at all, or anything. */
const dictionaryFile = fc.oneof(
  fc.array(entry, { maxLength: 20 }).map((entries) => dictionaryToJson(entries)),
  fc.dictionary(strangeText(3), fc.oneof(strangeText(3), fc.jsonValue()), { maxKeys: 20 }).map((o) => JSON.stringify(o)),
  fc.tuple(fc.array(fc.tuple(strangeText(3), fc.constantFrom(' = ', ',', '\t', '=', ' '), strangeText(3)), { maxLength: 20 }), fc.constantFrom('\n', '\r\n'))
    .map(([lines, newline]) => lines.map(([w, sep, r]) => `${w}${sep}${r}`).join(newline)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  strangeText(40),
);

describe('dictionary import, tried by machine', () => {
  let store: SettingsStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const temp = await tempDataDir();
    cleanup = temp.cleanup;
    store = openSqliteSettings({ dataDir: temp.dir, tts: TTS, logger: capturingLogger().logger });
  });
  afterAll(async () => {
    store.close();
    await cleanup();
  });

  it('a file is imported whole or refused with a reason that pings no one; what is stored is valid and compiles', () => {
    fc.assert(
      fc.property(dictionaryFile, fc.boolean(), (file, replace) => {
        const before = store.dictionary.entries(GUILD);
        const imported = userErrorOr(() => store.dictionary.import(GUILD, parseDictionaryFile(file), replace));
        const after = store.dictionary.entries(GUILD);
        if (!imported.ok) {
          expect(imported.error.key).toMatch(/^(input\.invalid|dictionary\.)/);
          expect(wouldPing(messageFor(imported.error.key, imported.error.details))).toBe(false);
          expect(after).toEqual(before); // all or nothing
          return;
        }
        expect(after.length).toBeLessThanOrEqual(DICTIONARY_LIMIT);
        for (const e of after) {
          expect(e.word.trim()).toBe(e.word);
          expect(e.word.length).toBeGreaterThan(0);
          expect(e.word.length).toBeLessThanOrEqual(DICTIONARY_TEXT_MAX);
          expect(e.reading.length).toBeLessThanOrEqual(DICTIONARY_TEXT_MAX);
        }
        expect(typeof compileDictionary(after)('some text to read')).toBe('string');
        // What export writes, import reads back unchanged.
        expect(parseDictionaryFile(dictionaryToJson(after))).toEqual(after.map((e) => ({ word: e.word, reading: e.reading })));
      }),
      runs(200),
    );
  });

  it('takes linear time: a 100,000-character file of any shape is read in under 2 s', { timeout: timeLimit(6, 4000) }, () => {
    const big = fc.oneof(
      longText(100_000),
      fc.constantFrom('=', ',', '\n', ' = ', '"', '[', '{').chain((sep) => longText(50_000).map((t) => t.split('').join(sep).slice(0, 100_000))),
      fc.constant(`[${'{"word":"w","reading":"r"},'.repeat(3700)}{"word":"x","reading":"y"}]`),
      fc.constant(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
    );
    fc.assert(
      fc.property(big, (file) => {
        expect(timed(() => void userErrorOr(() => parseDictionaryFile(file)))).toBeLessThan(2000);
      }),
      runs(6),
    );
  });
});
