import { z } from 'zod';
import { ConfigError, emptyAsUndefined, loadDiscordConfig } from '../config.js';

/** What `npm run start:sharded` needs: the operator's sharding variables and the Discord connection. */
export interface ManagerConfig {
  token: string;
  apiUrl: string;
  /** Total shards of the bot (all machines), or 'auto': Discord's recommendation from GET /gateway/bot. */
  shardCount: number | 'auto';
  /** Which shards this machine runs: `all`, or ids and ranges (`0,1`, `0-3`); checked once the count is known. */
  shards: string;
  /** Shards per bot process (default 1: one process per shard). */
  shardsPerProcess: number;
  /** Several processes share settings only through PostgreSQL. */
  databaseUrl: string | undefined;
  logLevel: string;
}

const schema = z.object({
  SHARD_COUNT: z.preprocess(
    emptyAsUndefined,
    z.union([z.literal('auto'), z.coerce.number().int().min(1).max(10_000)], { error: 'must be "auto" or a whole number of shards (1 or more)' }).default('auto'),
  ),
  SHARDS: z.preprocess(emptyAsUndefined, z.string().default('all')),
  SHARDS_PER_PROCESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(64).default(1)),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.string().default('info')),
});

/** Reads the manager's variables; throws ConfigError with one line per problem. */
export function loadManagerConfig(env: Record<string, string | undefined>): ManagerConfig {
  const discord = loadDiscordConfig(env);
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  return {
    token: discord.token,
    apiUrl: discord.apiUrl,
    shardCount: e.SHARD_COUNT,
    shards: e.SHARDS,
    shardsPerProcess: e.SHARDS_PER_PROCESS,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
  };
}
