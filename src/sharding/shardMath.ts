/** Discord's shard limits and rules, as plain functions (no discord.js). */

/** Discord refuses a session with more guilds than this (close 4011): sharding becomes mandatory. */
export const MAX_GUILDS_PER_SHARD = 2500;

/** Discord's identify window: each rate-limit key (`shard_id % max_concurrency`) identifies at most once per 5 s. */
export const IDENTIFY_WINDOW_MS = 5_000;

/** The shard that owns a guild: `(guild_id >> 22) % shard_count` (Discord's sharding formula). */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * Parses which shards a machine runs: `all`, or ids and ranges separated by commas (`0,1`, `0-3`, `0-1,6`).
 * Returns the sorted ids, or what is wrong as a sentence.
 */
export function parseShardList(spec: string, shardCount: number): number[] | string {
  const text = spec.trim();
  if (text === '' || text === 'all') return Array.from({ length: shardCount }, (_, i) => i);
  const ids = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!match) return `must be "all" or shard ids and ranges like 0,1 or 0-3 ("${part}" is not)`;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return `range ${part} runs backwards`;
    if (to >= shardCount) return `shard ${to} does not exist: with ${shardCount} shard(s) the ids are 0-${shardCount - 1}`;
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Splits shard ids into processes of at most `perProcess` shards each, in order. */
export function groupShards(ids: readonly number[], perProcess: number): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < ids.length; i += perProcess) groups.push(ids.slice(i, i + perProcess));
  return groups;
}

/**
 * How long the manager waits between starting two processes so that no two shards of one rate-limit key identify
 * within 5 s: none when every shard here has its own key, else 5.5 s per identify round the fullest process needs
 * (discord.js spaces the identifies inside one process itself).
 */
export function spawnDelayMs(groups: readonly number[][], maxConcurrency: number): number {
  const keys = groups.flat().map((id) => id % maxConcurrency);
  if (new Set(keys).size === keys.length) return 0;
  const rounds = Math.max(
    ...groups.map((group) => {
      const perKey = new Map<number, number>();
      for (const id of group) perKey.set(id % maxConcurrency, (perKey.get(id % maxConcurrency) ?? 0) + 1);
      return Math.max(...perKey.values());
    }),
  );
  return rounds * (IDENTIFY_WINDOW_MS + 500);
}
