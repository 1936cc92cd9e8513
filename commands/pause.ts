import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { requireControl } from '../src/features/voiceControl.js';

/** /pause: pauses what is being said. */
export const pause: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('pause')
    .setDescription('Pause what I am saying')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
    await ctx.reply({ content: playback.pause() ? '⏸️ Paused. Use /resume to go on.' : 'Nothing is playing.' });
  },
};
