import type { RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { Translator } from './translator.js';

type Json = Record<string, unknown>;

/** The catalog key of a command: its name, with a context-menu name's spaces as `_` and lower case (`Read aloud` → `read_aloud`). */
export function commandKey(name: string): string {
  return `commands.${name.toLowerCase().replaceAll(' ', '_')}`;
}

/**
 * `key` in every other language; a key the en-US catalog lacks (a command added without its texts) gives none, so
 * deploying never fails over a translation: test/unit/i18n/commandLocalizations.test.ts names what is missing.
 */
function localized(translator: Translator, key: string): Record<string, string> {
  return translator.has(key) ? translator.localizations(key) : {};
}

function localizeOptions(translator: Translator, base: string, options: unknown): unknown {
  if (!Array.isArray(options)) return options;
  return options.map((raw: Json) => {
    const key = `${base}.options.${String(raw.name)}`;
    const option: Json = {
      ...raw,
      name_localizations: localized(translator, `${key}.name`),
      description_localizations: localized(translator, `${key}.description`),
    };
    if (Array.isArray(raw.choices)) {
      option.choices = raw.choices.map((choice: Json) =>
        // A choice shown as its own value (`mp3`, `opus`) reads the same in every language.
        choice.name === String(choice.value) ? choice : { ...choice, name_localizations: localized(translator, `${key}.choices.${String(choice.value)}`) },
      );
    }
    if (Array.isArray(raw.options)) option.options = localizeOptions(translator, key, raw.options);
    return option;
  });
}

/**
 * The definition with Discord's name_localizations / description_localizations filled from the catalogs' `commands`
 * section, for the command, each option and subcommand, and each choice (none where the en-US catalog lacks the key).
 */
export function localizeCommand(translator: Translator, data: RESTPostAPIApplicationCommandsJSONBody): RESTPostAPIApplicationCommandsJSONBody {
  const key = commandKey(data.name);
  const raw = data as unknown as Json;
  const out: Json = { ...raw, name_localizations: localized(translator, `${key}.name`) };
  // Context-menu commands have no description.
  if (typeof raw.description === 'string' && raw.description !== '') {
    out.description_localizations = localized(translator, `${key}.description`);
  }
  if (Array.isArray(raw.options)) out.options = localizeOptions(translator, key, raw.options);
  return out as unknown as RESTPostAPIApplicationCommandsJSONBody;
}

/** The English texts a definition carries, as the catalog keys they belong to (to check en-US says the same). */
export function commandTexts(data: RESTPostAPIApplicationCommandsJSONBody): Map<string, string> {
  const texts = new Map<string, string>();
  const key = commandKey(data.name);
  const raw = data as unknown as Json;
  texts.set(`${key}.name`, data.name);
  if (typeof raw.description === 'string' && raw.description !== '') texts.set(`${key}.description`, raw.description);
  const walk = (base: string, options: unknown) => {
    if (!Array.isArray(options)) return;
    for (const o of options as Json[]) {
      const k = `${base}.options.${String(o.name)}`;
      texts.set(`${k}.name`, String(o.name));
      texts.set(`${k}.description`, String(o.description));
      if (Array.isArray(o.choices)) {
        for (const c of o.choices as Json[]) if (c.name !== String(c.value)) texts.set(`${k}.choices.${String(c.value)}`, String(c.name));
      }
      walk(k, o.options);
    }
  };
  walk(key, raw.options);
  return texts;
}
