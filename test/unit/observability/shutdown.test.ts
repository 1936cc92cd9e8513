import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { shutDown, type ShutdownTimer } from '../../../src/observability/shutdown.js';

/** A timer whose sleeps advance its own clock at once. */
function fakeTimer(): ShutdownTimer & { t: number } {
  const timer = {
    t: 0,
    now: () => timer.t,
    sleep: async (ms: number) => {
      timer.t += ms;
    },
  };
  return timer;
}

describe('shutDown', () => {
  const logger = createLogger('silent');

  it('stops intake, drops what waits, waits while an item is said, then releases', async () => {
    const calls: string[] = [];
    const timer = fakeTimer();
    await shutDown(
      {
        stopIntake: () => calls.push('stopIntake'),
        dropQueued: () => (calls.push('dropQueued'), 2),
        settled: () => timer.t >= 1_200,
        release: async () => {
          calls.push(`release@${timer.t}`);
        },
      },
      { graceMs: 5_000, logger, timer },
    );
    expect(calls).toEqual(['stopIntake', 'dropQueued', 'release@1200']);
  });

  it('releases at the grace time when the item is still being said', async () => {
    const timer = fakeTimer();
    let releasedAt = -1;
    await shutDown(
      { stopIntake: () => undefined, dropQueued: () => 0, settled: () => false, release: async () => void (releasedAt = timer.t) },
      { graceMs: 1_000, logger, timer },
    );
    expect(releasedAt).toBe(1_000);
  });
});
