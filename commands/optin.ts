import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';

/** /optin: undoes /optout. */
export const optin: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('optin')
    .setDescription('Let my messages be read aloud again')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const { settings } = ctx.services;
    settings.setMember('global', ctx.user.id, { optOut: null });
    settings.setMember({ guildId: ctx.guildId }, ctx.user.id, { optOut: null });
    await ctx.reply({ content: ctx.t('replies.optin.done') });
  },
};
