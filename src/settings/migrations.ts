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
];
