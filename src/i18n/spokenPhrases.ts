import type { EmojiNamer } from './emojiNames.js';
import type { MessageValues, Translator } from './translator.js';

/** What the bot says in one language besides the members' own words: the catalog's `spoken.*` phrases and emoji names. */
export interface SpokenPhrases {
  /** The catalog code of the language (`de`, `ja`, `en-US`). */
  readonly language: string;
  /** The phrase for `spoken.<key>`, placeholders filled. */
  say(key: string, values?: MessageValues): string;
  /** An emoji's CLDR name in this language, or undefined when it has none. */
  emojiName: EmojiNamer;
}

/** Phrases per language from the translator and the emoji names; one object per language, made on first use. */
export function createSpokenPhrases(translator: Translator, emojiNames: (language: string) => EmojiNamer): (language: string) => SpokenPhrases {
  const made = new Map<string, SpokenPhrases>();
  return (wanted) => {
    const language = translator.resolve(wanted);
    let phrases = made.get(language);
    if (!phrases) {
      phrases = { language, say: (key, values) => translator.text(language, `spoken.${key}`, values), emojiName: emojiNames(language) };
      made.set(language, phrases);
    }
    return phrases;
  };
}

/** "A", "A and B", "A, B and C" in the phrases' language. */
export function joinList(items: readonly string[], phrases: SpokenPhrases): string {
  if (items.length <= 1) return items[0] ?? '';
  return phrases.say('list', { items: items.slice(0, -1).join(phrases.say('listSeparator')), last: items[items.length - 1]! });
}

/** Text that already ends a sentence (Latin and CJK): nothing needs adding before the next one. */
export const SENTENCE_END = /[.!?…。！？]$/;
