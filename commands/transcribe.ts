import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';

/** "Transcribe" on a message: its voice message or audio file as text, privately unless the server set transcribe_public. */
export const transcribe: BotCommand = {
  data: new ContextMenuCommandBuilder()
    .setName('Transcribe')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  spendsSpeech: () => true,

  defer: (ctx) => (ctx.services.settings.guild(ctx.guildId).transcribe_public ? 'public' : 'ephemeral'),

  async execute(ctx) {
    if (!ctx.target) throw new BotError('input.not_a_message');
    await ctx.reply({ content: await ctx.services.transcribe.onRequest(ctx.target, ctx.user.id, ctx.t) });
  },
};
