import type { SyncDatabase, SyncStatement } from './syncDatabase.js';
import type { ScheduleSpec } from '../features/announcements/schedule.js';

/** One stored scheduled announcement. */
export interface ScheduledAnnouncement {
  id: number;
  guildId: string;
  /** Voice channel it is said in. */
  channelId: string;
  /** Text channel told when it cannot be said. */
  replyChannelId: string;
  text: string;
  voice: string | null;
  spec: ScheduleSpec;
  createdBy: string;
  createdAt: number;
  /** Runs up to this instant (ms) were fired or counted as missed. */
  checkedUntil: number;
}

/** What a new schedule needs. */
export type NewScheduledAnnouncement = Omit<ScheduledAnnouncement, 'id' | 'checkedUntil'>;

/** Scheduled announcements, durable across restarts. */
export interface ScheduledAnnouncementStore {
  add(entry: NewScheduledAnnouncement): ScheduledAnnouncement;
  /** A guild's schedules, oldest first. */
  list(guildId: string): ScheduledAnnouncement[];
  /** Every schedule of every guild (start-up). */
  all(): ScheduledAnnouncement[];
  /** Removes a schedule of a guild; true if it was there. */
  remove(guildId: string, id: number): boolean;
  /** Records that runs up to `until` were handled. */
  checked(id: number, until: number): void;
  count(guildId: string): number;
}

interface Row {
  id: number;
  guild_id: string;
  channel_id: string;
  reply_channel_id: string;
  text: string;
  voice: string | null;
  spec: string;
  created_by: string;
  created_at: number;
  checked_until: number;
}

const fromRow = (r: Row): ScheduledAnnouncement => ({
  id: Number(r.id),
  guildId: r.guild_id,
  channelId: r.channel_id,
  replyChannelId: r.reply_channel_id,
  text: r.text,
  voice: r.voice,
  spec: JSON.parse(r.spec) as ScheduleSpec,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  checkedUntil: Number(r.checked_until),
});

/** The scheduled announcements table, on either dialect's SyncDatabase (few rows, read at start-up and on /announce list). */
export class ScheduledAnnouncementsTable implements ScheduledAnnouncementStore {
  readonly #sql: Record<'insert' | 'list' | 'all' | 'remove' | 'checked' | 'count', SyncStatement>;

  constructor(db: SyncDatabase, private readonly countQuery: () => void) {
    this.#sql = {
      insert: db.prepare(
        `INSERT INTO scheduled_announcements (guild_id, channel_id, reply_channel_id, text, voice, spec, created_by, created_at, checked_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      list: db.prepare('SELECT * FROM scheduled_announcements WHERE guild_id = ? ORDER BY id'),
      all: db.prepare('SELECT * FROM scheduled_announcements ORDER BY id'),
      remove: db.prepare('DELETE FROM scheduled_announcements WHERE guild_id = ? AND id = ?'),
      checked: db.prepare('UPDATE scheduled_announcements SET checked_until = ? WHERE id = ?'),
      count: db.prepare('SELECT count(*) AS n FROM scheduled_announcements WHERE guild_id = ?'),
    };
  }

  add(e: NewScheduledAnnouncement): ScheduledAnnouncement {
    this.countQuery();
    const row = this.#sql.insert.get(
      e.guildId, e.channelId, e.replyChannelId, e.text, e.voice, JSON.stringify(e.spec), e.createdBy, e.createdAt, e.createdAt,
    ) as unknown as Row;
    return fromRow(row);
  }

  list(guildId: string): ScheduledAnnouncement[] {
    this.countQuery();
    return (this.#sql.list.all(guildId) as unknown as Row[]).map(fromRow);
  }

  all(): ScheduledAnnouncement[] {
    this.countQuery();
    return (this.#sql.all.all() as unknown as Row[]).map(fromRow);
  }

  remove(guildId: string, id: number): boolean {
    this.countQuery();
    return Number(this.#sql.remove.run(guildId, id).changes) > 0;
  }

  checked(id: number, until: number): void {
    this.countQuery();
    this.#sql.checked.run(until, id);
  }

  count(guildId: string): number {
    this.countQuery();
    return Number((this.#sql.count.get(guildId) as { n: number }).n);
  }
}
