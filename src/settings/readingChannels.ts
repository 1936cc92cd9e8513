import type { SyncDatabase, SyncStatement } from './syncDatabase.js';
import { writeOrBusy } from './database.js';

/** Text channels bound to reading, per guild; cached in memory. */
export interface ReadingChannelStore {
  /** Channel ids bound in the guild. */
  channels(guildId: string): ReadonlySet<string>;
  /** Binds a channel; `firstNotice` is true when no privacy notice was ever posted there. */
  bind(guildId: string, channelId: string): { added: boolean; firstNotice: boolean };
  /** Unbinds a channel; true if it was bound. */
  unbind(guildId: string, channelId: string): boolean;
  /** Records that the privacy notice was posted in a channel. */
  noticePosted(channelId: string): void;
}

/** The reading-channel table, on either dialect's SyncDatabase. */
export class ReadingChannelsTable implements ReadingChannelStore {
  readonly #cache = new Map<string, ReadonlySet<string>>();
  readonly #sql: Record<'list' | 'add' | 'remove' | 'hasNotice' | 'addNotice', SyncStatement>;

  /** `changed`: told after each committed bind or unbind. */
  constructor(
    db: SyncDatabase,
    private readonly count: () => void,
    private readonly changed: (guildId: string) => void = () => {},
  ) {
    this.#sql = {
      list: db.prepare('SELECT channel_id FROM reading_channels WHERE guild_id = ?'),
      add: db.prepare('INSERT INTO reading_channels (guild_id, channel_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      remove: db.prepare('DELETE FROM reading_channels WHERE guild_id = ? AND channel_id = ?'),
      hasNotice: db.prepare('SELECT 1 AS yes FROM notices_posted WHERE channel_id = ?'),
      addNotice: db.prepare('INSERT INTO notices_posted (channel_id, posted_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    };
  }

  channels(guildId: string): ReadonlySet<string> {
    const cached = this.#cache.get(guildId);
    if (cached) return cached;
    this.count();
    const set = new Set((this.#sql.list.all(guildId) as Array<{ channel_id: string }>).map((r) => r.channel_id));
    this.#cache.set(guildId, set);
    return set;
  }

  bind(guildId: string, channelId: string): { added: boolean; firstNotice: boolean } {
    this.count();
    const added = Number(writeOrBusy(() => this.#sql.add.run(guildId, channelId, Date.now())).changes) > 0;
    this.#cache.delete(guildId);
    if (added) this.changed(guildId);
    this.count();
    const firstNotice = this.#sql.hasNotice.get(channelId) === undefined;
    return { added, firstNotice };
  }

  unbind(guildId: string, channelId: string): boolean {
    this.count();
    const removed = Number(writeOrBusy(() => this.#sql.remove.run(guildId, channelId)).changes) > 0;
    this.#cache.delete(guildId);
    if (removed) this.changed(guildId);
    return removed;
  }

  /** Drops a guild's cached channels (changed by another process). */
  forget(guildId: string): void {
    this.#cache.delete(guildId);
  }

  /** Drops every guild's cached channels. */
  forgetAll(): void {
    this.#cache.clear();
  }

  noticePosted(channelId: string): void {
    this.count();
    this.#sql.addNotice.run(channelId, Date.now());
  }
}
