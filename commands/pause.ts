import { controlCommand } from './controlCommand.js';

/** /pause: pauses what is being said. */
export const pause = controlCommand('pause', 'Pause what I am saying', (playback) =>
  playback.pause() ? '⏸️ Paused. Use /resume to go on.' : 'Nothing is playing.',
);
