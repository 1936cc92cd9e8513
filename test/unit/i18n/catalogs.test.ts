import { describe, expect, it } from 'vitest';
import { loadCatalogs, parseCatalog } from '../../../src/i18n/catalog.js';
import { catalogProblems, placeholdersOf } from '../../../src/i18n/catalogCheck.js';
import { createTranslator } from '../../../src/i18n/translator.js';

const en = (messages: object) => JSON.stringify({ meta: { name: 'English', discordLocales: ['en-US', 'en-GB'] }, ...messages });
const de = (messages: object) => JSON.stringify({ meta: { name: 'Deutsch', discordLocales: ['de'] }, ...messages });

describe('the shipped catalogs', () => {
  it('every language has every key of en-US with the same placeholders, and every message parses', () => {
    expect(catalogProblems(loadCatalogs())).toEqual([]);
  });
});

describe('catalogProblems', () => {
  it('names a missing key, an extra key and a placeholder that differs', () => {
    const source = parseCatalog('en-US', en({ replies: { a: 'A {n}', b: 'B', c: '{count, plural, one {# item} other {# items}}' } }));
    const other = parseCatalog('de', de({ replies: { a: 'A {m}', c: '{count, plural, one {# Element} other {# Elemente}}', z: 'Z' } }));
    expect(catalogProblems([source, other])).toEqual([
      'de: missing replies.b',
      'de: replies.a uses {m} but en-US uses {n}',
      'de: replies.z is not in en-US',
    ]);
  });

  it('reports a syntax error instead of throwing', () => {
    const source = parseCatalog('en-US', en({ replies: { a: 'A {n' } }));
    expect(catalogProblems([source])[0]).toMatch(/^en-US: replies\.a: /);
  });

  it('finds placeholders inside plural and select branches', () => {
    expect(placeholdersOf('{n, plural, one {{who} said} other {{who} and # more}} <t:{at}:R>')).toEqual(['at', 'n', 'who']);
  });
});

describe('createTranslator', () => {
  const t = createTranslator([
    parseCatalog('en-US', en({ replies: { more: '{n, plural, one {and # more} other {and # more}}', only: 'only English', at: 'I’m in <#{channelId}>, back <t:{at}:R>.' } })),
    parseCatalog('de', de({ replies: { more: '{n, plural, one {und # weiterer} other {und # weitere}}' } })),
  ]);

  it('formats plurals in the language asked for, and Discord markup passes through', () => {
    expect(t.text('de', 'replies.more', { n: 1 })).toBe('und 1 weiterer');
    expect(t.text('de', 'replies.more', { n: 3 })).toBe('und 3 weitere');
    expect(t.text('en-GB', 'replies.at', { channelId: '42', at: 17 })).toBe('I’m in <#42>, back <t:17:R>.');
  });

  it('falls back to English for a key or a language it lacks, and throws for an unknown key', () => {
    expect(t.text('de', 'replies.only')).toBe('only English');
    expect(t.text('ko', 'replies.more', { n: 2 })).toBe('and 2 more');
    expect(() => t.text('de', 'replies.nope')).toThrow(/unknown message key/);
  });

  it('resolves the first candidate a catalog serves, by locale or by language', () => {
    expect(t.resolve('ja', 'de-AT', 'en-US')).toBe('de');
    expect(t.resolve(undefined, null)).toBe('en-US');
    expect(t.localizations('replies.more')).toEqual({ de: '{n, plural, one {und # weiterer} other {und # weitere}}' });
  });
});

