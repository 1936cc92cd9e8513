import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { renderDiagnosis } from '../src/observability/diagnostics.js';

/** Discord's limit on a message's content. */
const CONTENT_LIMIT = 2000;

/** /diagnose: for moderators, privately, how the bot is doing: itself, its permissions here, voice, providers, storage. */
export const diagnose: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('diagnose')
    .setDescription('How the bot is doing: its permissions here, voice, speech providers, storage (private)')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    const text = await renderDiagnosis(ctx.services.diagnostics, {
      guildId: ctx.guildId,
      channelId: ctx.channelId,
      memberVoiceChannelId: ctx.voice.memberChannelId,
      t: (key, values) => ctx.t(key, values),
    });
    if (text.length <= CONTENT_LIMIT) {
      await ctx.reply({ content: text });
      return;
    }
    await ctx.reply({
      content: `${text.slice(0, CONTENT_LIMIT - 60).replace(/\n[^\n]*$/, '')}\n${ctx.t('replies.diagnose.truncated')}`,
      files: [{ name: 'diagnose.txt', data: Buffer.from(text), contentType: 'text/plain' }],
    });
  },
};
