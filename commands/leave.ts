import { controlCommand } from './controlCommand.js';

/** /leave: the bot leaves its voice channel and drops its queue. */
export const leave = controlCommand('leave', 'Make me leave the voice channel (clears the queue)', (playback, ctx) => {
  const channelId = playback.channelId;
  playback.leave('left');
  return ctx.t('replies.leave.left', { channelId: String(channelId) });
});
