import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CopyRefusedError, copySqliteToPostgres } from '../../../src/settings/postgres/copyFromSqlite.js';
import { openPostgresSettings } from '../../../src/settings/postgres/pgStore.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import { describePostgres, scratchDatabase } from './dialects.js';
import { TTS, capturingLogger, tempDataDir } from './fixtures.js';

const G1 = '100000000000000001';
const U1 = '200000000000000001';
const logger = capturingLogger().logger;

/** Fills a SQLite store with one of everything it keeps. */
function fill(dataDir: string): void {
  const s = openSqliteSettings({ dataDir, tts: TTS, logger });
  s.setGuild(G1, 'voice', 'nova');
  s.setMember({ guildId: G1 }, U1, { voice: 'echo', spokenName: 'Ally' });
  s.setMember('global', U1, { speed: 1.5 });
  s.readingChannels.bind(G1, '300');
  s.readingChannels.noticePosted('300');
  s.dictionary.import(G1, Array.from({ length: 499 }, (_, i) => ({ word: `word${i}`, reading: `reading ${i}` })), false);
  const spec = { kind: 'daily', time: '09:00', timeZone: 'UTC' } as never;
  s.schedules.add({ guildId: G1, channelId: '400', replyChannelId: '300', text: 'Stand-up', voice: null, spec, createdBy: U1, createdAt: 1_000 });
  s.schedules.add({ guildId: G1, channelId: '400', replyChannelId: '300', text: 'Lunch', voice: 'echo', spec, createdBy: U1, createdAt: 2_000 });
  s.usage.reserve({ guildId: G1, memberId: U1, model: 'tts-1', chars: 42, guildDay: '2026-12-07', month: '2026-12', botDay: '2026-12-07' }, { guild: 0, bot: 0 });
  s.usage.addSaved(G1, '2026-12-07', 'tts-1', 8);
  s.close();
}

describePostgres('moving an existing SQLite file into PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof scratchDatabase>>;
  let temp: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    database = await scratchDatabase();
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);
  beforeEach(async () => {
    temp = await tempDataDir();
  });
  afterEach(() => temp.cleanup());

  it('copies every table; the PostgreSQL store then answers as the SQLite one did; a second copy is refused', async () => {
    fill(temp.dir);
    const copied = await copySqliteToPostgres({ dataDir: temp.dir, url: database.url, logger });
    expect(copied).toEqual({
      guild_settings: 1,
      member_settings: 3,
      reading_channels: 1,
      notices_posted: 1,
      dictionary: 499,
      scheduled_announcements: 2,
      usage_guild_daily: 1,
      usage_member_monthly: 1,
      usage_bot_daily: 1,
    });
    const before = openSqliteSettings({ dataDir: temp.dir, tts: TTS, logger });
    const after = openPostgresSettings({ url: database.url, tts: TTS, logger });
    try {
      expect(after.guild(G1)).toEqual(before.guild(G1));
      expect(after.member(G1, U1)).toEqual(before.member(G1, U1));
      expect(after.exportMember(U1)).toEqual(before.exportMember(U1));
      expect([...after.readingChannels.channels(G1)]).toEqual(['300']);
      expect(after.readingChannels.bind(G1, '301').firstNotice).toBe(true);
      expect(after.readingChannels.bind(G1, '300')).toEqual({ added: false, firstNotice: false });
      expect(after.dictionary.entries(G1)).toEqual(before.dictionary.entries(G1));
      expect(after.schedules.all()).toEqual(before.schedules.all());
      expect(after.usage.guildDay(G1, '2026-12-07')).toEqual([{ model: 'tts-1', chars: 42, saved: 8 }]);
      // New schedules number on from the copied ones.
      const next = after.schedules.add({ ...before.schedules.all()[0]!, text: 'New' });
      expect(next.id).toBe(Math.max(...before.schedules.all().map((s) => s.id)) + 1);
    } finally {
      before.close();
      after.close();
    }
    await expect(copySqliteToPostgres({ dataDir: temp.dir, url: database.url, logger })).rejects.toThrow(CopyRefusedError);
  });

  it('npm run migrate-to-postgres: refuses a missing file, names what it copied, never prints the password', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        let out = '';
        const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', join(import.meta.dirname, '../../../scripts/migrate-to-postgres.ts')], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => resolve({ code, out }));
      });
    const fresh = await scratchDatabase();
    try {
      const url = new URL(fresh.url);
      url.password = 'not-needed-with-trust';
      const missing = await run({ DATA_DIR: join(temp.dir, 'nothing-here'), DATABASE_URL: url.toString() });
      expect(missing.code).toBe(1);
      expect(missing.out).toMatch(/^Nothing was copied: There is no .*settings\.sqlite to copy/);
      fill(temp.dir);
      const ok = await run({ DATA_DIR: temp.dir, DATABASE_URL: url.toString() });
      expect(ok.out).toMatch(/Copied 510 rows from .* into postgres:\/\/127\.0\.0\.1:5432\/speechbot_test_/);
      expect(ok.code).toBe(0);
      expect(ok.out + missing.out).not.toContain('not-needed-with-trust');
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});
