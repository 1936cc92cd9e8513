import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { shorten } from '../src/features/speak.js';

/** What the bot never keeps, said with every /privacy show. */
const NOT_KEPT =
  'Message text is never stored or logged. Voice messages and audio you (or, in channels read aloud, the server) have transcribed are sent to the speech service; the transcript is only shown in the reply, never stored or logged. After `/optout` your voice messages are never transcribed automatically, and only you can have them transcribed.';

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
      await ctx.reply({
        content: removed > 0 ? ctx.t('replies.privacy.deleted', { count: removed }) : ctx.t('replies.privacy.nothing_stored'),
      });
      return;
    }
    const data = settings.exportMember(ctx.user.id);
    if (data.entries.length === 0 && data.usage.length === 0) {
      await ctx.reply({ content: ctx.t('replies.privacy.nothing_stored_text') });
      return;
    }
    const where = (scope: string) =>
      scope === 'global' ? ctx.t('replies.privacy.everywhere') : scope === ctx.guildId ? ctx.t('replies.privacy.this_server') : ctx.t('replies.privacy.other_server', { id: scope });
    const lines = [
      ...data.entries.map((e) => ctx.t('replies.privacy.setting', { where: where(e.scope), key: e.key, value: JSON.stringify(e.value), since: e.updatedAt })),
      ...data.usage.map((u) => ctx.t('replies.privacy.usage', { where: where(u.guildId), month: u.month, chars: u.chars })),
    ];
    const json = JSON.stringify(data, null, 2);
    await ctx.reply({
      content: shorten(`${ctx.t('replies.privacy.heading', { count: lines.length })}\n${lines.join('\n')}\n${ctx.t('replies.privacy.footer')}`, 1900),
      files: [{ name: 'my-data.json', data: Buffer.from(json), contentType: 'application/json' }],
    });
  },
};
