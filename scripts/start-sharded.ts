// The sharded entry point (npm run start:sharded): discord.js's ShardingManager runs scripts/start.ts once per group of shards.
import { config as loadDotenv } from 'dotenv';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { loadManagerConfig } from '../src/sharding/managerConfig.js';
import { ShardPlanError, startShardManager, type RunningManager } from '../src/sharding/manager.js';

loadDotenv({ quiet: true });
let config;
try {
  config = loadManagerConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
const logger = createLogger(config.logLevel).child({ module: 'shard-manager' });
let running: RunningManager | undefined;
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping every shard process');
  void (running?.stop() ?? Promise.resolve()).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
try {
  running = await startShardManager({
    config,
    file: fileURLToPath(new URL('./start.ts', import.meta.url)),
    // The children run TypeScript the way `npm start` does.
    execArgv: ['--disable-warning=ExperimentalWarning', '--import', 'tsx'],
    logger,
  });
} catch (err) {
  const message = err instanceof ShardPlanError ? err.message : `Could not start the shards: ${(err as Error).message}`;
  logger.fatal({ err: message }, 'sharding manager failed');
  process.stderr.write(`${message}\n`);
  await running?.stop();
  process.exit(1);
}
