import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../observability/logger.js';
import { openDatabase } from '../database.js';
import { SETTINGS_FILE } from '../sqlite/sqliteStore.js';
import { describeUrl, openPostgresSettings } from './pgStore.js';

/** Every table of the schema, in an order that copies cleanly. */
export const COPIED_TABLES = [
  'guild_settings',
  'member_settings',
  'reading_channels',
  'notices_posted',
  'dictionary',
  'scheduled_announcements',
  'usage_guild_daily',
  'usage_member_monthly',
  'usage_bot_daily',
] as const;

/** The copy cannot start (the target already holds settings, or a side cannot be opened). */
export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

/** Rows inserted per statement. */
const BATCH = 500;

/**
 * Copies everything in DATA_DIR/settings.sqlite into the PostgreSQL database at `url`, in one transaction: both sides
 * are migrated to the latest schema first; an empty target is required, so nothing is ever merged or overwritten.
 * Returns the rows copied per table.
 */
export async function copySqliteToPostgres(options: { dataDir: string; url: string; logger: Logger }): Promise<Record<string, number>> {
  const file = join(options.dataDir, SETTINGS_FILE);
  if (!existsSync(file)) throw new CopyRefusedError(`There is no ${file} to copy. Set DATA_DIR to the directory that holds it.`);
  const source = openDatabase(file);
  try {
    openPostgresSettings({ url: options.url, tts: { voices: [], models: [] }, logger: options.logger }).close();
    const target = new pg.Client({ connectionString: options.url });
    await target.connect();
    try {
      await target.query('BEGIN');
      for (const table of COPIED_TABLES) {
        const { rows } = await target.query(`SELECT 1 FROM ${table} LIMIT 1`);
        if (rows.length > 0) {
          throw new CopyRefusedError(`${describeUrl(options.url)} already holds settings (table ${table} is not empty). Copy into an empty database.`);
        }
      }
      const copied: Record<string, number> = {};
      for (const table of COPIED_TABLES) {
        const rows = source.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
        copied[table] = rows.length;
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH);
          const columns = Object.keys(batch[0]!);
          const values: unknown[] = [];
          const tuples = batch.map((row) => `(${columns.map((c) => `$${values.push(row[c])}`).join(', ')})`);
          await target.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
        }
      }
      // Copied ids keep their numbers; new schedules continue after the highest.
      await target.query(
        "SELECT setval(pg_get_serial_sequence('scheduled_announcements', 'id'), COALESCE((SELECT MAX(id) FROM scheduled_announcements), 0) + 1, false)",
      );
      await target.query('COMMIT');
      return copied;
    } catch (err) {
      await target.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      await target.end();
    }
  } finally {
    source.close();
  }
}
