import { PermissionFlagsBits, type Guild } from 'discord.js';

/** Whether the bot may speak in a channel, and why not. */
export type SpeakCheck = { ok: true } | { ok: false; reason: string };

/** What commands need to know about voice in a guild, read from Discord's cache. */
export interface GuildVoiceView {
  /** The voice channel the member is in, or null. */
  memberChannelId: string | null;
  /** Whether the bot may join and speak in the channel. */
  check(channelId: string): SpeakCheck;
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
      if (!channel || !channel.isVoiceBased() || !me) return { ok: false, reason: 'it is not a voice channel I can see' };
      const perms = channel.permissionsFor(me);
      if (!perms.has(PermissionFlagsBits.ViewChannel)) return { ok: false, reason: 'I can’t see that channel' };
      if (!perms.has(PermissionFlagsBits.Connect)) return { ok: false, reason: 'I’m missing the Connect permission there' };
      if (!perms.has(PermissionFlagsBits.Speak)) return { ok: false, reason: 'I’m missing the Speak permission there' };
      if (channel.full && !perms.has(PermissionFlagsBits.MoveMembers) && me.voice.channelId !== channelId) {
        return { ok: false, reason: 'the channel is full' };
      }
      return { ok: true };
    },
    humansIn(channelId) {
      const channel = guild.channels.cache.get(channelId);
      if (!channel || !channel.isVoiceBased()) return 0;
      return channel.members.filter((m) => !m.user.bot).size;
    },
  };
}
