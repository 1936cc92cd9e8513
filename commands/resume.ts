import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { requireControl } from '../src/features/voiceControl.js';

/** /resume: resumes paused speech. */
export const resume: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('resume')
    .setDescription('Resume paused speech')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
    await ctx.reply({ content: playback.resume() ? '▶️ Resumed.' : 'Nothing is paused.' });
  },
};
