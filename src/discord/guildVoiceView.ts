import { PermissionFlagsBits, type Guild } from 'discord.js';
import { BotError } from '../errors.js';
import { botPermissionsIn, checkBotAccess, type AccessCheck } from './botAccess.js';
import { missingPermission, type BotAction } from './botPermissions.js';

export type { AccessCheck } from './botAccess.js';

/** What commands need to know about voice (and the bot's permissions) in a guild, read from Discord's cache. */
export interface GuildVoiceView {
  /** The voice channel the member is in, or null. */
  memberChannelId: string | null;
  /** Whether the bot may join and speak in the voice channel (View Channel, Connect, Speak, room in it). */
  check(channelId: string): AccessCheck;
  /** Whether the bot may post (View Channel, Send Messages), react (… Read Message History, Add Reactions) or post a voice message (… Attach Files, Send Voice Messages) in a channel. */
  can(channelId: string, action: Exclude<BotAction, 'speak'>): AccessCheck;
  /** Members in the channel who are not bots. */
  humansIn(channelId: string): number;
}

/** Reads a guild's voice facts from the discord.js cache for one member. */
export function guildVoiceView(guild: Guild, userId: string): GuildVoiceView {
  return {
    memberChannelId: guild.voiceStates.cache.get(userId)?.channelId ?? null,
    check(channelId) {
      const channel = guild.channels.cache.get(channelId);
      const me = guild.members.me;
      const permissions = botPermissionsIn(guild, channelId);
      if (!channel || !channel.isVoiceBased() || !me || permissions === null) {
        return { ok: false, error: new BotError('voice.not_voice_channel', { channelId }) };
      }
      const missing = missingPermission('speak', permissions);
      if (missing) return { ok: false, error: new BotError('permission.missing', { permission: missing, channelId }) };
      if (channel.full && (permissions & PermissionFlagsBits.MoveMembers) === 0n && me.voice.channelId !== channelId) {
        return { ok: false, error: new BotError('voice.channel_full', { channelId }) };
      }
      return { ok: true };
    },
    can(channelId, action) {
      return checkBotAccess(guild, channelId, action);
    },
    humansIn(channelId) {
      const channel = guild.channels.cache.get(channelId);
      if (!channel || !channel.isVoiceBased()) return 0;
      return channel.members.filter((m) => !m.user.bot).size;
    },
  };
}