describe('every shipped message formats in every language', () => {
  const catalogs = loadCatalogs();
  const t = createTranslator(catalogs);
  const sample = (name: string): string | number => (/^(count|position|limit|used|needed|total|waiting|sent|saved|today|month|left|chars|id|perMinute|limitKiB|limitMiB)$/.test(name) ? 2 : name === 'started' || name === 'cached' ? 'yes' : 'x');

  it('with values for its placeholders, and with `none` for the optional ones errors leave out', () => {
    for (const c of catalogs) {
      for (const key of c.messages.keys()) {
        if (key.startsWith('commands.')) continue;
        const names = t.placeholders(key);
        const full = Object.fromEntries(names.map((n) => [n, sample(n)]));
        const text = t.text(c.code, key, full);
        expect(text.length, `${c.code} ${key}`).toBeGreaterThan(0);
        expect(text, `${c.code} ${key}`).not.toMatch(/[{}]/);
        if (key.startsWith('replies.errors.')) t.text(c.code, key, Object.fromEntries(names.map((n) => [n, 'none'])));
      }
    }
  });

  it('answers a Japanese and a German member in their language, and plural forms follow the language', () => {
    expect(t.text('ja', 'replies.errors.voice.not_in_channel')).toBe('先にボイスチャンネルに参加してください。');
    expect(t.text('de', 'replies.errors.voice.not_in_channel')).toBe('Tritt zuerst einem Sprachkanal bei.');
    expect(t.text('de', 'replies.stop.stopped', { count: 1 })).toBe('⏹️ Gestoppt und 1 Eintrag entfernt.');
    expect(t.text('de', 'replies.stop.stopped', { count: 3 })).toBe('⏹️ Gestoppt und 3 Einträge entfernt.');
    expect(t.text('fr', 'replies.usage.today', { sent: 12345, saved: 0 })).toBe('Aujourd’hui : **12\u202f345** envoyés · 0 servis par le cache à la place');
    expect(t.resolve('es-419')).toBe('es-ES');
  });
});

describe('settings in every language', () => {
  const t = createTranslator(loadCatalogs());
  const tts = { voices: ['alloy', 'nova'], models: ['tts-1'] };

  it('the en-US descriptions are the definitions’ own, and every setting has one', async () => {
    const { GUILD_SETTING_KEYS, guildSettingDefinitions } = await import('../../../src/settings/definitions.js');
    const defs = guildSettingDefinitions(tts);
    for (const key of GUILD_SETTING_KEYS) expect(t.text('en-US', `replies.settings.describe.${key}`), key).toBe(defs[key].description);
  });

  it('a refused value names what is allowed in the member’s language, from the setting’s rule', async () => {
    const { messageFor } = await import('../../support/errorWords.js');
    const { guildSettingDefinitions } = await import('../../../src/settings/definitions.js');
    const rule = { ...guildSettingDefinitions(tts).read_name_window_s.rule };
    expect(messageFor('settings.invalid_value', { setting: 'read_name_window_s', ...rule })).toBe('read_name_window_s must be a whole number from 0 to 3600 (seconds).');
    expect(messageFor('settings.invalid_value', { setting: 'read_name_window_s', ...rule }, 'de')).toBe('read_name_window_s muss eine ganze Zahl von 0 bis 3600 (Sekunden) sein.');
    const template = { ...guildSettingDefinitions(tts).announce_move_template.rule };
    expect(messageFor('settings.invalid_value', { setting: 'announce_move_template', ...template }, 'ja')).toBe(
      'announce_move_template は{name} を含む 1〜100 文字（{channel} も使えます）、ほかの {placeholders} は不可（または「default」）にしてください。',
    );
    expect(messageFor('settings.invalid_member_value', { setting: 'speed', rule: 'number', min: 0.25, max: 4, orDefault: 'no' }, 'fr')).toBe('La vitesse doit être un nombre de 0.25 à 4.');
  });
});

describe('errors', () => {
  it('every BotError key has its words under replies.errors in en-US (and so, by the catalog check, in every language)', async () => {
    const { ERROR_KEYS } = await import('../../../src/errors.js');
    const t = createTranslator(loadCatalogs());
    expect(ERROR_KEYS.filter((k) => !t.has(`replies.errors.${k}`))).toEqual([]);
  });
});
