import { z } from 'zod';
import type { Config } from '../config.js';
import { isValidTimeZone } from '../features/announcements/schedule.js';
import { validateTemplate } from '../features/announcements/templates.js';
import { catalogCodes } from '../i18n/catalog.js';
import { SPEED_RANGE } from '../speech/request.js';

/** A stored setting value: what a moderator can set with /settings. */
export type SettingValue = string | number | boolean | null;

/**
 * What a setting allows, as data: the reply to a bad value words it in the member's language
 * (`replies.errors.settings.invalid_value`, a `select` on `rule`).
 */
export type AllowedRule =
  | { rule: 'on_off' | 'true_false' | 'role' | 'time_zone' }
  | { rule: 'whole_number'; min: number; max: number; unit: 'seconds' | 'characters' | 'messages' | 'requests' | 'unlimited' }
  | { rule: 'number'; min: number; max: number; orDefault: 'yes' | 'no' }
  | { rule: 'one_of'; values: string; orDefault: 'yes' | 'no' }
  | { rule: 'prefix' | 'visible'; max: number }
  | { rule: 'template'; max: number; move: 'yes' | 'no'; orDefault: 'yes' | 'no' };

/** One guild setting: its default, how typed text becomes a value, and what is allowed (for replies). */
export interface SettingDefinition<V extends SettingValue = SettingValue> {
  key: string;
  /** Shown in /settings and in the command's key choices (≤ 100 characters). */
  description: string;
  /** Used when nothing is stored, or when what is stored no longer validates. */
  default: V;
  /** Validates a stored value; also the target of `parse`. */
  schema: z.ZodType<V>;
  /** What is allowed, as data for the reply in the member's language. */
  rule: AllowedRule;
  /** Turns what a moderator typed into a value (before `schema`); undefined means "not understood". */
  parse(text: string): unknown;
}

type Tts = Pick<Config['tts'], 'voices' | 'models'>;

const ON = new Set(['on', 'true', 'yes', 'y', '1', 'enable', 'enabled']);
const OFF = new Set(['off', 'false', 'no', 'n', '0', 'disable', 'disabled']);
const NONE = new Set(['none', 'default', 'off', '-']);

function toggle(key: string, fallback: boolean, description: string): SettingDefinition<boolean> {
  return {
    key,
    description,
    default: fallback,
    schema: z.boolean(),
    rule: { rule: 'on_off' },
    parse: (t) => (ON.has(t.toLowerCase()) ? true : OFF.has(t.toLowerCase()) ? false : undefined),
  };
}

function integer(
  key: string,
  fallback: number,
  min: number,
  max: number,
  unit: 'seconds' | 'characters' | 'messages' | 'requests' | 'unlimited',
  description: string,
): SettingDefinition<number> {
  return {
    key,
    description,
    default: fallback,
    schema: z.number().int().min(min).max(max),
    rule: { rule: 'whole_number', min, max, unit },
    parse: (t) => (/^-?\d+$/.test(t) ? Number(t) : undefined),
  };
}

function oneOf<const T extends string>(key: string, values: readonly T[], fallback: T, description: string): SettingDefinition<T> {
  return {
    key,
    description,
    default: fallback,
    schema: z.enum(values as unknown as [T, ...T[]]) as unknown as z.ZodType<T>,
    rule: { rule: 'one_of', values: values.join(', '), orDefault: 'no' },
    parse: (t) => t.toLowerCase(),
  };
}

/** Resolves "none"/"default" to null, so a moderator can clear an optional value by typing it. */
function nullable(t: string, parse: (t: string) => unknown): unknown {
  return NONE.has(t.toLowerCase()) ? null : parse(t);
}

function listed(key: string, list: readonly string[], description: string): SettingDefinition<string | null> {
  return {
    key,
    description,
    default: null,
    schema: z.string().refine((v) => list.includes(v)).nullable(),
    rule: { rule: 'one_of', values: list.join(', '), orDefault: 'yes' },
    parse: (t) => nullable(t, (x) => list.find((v) => v.toLowerCase() === x.toLowerCase()) ?? x),
  };
}

const ROLE_MENTION = /^<@&(\d{17,20})>$|^(\d{17,20})$/;

function role(key: string, description: string): SettingDefinition<string | null> {
  return {
    key,
    description,
    default: null,
    schema: z.string().regex(/^\d{17,20}$/).nullable(),
    rule: { rule: 'role' },
    parse: (t) => nullable(t, (x) => { const m = ROLE_MENTION.exec(x); return m ? (m[1] ?? m[2]) : undefined; }),
  };
}
/** A template for announcements; null (the default): the wording of the server's language. */
function template(kind: 'join' | 'leave' | 'move'): SettingDefinition<string | null> {
  return {
    key: `announce_${kind}_template`,
    description: `What is said when someone ${kind === 'move' ? 'moves away' : kind === 'join' ? 'joins' : 'leaves'} (default: in the server’s language)`,
    default: null,
    schema: z.string().refine((v) => validateTemplate(kind, v).ok).nullable(),
    rule: { rule: 'template', max: 100, move: kind === 'move' ? 'yes' : 'no', orDefault: 'yes' },
    parse: (t) => nullable(t, (x) => x),
  };
}

