import type { BotError } from '../errors.js';
import { defuseMentions } from '../messages.js';
import type { MessageValues, Translator } from './translator.js';

/**
 * The words for a BotError in `language`: `replies.errors.<key>`, its text details defused (they may echo what a member
 * typed); a detail the error left out is `none` (the messages `select` on it). A key the catalogs lack reads as
 * `internal` (test/unit/i18n/catalogs.test.ts fails until its words are added).
 */
export function errorText(translator: Translator, language: string, error: BotError): string {
  // A key without catalog words yet (added on another branch) still gets an answer, never silence.
  const key = translator.has(`replies.errors.${error.key}`) ? `replies.errors.${error.key}` : 'replies.errors.internal';
  const values: Record<string, string | number> = {};
  for (const name of translator.placeholders(key)) values[name] = 'none';
  for (const [k, v] of Object.entries(error.details)) values[k] = typeof v === 'string' ? defuseMentions(v) : v;
  // A refused setting value names what is allowed: its rule (src/settings/definitions.ts) worded by one shared message.
  if (error.key === 'settings.invalid_value' || error.key === 'settings.invalid_member_value') {
    const rule: Record<string, string | number> = {};
    for (const name of translator.placeholders('replies.settings.allowed')) rule[name] = values[name] ?? 'none';
    values.allowed = translator.text(language, 'replies.settings.allowed', rule as MessageValues);
  }
  return translator.text(language, key, values as MessageValues);
}
