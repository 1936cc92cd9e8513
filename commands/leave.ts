import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { requireControl } from '../src/features/voiceControl.js';

/** /leave: the bot leaves its voice channel and drops its queue. */
export const leave: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('leave')
    .setDescription('Make me leave the voice channel (clears the queue)')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
    const channelId = playback.channelId;
    playback.leave('left');
    await ctx.reply({ content: `👋 Left <#${channelId}>.` });
  },
};
