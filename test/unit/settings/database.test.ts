import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsOpenError, explainOpenError, openDatabase } from '../../../src/settings/database.js';
import { MIGRATIONS } from '../../../src/settings/migrations.js';
import { SETTINGS_FILE, openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import { TTS, capturingLogger, tempDataDir } from './fixtures.js';

function openError(fn: () => unknown): SettingsOpenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsOpenError);
    return err as SettingsOpenError;
  }
  throw new Error('expected a SettingsOpenError');
}

describe('opening the settings database', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDataDir());
    file = join(dir, SETTINGS_FILE);
  });
  afterEach(() => cleanup());

  it('creates a missing data directory and file, in WAL mode at the latest schema version', () => {
    const nested = join(dir, 'a', 'b', SETTINGS_FILE);
    const db = openDatabase(nested);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('migrates an older schema forward, keeping its rows', () => {
    const v1 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) });
    v1.prepare('INSERT INTO guild_settings VALUES (?, ?, ?, ?)').run('1', 'speed', '2', 1);
    v1.close();
    const next = [...MIGRATIONS, { version: MIGRATIONS.at(-1)!.version + 1, description: 'test step', up: 'CREATE TABLE later_feature (id TEXT PRIMARY KEY)' }];
    const db = openDatabase(file, { migrations: next });
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(next.at(-1)!.version);
    expect(db.prepare('SELECT value FROM guild_settings').get()).toEqual({ value: '2' });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'later_feature'").get()).toBeDefined();
    db.close();
  });

  it('a failing migration leaves the file as it was', () => {
    openDatabase(file).close();
    const broken = [...MIGRATIONS, { version: 99, description: 'broken', up: 'CREATE TABLE ok_table (x); THIS IS NOT SQL' }];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(SettingsOpenError);
    const db = new DatabaseSync(file);
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_table'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a file from a newer version, naming the path and versions', () => {
    const db = openDatabase(file);
    db.exec('PRAGMA user_version = 999');
    db.close();
    const err = openError(() => openDatabase(file));
    expect(err.message).toContain(file);
    expect(err.message).toContain(`schema version 999, newer than this bot knows (${MIGRATIONS.at(-1)!.version})`);
  });

  it('refuses a corrupt file and leaves its bytes untouched', () => {
    const garbage = Buffer.from('definitely not sqlite '.repeat(300));
    writeFileSync(file, garbage);
    const err = openError(() => openDatabase(file));
    expect(err.message).toBe(
      `Settings database ${file} is not a readable SQLite database (corrupt, or another kind of file). Nothing was changed. Restore it from a backup, or move it away to start with empty settings.`,
    );
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses a database whose pages are damaged', () => {
    const db = openDatabase(file);
    db.exec('CREATE TABLE filler (x TEXT)');
    const insert = db.prepare('INSERT INTO filler VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(200));
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 3, 4096 * 6); // scribble over a few pages past the header
    writeFileSync(file, bytes);
    const err = openError(() => openDatabase(file));
    expect(err.message).toMatch(/is not a readable SQLite database/);
  });

  it('refuses a file locked by another connection after the busy timeout', () => {
    openDatabase(file).close();
    const holder = new DatabaseSync(file);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const err = openError(() => openDatabase(file, { busyTimeoutMs: 50 }));
      expect(err.message).toMatch(new RegExp(`^Settings database ${file} is locked by another process \\(waited 50 ms\\)`));
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses a path that is a directory, and a DATA_DIR that cannot be created', () => {
    mkdirSync(file);
    expect(openError(() => openDatabase(file)).message).toBe(`Settings database ${file} is not a file. Set DATA_DIR to a directory the bot can write.`);
    const blocker = join(dir, 'plain-file');
    writeFileSync(blocker, 'x');
    expect(openError(() => openDatabase(join(blocker, 'sub', SETTINGS_FILE))).message).toMatch(
      new RegExp(`^Settings directory ${blocker}/sub cannot be created .*Set DATA_DIR to a directory the bot can write\\.$`),
    );
  });

  // Root ignores file modes, so the real read-only case can only be shown as another user.
  it.skipIf(process.getuid?.() === 0)('refuses a read-only file, naming what to fix', () => {
    openDatabase(file).close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    try {
      expect(openError(() => openDatabase(file)).message).toMatch(/is read-only\. Give the bot's user write access/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it.each([
    [8, /is read-only\. Give the bot's user write access to the file and to its directory \(SQLite writes settings.sqlite-wal/],
    [5, /is locked by another process/],
    [26, /is not a readable SQLite database/],
    [11, /is not a readable SQLite database/],
    [13, /the disk is full/],
    [14, /cannot be opened .*DATA_DIR/],
  ])('SQLite code %i is explained for the operator', (errcode, text) => {
    const err = explainOpenError('/data/settings.sqlite', Object.assign(new Error('raw'), { errcode }), 5000);
    expect(err.message).toMatch(/^Settings database \/data\/settings.sqlite /);
    expect(err.message).toMatch(text);
  });

  it('two processes writing to one file at once lose nothing and corrupt nothing', async () => {
    openDatabase(file).close();
    const writer = join(import.meta.dirname, 'concurrentWriter.ts');
    const run = (userPrefix: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', writer, dir, userPrefix, '300'], {
          stdio: 'inherit',
        });
        child.once('exit', resolve);
      });
    const [a, b] = await Promise.all([run('1000'), run('2000')]);
    expect([a, b]).toEqual([0, 0]);
    const { logger } = capturingLogger();
    const store = openSqliteSettings({ dataDir: dir, tts: TTS, logger });
    try {
      for (const prefix of ['1000', '2000']) {
        for (const i of [0, 150, 299]) expect(store.member('1', `${prefix}${String(i).padStart(14, '0')}`).global.speed).toBe(1 + (i % 3));
      }
    } finally {
      store.close();
    }
    const db = new DatabaseSync(file);
    expect(db.prepare('SELECT count(*) AS n FROM member_settings').get()).toEqual({ n: 600 });
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    db.close();
  });
});
