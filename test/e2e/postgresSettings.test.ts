import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, scratchDatabase } from '../unit/settings/dialects.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';

describePostgres('settings in PostgreSQL (DATABASE_URL) survive a restart', () => {
  let w: World;
  let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  // Filled in before the world starts the bot (hooks run in the order they are declared).
  const env: Record<string, string> = {};
  beforeAll(async () => {
    database = await scratchDatabase();
    env.DATABASE_URL = database.url;
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);
  useWorld({ env }, (started) => {
    w = started;
  });

  async function run(member: MemberName, command: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0 || x.followups().length > 0, 15_000);
    return content(h) || h.followups()[0]!.content;
  }

  async function heard(member: MemberName) {
    const text = `Postgres probe ${Math.random().toString(36).slice(2, 8)}`;
    const h = w.speak(member, { text, output: 'file' });
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    const request = w.speech.requests.find((r) => (r.body as { input?: string } | null)?.input === text)!;
    const body = request.body as { voice: string; speed: number };
    return { voice: body.voice, speed: body.speed };
  }

  it('/settings and /voice written through the bot are in the database and read back after a restart', async () => {
    expect(await run('dave', 'settings', 'set', { key: 'voice', value: 'nova' })).toMatch(/voice is now \*\*nova\*\*/);
    expect(await run('dave', 'settings', 'set', { key: 'speed', value: '1.25' })).toMatch(/speed is now \*\*1.25\*\*/);
    expect(await run('alice', 'voice', 'set', { voice: 'echo' })).toMatch(/Saved for this server/);
    expect(await run('bob', 'voice', 'set', { speed: 2, everywhere: true })).toMatch(/Saved for every server/);
    expect(await heard('alice')).toEqual({ voice: 'echo', speed: 1.25 });

    // Stored in PostgreSQL, not in a SQLite file under DATA_DIR.
    expect(existsSync(join(w.dataDir, 'settings.sqlite'))).toBe(false);
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const rows = (await client.query('SELECT key, value FROM guild_settings ORDER BY key')).rows;
    await client.end();
    expect(rows).toEqual([
      { key: 'speed', value: '1.25' },
      { key: 'voice', value: '"nova"' },
    ]);

    await w.restartBot();
    const view = await run('dave', 'settings', 'view');
    expect(view).toMatch(/voice: \*\*nova\*\*/);
    expect(view).toMatch(/speed: \*\*1.25\*\*/);
    expect(await run('alice', 'voice', 'show')).toMatch(/Here: voice: echo/);
    expect(await heard('bob')).toEqual({ voice: 'nova', speed: 2 });
    expect(await heard('alice')).toEqual({ voice: 'echo', speed: 1.25 });
  }, 120_000);
});
