import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SettingsOpenError } from '../../../src/settings/database.js';
import { MIGRATIONS } from '../../../src/settings/migrations.js';
import { PG_MIGRATIONS } from '../../../src/settings/postgres/migrations.js';
import { describeUrl, openPostgresSettings } from '../../../src/settings/postgres/pgStore.js';
import { numberPlaceholders } from '../../../src/settings/postgres/syncPgConnection.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { describePostgres, scratchDatabase } from './dialects.js';
import { runTogether } from './startTogether.js';
import { TTS, capturingLogger } from './fixtures.js';

describe('PostgreSQL dialect without a server', () => {
  it('has every schema version of the SQLite dialect, same numbers and descriptions', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.description])).toEqual(MIGRATIONS.map((m) => [m.version, m.description]));
  });

  it('numbers placeholders and names the server without user or password', () => {
    expect(numberPlaceholders('SELECT ? , ?, ?')).toBe('SELECT $1 , $2, $3');
    expect(describeUrl('postgres://bot:hunter2@db.example:5433/speech?sslmode=require')).toBe('postgres://db.example:5433/speech');
  });

  it('a server that is not there: a SettingsOpenError naming it, never the password', () => {
    const open = () =>
      openPostgresSettings({ url: 'postgres://bot:hunter2@127.0.0.1:1/nowhere', tts: TTS, logger: capturingLogger().logger, connectTimeoutMs: 1_000 });
    expect(open).toThrow(SettingsOpenError);
    try {
      open();
    } catch (err) {
      expect((err as Error).message).toMatch(/^Settings database postgres:\/\/127\.0\.0\.1:1\/nowhere cannot be used: .*DATABASE_URL/);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describePostgres('PostgreSQL store against a real server', () => {
  let database: Awaited<ReturnType<typeof scratchDatabase>>;
  let store: SettingsStore | undefined;
  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
  const open = (statementTimeoutMs?: number) =>
    openPostgresSettings({ url: database.url, tts: TTS, logger: capturingLogger().logger, ...(statementTimeoutMs ? { statementTimeoutMs } : {}) });

  beforeAll(async () => {
    database = await scratchDatabase();
  }, 30_000);
  afterEach(() => store?.close());
  afterAll(() => database?.drop(), 30_000);

  it('records each migration once, also when a second process opens the same database', () => {
    store = open();
    const second = open();
    second.close();
    return admin('SELECT version FROM schema_migrations ORDER BY version').then((rows) => {
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    });
  });

  it('refuses a database whose schema is newer than it knows, changing nothing', async () => {
    store = open();
    store.close();
    await admin("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)");
    try {
      expect(() => open()).toThrow(/has schema version 99, newer than this bot knows \(4\)/);
    } finally {
      await admin('DELETE FROM schema_migrations WHERE version = 99');
    }
  });

  it('keeps working after the server closed every connection it had (pg_terminate_backend)', async () => {
    store = open();
    store.setGuild('1', 'voice', 'nova');
    const killed = await admin(
      "SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'speech-bot'",
    );
    expect(killed.length).toBeGreaterThan(0);
    // Give the pool a moment to see its idle connections close.
    await new Promise((resolve) => setTimeout(resolve, 200));
    store.setGuild('1', 'speed', '2');
    expect(store.usage.reserve({ guildId: '1', memberId: '2', model: 'tts-1', chars: 5, guildDay: '2026-12-07', month: '2026-12', botDay: '2026-12-07' }, { guild: 10, bot: 0 })).toEqual({ ok: true });
    store.close();
    store = open();
    expect(store.guild('1').voice).toBe('nova');
    expect(store.guild('1').speed).toBe(2);
    expect(store.usage.botDay('2026-12-07')).toBe(5);
  });

  it('two processes taking and giving back a whole budget never hold more than it at once', async () => {
    open().close(); // migrated before the processes start
    const [a, b] = await runTogether<{ held: number; highest: number }>(
      join(import.meta.dirname, 'holdingReserver.ts'),
      [database.url, '200000000000000001', '150'],
      [database.url, '200000000000000002', '150'],
    );
    // Each got the budget some of the time (they contended), and never did the committed total pass it.
    expect(a.held).toBeGreaterThan(0);
    expect(b.held).toBeGreaterThan(0);
    expect(a.held + b.held).toBeLessThan(300);
    expect(Math.max(a.highest, b.highest)).toBe(1000);
  }, 90_000);

  it('a statement the server holds too long fails with a timeout instead of hanging the bot', async () => {
    store = open(300);
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE guild_settings IN ACCESS EXCLUSIVE MODE');
    try {
      expect(() => store!.setGuild('1', 'voice', 'echo')).toThrow(/statement timeout/);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(store.setGuild('1', 'voice', 'echo').voice).toBe('echo');
  });
});
