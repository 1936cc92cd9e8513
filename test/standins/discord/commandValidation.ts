import { ErrorCollector } from './discordErrors.js';

/** Discord's rule for chat-input command and option names (plus: lowercase where a lowercase form exists). */
export const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The locales Discord accepts as keys of name_localizations / description_localizations (Discord docs, Reference → Locales). */
export const DISCORD_LOCALES: ReadonlySet<string> = new Set([
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
]);

type Path = Array<string | number>;
type Json = Record<string, unknown>;

const OPTION_TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;
const STRING = 3;
const INTEGER = 4;
const CHANNEL = 7;
const NUMBER = 10;
const MAX_SAFE = 2 ** 53;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLength(c: ErrorCollector, path: Path, value: unknown, min: number, max: number, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) c.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    c.add(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    return;
  }
  if (value.length < min || value.length > max) {
    c.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }
}

function checkChatInputName(c: ErrorCollector, path: Path, name: unknown): void {
  checkLength(c, path, name, 1, 32, true);
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) return;
  if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    c.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function checkLocalizations(c: ErrorCollector, path: Path, value: unknown, max: number, chatInputName: boolean): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    c.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  for (const [locale, text] of Object.entries(value)) {
    if (!DISCORD_LOCALES.has(locale)) {
      c.add([...path, locale], 'BASE_TYPE_CHOICES', `Value must be one of {${[...DISCORD_LOCALES].map((l) => `'${l}'`).join(', ')}}.`);
      continue;
    }
    if (chatInputName) checkChatInputName(c, [...path, locale], text);
    else checkLength(c, [...path, locale], text, 1, max, true);
  }
}

