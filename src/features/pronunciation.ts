import { memberValue } from '../settings/effective.js';
import type { SettingsStore } from '../settings/types.js';
import type { SpokenPhrases } from '../i18n/spokenPhrases.js';
import { compileDictionary, prepareText, withNameTemplate, type DictionaryReplacer } from './reading/prepareText.js';

/** Longest name said in an announcement, in characters. */
const NAME_MAX_CHARS = 60;

/** How a guild says things: its language, members' spoken names and its pronunciation dictionary (compiled once per version). */
export function createPronunciation(settings: SettingsStore, phrasesFor: (guildId: string) => SpokenPhrases) {
  // Compiling builds one large regular expression: once per guild and dictionary version.
  const compiled = new Map<string, { version: number; replace: DictionaryReplacer }>();
  const dictionaryFor = (guildId: string): DictionaryReplacer => {
    const version = settings.dictionary.version(guildId);
    const hit = compiled.get(guildId);
    if (hit && hit.version === version) return hit.replace;
    const replace = compileDictionary(settings.dictionary.entries(guildId));
    compiled.set(guildId, { version, replace });
    return replace;
  };
  const spokenName = (guildId: string, userId: string, fallback: string): string =>
    memberValue(settings.member(guildId, userId), 'spokenName') ?? fallback;
  return {
    dictionaryFor,
    /** The guild's spoken language: its phrases and emoji names. */
    phrasesFor,
    /** A name as said with the guild's name template (`name_template`, else the language's: "{name}さん" in Japanese). */
    withNameTemplate: (guildId: string, name: string): string => withNameTemplate(name, settings.guild(guildId).name_template, phrasesFor(guildId)),
    /** The member's own spoken name here (or everywhere), else `fallback` (their display name). */
    spokenName,
    /**
     * A short label (a member's name, a channel's name) as it is said: emoji per the guild's setting, the
     * dictionary applied, markup and invisible characters gone; `fallback` when nothing sayable is left.
     */
    sayLabel(guildId: string, label: string, fallback: string): string {
      const emoji = settings.guild(guildId).read_emoji;
      const said = prepareText(
        { content: label, authorName: '', mentions: { users: {}, roles: {}, channels: {} } },
        {
          sayName: false,
          customEmoji: emoji,
          unicodeEmoji: emoji,
          maxChars: NAME_MAX_CHARS,
          maxRepeat: 3,
          dictionary: dictionaryFor(guildId),
          phrases: phrasesFor(guildId),
        },
      );
      return said ?? fallback;
    },
  };
}

/** The pronunciation helpers' shape. */
export type Pronunciation = ReturnType<typeof createPronunciation>;
