import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BotError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** The settings database cannot be used; the message names the file and what the operator should do. */
export class SettingsOpenError extends Error {
  /** The database file concerned. */
  readonly file: string;
  constructor(file: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SettingsOpenError';
    this.file = file;
  }
}

/** How to open the database; the busy timeout is how long a write waits for another process's lock. */
export interface OpenOptions {
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
}

/** SQLite result codes we explain (sqlite.org/rescode.html). */
const SQLITE = { BUSY: 5, LOCKED: 6, READONLY: 8, IOERR: 10, CORRUPT: 11, FULL: 13, CANTOPEN: 14, NOTADB: 26 } as const;

/** True for SQLite's BUSY/LOCKED: another connection held the write lock for longer than the busy timeout. */
export function isDatabaseBusy(err: unknown): boolean {
  const code = (err as { errcode?: number } | undefined)?.errcode;
  return code === SQLITE.BUSY || code === SQLITE.LOCKED;
}

/**
 * Runs a write. SQLite's busy handler already retries while another process holds the lock (bounded by the busy
 * timeout); past that the write becomes BotError('settings.busy'), which the member sees as a clear reply.
 */
export function writeOrBusy<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (isDatabaseBusy(err)) throw new BotError('settings.busy', {}, { cause: err, message: 'settings database busy' });
    throw err;
  }
}

/**
 * Runs `work` in a write transaction (BEGIN IMMEDIATE, taken through writeOrBusy), committing its result or rolling
 * back and rethrowing what it threw.
 */
export function inWriteTransaction<T>(db: { exec(sql: string): void }, work: () => T): T {
  writeOrBusy(() => db.exec('BEGIN IMMEDIATE'));
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/** Turns an SQLite error met while opening into a message for the operator. */
export function explainOpenError(file: string, err: unknown, busyTimeoutMs: number): SettingsOpenError {
  const code = (err as { errcode?: number }).errcode;
  const name = basename(file);
  const text = (() => {
    switch (code) {
      case SQLITE.BUSY:
      case SQLITE.LOCKED:
        return `is locked by another process (waited ${busyTimeoutMs} ms). Stop whatever holds it (another copy of the bot on a different DATA_DIR setup, or an sqlite3 shell with an open transaction), then start again.`;
      case SQLITE.READONLY:
        return `is read-only. Give the bot's user write access to the file and to its directory (SQLite writes ${name}-wal and ${name}-shm beside it).`;
      case SQLITE.CORRUPT:
      case SQLITE.NOTADB:
        return `is not a readable SQLite database (corrupt, or another kind of file). Nothing was changed. Restore it from a backup, or move it away to start with empty settings.`;
      case SQLITE.FULL:
        return 'cannot be written: the disk is full. Free some space, then start again.';
      case SQLITE.CANTOPEN:
      case SQLITE.IOERR:
        return `cannot be opened (${(err as Error).message}). Check that DATA_DIR points to a directory the bot can write.`;
      default:
        return `cannot be used: ${(err as Error).message}.`;
    }
  })();
  return new SettingsOpenError(file, `Settings database ${file} ${text}`, err);
}

/**
 * Opens (creating if needed) the settings database: WAL journal, full sync, a busy timeout so processes can share it,
 * an integrity check, and forward migrations in one transaction. Throws SettingsOpenError, never resets data.
 */
export function openDatabase(file: string, options: OpenOptions = {}): DatabaseSync {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const migrations = options.migrations ?? MIGRATIONS;
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new SettingsOpenError(file, `Settings directory ${dir} cannot be created (${(err as Error).message}). Set DATA_DIR to a directory the bot can write.`, err);
  }
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new SettingsOpenError(file, `Settings database ${file} is not a file. Set DATA_DIR to a directory the bot can write.`);
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode;
    // A read-only file cannot switch to WAL; SQLite then silently stays in its old mode.
    if (mode !== 'wal') throw Object.assign(new Error(`journal mode stayed ${mode}`), { errcode: SQLITE.READONLY });
    db.exec('PRAGMA synchronous = FULL');
    const check = (db.prepare('PRAGMA quick_check').get() as { quick_check: string }).quick_check;
    if (check !== 'ok') throw Object.assign(new Error(check), { errcode: SQLITE.CORRUPT });
    migrate(db, file, migrations);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof SettingsOpenError) throw err;
    throw explainOpenError(file, err, busyTimeoutMs);
  }
}

function migrate(db: DatabaseSync, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  // BEGIN IMMEDIATE takes the write lock even with nothing to migrate: it proves at start-up that we can write.
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (current > latest) {
      throw new SettingsOpenError(
        file,
        `Settings database ${file} has schema version ${current}, newer than this bot knows (${latest}). Run the newer version of the bot, or restore a backup made for this one.`,
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.up);
      db.exec(`PRAGMA user_version = ${m.version}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
