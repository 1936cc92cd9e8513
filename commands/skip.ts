import { controlCommand } from './controlCommand.js';

/** /skip: skips what is being said now. */
export const skip = controlCommand('skip', 'Skip what I am saying now', (playback) => {
  const current = playback.snapshot().current;
  return playback.skip() && current ? `⏭️ Skipped “${current.label}”.` : 'Nothing is playing.';
});
