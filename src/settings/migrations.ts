/** One forward step of the schema; `up` runs inside the migration transaction. */
export interface Migration {
  version: number;
  description: string;
  up: string;
}

/** Every schema version in order. Add steps at the end; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'guild and member settings as key/value rows (values JSON)',
    up: `
      CREATE TABLE guild_settings (
        guild_id   TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE member_settings (
        user_id    TEXT NOT NULL,
        scope      TEXT NOT NULL, -- a guild id, or 'global'
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, scope, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'reading channels and the pronunciation dictionary',
    up: `
      CREATE TABLE reading_channels (
        guild_id   TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
      ) WITHOUT ROWID;
      CREATE TABLE notices_posted (
        channel_id TEXT PRIMARY KEY,
        posted_at  INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE dictionary (
        guild_id   TEXT NOT NULL,
        word_key   TEXT NOT NULL, -- lower-cased word: entries are matched case-insensitively
        word       TEXT NOT NULL,
        reading    TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, word_key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'scheduled announcements',
    up: `
      CREATE TABLE scheduled_announcements (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id        TEXT NOT NULL,
        channel_id      TEXT NOT NULL, -- the voice channel it is said in
        reply_channel_id TEXT NOT NULL, -- the text channel told when it cannot be said
        text            TEXT NOT NULL,
        voice           TEXT,
        spec            TEXT NOT NULL, -- JSON ScheduleSpec
        created_by      TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        checked_until   INTEGER NOT NULL -- runs up to this instant were fired or counted as missed
      );
      CREATE INDEX scheduled_announcements_guild ON scheduled_announcements (guild_id);
    `,
  },
  {
    version: 4,
    description: 'speech usage counters: characters sent and saved by the cache, per guild and day, per member and month, per bot day',
    up: `
      CREATE TABLE usage_guild_daily (
        guild_id    TEXT NOT NULL,
        day         TEXT NOT NULL, -- YYYY-MM-DD in the guild's time zone
        model       TEXT NOT NULL,
        chars       INTEGER NOT NULL DEFAULT 0, -- sent to the provider
        saved_chars INTEGER NOT NULL DEFAULT 0, -- answered from the audio cache instead
        PRIMARY KEY (guild_id, day, model)
      ) WITHOUT ROWID;
      CREATE TABLE usage_member_monthly (
        guild_id TEXT NOT NULL,
        month    TEXT NOT NULL, -- YYYY-MM in the guild's time zone
        user_id  TEXT NOT NULL,
        chars    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (guild_id, month, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE usage_bot_daily (
        day   TEXT PRIMARY KEY, -- YYYY-MM-DD in UTC
        chars INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
    `,
  },
];
