import { describe, expect, it } from 'vitest';
import { ownsGuild, shardAssignmentFrom } from '../../../src/sharding/assignment.js';
import { loadManagerConfig } from '../../../src/sharding/managerConfig.js';
import { groupShards, parseShardList, shardOfGuild, spawnDelayMs } from '../../../src/sharding/shardMath.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { planShards } from '../../../src/sharding/manager.js';
import { startDiscordStandin } from '../../standins/discord/index.js';

const DISCORD = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '100000000000000000' };

describe('shard math', () => {
  it("takes a guild's shard from the bits above 22, as Discord documents", () => {
    expect(shardOfGuild(String(7n << 22n), 4)).toBe(3);
    expect(shardOfGuild(String((7n << 22n) + 4_194_303n), 4)).toBe(3);
    expect(shardOfGuild('41771983423143937', 1)).toBe(0);
  });

  it('parses SHARDS lists and ranges, and says what is wrong', () => {
    expect(parseShardList('all', 3)).toEqual([0, 1, 2]);
    expect(parseShardList('', 2)).toEqual([0, 1]);
    expect(parseShardList('0-3', 8)).toEqual([0, 1, 2, 3]);
    expect(parseShardList('6, 0-1, 1', 8)).toEqual([0, 1, 6]);
    expect(parseShardList('4', 4)).toMatch(/shard 4 does not exist: with 4 shard\(s\) the ids are 0-3/);
    expect(parseShardList('3-1', 4)).toMatch(/backwards/);
    expect(parseShardList('a', 4)).toMatch(/must be "all" or shard ids/);
  });

  it('groups shards into processes in order', () => {
    expect(groupShards([0, 1, 2, 3], 1)).toEqual([[0], [1], [2], [3]]);
    expect(groupShards([0, 1, 2, 3, 4], 2)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('spaces process starts only when two shards here share an identify rate-limit key', () => {
    expect(spawnDelayMs([[0], [1]], 2)).toBe(0);
    expect(spawnDelayMs([[0], [1]], 1)).toBe(5500);
    // max_concurrency 1, two shards per process: each process needs two 5 s rounds.
    expect(spawnDelayMs([[0, 1], [2, 3]], 1)).toBe(11_000);
    expect(spawnDelayMs([[0, 1], [2, 3]], 4)).toBe(0);
    expect(spawnDelayMs([[0, 1], [2, 3]], 2)).toBe(5500);
  });
});

describe('the shard assignment a bot process gets', () => {
  it('is read from the ShardingManager variables only under the manager', () => {
    expect(shardAssignmentFrom({ SHARDS: '0-3', SHARD_COUNT: 'auto' })).toBeUndefined();
    expect(shardAssignmentFrom({ SHARDING_MANAGER: 'true', SHARDS: '[2,3]', SHARD_COUNT: '4' })).toEqual({ ids: [2, 3], count: 4 });
    expect(shardAssignmentFrom({ SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2' })).toEqual({ ids: [1], count: 2 });
    expect(shardAssignmentFrom({ SHARDING_MANAGER: 'true', SHARDS: '[4]', SHARD_COUNT: '4' })).toMatch(/do not fit together/);
    expect(shardAssignmentFrom({ SHARDING_MANAGER: 'true', SHARDS: '0-3', SHARD_COUNT: '4' })).toMatch(/JSON list/);
  });

  it('in the bot config: the shards to run, and the ops port moved by the first shard id', () => {
    const env = { ...DISCORD, TTS_API_KEY: 'k', HTTP_PORT: '9100' };
    const plain = loadConfig({ ...env, SHARDS: '0-3', SHARD_COUNT: '4' });
    expect(plain.sharding).toBeUndefined();
    expect(plain.http.port).toBe(9100);
    const child = loadConfig({ ...env, SHARDING_MANAGER: 'true', SHARDS: '[2,3]', SHARD_COUNT: '4' });
    expect(child.sharding).toEqual({ ids: [2, 3], count: 4 });
    expect(child.http.port).toBe(9102);
    expect(loadConfig({ ...env, HTTP_PORT: '0', SHARDING_MANAGER: 'true', SHARDS: '[1]', SHARD_COUNT: '2' }).http.port).toBe(0);
    expect(() => loadConfig({ ...env, SHARDING_MANAGER: 'true', SHARDS: '[5]', SHARD_COUNT: '2' })).toThrow(/do not fit together/);
  });

  it('owns only the guilds of its shards (unsharded: all)', () => {
    const g3 = String(3n << 22n);
    expect(ownsGuild(undefined, g3)).toBe(true);
    expect(ownsGuild({ ids: [2, 3], count: 4 }, g3)).toBe(true);
    expect(ownsGuild({ ids: [0, 1], count: 4 }, g3)).toBe(false);
  });
});

describe('the shard plan', () => {
  it("takes Discord's recommendation for auto, and refuses several processes on SQLite", async () => {
    const discord = await startDiscordStandin({ recommendedShards: 4, maxConcurrency: 1 });
    try {
      const env = { DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_API_URL: discord.apiBase };
      const shared = { ...env, DATABASE_URL: 'postgres://db/x' };
      expect(await planShards(loadManagerConfig({ ...shared, SHARDS_PER_PROCESS: '2' }))).toEqual({
        shardCount: 4,
        processes: [
          [0, 1],
          [2, 3],
        ],
        maxConcurrency: 1,
        spawnDelayMs: 11_000,
      });
      expect(await planShards(loadManagerConfig({ ...shared, SHARD_COUNT: '6', SHARDS: '3-5' }))).toMatchObject({ shardCount: 6, processes: [[3], [4], [5]] });
      await expect(planShards(loadManagerConfig(env))).rejects.toThrow(/4 bot processes would each open their own SQLite settings: set DATABASE_URL/);
      expect(await planShards(loadManagerConfig({ ...env, SHARDS_PER_PROCESS: '4' }))).toMatchObject({ processes: [[0, 1, 2, 3]] });
      await expect(planShards(loadManagerConfig({ ...shared, SHARDS: '0-9' }))).rejects.toThrow(/SHARDS: shard 9 does not exist/);
    } finally {
      await discord.close();
    }
  });
});

describe('the manager configuration', () => {
  it('defaults to auto, all shards, one process per shard', () => {
    expect(loadManagerConfig(DISCORD)).toMatchObject({ shardCount: 'auto', shards: 'all', shardsPerProcess: 1, apiUrl: 'https://discord.com/api' });
    expect(loadManagerConfig({ ...DISCORD, SHARD_COUNT: '8', SHARDS: '0-3', SHARDS_PER_PROCESS: '2' })).toMatchObject({
      shardCount: 8,
      shards: '0-3',
      shardsPerProcess: 2,
    });
  });

  it('refuses a shard count that is neither auto nor a whole number', () => {
    expect(() => loadManagerConfig({ ...DISCORD, SHARD_COUNT: 'many' })).toThrow(ConfigError);
    expect(() => loadManagerConfig({ ...DISCORD, SHARD_COUNT: '0' })).toThrow(/SHARD_COUNT/);
  });
});
