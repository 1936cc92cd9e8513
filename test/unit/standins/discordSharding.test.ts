import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordStandin, type DiscordStandin } from '../../standins/discord/index.js';
import { identify, type RawGateway } from './rawGateway.js';

const GUILDS = 1;
const GUILD_VOICE_STATES = 128;
const GUILD_MESSAGES = 512;
const INTENTS = GUILDS | GUILD_VOICE_STATES | GUILD_MESSAGES;

/** A guild id on shard `k % count` for count 1, 2 or 4: Discord takes the shard from bits 22 and up (10^12 is a multiple of 4). */
const guildIdFor = (k: number) => String((10n ** 12n + BigInt(k)) << 22n);

async function getGatewayBot(discord: DiscordStandin): Promise<any> {
  const res = await fetch(`${discord.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } });
  return res.json();
}

function addGuilds(discord: DiscordStandin, keys: number[]): string[] {
  return keys.map((k) =>
    discord.addGuild({
      id: guildIdFor(k),
      name: `Guild ${k}`,
      ownerUsername: `owner${k}`,
      channels: [
        { name: 'general', type: 'text' },
        { name: 'Lounge', type: 'voice' },
      ],
      members: [{ username: `owner${k}` }, { username: `alice${k}` }],
    }).id,
  );
}

describe('Discord stand-in sharding', () => {
  const opened: Array<DiscordStandin | RawGateway> = [];
  const standin = async (options: Parameters<typeof startDiscordStandin>[0] = {}) => {
    const discord = await startDiscordStandin(options);
    opened.push(discord);
    return discord;
  };
  const connect = async (discord: DiscordStandin, shard?: [number, number]) => {
    const gw = await identify(discord, INTENTS, discord.token, shard);
    opened.push(gw);
    return gw;
  };
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      if ('socket' in o) o.socket.close(1000);
      else await o.close();
    }
  });

  it('the shard formula puts the test guilds where the test expects', async () => {
    const discord = await standin();
    const [a, b, c] = addGuilds(discord, [0, 1, 2]);
    expect([a, b, c].map((id) => discord.shardOf(id!, 2))).toEqual([0, 1, 0]);
    expect(discord.shardOf(a!, 1)).toBe(0);
  });

  it('GET /gateway/bot recommends one shard per 1,000 guilds and counts session starts', async () => {
    const discord = await standin({ maxConcurrency: 4, identifyWindowMs: 0 });
    addGuilds(discord, Array.from({ length: 1001 }, (_, i) => i));
    const before = await getGatewayBot(discord);
    expect(before.shards).toBe(2);
    expect(before.url).toBe(discord.gatewayUrl);
    expect(before.session_start_limit).toEqual({ total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 4 });
    const gw = await connect(discord, [0, 2]);
    await gw.next((p) => p.t === 'READY');
    const after = await getGatewayBot(discord);
    expect(after.session_start_limit.remaining).toBe(999);
    expect(after.session_start_limit.reset_after).toBeLessThanOrEqual(86_400_000);
    const fixed = await standin({ recommendedShards: 6 });
    expect((await getGatewayBot(fixed)).shards).toBe(6);
  });

  it('each session gets READY and GUILD_CREATE for its shard only, and each guild event only on its shard', async () => {
    const discord = await standin({ maxConcurrency: 2 });
    const [g0, g1, g2] = addGuilds(discord, [10, 11, 12]);
    const s0 = await connect(discord, [0, 2]);
    const s1 = await connect(discord, [1, 2]);
    const ready0 = await s0.next((p) => p.t === 'READY');
    const ready1 = await s1.next((p) => p.t === 'READY');
    expect(ready0.d.shard).toEqual([0, 2]);
    expect(ready0.d.guilds.map((g: any) => g.id)).toEqual([g0, g2]);
    expect(ready1.d.guilds.map((g: any) => g.id)).toEqual([g1]);
    await discord.waitForShards(2);
    expect(discord.readyShards(2)).toEqual([0, 1]);
    expect(s0.dispatches('GUILD_CREATE').map((g) => g.id)).toEqual([g0, g2]);
    expect(s1.dispatches('GUILD_CREATE').map((g) => g.id)).toEqual([g1]);

    // A guild added later goes to its shard only.
    const [g3] = addGuilds(discord, [13]);
    await s1.next((p) => p.t === 'GUILD_CREATE' && p.d.id === g3);

    // Messages, voice states and interactions: only the owning shard hears them.
    const general1 = discord.guild(g1!).channel('general').id;
    discord.postMessage({ channelId: general1, authorId: 'alice11', content: 'hello shard one' });
    discord.setVoiceState(g0!, 'alice10', 'Lounge');
    await s1.next((p) => p.t === 'MESSAGE_CREATE');
    await s0.next((p) => p.t === 'VOICE_STATE_UPDATE');
    expect(s0.dispatches('MESSAGE_CREATE')).toEqual([]);
    expect(s1.dispatches('VOICE_STATE_UPDATE')).toEqual([]);
    expect(s0.dispatches('GUILD_CREATE').map((g) => g.id)).not.toContain(g3);

    // op 4 for a guild of another shard is ignored, as Discord does.
    s1.send(4, { guild_id: g0, channel_id: discord.guild(g0!).channel('Lounge').id, self_mute: false, self_deaf: false });
    await discord.waitUntil(() => discord.botVoiceOps.find((o) => o.guildId === g0));
    expect(discord.botVoiceOps.at(-1)!.outcome).toBe('wrong-shard');
    s0.send(4, { guild_id: g0, channel_id: discord.guild(g0!).channel('Lounge').id, self_mute: false, self_deaf: false });
    await s0.next((p) => p.t === 'VOICE_SERVER_UPDATE');
    expect(s1.dispatches('VOICE_SERVER_UPDATE')).toEqual([]);
  });

  it('an unsharded session (no shard field) is shard [0, 1] and gets every guild', async () => {
    const discord = await standin();
    const ids = addGuilds(discord, [20, 21, 22]);
    const gw = await connect(discord);
    const ready = await gw.next((p) => p.t === 'READY');
    expect(ready.d.shard).toEqual([0, 1]);
    expect(ready.d.guilds.map((g: any) => g.id)).toEqual(ids);
  });

  it('closes with 4010 for an invalid shard and 4011 when a session would hold more than 2,500 guilds', async () => {
    const discord = await standin({ identifyWindowMs: 0 });
    for (const shard of [[2, 2], [-1, 2], [0, 0], [0.5, 2]] as Array<[number, number]>) {
      expect(await (await connect(discord, shard)).closed()).toBe(4010);
    }
    addGuilds(discord, Array.from({ length: 2501 }, (_, i) => i));
    expect(await (await connect(discord, [0, 1])).closed()).toBe(4011);
    // Two shards hold 1,251 and 1,250: allowed.
    const half = await connect(discord, [0, 2]);
    await half.next((p) => p.t === 'READY');
  });

  it('max_concurrency: within 5 s only shards of different rate-limit keys (id % max_concurrency) may identify', async () => {
    const discord = await standin({ maxConcurrency: 2 });
    addGuilds(discord, [30, 31, 32, 33]);
    const s0 = await connect(discord, [0, 4]);
    const s1 = await connect(discord, [1, 4]);
    await s0.next((p) => p.t === 'READY');
    await s1.next((p) => p.t === 'READY');
    // Shard 2 shares key 0 with shard 0, which identified less than 5 s ago: op 9, not resumable.
    const s2 = await connect(discord, [2, 4]);
    const invalid = await s2.next((p) => p.op === 9);
    expect(invalid.d).toBe(false);
    expect(s2.dispatches('READY')).toEqual([]);
    expect(discord.identifyRateLimited).toEqual([expect.objectContaining({ shard: [2, 4], key: 0 })]);
  });

  it('max_concurrency: the same key may identify again once 5 s have passed', async () => {
    const discord = await standin({ maxConcurrency: 1, identifyWindowMs: 300 });
    addGuilds(discord, [40, 41]);
    const s0 = await connect(discord, [0, 2]);
    await s0.next((p) => p.t === 'READY');
    const tooSoon = await connect(discord, [1, 2]);
    await tooSoon.next((p) => p.op === 9);
    await new Promise((r) => setTimeout(r, 350));
    const later = await connect(discord, [1, 2]);
    await later.next((p) => p.t === 'READY');
    expect(discord.readyShards(2)).toEqual([0, 1]);
  });
});
