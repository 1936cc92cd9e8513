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
