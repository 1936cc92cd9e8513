import { controlCommand } from './controlCommand.js';

/** /stop: stops speaking and clears the queue; the bot stays in the channel. */
export const stop = controlCommand('stop', 'Stop speaking and clear the queue', (playback, ctx) => {
  const dropped = playback.stop();
  return dropped > 0 ? ctx.t('replies.stop.stopped', { count: dropped }) : ctx.t('replies.stop.empty');
});
