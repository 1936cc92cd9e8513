import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_FORMATS } from '../../../src/config.js';
import { messageFor } from '../../support/errorWords.js';
import { GUILD_SETTING_KEYS, guildSettingDefinitions } from '../../../src/settings/definitions.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { buildSpeechRequest, SPEED_RANGE, type SpeechAsk } from '../../../src/speech/request.js';
import { capturingLogger, tempDataDir } from '../settings/fixtures.js';
import { expectSpeakable, fc, runs, strangeText, userErrorOr, wouldPing } from './fuzz.js';

const TTS = {
  defaults: { model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 1, format: 'mp3' as const },
  models: ['gpt-4o-mini-tts', 'tts-1'],
  voices: ['alloy', 'nova'],
  instructionModels: ['gpt-4o-mini-tts'],
};

/** A value a member could type into an option, or one from the allowed list. */
const typed = (allowed: readonly string[]) =>
  fc.option(fc.oneof(fc.constantFrom(...allowed), strangeText(4), fc.constantFrom(...allowed.map((v) => v.toUpperCase()))), { nil: undefined });

const ask: fc.Arbitrary<SpeechAsk> = fc.record({
  text: fc.oneof(strangeText(40), fc.integer({ min: 4000, max: 4200 }).map((n) => 'a'.repeat(n)), fc.constantFrom('', ' ', '\n\t')),
  voice: typed(TTS.voices),
  model: typed(TTS.models),
  speed: fc.option(fc.oneof(fc.double(), fc.double({ min: 0, max: 5, noNaN: true })), { nil: undefined }),
  format: typed(AUDIO_FORMATS),
  instructions: fc.option(fc.oneof(strangeText(10), fc.constant('b'.repeat(4097))), { nil: undefined }),
});

describe('speech requests from whatever a member types, tried by machine', () => {
  it('buildSpeechRequest either builds a request within the endpoint contract or refuses with a reason that pings no one', () => {
    fc.assert(
      fc.property(ask, (a) => {
        const built = userErrorOr(() => buildSpeechRequest(a, TTS));
        if (!built.ok) {
          expect(built.error.key).toMatch(/^request\./);
          expect(wouldPing(messageFor(built.error.key, built.error.details))).toBe(false);
          return;
        }
        const r = built.value;
        expectSpeakable(r.input);
        expect(TTS.models).toContain(r.model);
        expect(TTS.voices).toContain(r.voice);
        expect(AUDIO_FORMATS).toContain(r.response_format);
        expect(r.speed).toBeGreaterThanOrEqual(SPEED_RANGE.min);
        expect(r.speed).toBeLessThanOrEqual(SPEED_RANGE.max);
        if (r.instructions !== undefined) {
          expect(TTS.instructionModels).toContain(r.model);
          expectSpeakable(r.instructions);
        }
      }),
      runs(500),
    );
  });
});

describe('server settings from whatever a moderator types, tried by machine', () => {
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
  const defs = guildSettingDefinitions(TTS);
  const value = fc.oneof(
    strangeText(8),
    fc.constantFrom('on', 'OFF', 'yes', 'none', 'default', '-', '0', '-1', '1.5', '4.01', '0.25', '99999999999999999999', '1e3', 'NaN',
      'Infinity', '<@&123456789012345678>', '123456789012345678', 'Europe/Paris', 'Mars/Olympus', '{name} joined', '{name} went to {channel}',
      '{channel}', '{nom}', '{name}{', 'name', 'skip', 'nova', 'NOVA', 'tts-1', ''),
  );

  it('setGuild stores a value its definition accepts, or refuses with a reason that pings no one; nothing else is thrown', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GUILD_SETTING_KEYS), value, (key, text) => {
        const set = userErrorOr(() => store.setGuild('100000000000000001', key, text));
        if (!set.ok) {
          expect(set.error.key).toMatch(/^(settings\.invalid_value|input\.invalid)$/);
          expect(wouldPing(messageFor(set.error.key, set.error.details))).toBe(false);
          return;
        }
        const stored = set.value[key];
        expect(stored === defs[key].default || defs[key].schema.safeParse(stored).success).toBe(true);
      }),
      runs(300),
    );
  });
});
