import { controlCommand } from './controlCommand.js';

/** /stop: stops speaking and clears the queue; the bot stays in the channel. */
export const stop = controlCommand('stop', 'Stop speaking and clear the queue', (playback) => {
  const dropped = playback.stop();
  return dropped > 0 ? `⏹️ Stopped and cleared ${dropped} item${dropped === 1 ? '' : 's'}.` : 'The queue was already empty.';
});
