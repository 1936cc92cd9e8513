import { controlCommand } from './controlCommand.js';

/** /resume: resumes paused speech. */
export const resume = controlCommand('resume', 'Resume paused speech', (playback) =>
  playback.resume() ? '▶️ Resumed.' : 'Nothing is paused.',
);
