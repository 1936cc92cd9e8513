/**
 * The bot's real entry (runBot with the real command list), with one seam: its clock reads a shifted time.
 * The test sets the time through IPC ({ setNow: ms }); timers still run in real time, so the play loop and the
 * gateway behave as usual while schedules see whatever instant the test chose.
 */
import { commands } from '../../commands/index.js';
import { runBot } from '../../src/main.js';
import type { Clock } from '../../src/voice/ports.js';

let offset = Number(process.env.TEST_CLOCK_START_MS ?? Date.now()) - Date.now();
process.on('message', (message: { setNow?: number }) => {
  if (typeof message.setNow === 'number') {
    offset = message.setNow - Date.now();
    process.send?.({ clockSet: message.setNow });
  }
});
// The IPC channel must not keep the process alive after shutdown.
process.channel?.unref();

const shifted: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now() + offset,
};

await runBot(commands, { clock: shifted });
