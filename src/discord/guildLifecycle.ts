import { Events, PermissionFlagsBits, type Client, type Guild } from 'discord.js';
import type { Logger } from '../observability/logger.js';
import type { PlaybackRegistry } from '../voice/PlaybackRegistry.js';

/** What the guild lifecycle watcher needs. */
export interface GuildLifecycleDeps {
  client: Client;
  playback: PlaybackRegistry<unknown>;
  logger: Logger;
}

/**
 * Keeps each guild's queue in step with what happens to the guild around it: the bot removed from the server (or
 * the server deleted), the voice channel deleted, and the bot's own permissions in its channel taken away.
 * Queues are never left waiting on a channel the bot can no longer use: they are cleared with a reason.
 */
export function watchGuildLifecycle({ client, playback, logger }: GuildLifecycleDeps): void {
  const log = logger.child({ module: 'guild-lifecycle' });

  client.on(Events.GuildDelete, (guild) => {
    // discord.js emits GuildDelete only when the bot was removed or the server deleted; an outage (GUILD_DELETE with
    // unavailable: true) is GuildUnavailable, and the voice connection reports its own failures then.
    if (playback.remove(guild.id, 'removed')) log.info({ guildId: guild.id }, 'removed from a server; its queue is cleared');
  });

  client.on(Events.ChannelDelete, (channel) => {
    if (!('guildId' in channel) || !channel.guildId) return;
    const guildPlayback = playback.get(channel.guildId);
    if (!guildPlayback || guildPlayback.channelId !== channel.id) return;
    log.info({ guildId: channel.guildId }, 'the voice channel was deleted; leaving');
    guildPlayback.leave('channel_deleted');
  });

  /** Speak (or sight of the channel) taken away while connected: Discord keeps the bot in, but mutes what it sends. */
  const recheck = (guild: Guild) => {
    const guildPlayback = playback.get(guild.id);
    const channelId = guildPlayback?.connectedChannelId;
    const me = guild.members.me;
    if (!guildPlayback || !channelId || !me) return;
    const channel = guild.channels.cache.get(channelId);
    if (!channel) return;
    const perms = channel.permissionsFor(me);
    const missing = !perms.has(PermissionFlagsBits.ViewChannel) ? 'View Channel' : !perms.has(PermissionFlagsBits.Speak) ? 'Speak' : null;
    if (!missing) {
      // Connect matters only for the next join; the bot stays connected and its queue goes on.
      if (!perms.has(PermissionFlagsBits.Connect)) log.info({ guildId: guild.id }, 'Connect permission removed; staying while connected');
      return;
    }
    log.warn({ guildId: guild.id, missing }, 'lost a voice permission in the channel; leaving');
    guildPlayback.leave('no_permission');
  };
  client.on(Events.ChannelUpdate, (_old, channel) => {
    if ('guild' in channel && channel.guild) recheck(channel.guild);
  });
  client.on(Events.GuildRoleUpdate, (_old, role) => recheck(role.guild));
  client.on(Events.GuildMemberUpdate, (_old, member) => {
    if (member.id === client.user?.id) recheck(member.guild);
  });
}