/** Every guild setting, in the order /settings shows them; new keys are added here (key/value rows: no migration). */
export function guildSettingDefinitions(tts: Tts): GuildSettingDefinitions {
  return {
    voice: listed('voice', tts.voices, 'Default voice in this server'),
    model: listed('model', tts.models, 'Default model in this server'),
    speed: {
      key: 'speed',
      description: 'Default speed in this server',
      default: null,
      schema: z.number().min(SPEED_RANGE.min).max(SPEED_RANGE.max).nullable(),
      rule: { rule: 'number', min: SPEED_RANGE.min, max: SPEED_RANGE.max, orDefault: 'yes' },
      parse: (t: string) => nullable(t, (x) => (/^\d+(\.\d+)?$/.test(x) ? Number(x) : undefined)),
    },
    read_voice_chats: toggle('read_voice_chats', false, 'Read the text chat of the voice channel the bot is in'),
    read_require_in_voice: toggle('read_require_in_voice', true, 'Only read members who are in the bot’s voice channel'),
    read_ignore_bots: toggle('read_ignore_bots', true, 'Never read messages from bots and webhooks'),
    read_skip_silent: toggle('read_skip_silent', true, 'Do not read @silent messages'),
    read_skip_prefix: {
      key: 'read_skip_prefix',
      description: 'Messages starting with this are not read',
      default: '!',
      schema: z.string().max(5).refine((v) => !/\s/.test(v)),
      rule: { rule: 'prefix', max: 5 },
      parse: (t: string) => (NONE.has(t.toLowerCase()) ? '' : t),
    },
    read_required_role: role('read_required_role', 'Only read members with this role'),
    read_auto_join: toggle('read_auto_join', false, 'Join a member’s voice channel when they post in a reading channel'),
    read_name_window_s: integer('read_name_window_s', 60, 0, 3600, 'seconds', 'Do not repeat “Alice said” within this many seconds'),
    read_max_chars: integer('read_max_chars', 300, 20, 2000, 'characters', 'Longest part of a message that is read'),
    read_emoji: oneOf('read_emoji', ['name', 'skip'] as const, 'name', 'Read emoji by name, or skip them'),
    read_distinct_voices: toggle('read_distinct_voices', false, 'Give each member without a chosen voice a voice of their own'),
    read_max_pending_member: integer('read_max_pending_member', 5, 1, 50, 'messages', 'Most unread messages one member may have waiting'),
    read_max_pending_guild: integer('read_max_pending_guild', 30, 1, 200, 'messages', 'Most unread messages waiting in this server'),
    read_max_lag_s: integer('read_max_lag_s', 8, 2, 60, 'seconds', 'Longest a message waits to be read; past it reading speeds up, merges, shortens, drops'),
    read_max_speed: {
      key: 'read_max_speed',
      description: 'Most a member’s speed is multiplied by when reading falls behind (1: never faster)',
      default: 1.6,
      schema: z.number().min(1).max(2.5),
      rule: { rule: 'number', min: 1, max: 2.5, orDefault: 'no' },
      parse: (t: string) => (/^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined),
    },
    announce_joins: toggle('announce_joins', false, 'Announce who joins, leaves or moves in the bot’s voice channel'),
    announce_join_template: template('join'),
    announce_leave_template: template('leave'),
    announce_move_template: template('move'),
    name_template: {
      key: 'name_template',
      description: 'How member names are said, e.g. Aliceさん (default: the language’s own way)',
      default: null,
      schema: z.string().max(40).refine((v) => v.includes('{name}') && !/[{}]/.test(v.replace(/\{name\}/g, ''))).nullable(),
      rule: { rule: 'template', max: 40, move: 'no', orDefault: 'yes' },
      parse: (t: string) => nullable(t, (x) => x),
    },
    announce_role: role('announce_role', 'Role that may use /announce besides Manage Server'),
    time_zone: {
      key: 'time_zone',
      description: 'Time zone of scheduled announcements and of the daily budget’s midnight (IANA name)',
      default: 'UTC',
      schema: z.string().refine(isValidTimeZone),
      rule: { rule: 'time_zone' },
      parse: (t: string) => t.trim(),
    },
    language: listed('language', catalogCodes(), 'Language the bot answers and speaks in here (default: the server’s preferred locale)'),
    member_rate_per_min: integer('member_rate_per_min', 10, 1, 120, 'requests', 'Speech requests one member may make per minute (/speak, Read aloud, samples)'),
    char_budget_daily: integer('char_budget_daily', 100_000, 0, 100_000_000, 'unlimited', 'Characters sent to the speech service per day (0: no limit)'),
    transcribe_voice_messages: toggle('transcribe_voice_messages', false, 'Reply to voice messages in channels read aloud with their transcript'),
    transcribe_public: toggle('transcribe_public', false, 'Transcribe (message menu) replies so everyone in the channel sees it'),
  };
}

