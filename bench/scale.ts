/**
 * Scale (npm run bench -- scale): 10,000 servers on the Discord stand-in, 4 shards in 2 processes under the real
 * `npm run start:sharded` (discord.js ShardingManager), one PostgreSQL database. Figures: time until every shard is
 * ready, memory per 1,000 servers, settings statements per read message once warm, and the time from a write in one
 * process to its effect in the other. BENCH_SCALE_GUILDS changes the number of servers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, type ProcessHandle } from '../test/e2e/botProcess.js';
import { createScratchDatabase } from '../test/unit/settings/scratchDatabase.js';
import { startDiscordStandin, type DiscordStandin, type GuildHandle, type InteractionHandle } from '../test/standins/discord/index.js';
import { startSpeechStandin } from '../test/standins/speech/index.js';
import { startVoiceStandin } from '../test/standins/voice/index.js';
import { progress, sleep, standinEnv } from './botUnderTest.js';
import { rssMiB } from './procStats.js';
import { pct, type BenchRow } from './table.js';

const BENCH = 'scale';
const SHARDS = 4;
const PER_PROCESS = 2;
const READING_GUILDS_PER_SHARD = 2;
const MESSAGES_PER_GUILD = 25;
const WRITES = 40;

const content = (h: InteractionHandle) => h.message()?.content ?? '';

/** A database of its own on the test server, dropped afterwards. */
function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  return createScratchDatabase(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'speechbot_bench');
}

/** One counter of a process's /metrics, summed over the label values given (all when none). */
async function metric(port: number, name: string, labels?: string[]): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !labels.some((l) => line.includes(l))) continue;
    sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/** Guild ids spread evenly over the shards: the shard is (id >> 22) % count, so consecutive values of the high bits. */
function guildIds(count: number): string[] {
  const base = BigInt(Date.now() - 1_420_070_400_000) * 4n;
  return Array.from({ length: count }, (_, k) => String((base + BigInt(k)) << 22n));
}

