import { controlCommand } from './controlCommand.js';

/** /skip: skips what is being said now. */
export const skip = controlCommand('skip', 'Skip what I am saying now', (playback, ctx) => {
  const current = playback.snapshot().current;
  return playback.skip() && current ? ctx.t('replies.skip.skipped', { label: current.label }) : ctx.t('replies.skip.nothing');
});
