import type { Logger } from './logger.js';

/** What a clean shutdown does, in order; each step is owned by the service it concerns (wired in createApp). */
export interface ShutdownSteps {
  /** Stops taking new work: commands get "restarting", schedulers and readers stop. */
  stopIntake(): void;
  /** Cancels every waiting item, telling its member; returns how many were dropped. */
  dropQueued(): number;
  /** True when nothing is being said any more. */
  settled(): boolean;
  /** Leaves voice, closes the gateway, the database, the cache and the ops server. */
  release(): Promise<void>;
}

/** How time passes for the shutdown (injected so tests need not wait). */
export interface ShutdownTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTimer: ShutdownTimer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How often the shutdown looks whether the item being said has ended. */
const SETTLE_POLL_MS = 50;

/**
 * The orderly shutdown: stop intake, drop (and tell about) what waits, let the item being said finish for up to
 * `graceMs`, then release everything. Resolves when done; the caller exits.
 */
export async function shutDown(steps: ShutdownSteps, options: { graceMs: number; logger: Logger; timer?: ShutdownTimer }): Promise<void> {
  const timer = options.timer ?? realTimer;
  const log = options.logger.child({ module: 'shutdown' });
  steps.stopIntake();
  const dropped = steps.dropQueued();
  const started = timer.now();
  while (!steps.settled() && timer.now() - started < options.graceMs) await timer.sleep(SETTLE_POLL_MS);
  const waitedMs = Math.round(timer.now() - started);
  log.info({ dropped, waitedMs, cutShort: !steps.settled() }, steps.settled() ? 'the item being said has ended' : 'grace time over: cutting the item short');
  await steps.release();
}

/**
 * Handles SIGTERM and SIGINT: the first runs `stop` and exits 0 (1 if it fails), with a hard limit of `limitMs`
 * after which the process exits 1; a second signal exits at once.
 */
export function onStopSignals(options: { stop: () => Promise<void>; limitMs: number; logger: Logger; exit?: (code: number) => void }): void {
  const exit = options.exit ?? ((code) => process.exit(code));
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting at once');
      exit(1);
      return;
    }
    stopping = true;
    options.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      options.logger.error({ limitMs: options.limitMs }, 'shutdown took too long: exiting');
      exit(1);
    }, options.limitMs).unref();
    options.stop().then(
      () => {
        options.logger.info('shut down cleanly');
        exit(0);
      },
      (err: unknown) => {
        options.logger.error({ err: (err as Error).message }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
