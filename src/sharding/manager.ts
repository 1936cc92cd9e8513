import { ShardingManager, type Shard } from 'discord.js';
import type { Logger } from '../observability/logger.js';
import { fetchGatewayAdvice } from './gatewayBot.js';
import type { ManagerConfig } from './managerConfig.js';
import { groupShards, parseShardList, spawnDelayMs } from './shardMath.js';

/** How long a bot process may take from start to its first ready shard before the manager gives up. */
const SPAWN_TIMEOUT_MS = 120_000;

/** A problem the operator can fix (a message for them, no stack trace). */
export class ShardPlanError extends Error {}

/** The shards this machine runs, split into processes. */
export interface ShardPlan {
  shardCount: number;
  /** One entry per bot process: the shard ids it runs. */
  processes: number[][];
  maxConcurrency: number;
  spawnDelayMs: number;
}

/** The running manager: its plan and an orderly stop. */
export interface RunningManager {
  manager: ShardingManager;
  plan: ShardPlan;
  /** Stops respawning, sends SIGTERM to every bot process and waits for them to exit. */
  stop(): Promise<void>;
}

/** Works out the plan: the shard count (Discord's recommendation for 'auto'), this machine's shards, the processes. */
export async function planShards(config: ManagerConfig): Promise<ShardPlan> {
  const advice = await fetchGatewayAdvice(config.apiUrl, config.token);
  const shardCount = config.shardCount === 'auto' ? advice.shards : config.shardCount;
  const ids = parseShardList(config.shards, shardCount);
  if (typeof ids === 'string') throw new ShardPlanError(`SHARDS: ${ids}`);
  const processes = groupShards(ids, config.shardsPerProcess);
  if (processes.length > 1 && !config.databaseUrl) {
    throw new ShardPlanError(
      `${processes.length} bot processes would each open their own SQLite settings: set DATABASE_URL (PostgreSQL) so they share one truth, or SHARDS_PER_PROCESS=${ids.length} for one process.`,
    );
  }
  return { shardCount, processes, maxConcurrency: advice.maxConcurrency, spawnDelayMs: spawnDelayMs(processes, advice.maxConcurrency) };
}

/**
 * Starts discord.js's ShardingManager in process mode: one child process per group of shards, each running `file`
 * (the ordinary bot). The manager's own shard ids number the processes; each child is told its real Discord shard
 * ids and total through the SHARDS / SHARD_COUNT variables discord.js's Client reads. Dead processes are respawned.
 */
export async function startShardManager(options: {
  config: ManagerConfig;
  file: string;
  execArgv: string[];
  logger: Logger;
}): Promise<RunningManager> {
  const { config, logger } = options;
  const plan = await planShards(config);
  logger.info(
    { shardCount: plan.shardCount, processes: plan.processes, maxConcurrency: plan.maxConcurrency, spawnDelayMs: plan.spawnDelayMs },
    'starting shard processes',
  );
  const manager = new ShardingManager(options.file, {
    totalShards: plan.processes.length,
    shardList: plan.processes.map((_, index) => index),
    mode: 'process',
    respawn: true,
    token: config.token,
    execArgv: options.execArgv,
  });
  manager.on('shardCreate', (shard: Shard) => {
    const ids = plan.processes[shard.id]!;
    // Shard#env is what the child process gets: discord.js's Client reads SHARDS (an id list) and SHARD_COUNT from it.
    const env = shard.env as Record<string, string>;
    env.SHARDS = JSON.stringify(ids);
    env.SHARD_COUNT = String(plan.shardCount);
    shard.on('spawn', () => logger.info({ process: shard.id, shards: ids, pid: shard.process?.pid }, 'shard process started'));
    shard.on('ready', () => logger.info({ process: shard.id, shards: ids }, 'shard process ready'));
    shard.on('death', (child) => {
      const exit = 'exitCode' in child ? { exitCode: child.exitCode, signal: child.signalCode } : {};
      logger.warn({ process: shard.id, shards: ids, ...exit, respawn: manager.respawn }, 'shard process exited; its servers lost their queues');
    });
    shard.on('error', (err: Error) => logger.error({ process: shard.id, shards: ids, err: err.message }, 'shard process error'));
  });
  await manager.spawn({ amount: plan.processes.length, delay: plan.spawnDelayMs, timeout: SPAWN_TIMEOUT_MS });
  logger.info({ processes: plan.processes.length, shardCount: plan.shardCount }, 'every shard process is ready');
  return {
    manager,
    plan,
    async stop() {
      manager.respawn = false;
      const exits: Array<Promise<unknown>> = [];
      for (const shard of manager.shards.values()) {
        const child = shard.process;
        if (!child || child.exitCode !== null) continue;
        exits.push(new Promise((resolve) => child.once('exit', resolve)));
        child.kill('SIGTERM');
      }
      await Promise.all(exits);
    },
  };
}
