import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { requireControl } from '../src/features/voiceControl.js';

/** /skip: skips what is being said now. */
export const skip: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('skip')
    .setDescription('Skip what I am saying now')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
    const current = playback.snapshot().current;
    await ctx.reply({ content: playback.skip() && current ? `⏭️ Skipped “${current.label}”.` : 'Nothing is playing.' });
  },
};
