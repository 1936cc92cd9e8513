import { loadCatalogs } from '../../src/i18n/catalog.js';
import { createEmojiNames } from '../../src/i18n/emojiNames.js';
import { createSpokenPhrases, type SpokenPhrases } from '../../src/i18n/spokenPhrases.js';
import { createTranslator } from '../../src/i18n/translator.js';

/** The shipped catalogs' spoken phrases and the real emoji data, as the bot builds them. */
export const phrasesIn: (language: string) => SpokenPhrases = createSpokenPhrases(createTranslator(loadCatalogs()), createEmojiNames());
