// The settings tests run once per store dialect: SQLite in a temporary directory, PostgreSQL in a fresh schema of a
// database made for this test file and dropped after it. Without a server, the PostgreSQL half is skipped with one line
// saying how to run it, except in CI (CI=true), where it runs and fails loudly.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { openPostgresSettings } from '../../../src/settings/postgres/pgStore.js';
import { numberPlaceholders } from '../../../src/settings/postgres/syncPgConnection.js';
import { SETTINGS_FILE, openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import type { Logger } from '../../../src/observability/logger.js';
import { TTS, capturingLogger, tempDataDir } from './fixtures.js';
import { createScratchDatabase } from './scratchDatabase.js';

/** The server the PostgreSQL tests use: TEST_DATABASE_URL, or the project machines' local one. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const inCi = process.env.CI === 'true';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why the server cannot be reached, or undefined when it can (probed once per test file). */
export const unreachable = await probe();
let told = false;

/** A database of its own for one test file: created on the test server, dropped by `drop`. */
export async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (unreachable) throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${unreachable}); CI=true: these tests never skip.`);
  return createScratchDatabase(TEST_DATABASE_URL, 'speechbot_test');
}

/** Whether the PostgreSQL half runs here; prints the one skip line once per file when it does not. */
export function postgresRuns(): boolean {
  if (!unreachable || inCi) return true;
  if (!told) {
    told = true;
    console.log(`PostgreSQL store tests skipped: no server at ${TEST_DATABASE_URL} (${unreachable}). Run them with TEST_DATABASE_URL=postgres://user@host:5432/db npm test`);
  }
  return false;
}

/**
 * Declares a suite that needs the PostgreSQL server: run when it answers; skipped (one line) without it; and in CI
 * without it, one failing test saying so in place of the suite, so the run is red and counts a failure, not skips.
 */
export function describePostgres(title: string, body: () => void): void {
  if (unreachable && inCi) {
    describe(title, () => {
      it('has a PostgreSQL server to run against (CI=true: never skipped)', () => {
        throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${unreachable}). Start it, or set TEST_DATABASE_URL.`);
      });
    });
    return;
  }
  (postgresRuns() ? describe : describe.skip)(title, body);
}

/** Opens the store of the current test's place; every call opens the same data (a restart). */
export type OpenStore = (options?: { tts?: typeof TTS; logger?: Logger }) => SettingsStore;

/** What a dialect-parameterised suite gets. */
export interface StoreSuite {
  dialect: 'sqlite' | 'postgres';
  open: OpenStore;
  /** Where the current test's data lives: a data directory (SQLite) or a connection URL (PostgreSQL). */
  place(): string;
}

/** Declares the same suite for SQLite and for PostgreSQL. */
export function describeStores(title: string, body: (suite: StoreSuite) => void): void {
  describe(`${title} (SQLite)`, () => {
    let dir = '';
    let cleanup: () => Promise<void> = async () => {};
    beforeEach(async () => {
      ({ dir, cleanup } = await tempDataDir());
    });
    afterEach(() => cleanup());
    body({
      dialect: 'sqlite',
      open: (o = {}) => openSqliteSettings({ dataDir: dir, tts: o.tts ?? TTS, logger: o.logger ?? capturingLogger().logger }),
      place: () => dir,
    });
  });
  describePostgres(`${title} (PostgreSQL)`, () => {
    let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
    let url = '';
    let n = 0;
    beforeAll(async () => {
      database = await scratchDatabase();
    }, 30_000);
    afterAll(async () => {
      await database?.drop();
    }, 30_000);
    beforeEach(async () => {
      // A schema per test: a clean store without a database per test.
      const schema = `t${++n}`;
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      const u = new URL(database!.url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      url = u.toString();
    });
    body({
      dialect: 'postgres',
      open: (o = {}) => openPostgresSettings({ url, tts: o.tts ?? TTS, logger: o.logger ?? capturingLogger().logger }),
      place: () => url,
    });
  });
}

/** Runs SQL (`?` placeholders) straight on the current test's database, beside the store (rows from elsewhere). */
export async function rawSql(suite: StoreSuite, sql: string, params: Array<string | number>): Promise<void> {
  if (suite.dialect === 'sqlite') {
    const raw = new DatabaseSync(join(suite.place(), SETTINGS_FILE));
    raw.prepare(sql).run(...params);
    raw.close();
    return;
  }
  const client = new pg.Client({ connectionString: suite.place() });
  await client.connect();
  await client.query(numberPlaceholders(sql), params);
  await client.end();
}