function checkChoices(c: ErrorCollector, path: Path, option: Json): void {
  const choices = option.choices;
  if (choices === undefined || choices === null) return;
  const type = option.type as number;
  if (!Array.isArray(choices)) {
    c.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (![STRING, INTEGER, NUMBER].includes(type) && choices.length > 0) {
    c.add(path, 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID', 'Choices are only allowed for string, integer and number options');
    return;
  }
  if (choices.length > 25) c.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  if (option.autocomplete === true && choices.length > 0) {
    c.add([...path.slice(0, -1), 'autocomplete'], 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES', 'Autocomplete cannot be used with choices');
  }
  choices.forEach((choice: unknown, i) => {
    const at = [...path, i];
    if (!isObject(choice)) {
      c.add(at, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkLength(c, [...at, 'name'], choice.name, 1, 100, true);
    checkLocalizations(c, [...at, 'name_localizations'], choice.name_localizations, 100, false);
    const value = choice.value;
    if (type === STRING) {
      if (typeof value !== 'string') c.add([...at, 'value'], 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
      else if (value.length < 1 || value.length > 100) c.add([...at, 'value'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    } else if (type === INTEGER) {
      if (typeof value !== 'number' || !Number.isInteger(value)) c.add([...at, 'value'], 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not int.`);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      c.add([...at, 'value'], 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not a valid number.`);
    }
  });
}

function checkBounds(c: ErrorCollector, path: Path, option: Json): void {
  const type = option.type as number;
  for (const key of ['min_value', 'max_value'] as const) {
    const value = option[key];
    if (value === undefined || value === null) continue;
    if (type !== INTEGER && type !== NUMBER) {
      c.add([...path, key], 'APPLICATION_COMMAND_OPTION_MIN_MAX_VALUE_INVALID', 'min_value and max_value are only allowed for integer and number options');
    } else if (typeof value !== 'number' || (type === INTEGER && !Number.isInteger(value))) {
      c.add([...path, key], 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not ${type === INTEGER ? 'int' : 'a valid number'}.`);
    } else if (Math.abs(value) > MAX_SAFE) {
      c.add([...path, key], 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${MAX_SAFE}.`);
    }
  }
  if (typeof option.min_value === 'number' && typeof option.max_value === 'number' && option.min_value > option.max_value) {
    c.add([...path, 'max_value'], 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${option.min_value}.`);
  }
  for (const [key, min] of [['min_length', 0], ['max_length', 1]] as const) {
    const value = option[key];
    if (value === undefined || value === null) continue;
    if (type !== STRING) {
      c.add([...path, key], 'APPLICATION_COMMAND_OPTION_MIN_MAX_LENGTH_INVALID', 'min_length and max_length are only allowed for string options');
    } else if (typeof value !== 'number' || !Number.isInteger(value)) {
      c.add([...path, key], 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not int.`);
    } else if (value < min || value > 6000) {
      c.add([...path, key], value < min ? 'NUMBER_TYPE_MIN' : 'NUMBER_TYPE_MAX', value < min ? `int value should be greater than or equal to ${min}.` : 'int value should be less than or equal to 6000.');
    }
  }
  if (typeof option.min_length === 'number' && typeof option.max_length === 'number' && option.min_length > option.max_length) {
    c.add([...path, 'max_length'], 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${option.min_length}.`);
  }
  if (option.channel_types !== undefined && option.channel_types !== null && type !== CHANNEL) {
    c.add([...path, 'channel_types'], 'APPLICATION_COMMAND_OPTION_CHANNEL_TYPES_INVALID', 'channel_types is only allowed for channel options');
  }
  if (option.autocomplete === true && ![STRING, INTEGER, NUMBER].includes(type)) {
    c.add([...path, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID', 'Autocomplete is only allowed for string, integer and number options');
  }
}

/**
 * Names must also be unique per level in each locale: an entry's name there is its localization, else its base name.
 * Reported at the later entry's name_localizations.<locale>.
 */
function checkLocalizedNamesUnique(c: ErrorCollector, path: Path, entries: unknown[], code: string, message: string, sameLevel: (a: Json, b: Json) => boolean = () => true): void {
  const items = entries.filter(isObject);
  const locales = new Set<string>();
  for (const e of items) if (isObject(e.name_localizations)) for (const l of Object.keys(e.name_localizations)) locales.add(l);
  for (const locale of locales) {
    const nameIn = (e: Json) => (isObject(e.name_localizations) && typeof e.name_localizations[locale] === 'string' ? e.name_localizations[locale] : e.name);
    items.forEach((e, i) => {
      if (!isObject(e.name_localizations) || typeof e.name_localizations[locale] !== 'string') return;
      const clash = items.some((other, j) => j !== i && sameLevel(e, other) && nameIn(other) === nameIn(e) && (j < i || !(isObject(other.name_localizations) && typeof other.name_localizations[locale] === 'string')));
      if (clash) c.add([...path, entries.indexOf(e), 'name_localizations', locale], code, message);
    });
  }
}

/** Where an option list sits: top level of a command, inside a group, or inside a subcommand. */
type Level = 'command' | 'group' | 'subcommand';

function checkOptions(c: ErrorCollector, path: Path, options: unknown, level: Level): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    c.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (options.length > 25) c.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  const isSub = (o: unknown) => isObject(o) && (o.type === SUB_COMMAND || o.type === SUB_COMMAND_GROUP);
  const subs = options.filter(isSub).length;
  if (subs > 0 && subs < options.length) {
    c.add(path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
  }
  const seen = new Set<string>();
  let sawOptional = false;
  checkLocalizedNamesUnique(c, path, options, 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME', 'Option names must be unique');
  options.forEach((option: unknown, i) => {
    const at = [...path, i];
    if (!isObject(option)) {
      c.add(at, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = option.type;
    if (typeof type !== 'number' || !OPTION_TYPES.includes(type)) {
      c.add([...at, 'type'], 'BASE_TYPE_CHOICES', `Value must be one of {${OPTION_TYPES.join(', ')}}.`);
      return;
    }
    if (type === SUB_COMMAND_GROUP && level !== 'command') {
      c.add([...at, 'type'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command groups can only be nested in a command');
    }
    if (type === SUB_COMMAND && level === 'subcommand') {
      c.add([...at, 'type'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-commands can only be nested in a command or a sub-command group');
    }
    if (level === 'group' && type !== SUB_COMMAND) {
      c.add([...at, 'type'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command groups may only contain sub-commands');
    }
    checkChatInputName(c, [...at, 'name'], option.name);
    checkLocalizations(c, [...at, 'name_localizations'], option.name_localizations, 32, true);
    checkLength(c, [...at, 'description'], option.description, 1, 100, true);
    checkLocalizations(c, [...at, 'description_localizations'], option.description_localizations, 100, false);
    if (typeof option.name === 'string') {
      if (seen.has(option.name)) c.add([...at, 'name'], 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME', 'Option names must be unique');
      seen.add(option.name);
    }
    if (type === SUB_COMMAND || type === SUB_COMMAND_GROUP) {
      checkOptions(c, [...at, 'options'], option.options, type === SUB_COMMAND_GROUP ? 'group' : 'subcommand');
      return;
    }
    if (option.options !== undefined && option.options !== null) {
      c.add([...at, 'options'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Only sub-commands and groups may have options');
    }
    if (option.required === true) {
      if (sawOptional) c.add(at, 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    } else {
      sawOptional = true;
    }
    checkChoices(c, [...at, 'choices'], option);
    checkBounds(c, at, option);
  });
}

/** Validates one command definition at `path` (e.g. [3] inside a bulk overwrite), collecting 50035 errors. */
export function validateCommand(c: ErrorCollector, path: Path, command: unknown): void {
  if (!isObject(command)) {
    c.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const type = command.type ?? 1;
  if (type !== 1 && type !== 2 && type !== 3) {
    c.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3}.');
    return;
  }
  if (type === 1) {
    checkChatInputName(c, [...path, 'name'], command.name);
    checkLocalizations(c, [...path, 'name_localizations'], command.name_localizations, 32, true);
    checkLength(c, [...path, 'description'], command.description, 1, 100, true);
    checkLocalizations(c, [...path, 'description_localizations'], command.description_localizations, 100, false);
    checkOptions(c, [...path, 'options'], command.options, 'command');
  } else {
    // USER and MESSAGE commands: any case and spaces, no description, no options.
    checkLength(c, [...path, 'name'], command.name, 1, 32, true);
    checkLocalizations(c, [...path, 'name_localizations'], command.name_localizations, 32, false);
    if (typeof command.description === 'string' && command.description !== '') {
      c.add([...path, 'description'], 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have a description');
    }
    if (Array.isArray(command.options) && command.options.length > 0) {
      c.add([...path, 'options'], 'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS', 'Context menu commands cannot have options');
    }
  }
  const perms = command.default_member_permissions;
  if (perms !== undefined && perms !== null && (typeof perms !== 'string' || !/^\d+$/.test(perms))) {
    c.add([...path, 'default_member_permissions'], 'NUMBER_TYPE_COERCE', `Value "${String(perms)}" is not snowflake.`);
  }
}

/** Validates a bulk overwrite body: every command, then name uniqueness per command type. */
export function validateBulk(body: unknown): ErrorCollector {
  const c = new ErrorCollector();
  if (!Array.isArray(body)) {
    c.add([], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return c;
  }
  body.forEach((command, i) => validateCommand(c, [i], command));
  checkLocalizedNamesUnique(c, [], body, 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique', (a, b) => (a.type ?? 1) === (b.type ?? 1));
  const seen = new Set<string>();
  body.forEach((command: unknown, i) => {
    if (!isObject(command) || typeof command.name !== 'string') return;
    const key = `${String(command.type ?? 1)}:${command.name}`;
    if (seen.has(key)) c.add([i], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.add(key);
  });
  return c;
}
