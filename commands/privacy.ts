import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { shorten } from '../src/features/speak.js';

/** /privacy: everything the bot stores about the member, and a way to delete it. */
export const privacy: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('privacy')
    .setDescription('What I store about you')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) => s.setName('show').setDescription('Show everything I store about you'))
    .addSubcommand((s) => s.setName('delete').setDescription('Delete everything I store about you, in every server'))
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    const { settings } = ctx.services;
    if (ctx.subcommand === 'delete') {
      const removed = settings.deleteMember(ctx.user.id);
      await ctx.reply({ content: removed > 0 ? `🗑️ Deleted ${removed} stored setting${removed === 1 ? '' : 's'}. I keep nothing else about you.` : 'I store nothing about you.' });
      return;
    }
    const data = settings.exportMember(ctx.user.id);
    if (data.entries.length === 0) {
      await ctx.reply({ content: 'I store nothing about you. Message text is never stored or logged.' });
      return;
    }
    const lines = data.entries.map((e) => `• ${e.scope === 'global' ? 'every server' : e.scope === ctx.guildId ? 'this server' : `server ${e.scope}`} — ${e.key}: ${JSON.stringify(e.value)} (since ${e.updatedAt})`);
    const json = JSON.stringify(data, null, 2);
    await ctx.reply({
      content: shorten(`What I store about you (${data.entries.length}):\n${lines.join('\n')}\nMessage text is never stored or logged.`, 1900),
      files: [{ name: 'my-data.json', data: Buffer.from(json), contentType: 'application/json' }],
    });
  },
};
