import { controlCommand } from './controlCommand.js';

/** /pause: pauses what is being said. */
export const pause = controlCommand('pause', 'Pause what I am saying', (playback, ctx) =>
  ctx.t(playback.pause() ? 'replies.pause.paused' : 'replies.pause.nothing'),
);
