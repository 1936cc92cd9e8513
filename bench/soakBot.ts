/**
 * The bot's real entry (runBot with the real command list) for the soak benchmark, plus one bench-only probe: asked
 * over the IPC channel its parent opened ({ probe: true }), it runs the GC (the process is started with --expose-gc)
 * and answers with its heap, RSS, listener counts on the client and the voice objects, and active handles.
 * Production never loads this file (scripts/start.ts does not), and the probe exists only when a parent process
 * spawned the bot with an IPC channel: no port, no new surface.
 */
import { getVoiceConnections } from '@discordjs/voice';
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { commands } from '../commands/index.js';
import { runBot } from '../src/main.js';

/** What the probe reports. */
export interface SoakProbe {
  heapUsedBytes: number;
  rssBytes: number;
  /** Listeners per object kind, summed over every event name. */
  listeners: Record<string, number>;
  /** Objects of each kind that exist (voice connections, players, guild queues). */
  objects: Record<string, number>;
  /** process.getActiveResourcesInfo(), counted by type. */
  handles: Record<string, number>;
}

const listenersOf = (emitter: EventEmitter): number => emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);

const app = await runBot(commands);

async function probe(): Promise<SoakProbe> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the soak bot with --expose-gc');
  // Several rounds: finalizers and weak references let go of more on the next one.
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(50);
  }
  const connections = [...(getVoiceConnections(process.env.DISCORD_APPLICATION_ID ?? 'default')?.values() ?? [])];
  const players = new Set(connections.flatMap((c) => ('subscription' in c.state && c.state.subscription ? [c.state.subscription.player] : [])));
  const playbacks = [...app.services.playback.all()];
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const memory = process.memoryUsage();
  return {
    heapUsedBytes: memory.heapUsed,
    rssBytes: memory.rss,
    listeners: {
      client: listenersOf(app.client),
      clientWs: listenersOf(app.client.ws as unknown as EventEmitter),
      voiceConnections: connections.reduce((n, c) => n + listenersOf(c), 0),
      players: [...players].reduce((n, p) => n + listenersOf(p), 0),
      guildQueues: playbacks.reduce((n, p) => n + listenersOf(p), 0),
    },
    objects: { voiceConnections: connections.length, players: players.size, guildQueues: playbacks.length },
    handles,
  };
}

process.on('message', (message: { probe?: boolean }) => {
  if (message?.probe !== true) return;
  void probe().then(
    (result) => process.send?.({ probe: result }),
    (err: unknown) => process.send?.({ probeError: String(err) }),
  );
});
// The IPC channel must not keep the process alive after shutdown.
process.channel?.unref();
