import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';

/** /join: brings the bot into the member's voice channel. */
export const join: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('join')
    .setDescription('Bring me into your voice channel')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const channelId = ctx.voice.memberChannelId;
    if (!channelId) throw new BotError('voice.not_in_channel');
    const check = ctx.voice.check(channelId);
    if (!check.ok) throw check.error;
    const playback = ctx.services.playback.getOrCreate(ctx.guildId);
    if (playback.channelId && playback.channelId !== channelId) {
      throw new BotError('voice.not_in_bot_channel', { channelId: playback.channelId });
    }
    await playback.join(channelId);
    await ctx.reply({ content: ctx.t('replies.join.joined', { channelId }) });
  },
};