/** The scale benchmark. */
export async function benchScale(): Promise<BenchRow[]> {
  const guildCount = Number(process.env.BENCH_SCALE_GUILDS ?? 10_000);
  const rows: BenchRow[] = [];
  const database = await scratchDatabase();
  const speech = await startSpeechStandin({});
  const voice = await startVoiceStandin({});
  const discord: DiscordStandin = await startDiscordStandin({
    maxConcurrency: 1,
    voiceEndpoint: (grant) => {
      voice.grant(grant);
      return voice.endpoint;
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'speech-bot-scale-'));
  let manager: ProcessHandle | undefined;
  try {
    progress(BENCH, `adding ${guildCount} servers`);
    const guilds: GuildHandle[] = guildIds(guildCount).map((id, k) =>
      discord.addGuild({
        id,
        name: `Scale ${k}`,
        ownerUsername: 'dave',
        channels: [
          { name: 'general', type: 'text' },
          { name: 'chat', type: 'text' },
          { name: 'Lounge', type: 'voice' },
        ],
        members: [{ username: 'alice' }, { username: 'bob' }, { username: 'dave' }],
      }),
    );
    const httpBase = 20_000 + Math.floor(Math.random() * 20_000);
    const env: Record<string, string> = {
      ...standinEnv({ discord, speech, voice, dataDir }),
      DATABASE_URL: database.url,
      READING_ENABLED: 'on',
      SHARD_COUNT: String(SHARDS),
      SHARDS: 'all',
      SHARDS_PER_PROCESS: String(PER_PROCESS),
      HTTP_PORT: String(httpBase),
    };
    const deploy = runScript('scripts/deploy-commands.ts', env);
    if ((await deploy.exited) !== 0) throw new Error(`deploy-commands failed:\n${deploy.output.join('\n')}`);

    progress(BENCH, `starting ${SHARDS} shards in ${SHARDS / PER_PROCESS} processes`);
    const t0 = performance.now();
    manager = runScript('scripts/start-sharded.ts', env);
    await discord.waitForShards(SHARDS, 300_000);
    const readyMs = performance.now() - t0;
    await manager.waitForLine(/every shard process is ready/, 60_000);
    const perShard = Array.from({ length: SHARDS }, (_, s) => guilds.filter((g) => discord.shardOf(g.id, SHARDS) === s).length);
    rows.push({
      bench: BENCH,
      metric: `time until all ${SHARDS} shards are ready (${guildCount} servers, 2 processes)`,
      value: `${(readyMs / 1000).toFixed(1)} s`,
      note: `max_concurrency 1: Discord allows one identify per 5 s, so 4 shards need ≥ 15 s; servers per shard ${perShard.join('/')}; identifies refused for pace: ${discord.identifyRateLimited.length}`,
    });

    const started = manager.output.filter((l) => l.includes('shard process started')).map((l) => JSON.parse(l) as { process: number; shards: number[]; pid: number });
    await sleep(3_000);
    const rss = started.map((s) => ({ shards: s.shards, mib: rssMiB(s.pid) }));
    const total = rss.reduce((a, r) => a + r.mib, 0);
    rows.push({
      bench: BENCH,
      metric: 'RSS per 1,000 servers (all shard processes / thousands of servers)',
      value: `${(total / (guildCount / 1000)).toFixed(1)} MiB`,
      note: `per process: ${rss.map((r) => `shards ${r.shards.join(',')} ${r.mib.toFixed(0)} MiB`).join('; ')} (includes each process's Node + libraries)`,
    });

    // Reading: in two guilds per shard, a channel is read aloud and the bot is in voice with alice.
    const portOf = (shard: number) => httpBase + Math.floor(shard / PER_PROCESS) * PER_PROCESS;
    const reading = Array.from({ length: SHARDS }, (_, s) => guilds.filter((g) => discord.shardOf(g.id, SHARDS) === s).slice(0, READING_GUILDS_PER_SHARD)).flat();
    progress(BENCH, `reading set up in ${reading.length} servers`);
    const command = (g: GuildHandle, member: string, name: string, options: Record<string, string | number | boolean> = {}, subcommand?: string) =>
      discord.interact({ guildId: g.id, channelId: g.channel('general').id, userId: g.member(member).id, command: name, options, ...(subcommand ? { subcommand } : {}) });
    for (const g of reading) {
      const enable = command(g, 'dave', 'read', { channel: g.channel('chat').id }, 'enable');
      await enable.waitFor((h) => content(h).length > 0, 20_000);
      discord.setVoiceState(g.id, g.member('alice').id, g.channel('Lounge').id);
      const join = command(g, 'alice', 'join');
      await join.waitFor((h) => content(h).length > 0, 20_000);
      await discord.waitForBotVoice(g.id, g.channel('Lounge').id, 20_000);
    }
    const ports = [...new Set(Array.from({ length: SHARDS }, (_, s) => portOf(s)))];
    const sum = async (name: string, labels?: string[]) => (await Promise.all(ports.map((p) => metric(p, name, labels)))).reduce((a, b) => a + b, 0);
    const considered = () => sum('speechbot_reads_total');
    const post = async (n: number, tag: string) => {
      const before = await considered();
      for (let i = 0; i < n; i++) {
        for (const g of reading) discord.postMessage({ guildId: g.id, channelId: 'chat', authorId: 'alice', content: `${tag} message ${i} here` });
      }
      const want = before + n * reading.length;
      const deadline = Date.now() + 120_000;
      while ((await considered()) < want) {
        if (Date.now() > deadline) throw new Error(`only ${(await considered()) - before} of ${n * reading.length} messages were considered`);
        await sleep(100);
      }
    };
    await post(2, 'warm');
    const sql0 = await sum('speechbot_settings_reads_total', ['source="sql"']);
    const usage0 = await sum('speechbot_settings_reads_total', ['source="usage_sql"']);
    const cache0 = await sum('speechbot_settings_reads_total', ['source="cache"']);
    await post(MESSAGES_PER_GUILD, 'measured');
    const messages = MESSAGES_PER_GUILD * reading.length;
    const sql = (await sum('speechbot_settings_reads_total', ['source="sql"'])) - sql0;
    const usageSql = (await sum('speechbot_settings_reads_total', ['source="usage_sql"'])) - usage0;
    const cached = (await sum('speechbot_settings_reads_total', ['source="cache"'])) - cache0;
    rows.push({
      bench: BENCH,
      metric: 'settings SQL statements per read message once warm (PostgreSQL)',
      value: (sql / messages).toFixed(3),
      target: '0',
      note: `${sql} statements, ${cached} cached reads for ${messages} messages in ${reading.length} servers on ${SHARDS} shards; usage counters (budgets) ${(usageSql / messages).toFixed(2)} statements/message`,
    });

    // Write in one process, visible in the other: bob's voice everywhere, set in a guild of shard 0, shown in one of shard 2.
    const writer = guilds.find((g) => discord.shardOf(g.id, SHARDS) === 0)!;
    const reader = guilds.find((g) => discord.shardOf(g.id, SHARDS) === 2)!;
    progress(BENCH, `${WRITES} writes in process 0, watched from process 1`);
    const delays: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const voiceName = i % 2 === 0 ? 'nova' : 'echo';
      const set = command(writer, 'bob', 'voice', { voice: voiceName, everywhere: true }, 'set');
      await set.waitFor((h) => /Saved for every server/.test(content(h)), 20_000);
      const savedAt = performance.now();
      const seenAt = await pollUntilAsync(async () => {
        const show = command(reader, 'bob', 'voice', {}, 'show');
        await show.waitFor((h) => content(h).length > 0, 20_000);
        return content(show).includes(voiceName) ? performance.now() : undefined;
      }, 10_000);
      delays.push(Math.max(0, seenAt - savedAt));
    }
    rows.push({
      bench: BENCH,
      metric: 'write in one process → seen by the other (p50 / p99)',
      value: `${pct(delays, 50).toFixed(1)} / ${pct(delays, 99).toFixed(1)} ms`,
      target: '< 1000 ms',
      note: `${WRITES} /voice set everywhere in process 0, /voice show polled back-to-back in process 1 (from the writer's reply to the answer of the first poll that showed it: an upper bound, poll round trip included)`,
    });
    return rows;
  } finally {
    await manager?.stop();
    await discord.close();
    await voice.close();
    await speech.close();
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

/** Asks `check` again as soon as it answers, until it returns a value other than undefined. */
async function pollUntilAsync<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
  }
}
