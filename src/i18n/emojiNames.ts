import { createRequire } from 'node:module';

/** Emoji → its CLDR short name in one language ("😀" → "grinning face", "にっこり笑う", "grinsendes Gesicht"). */
export type EmojiNamer = (emoji: string) => string | undefined;

/** The emojibase-data locales (folders of the package) that exist; a catalog code is matched to one of them. */
const EMOJIBASE_LOCALES = new Set([
  'bn', 'da', 'de', 'en', 'en-gb', 'es', 'es-mx', 'et', 'fi', 'fr', 'hi', 'hu', 'it', 'ja', 'ko', 'lt', 'ms', 'nb', 'nl',
  'pl', 'pt', 'ru', 'sv', 'th', 'uk', 'vi', 'zh', 'zh-hant',
]);

const SKIN_TONES_AND_SELECTORS = /[\uFE0E\uFE0F\u{1F3FB}-\u{1F3FF}]/gu;

/** The emoji without skin tones and variation selectors: how names are looked up (skin tones are not said). */
export function emojiKey(sequence: string): string {
  return sequence.replace(SKIN_TONES_AND_SELECTORS, '');
}

/** The emojibase-data folder for a catalog code or Discord locale: the whole code, else its language, else English. */
export function emojibaseLocale(language: string): string {
  const lower = language.toLowerCase();
  if (lower === 'zh-tw') return 'zh-hant';
  if (EMOJIBASE_LOCALES.has(lower)) return lower;
  const base = lower.split('-')[0]!;
  return EMOJIBASE_LOCALES.has(base) ? base : 'en';
}

/** "flag: Japan" → "flag Japan": CLDR's colon is for reading on a screen, not aloud. */
function spokenLabel(label: string): string {
  return label.replace(/\s*[:：]\s*/g, ' ').trim();
}

const LONE_REGIONAL_INDICATOR = /^\p{RI}$/u;

type CompactEmoji = { unicode: string; label: string };

/** Builds the lookup of one language from emojibase's compact data (pure: the data is passed in). */
export function emojiNamesFrom(data: readonly CompactEmoji[]): EmojiNamer {
  const names = new Map<string, string>();
  for (const { unicode, label } of data) {
    // A lone regional indicator is half a flag, not an emoji people send ("regional indicator J" is not said).
    if (LONE_REGIONAL_INDICATOR.test(unicode)) continue;
    const name = spokenLabel(label);
    names.set(unicode, name);
    const key = emojiKey(unicode);
    if (!names.has(key)) names.set(key, name);
  }
  return (emoji) => names.get(emoji) ?? names.get(emojiKey(emoji));
}

/**
 * Emoji names per language from `emojibase-data` (CLDR annotations, MIT), each language's file read the first time
 * it is asked for and kept by this instance (create one per app, not per module).
 */
export function createEmojiNames(load: (locale: string) => readonly CompactEmoji[] = loadEmojibase): (language: string) => EmojiNamer {
  const loaded = new Map<string, EmojiNamer>();
  return (language) => {
    const locale = emojibaseLocale(language);
    let namer = loaded.get(locale);
    if (!namer) loaded.set(locale, (namer = emojiNamesFrom(load(locale))));
    return namer;
  };
}

function loadEmojibase(locale: string): readonly CompactEmoji[] {
  const require = createRequire(import.meta.url);
  return require(`emojibase-data/${locale}/compact.json`) as CompactEmoji[];
}
