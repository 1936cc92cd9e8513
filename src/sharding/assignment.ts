import { shardOfGuild } from './shardMath.js';

/** The shards one bot process runs and the bot's total, or none when it runs unsharded (`npm start`). */
export interface ShardAssignment {
  ids: number[];
  count: number;
}

/**
 * Reads the assignment discord.js's ShardingManager hands a child process (SHARDING_MANAGER, SHARDS as a JSON id or
 * id list, SHARD_COUNT). Outside the manager these variables are the operator's, meant for `npm run start:sharded`,
 * and are ignored: `npm start` runs shard 0 of 1. Returns what is wrong as a sentence when the values make no sense.
 */
export function shardAssignmentFrom(env: Record<string, string | undefined>): ShardAssignment | undefined | string {
  if (!env.SHARDING_MANAGER) return undefined;
  let ids: unknown;
  try {
    ids = JSON.parse(env.SHARDS ?? '');
  } catch {
    return `SHARDS from the sharding manager must be a shard id or a JSON list of ids (got "${env.SHARDS}")`;
  }
  const list = typeof ids === 'number' ? [ids] : ids;
  const count = Number(env.SHARD_COUNT);
  const valid = Array.isArray(list) && list.length > 0 && list.every((id) => Number.isInteger(id) && id >= 0 && id < count);
  if (!Number.isInteger(count) || count < 1 || !valid) {
    return `SHARDS/SHARD_COUNT from the sharding manager do not fit together (SHARDS=${env.SHARDS}, SHARD_COUNT=${env.SHARD_COUNT})`;
  }
  return { ids: list as number[], count };
}

/** Whether a process with this assignment owns a guild (unsharded: every guild). */
export function ownsGuild(assignment: ShardAssignment | undefined, guildId: string): boolean {
  return !assignment || assignment.ids.includes(shardOfGuild(guildId, assignment.count));
}
