import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { requireControl } from '../src/features/voiceControl.js';

/** /stop: stops speaking and clears the queue; the bot stays in the channel. */
export const stop: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('stop')
    .setDescription('Stop speaking and clear the queue')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
    const dropped = playback.stop();
    await ctx.reply({ content: dropped > 0 ? `⏹️ Stopped and cleared ${dropped} item${dropped === 1 ? '' : 's'}.` : 'The queue was already empty.' });
  },
};
