import { BotError, type ErrorKey } from '../../src/errors.js';
import { loadCatalogs } from '../../src/i18n/catalog.js';
import { errorText } from '../../src/i18n/errorText.js';
import { createTranslator } from '../../src/i18n/translator.js';

const translator = createTranslator(loadCatalogs());

/** What a member reads for an error, as the router words it (English unless a language is given). */
export function messageFor(key: ErrorKey, details: Record<string, string | number> = {}, language = 'en-US'): string {
  return errorText(translator, language, new BotError(key, details));
}
