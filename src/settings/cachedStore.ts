import type { Config } from '../config.js';
import { BotError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { inWriteTransaction, writeOrBusy } from './database.js';
import { DictionaryTable, type DictionaryStore } from './dictionary.js';
import { ReadingChannelsTable, type ReadingChannelStore } from './readingChannels.js';
import { ScheduledAnnouncementsTable, type ScheduledAnnouncementStore } from './scheduledAnnouncements.js';
import { UsageCountersTable, type UsageCounterStore } from './usageCounters.js';
import {
  EMPTY_MEMBER_SETTINGS,
  GUILD_SETTING_KEYS,
  MEMBER_SETTING_KEYS,
  defaultGuildSettings,
  guildSettingDefinitions,
  memberSettingDefinitions,
  type GuildSettingDefinitions,
  type GuildSettingKey,
  type GuildSettings,
  type MemberSettingKey,
  type MemberSettings,
} from './definitions.js';
import type { SqlParam, SyncDatabase, SyncStatement } from './syncDatabase.js';
import type { MemberExport, MemberScope, MemberView, SettingsStore } from './types.js';

/** What the cached store needs besides its connections. */
export interface CachedStoreOptions {
  tts: Pick<Config['tts'], 'voices' | 'models'>;
  logger: Logger;
  /** Most members whose settings stay in memory (least recently read go first). */
  memberCacheSize?: number;
  /** Told after each committed write, so other processes can drop what they cached (PostgreSQL's change feed). */
  changes?: ChangePublisher;
  /** Runs when the store closes (stops the change listener). */
  onClose?: () => void;
}

/** What a write changed, named by the cache it makes stale. */
export type SettingsChange = { kind: 'guild' | 'dictionary' | 'reading'; guildId: string } | { kind: 'member'; userId: string };

/** Where the store announces its writes. */
export interface ChangePublisher {
  publish(change: SettingsChange): void;
}

type MemberRows = Map<string, MemberSettings>;

/**
 * Settings behind an in-process cache: reads after the first are served from memory; writes invalidate. Runs on any
 * SyncDatabase, whatever the dialect: SQLite's own connection (sqlite/sqliteStore.ts) or the PostgreSQL one
 * (postgres/pgStore.ts).
 */
export class CachedSettingsStore implements SettingsStore {
  readonly #db: SyncDatabase;
  readonly #usageDb: SyncDatabase;
  readonly #log: Logger;
  readonly #guildDefs: GuildSettingDefinitions;
  readonly #memberDefs: ReturnType<typeof memberSettingDefinitions>;
  readonly #defaults: GuildSettings;
  readonly #guilds = new Map<string, GuildSettings>();
  // Map iteration order is insertion order: re-inserting on read makes the first key the least recently used.
  readonly #members = new Map<string, MemberRows>();
  readonly #memberCacheSize: number;
  readonly #changes: ChangePublisher | undefined;
  readonly #onClose: (() => void) | undefined;
  readonly #sql: Record<'guildRows' | 'guildUpsert' | 'guildDelete' | 'memberRows' | 'memberUpsert' | 'memberDelete' | 'memberDeleteAll', SyncStatement>;
  #queries = 0;
  #usageQueries = 0;
  #cachedReads = 0;
  readonly readingChannels: ReadingChannelsTable;
  readonly dictionary: DictionaryTable;
  readonly schedules: ScheduledAnnouncementStore;
  readonly usage: UsageCounterStore;

  /** The definitions guild settings are validated with (read once: the language setting lists the catalog files). */
  get guildDefinitions(): GuildSettingDefinitions {
    return this.#guildDefs;
  }

  /** `usageDb`: a connection to the same file for the usage counters (default: `db`). */
  constructor(db: SyncDatabase, options: CachedStoreOptions, usageDb: SyncDatabase = db) {
    this.#db = db;
    this.#usageDb = usageDb;
    this.#log = options.logger.child({ module: 'settings' });
    this.#guildDefs = guildSettingDefinitions(options.tts);
    this.#memberDefs = memberSettingDefinitions(options.tts);
    this.#defaults = defaultGuildSettings(options.tts, this.#guildDefs);
    this.#memberCacheSize = options.memberCacheSize ?? 100_000;
    this.#changes = options.changes;
    this.#onClose = options.onClose;
    const count = () => void this.#queries++;
    this.readingChannels = new ReadingChannelsTable(db, count, (guildId) => this.#changes?.publish({ kind: 'reading', guildId }));
    this.dictionary = new DictionaryTable(db, count, (guildId) => this.#changes?.publish({ kind: 'dictionary', guildId }));
    this.schedules = new ScheduledAnnouncementsTable(db, count);
    this.usage = new UsageCountersTable(usageDb, () => void this.#usageQueries++);
    this.#sql = {
      guildRows: db.prepare('SELECT key, value FROM guild_settings WHERE guild_id = ?'),
      guildUpsert: db.prepare(
        'INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      guildDelete: db.prepare('DELETE FROM guild_settings WHERE guild_id = ? AND key = ?'),
      memberRows: db.prepare('SELECT scope, key, value, updated_at FROM member_settings WHERE user_id = ? ORDER BY scope, key'),
      memberUpsert: db.prepare(
        'INSERT INTO member_settings (user_id, scope, key, value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      memberDelete: db.prepare('DELETE FROM member_settings WHERE user_id = ? AND scope = ? AND key = ?'),
      memberDeleteAll: db.prepare('DELETE FROM member_settings WHERE user_id = ?'),
    };
  }

  guild(guildId: string): GuildSettings {
    const cached = this.#guilds.get(guildId);
    if (cached) {
      this.#cachedReads++;
      return cached;
    }
    const settings: Record<string, unknown> = { ...this.#defaults };
    for (const row of this.#all(this.#sql.guildRows, guildId) as Array<{ key: string; value: string }>) {
      if (!(GUILD_SETTING_KEYS as readonly string[]).includes(row.key)) continue; // a key a later version added
      const def = this.#guildDefs[row.key as GuildSettingKey];
      const parsed = def.schema.safeParse(safeJson(row.value));
      if (parsed.success) settings[row.key] = parsed.data;
      else this.#log.warn({ guildId, key: row.key }, 'stored guild setting is no longer valid; using its default');
    }
    const frozen = Object.freeze(settings) as unknown as GuildSettings;
    this.#guilds.set(guildId, frozen);
    return frozen;
  }

  setGuild(guildId: string, key: GuildSettingKey, text: string): GuildSettings {
    const def = Object.hasOwn(this.#guildDefs, key) ? this.#guildDefs[key] : undefined;
    if (!def) throw new BotError('input.unknown_setting', { key, keys: GUILD_SETTING_KEYS.join(', ') });
    const raw = def.parse(text.trim());
    const parsed = raw === undefined ? undefined : def.schema.safeParse(raw);
    if (!parsed?.success) {
      throw new BotError('settings.invalid_value', { setting: key, ...def.rule });
    }
    if (parsed.data === null) return this.resetGuild(guildId, key);
    this.#run(this.#sql.guildUpsert, guildId, key, JSON.stringify(parsed.data), Date.now());
    this.#guilds.delete(guildId);
    this.#changes?.publish({ kind: 'guild', guildId });
    this.#log.info({ guildId, key }, 'guild setting changed');
    return this.guild(guildId);
  }

  resetGuild(guildId: string, key: GuildSettingKey): GuildSettings {
    this.#run(this.#sql.guildDelete, guildId, key);
    this.#guilds.delete(guildId);
    this.#changes?.publish({ kind: 'guild', guildId });
    return this.guild(guildId);
  }

  member(guildId: string, userId: string): MemberView {
    const rows = this.#memberRows(userId);
    return { guild: rows.get(guildId) ?? EMPTY_MEMBER_SETTINGS, global: rows.get('global') ?? EMPTY_MEMBER_SETTINGS };
  }

  setMember(scope: MemberScope, userId: string, values: Partial<MemberSettings>): void {
    const scopeKey = scope === 'global' ? 'global' : scope.guildId;
    const writes: Array<[MemberSettingKey, unknown]> = [];
    for (const key of MEMBER_SETTING_KEYS) {
      if (!(key in values)) continue;
      const value = values[key];
      if (value === null || value === undefined) {
        writes.push([key, null]);
        continue;
      }
      const def = this.#memberDefs[key];
      const parsed = def.schema.safeParse(value);
      if (!parsed.success) throw new BotError('settings.invalid_member_value', { setting: key, ...def.rule });
      writes.push([key, parsed.data]);
    }
    const now = Date.now();
    this.#transaction(() => {
      for (const [key, value] of writes) {
        if (value === null) this.#run(this.#sql.memberDelete, userId, scopeKey, key);
        else this.#run(this.#sql.memberUpsert, userId, scopeKey, key, JSON.stringify(value), now);
      }
    });
    this.#members.delete(userId);
    this.#changes?.publish({ kind: 'member', userId });
  }

  exportMember(userId: string): MemberExport {
    const rows = this.#all(this.#sql.memberRows, userId) as Array<{ scope: string; key: string; value: string; updated_at: number }>;
    return {
      userId,
      entries: rows.map((r) => ({
        scope: r.scope,
        key: r.key as MemberSettingKey,
        value: safeJson(r.value),
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
      usage: this.usage.memberMonths(userId),
    };
  }

  deleteMember(userId: string): number {
    // Two statements on two connections: each is atomic; a transaction spanning both would wait on itself.
    const deleted = Number(this.#run(this.#sql.memberDeleteAll, userId).changes) + this.usage.deleteMember(userId);
    this.#members.delete(userId);
    this.#changes?.publish({ kind: 'member', userId });
    this.#log.info({ deleted }, 'member data deleted on request');
    return deleted;
  }

  stats(): { queries: number; usageQueries: number; cachedReads: number } {
    return { queries: this.#queries, usageQueries: this.#usageQueries, cachedReads: this.#cachedReads };
  }

  isOpen(): boolean {
    return this.#db.isOpen;
  }

  /** Drops what is cached for one change made elsewhere (another process). */
  forget(change: SettingsChange): void {
    if (change.kind === 'guild') this.#guilds.delete(change.guildId);
    else if (change.kind === 'member') this.#members.delete(change.userId);
    else if (change.kind === 'dictionary') this.dictionary.forget(change.guildId);
    else this.readingChannels.forget(change.guildId);
  }

  /** Drops every cache (changes may have been missed). */
  forgetAll(): void {
    this.#guilds.clear();
    this.#members.clear();
    this.dictionary.forgetAll();
    this.readingChannels.forgetAll();
  }

  close(): void {
    this.#onClose?.();
    if (this.#usageDb.isOpen) this.#usageDb.close();
    if (this.#db.isOpen) this.#db.close();
  }

  #memberRows(userId: string): MemberRows {
    const cached = this.#members.get(userId);
    if (cached) {
      this.#cachedReads++;
      this.#members.delete(userId);
      this.#members.set(userId, cached);
      return cached;
    }
    const byScope: MemberRows = new Map();
    for (const row of this.#all(this.#sql.memberRows, userId) as Array<{ scope: string; key: string; value: string }>) {
      if (!(MEMBER_SETTING_KEYS as readonly string[]).includes(row.key)) continue;
      const key = row.key as MemberSettingKey;
      const parsed = this.#memberDefs[key].schema.safeParse(safeJson(row.value));
      if (!parsed.success) {
        this.#log.warn({ key, scope: row.scope === 'global' ? 'global' : 'guild' }, 'stored member setting is no longer valid; ignoring it');
        continue;
      }
      const current = byScope.get(row.scope) ?? { ...EMPTY_MEMBER_SETTINGS };
      (current as unknown as Record<string, unknown>)[key] = parsed.data;
      byScope.set(row.scope, current);
    }
    this.#members.set(userId, byScope);
    if (this.#members.size > this.#memberCacheSize) this.#members.delete(this.#members.keys().next().value!);
    return byScope;
  }

  #all(statement: SyncStatement, ...params: SqlParam[]): unknown[] {
    this.#queries++;
    return statement.all(...params);
  }

  #run(statement: SyncStatement, ...params: SqlParam[]) {
    this.#queries++;
    return writeOrBusy(() => statement.run(...params));
  }

  #transaction(work: () => void): void {
    inWriteTransaction(this.#db, work);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

