import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GuildHandle, InteractionHandle } from '../standins/discord/index.js';
import { toneFor } from '../standins/speech/index.js';
import { describePostgres, scratchDatabase } from '../unit/settings/dialects.js';
import { useWorld, type World } from './world.js';

// Guild ids on a known shard of 2: Discord's shard is (id >> 22) % count, and 10^12 is even.
const SHARD0_GUILD = String(10n ** 12n << 22n);
const SHARD1_GUILD = String((10n ** 12n + 1n) << 22n);

const content = (h: InteractionHandle) => h.message()?.content ?? '';

describePostgres('sharded: two shard processes under discord.js ShardingManager share one PostgreSQL database', () => {
  let w: World;
  let other: GuildHandle;
  let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  // Filled in before the world starts the bot (hooks run in the order they are declared).
  const env: Record<string, string> = { DISCORD_DEV_GUILD_ID: '', SHARD_COUNT: 'auto', SHARDS: 'all', SHARDS_PER_PROCESS: '1' };
  beforeAll(async () => {
    database = await scratchDatabase();
    env.DATABASE_URL = database.url;
  }, 30_000);
  afterAll(() => database?.drop(), 30_000);
  useWorld(
    // The stand-in recommends 2 shards (SHARD_COUNT=auto asks it); max_concurrency 2 lets both identify at once.
    { env, guild: { id: SHARD0_GUILD }, discord: { recommendedShards: 2, maxConcurrency: 2 }, sharded: { shardCount: 2 } },
    (started) => {
      w = started;
      // Added while the bot runs: GUILD_CREATE goes to shard 1's session only.
      other = started.discord.addGuild({
        id: SHARD1_GUILD,
        name: 'Shard One Server',
        ownerUsername: 'dave',
        channels: [
          { name: 'general', type: 'text' },
          { name: 'Lounge', type: 'voice' },
        ],
        members: [{ username: 'alice' }, { username: 'dave' }],
      });
    },
  );
  const guildOnShard1 = (): GuildHandle => other;
  beforeAll(() => {
    expect([w.discord.shardOf(w.guild.id, 2), w.discord.shardOf(other.id, 2)]).toEqual([0, 1]);
  });

  const speakIn = (guild: GuildHandle, member: string, options: Record<string, string | number | boolean>) =>
    w.discord.interact({ guildId: guild.id, channelId: guild.channel('general').id, userId: guild.member(member).id, command: 'speak', options });

  async function voiceOfNextFile(guild: GuildHandle, member: string): Promise<string> {
    const text = `probe ${Math.random().toString(36).slice(2, 8)}`;
    const h = speakIn(guild, member, { text, output: 'file' });
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    const request = w.speech.requests.find((r) => (r.body as { input?: string } | null)?.input === text)!;
    return (request.body as { voice: string }).voice;
  }

  function processPid(manager: World['bot'], shardProcess: number): number {
    const lines = manager!.output.filter((l) => l.includes('shard process started')).map((l) => JSON.parse(l) as { process: number; pid: number });
    return lines.filter((l) => l.process === shardProcess).at(-1)!.pid;
  }

  it('each guild is served by its own shard process, /speak is heard in both', async () => {
    const b = guildOnShard1();
    expect(w.discord.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    for (const guild of [w.guild, b]) {
      w.discord.setVoiceState(guild.id, guild.member('alice').id, guild.channel('Lounge').id);
      const text = `Hello from shard ${w.discord.shardOf(guild.id, 2)}`;
      const h = speakIn(guild, 'alice', { text });
      await h.waitFor((x) => /Spoke in/.test(content(x)), 20_000);
      const session = w.voice.session(guild.id)!;
      await session.waitForQuiet(300);
      // The speech stand-in answers each text with its own tone: the text was heard in this guild's call.
      const heard = session.utterances().map((u) => u.frequency);
      expect(heard.some((f) => Math.abs(f - toneFor(text)) / toneFor(text) < 0.03)).toBe(true);
    }
    // Two processes, one per shard, each with its own pid.
    const started = w.bot!.output.filter((l) => l.includes('shard process started')).map((l) => JSON.parse(l) as { process: number; shards: number[]; pid: number });
    expect(started.map((l) => l.shards)).toEqual([[0], [1]]);
    expect(new Set(started.map((l) => l.pid)).size).toBe(2);
    // Each process ran its own gateway session: the op 4 of each guild came from the session of its shard.
    expect(w.discord.botVoiceOps.filter((o) => o.outcome === 'wrong-shard')).toEqual([]);
  }, 60_000);

  it('/voice set everywhere:true in a guild of shard 0 changes the voice of the next /speak in a guild of shard 1 within 1 s', async () => {
    const b = guildOnShard1();
    // Shard 1's process reads (and caches) alice's voice first.
    expect(await voiceOfNextFile(b, 'alice')).toBe('alloy');
    const set = w.discord.interact({
      guildId: w.guild.id,
      channelId: w.guild.channel('general').id,
      userId: w.guild.member('alice').id,
      command: 'voice',
      subcommand: 'set',
      options: { voice: 'nova', everywhere: true },
    });
    await set.waitFor((x) => /Saved for every server/.test(content(x)), 15_000);
    const savedAt = Date.now();
    // The other process must see it within 1 s of the reply: ask exactly then.
    await new Promise((r) => setTimeout(r, Math.max(0, savedAt + 1000 - Date.now())));
    expect(await voiceOfNextFile(b, 'alice')).toBe('nova');
  }, 60_000);

  it('a killed shard process: the other keeps speaking, the manager respawns the dead one and its guild answers again', async () => {
    const b = guildOnShard1();
    const manager = w.bot!;
    const pid = processPid(manager, 1);
    const startsBefore = manager.output.filter((l) => l.includes('shard process started')).length;
    process.kill(pid, 'SIGKILL');
    await manager.waitForLine(/shard process exited/, 10_000);
    // Shard 0's guild keeps speaking while shard 1 is down or coming back.
    const h = speakIn(w.guild, 'alice', { text: 'Shard zero still speaks' });
    await h.waitFor((x) => /Spoke in/.test(content(x)), 20_000);
    // The manager starts a new process for shard 1, which identifies again and serves its guild.
    await w.discord.waitUntil(
      () => (manager.output.filter((l) => l.includes('shard process started')).length > startsBefore ? true : undefined),
      20_000,
      'a respawned shard process',
    );
    expect(processPid(manager, 1)).not.toBe(pid);
    await w.discord.waitUntil(() => (w.discord.identifies.filter((i) => i.shard[0] === 1).length >= 2 && w.discord.readyShards(2).length === 2 ? true : undefined), 30_000, 'shard 1 ready again');
    expect(await voiceOfNextFile(b, 'alice')).toBe('nova');
  }, 90_000);

  it('a manager killed outright: its shard processes notice and shut down instead of running on unmanaged', async () => {
    const manager = w.bot!;
    const pids = [processPid(manager, 0), processPid(manager, 1)];
    manager.proc.kill('SIGKILL');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await w.discord.waitUntil(() => (pids.every((pid) => !alive(pid)) ? true : undefined), 20_000, 'both shard processes gone');
    expect(w.discord.readyShards(2)).toEqual([]);
  }, 30_000);
});
