// The SQLite dialect: one file under DATA_DIR (node:sqlite), opened here; the cached store on top is shared with PostgreSQL.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CachedSettingsStore, type CachedStoreOptions } from '../cachedStore.js';
import { explainOpenError, openDatabase } from '../database.js';
import type { SettingsStore } from '../types.js';

/** Where and how to open the store. */
export interface SqliteSettingsOptions extends CachedStoreOptions {
  dataDir: string;
  busyTimeoutMs?: number;
  /** How long a write waits for another process's lock once running (default 1000 ms). */
  writeBusyTimeoutMs?: number;
}


/** How long a write waits for another process's write lock once the bot runs, ms (SQLite retries meanwhile). */
const WRITE_BUSY_TIMEOUT_MS = 1_000;

/** The settings file's name inside DATA_DIR. */
export const SETTINGS_FILE = 'settings.sqlite';

/** Opens the SQLite settings store under DATA_DIR; throws SettingsOpenError with an operator-facing message. */
export function openSqliteSettings(options: SqliteSettingsOptions): SettingsStore {
  const file = join(options.dataDir, SETTINGS_FILE);
  const db = openDatabase(file, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  // Usage counters change on every provider call, from the event loop that also paces audio: their own connection
  // commits without an fsync (WAL, synchronous=NORMAL: ~0.03 ms instead of ~3 ms). A restart keeps every count; only
  // an operating-system crash could lose the last moments of counting. Settings keep full durability.
  let usageDb: DatabaseSync | undefined;
  try {
    usageDb = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5_000 });
    usageDb.exec('PRAGMA synchronous = NORMAL');
  } catch (err) {
    usageDb?.close();
    db.close();
    throw explainOpenError(file, err, options.busyTimeoutMs ?? 5_000);
  }
  // Start-up may wait for a lock (5 s); once running, a write waits at most this long, because node:sqlite waits on
  // the event loop's thread and audio for every guild would stall meanwhile.
  const writeBusyTimeoutMs = Math.max(0, Math.round(options.writeBusyTimeoutMs ?? WRITE_BUSY_TIMEOUT_MS));
  db.exec(`PRAGMA busy_timeout = ${writeBusyTimeoutMs}`);
  usageDb.exec(`PRAGMA busy_timeout = ${writeBusyTimeoutMs}`);
  return new CachedSettingsStore(db, options, usageDb);
}
