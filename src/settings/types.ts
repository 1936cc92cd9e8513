import type { DictionaryStore } from './dictionary.js';
import type { ReadingChannelStore } from './readingChannels.js';
import type { ScheduledAnnouncementStore } from './scheduledAnnouncements.js';
import type { UsageCounterStore } from './usageCounters.js';
import type { GuildSettingDefinitions, GuildSettingKey, GuildSettings, MemberSettings, MemberSettingKey } from './definitions.js';

export type { GuildSettingKey, GuildSettings, MemberSettings, MemberSettingKey } from './definitions.js';
export { GUILD_SETTING_KEYS } from './definitions.js';

/** Where a member setting applies: one guild, or everywhere (the member's global default). */
export type MemberScope = { guildId: string } | 'global';

/** A member's settings in one guild and globally, as one read. */
export interface MemberView {
  guild: MemberSettings;
  global: MemberSettings;
}

/** Everything stored about one user, for /privacy show. */
export interface MemberExport {
  userId: string;
  entries: Array<{ scope: 'global' | string; key: MemberSettingKey; value: unknown; updatedAt: string }>;
  /** Characters of speech the member asked for, per guild and month (for /usage). */
  usage: Array<{ guildId: string; month: string; chars: number }>;
}

/** The settings store every feature reads and commands write. Reads are served from memory; writes are durable. */
export interface SettingsStore {
  /** The definitions (defaults, rules, descriptions) the store validates guild settings with. */
  readonly guildDefinitions: GuildSettingDefinitions;
  /** The guild's settings with defaults filled in. */
  guild(guildId: string): GuildSettings;
  /** Validates and stores one guild setting from text a moderator typed; throws BotError('settings.invalid_value') naming what is allowed. */
  setGuild(guildId: string, key: GuildSettingKey, text: string): GuildSettings;
  /** Removes a stored guild setting, so its default applies. */
  resetGuild(guildId: string, key: GuildSettingKey): GuildSettings;
  /** A member's settings for this guild and globally. */
  member(guildId: string, userId: string): MemberView;
  /** Stores member settings (validated); null values clear a key. */
  setMember(scope: MemberScope, userId: string, values: Partial<MemberSettings>): void;
  /** Every stored entry about the user, in every guild. */
  exportMember(userId: string): MemberExport;
  /** Deletes everything stored about the user (settings and usage totals); returns how many entries went. */
  deleteMember(userId: string): number;
  /** Text channels bound to reading. */
  readonly readingChannels: ReadingChannelStore;
  /** Per-guild pronunciation dictionaries. */
  readonly dictionary: DictionaryStore;
  /** Scheduled announcements. */
  readonly schedules: ScheduledAnnouncementStore;
  /** Speech usage counters (budgets, /usage). */
  readonly usage: UsageCounterStore;
  /** SQL statements run for settings (guild, member, reading channels, dictionary, schedules) and for usage counters, and reads served from memory. */
  stats(): { queries: number; usageQueries: number; cachedReads: number };
  /** True until close(). */
  isOpen(): boolean;
  close(): void;
}
