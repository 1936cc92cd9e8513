import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';
import { READING_CASES, cannotReactWarning } from '../src/messages.js';

const READABLE_CHANNELS = [ChannelType.GuildText, ChannelType.GuildVoice, ChannelType.GuildStageVoice, ChannelType.GuildAnnouncement] as const;

/** The notice posted the first time a channel is read aloud: where the text goes and how to opt out. */
export function readingNotice(providerHost: string, skipPrefix: string): string {
  return [
    '🔊 **Messages in this channel are now read aloud** in the voice channel I am in.',
    `To make the audio, their text is sent to the speech service (${providerHost}). I do not store or log it.`,
    'If the server turns on voice-message transcripts, voice messages posted here are also sent to that service and answered with their text; transcripts are never stored or logged.',
    `Don't want yours read or transcribed? Use \`/optout\` (and \`/optin\` to undo).${skipPrefix ? ` Start a message with \`${skipPrefix}\` to skip just that one.` : ''}`,
  ].join('\n');
}

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
    const missing = config.reading.enabled ? '' : `⚠️ Reading is ${READING_CASES[config.reading.case]}`;
    if (ctx.subcommand === 'status') {
      const channels = [...bound.channels(ctx.guildId)];
      const s = settings.guild(ctx.guildId);
      const lines = [
        channels.length > 0 ? `Read aloud: ${channels.map((c) => `<#${c}>`).join(', ')}` : 'No channel is read aloud.',
        s.read_voice_chats ? 'The text chat of the voice channel I am in is read too.' : '',
        `Only members in my voice channel: ${s.read_require_in_voice ? 'yes' : 'no'} · skip prefix: ${s.read_skip_prefix || 'none'} · auto-join: ${s.read_auto_join ? 'on' : 'off'} · waiting now: ${reading.pendingIn(ctx.guildId)}`,
        missing,
      ];
      await ctx.reply({ content: lines.filter(Boolean).join('\n') });
      return;
    }
    if (missing) throw new BotError('input.invalid', { reason: missing });
    const channelId = String(ctx.options.channel ?? '');
    if (ctx.subcommand === 'disable') {
      const removed = bound.unbind(ctx.guildId, channelId);
      await ctx.reply({ content: removed ? `🔕 <#${channelId}> is no longer read aloud.` : `<#${channelId}> was not being read aloud.` });
      return;
    }
    // The privacy notice must be posted before anything there is read: without View Channel / Send Messages, refuse.
    const post = ctx.voice.can(channelId, 'post');
    if (!post.ok) throw post.error;
    const { added, firstNotice } = bound.bind(ctx.guildId, channelId);
    if (firstNotice) {
      try {
        await ctx.services.notify(channelId, readingNotice([...new Set(config.tts.providers.map((p) => new URL(p.baseUrl).host))].join(', '), settings.guild(ctx.guildId).read_skip_prefix));
      } catch (err) {
        if (added) bound.unbind(ctx.guildId, channelId);
        throw err;
      }
      bound.noticePosted(channelId);
    }
    const react = ctx.voice.can(channelId, 'react');
    const warning = react.ok ? '' : `\n${cannotReactWarning(String(react.error.details.permission), channelId)}`;
    await ctx.reply({
      content: (added
        ? `🔊 <#${channelId}> is now read aloud while I am in a voice channel.${firstNotice ? ' I posted a short privacy notice there.' : ''}`
        : `<#${channelId}> was already read aloud.`) + warning,
    });
  },
};