/** Per-guild settings, every key with its value or default filled in. */
export interface GuildSettings {
  voice: string | null;
  model: string | null;
  speed: number | null;
  read_voice_chats: boolean;
  read_require_in_voice: boolean;
  read_ignore_bots: boolean;
  read_skip_silent: boolean;
  read_skip_prefix: string;
  read_required_role: string | null;
  read_auto_join: boolean;
  read_name_window_s: number;
  read_max_chars: number;
  read_emoji: 'name' | 'skip';
  read_distinct_voices: boolean;
  read_max_pending_member: number;
  read_max_pending_guild: number;
  read_max_lag_s: number;
  read_max_speed: number;
  announce_joins: boolean;
  /** null: the wording of the server's language (`spoken.join` etc.); a stored template is kept as written. */
  announce_join_template: string | null;
  announce_leave_template: string | null;
  announce_move_template: string | null;
  /** How names are said, `{name}` replaced; null: the language's `spoken.name` ("{name}さん" in Japanese). */
  name_template: string | null;
  announce_role: string | null;
  time_zone: string;
  /** A catalog code (src/i18n/catalogs); null: the server's preferred locale. */
  language: string | null;
  member_rate_per_min: number;
  char_budget_daily: number;
  transcribe_voice_messages: boolean;
  transcribe_public: boolean;
}

/** Name of a guild setting. */
export type GuildSettingKey = keyof GuildSettings;

/** Every guild setting's definition, by key. */
export type GuildSettingDefinitions = { [K in GuildSettingKey]: SettingDefinition<GuildSettings[K]> };

/** Every guild setting key, in the order /settings shows them (more than Discord's 25 choices: /settings offers them by autocomplete). */
export const GUILD_SETTING_KEYS = [
  'voice', 'model', 'speed',
  'read_voice_chats', 'read_require_in_voice', 'read_ignore_bots', 'read_skip_silent', 'read_skip_prefix', 'read_required_role',
  'read_auto_join', 'read_name_window_s', 'read_max_chars', 'read_emoji', 'read_distinct_voices', 'read_max_pending_member',
  'read_max_pending_guild', 'read_max_lag_s', 'read_max_speed',
  'announce_joins', 'announce_join_template', 'announce_leave_template', 'announce_move_template', 'name_template', 'announce_role', 'time_zone',
  'language', 'member_rate_per_min', 'char_budget_daily',
  'transcribe_voice_messages', 'transcribe_public',
] as const satisfies readonly GuildSettingKey[];

/** The defaults of every guild setting (from `defs` when the caller has built them already). */
export function defaultGuildSettings(tts: Tts, defs: GuildSettingDefinitions = guildSettingDefinitions(tts)): GuildSettings {
  return Object.fromEntries(GUILD_SETTING_KEYS.map((k) => [k, defs[k].default])) as unknown as GuildSettings;
}

/** Per-member settings as stored; null means "not set here". */
export interface MemberSettings {
  voice: string | null;
  speed: number | null;
  /** How the bot says the member's name (reading, announcements). */
  spokenName: string | null;
  /** The member never wants their messages read aloud. */
  optOut: boolean | null;
}

/** Name of a member setting. */
export type MemberSettingKey = keyof MemberSettings;

/** Every member setting key. */
export const MEMBER_SETTING_KEYS = ['voice', 'speed', 'spokenName', 'optOut'] as const satisfies readonly MemberSettingKey[];

/** Nothing set. */
export const EMPTY_MEMBER_SETTINGS: Readonly<MemberSettings> = Object.freeze({ voice: null, speed: null, spokenName: null, optOut: null });

/** Validators of member settings (voices from the configured list), with what is allowed (for replies). */
export function memberSettingDefinitions(tts: Tts): { [K in MemberSettingKey]: { schema: z.ZodType<NonNullable<MemberSettings[K]>>; rule: AllowedRule } } {
  return {
    voice: {
      schema: z.string().refine((v) => tts.voices.includes(v)),
      rule: { rule: 'one_of', values: tts.voices.join(', '), orDefault: 'no' },
    },
    speed: {
      schema: z.number().min(SPEED_RANGE.min).max(SPEED_RANGE.max),
      rule: { rule: 'number', min: SPEED_RANGE.min, max: SPEED_RANGE.max, orDefault: 'no' },
    },
    spokenName: {
      // Control, zero-width and bidi characters would be read oddly or hide text.
      schema: z.string().min(1).max(32).refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v) && v.trim() === v),
      rule: { rule: 'visible', max: 32 },
    },
    optOut: { schema: z.boolean(), rule: { rule: 'true_false' } },
  };
}
