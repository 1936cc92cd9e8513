import { IntlMessageFormat } from 'intl-messageformat';
import { SOURCE_LOCALE, type Catalog } from './catalog.js';
import { placeholdersOf } from './catalogCheck.js';

/** Values put into a message's placeholders. */
export type MessageValues = Readonly<Record<string, string | number | Date>>;

/** Turns message keys into text in a language, from the catalogs it was given. */
export interface Translator {
  /** The catalog codes it has, source first. */
  readonly languages: readonly string[];
  /** The first of the candidates (Discord locales or catalog codes, best first) that a catalog serves, else the source. */
  resolve(...candidates: Array<string | null | undefined>): string;
  /** The text for `key` in `language` (a catalog code or Discord locale), falling back to the source catalog. */
  text(language: string | null | undefined, key: string, values?: MessageValues): string;
  /** Whether the source catalog has `key`. */
  has(key: string): boolean;
  /** The placeholder names the source message of `key` uses (every language uses the same ones). */
  placeholders(key: string): readonly string[];
  /** `key` in every other language, by Discord locale, for name_localizations / description_localizations. */
  localizations(key: string): Record<string, string>;
}

/** Builds a translator over the catalogs (one of them must be the source, en-US). */
export function createTranslator(catalogs: readonly Catalog[]): Translator {
  const source = catalogs.find((c) => c.code === SOURCE_LOCALE);
  if (!source) throw new Error(`no ${SOURCE_LOCALE} catalog`);
  const ordered = [source, ...catalogs.filter((c) => c !== source)];
  const byLocale = new Map<string, Catalog>();
  for (const c of ordered) {
    byLocale.set(c.code.toLowerCase(), c);
    for (const l of c.discordLocales) if (!byLocale.has(l.toLowerCase())) byLocale.set(l.toLowerCase(), c);
  }
  const byLanguage = new Map<string, Catalog>();
  for (const c of ordered) {
    const lang = c.code.split('-')[0]!.toLowerCase();
    if (!byLanguage.has(lang)) byLanguage.set(lang, c);
  }
  const find = (locale: string | null | undefined): Catalog | undefined => {
    if (!locale) return undefined;
    const l = locale.toLowerCase();
    return byLocale.get(l) ?? byLanguage.get(l.split('-')[0]!);
  };
  const compiled = new Map<string, IntlMessageFormat>();
  const placeholderCache = new Map<string, string[]>();
  const format = (catalog: Catalog, key: string, pattern: string, values: MessageValues | undefined): string => {
    const id = `${catalog.code}\u0000${key}`;
    let f = compiled.get(id);
    if (!f) {
      // ignoreTag: Discord's own markup (<#id>, <t:…:R>) is not ICU rich text.
      f = new IntlMessageFormat(pattern, catalog.code, undefined, { ignoreTag: true });
      compiled.set(id, f);
    }
    return String(f.format(values as Record<string, string | number | Date> | undefined));
  };
  return {
    languages: ordered.map((c) => c.code),
    resolve: (...candidates) => (candidates.map(find).find((c) => c !== undefined) ?? source).code,
    text(language, key, values) {
      const catalog = find(language) ?? source;
      const pattern = catalog.messages.get(key);
      if (pattern !== undefined) return format(catalog, key, pattern, values);
      const fallback = source.messages.get(key);
      if (fallback === undefined) throw new Error(`unknown message key: ${key}`);
      return format(source, key, fallback, values);
    },
    has: (key) => source.messages.has(key),
    placeholders(key) {
      let names = placeholderCache.get(key);
      if (!names) {
        const pattern = source.messages.get(key);
        if (pattern === undefined) throw new Error(`unknown message key: ${key}`);
        names = placeholdersOf(pattern);
        placeholderCache.set(key, names);
      }
      return names;
    },
    localizations(key) {
      const out: Record<string, string> = {};
      for (const c of ordered) {
        if (c === source) continue;
        const pattern = c.messages.get(key);
        if (pattern === undefined) continue;
        for (const l of c.discordLocales) out[l] = pattern;
      }
      return out;
    },
  };
}
