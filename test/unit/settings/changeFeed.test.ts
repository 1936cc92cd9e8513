import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresSettings, type PostgresSettingsStore } from '../../../src/settings/postgres/pgStore.js';
import { describePostgres, scratchDatabase } from './dialects.js';
import { TTS, capturingLogger } from './fixtures.js';

const G1 = '100000000000000001';
const U1 = '200000000000000001';

describePostgres('PostgreSQL change feed: what one process writes, the others see', () => {
  let database: Awaited<ReturnType<typeof scratchDatabase>>;
  let a: PostgresSettingsStore;
  let b: PostgresSettingsStore;
  let schema = 0;
  let url = '';
  const sql = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await scratchDatabase();
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);
  beforeEach(async () => {
    url = database.url;
    await sql(`CREATE SCHEMA f${++schema}`);
    const u = new URL(database.url);
    u.searchParams.set('options', `-c search_path=f${schema}`);
    url = u.toString();
    // Two stores on one database, as two bot processes would have.
    a = openPostgresSettings({ url, tts: TTS, logger: capturingLogger().logger });
    b = openPostgresSettings({ url, tts: TTS, logger: capturingLogger().logger });
    await Promise.all([a.feed!.ready(), b.feed!.ready()]);
  });
  afterEach(() => {
    a.close();
    b.close();
  });

  it('guild settings, member settings, dictionaries and reading channels cached in one are dropped when the other writes', async () => {
    expect(a.guild(G1).voice).toBeNull();
    expect(a.member(G1, U1).global.voice).toBeNull();
    expect(a.dictionary.entries(G1)).toEqual([]);
    const dictionaryVersion = a.dictionary.version(G1);
    expect(a.readingChannels.channels(G1).size).toBe(0);

    b.setGuild(G1, 'voice', 'nova');
    b.setMember('global', U1, { voice: 'echo' });
    b.dictionary.set(G1, 'gif', 'jif');
    b.readingChannels.bind(G1, '300');

    await expect.poll(() => a.guild(G1).voice, { timeout: 10_000 }).toBe('nova');
    await expect.poll(() => a.member(G1, U1).global.voice, { timeout: 10_000 }).toBe('echo');
    await expect.poll(() => a.dictionary.entries(G1), { timeout: 10_000 }).toEqual([{ word: 'gif', reading: 'jif' }]);
    expect(a.dictionary.version(G1)).toBeGreaterThan(dictionaryVersion);
    await expect.poll(() => [...a.readingChannels.channels(G1)], { timeout: 10_000 }).toEqual(['300']);

    b.deleteMember(U1);
    await expect.poll(() => a.member(G1, U1).global.voice, { timeout: 10_000 }).toBeNull();
  });

  it('without a write from elsewhere the cache answers alone (no SQL per read)', async () => {
    a.guild(G1);
    const before = a.stats().queries;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 100; i++) a.guild(G1);
    expect(a.stats().queries).toBe(before);
  });

  it('when the listener loses its connection, every cache is dropped on reconnect (missed notifications)', async () => {
    expect(a.guild(G1).speed).toBeNull();
    // A change that sends no notification, as one missed while the listener was away.
    await sql("INSERT INTO guild_settings VALUES ($1, 'speed', '2', 0)", [G1]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.guild(G1).speed).toBeNull();
    const killed = await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'speech-bot-feed' AND datname = current_database()");
    expect(killed.length).toBeGreaterThan(0);
    await expect.poll(() => a.guild(G1).speed, { timeout: 15_000 }).toBe(2);
  }, 30_000);
});
