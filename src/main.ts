import { config as loadDotenv } from 'dotenv';
import { join } from 'node:path';
import { createApp, type App, type AppOverrides, type BotCommand } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, onLogLevelSignal } from './observability/logger.js';
import { onStopSignals } from './observability/shutdown.js';
import { ReadingSetupError, settleReading } from './discord/readingSetup.js';
import { AUDIO_CACHE_DIR, AudioCache } from './speech/audioCache.js';
import { isStrayVoiceKeepAlive } from './voice/libraryFaults.js';

/** Time a shutdown may take beyond the grace time (leaving voice, closing the gateway and the database). */
const SHUTDOWN_MARGIN_MS = 4_000;

/** Start-up: .env → config → logger → app → login; signals → orderly shutdown. `clock` is a seam for tests. Resolves with the running app. */
export async function runBot(commands: readonly BotCommand[], overrides: Pick<AppOverrides, 'clock'> = {}): Promise<App> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const base = createLogger(config.logLevel, undefined, config.logFormat);
  // Under the sharding manager every line names the shards of the process that wrote it.
  const logger = config.sharding ? base.child({ shards: config.sharding.ids }) : base;
  onLogLevelSignal(logger, config.logLevel);
  try {
    config = await settleReading(config, logger);
  } catch (err) {
    if (!(err instanceof ReadingSetupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  let app: App;
  try {
    // The audio cache assumes one process per directory: each shard process has its own.
    const cacheDir = join(config.dataDir, config.sharding ? `${AUDIO_CACHE_DIR}-shard-${config.sharding.ids[0]}` : AUDIO_CACHE_DIR);
    const audioCache =
      config.cache.maxBytes > 0
        ? await AudioCache.open({ dir: cacheDir, maxBytes: config.cache.maxBytes, logger }).catch((err: unknown) => {
            throw new Error(`Audio cache ${cacheDir} cannot be used (${(err as Error).message}). Check DATA_DIR, or set AUDIO_CACHE_MB=0.`);
          })
        : undefined;
    app = createApp(config, commands, { ...overrides, logger, ...(audioCache ? { audioCache } : {}) });
  } catch (err) {
    // Start-up problems (e.g. the settings database) carry a message written for the operator: no stack trace.
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  // The process must be gone within SHUTDOWN_GRACE_S + 5 s: whatever still hangs a second before that is cut off.
  onStopSignals({ stop: () => app.stop(), limitMs: config.shutdown.graceMs + SHUTDOWN_MARGIN_MS, logger });
  if (config.sharding && process.channel) {
    // The sharding manager is gone (its IPC channel closed): no one would respawn or stop this process, so it stops itself.
    process.once('disconnect', () => {
      logger.warn('the sharding manager is gone; shutting down');
      process.kill(process.pid, 'SIGTERM');
    });
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    if (isStrayVoiceKeepAlive(err)) {
      logger.warn({ code: (err as NodeJS.ErrnoException).code }, 'voice library sent a keep-alive on a socket it had closed; ignored');
      return;
    }
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'could not connect to Discord');
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
  return app;
}
