import { controlCommand } from './controlCommand.js';

/** /resume: resumes paused speech. */
export const resume = controlCommand('resume', 'Resume paused speech', (playback, ctx) =>
  ctx.t(playback.resume() ? 'replies.resume.resumed' : 'replies.resume.nothing'),
);
