import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';

/** /optout: the member's messages are never read aloud, in any server. */
export const optout: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('optout')
    .setDescription('Never read my messages aloud or transcribe my voice messages automatically')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    ctx.services.settings.setMember('global', ctx.user.id, { optOut: true });
    await ctx.reply({ content: ctx.t('replies.optout.done') });
  },
};
