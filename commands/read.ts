import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';

const READABLE_CHANNELS = [ChannelType.GuildText, ChannelType.GuildVoice, ChannelType.GuildStageVoice, ChannelType.GuildAnnouncement] as const;


/** /read: which text channels are read aloud in voice (Manage Server). */
export const read: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('read')
    .setDescription('Read messages aloud in voice')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName('enable')
        .setDescription('Read this channel’s messages aloud')
        .addChannelOption((o) => o.setName('channel').setDescription('Text channel to read').setRequired(true).addChannelTypes(...READABLE_CHANNELS)),
    )
    .addSubcommand((s) =>
      s
        .setName('disable')
        .setDescription('Stop reading a channel')
        .addChannelOption((o) => o.setName('channel').setDescription('Text channel to stop reading').setRequired(true).addChannelTypes(...READABLE_CHANNELS)),
    )
    .addSubcommand((s) => s.setName('status').setDescription('Which channels are read, and how'))
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    const { settings, config, reading } = ctx.services;
    const bound = settings.readingChannels;
    const off = config.reading.enabled ? null : new BotError('input.reading_off', { state: ctx.t(`replies.read.cases.${config.reading.case}`) });
    if (ctx.subcommand === 'status') {
      const channels = [...bound.channels(ctx.guildId)];
      const s = settings.guild(ctx.guildId);
      const lines = [
        channels.length > 0 ? ctx.t('replies.read.channels', { channels: channels.map((c) => `<#${c}>`).join(', ') }) : ctx.t('replies.read.no_channels'),
        s.read_voice_chats ? ctx.t('replies.read.voice_chat') : '',
        ctx.t('replies.read.status', {
          inVoice: s.read_require_in_voice ? 'yes' : 'no',
          prefix: s.read_skip_prefix || 'none',
          autoJoin: s.read_auto_join ? 'yes' : 'no',
          waiting: reading.pendingIn(ctx.guildId),
        }),
        off ? ctx.tError(off) : '',
      ];
      await ctx.reply({ content: lines.filter(Boolean).join('\n') });
      return;
    }
    if (off) throw off;
    const channelId = String(ctx.options.channel ?? '');
    if (ctx.subcommand === 'disable') {
      const removed = bound.unbind(ctx.guildId, channelId);
      await ctx.reply({ content: ctx.t(removed ? 'replies.read.disabled' : 'replies.read.was_not_read', { channelId }) });
      return;
    }
    // The privacy notice must be posted before anything there is read: without View Channel / Send Messages, refuse.
    const post = ctx.voice.can(channelId, 'post');
    if (!post.ok) throw post.error;
    const { added, firstNotice } = bound.bind(ctx.guildId, channelId);
    if (firstNotice) {
      try {
        // The notice is for everyone in the channel: the server's language, not the moderator's.
        const host = [...new Set(config.tts.providers.map((p) => new URL(p.baseUrl).host))].join(', ');
        await ctx.services.notify(channelId, ctx.tServer('replies.read.notice', { host, prefix: settings.guild(ctx.guildId).read_skip_prefix || 'none' }));
      } catch (err) {
        if (added) bound.unbind(ctx.guildId, channelId);
        throw err;
      }
      bound.noticePosted(channelId);
    }
    const react = ctx.voice.can(channelId, 'react');
    const warning = react.ok ? '' : `\n${ctx.t('replies.read.cannot_react', { permission: String(react.error.details.permission), channelId })}`;
    await ctx.reply({
      content: (added ? ctx.t('replies.read.enabled', { channelId, noticePosted: firstNotice ? 'yes' : 'no' }) : ctx.t('replies.read.already', { channelId })) + warning,
    });
  },
};
