import { BotError } from '../errors.js';
import type { GuildPlayback } from '../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../voice/PlaybackRegistry.js';

/** The guild's playback, if the member may control it: the bot is connected and the member is in its channel. */
export function requireControl<R>(
  registry: PlaybackRegistry<R>,
  guildId: string,
  memberChannelId: string | null,
): GuildPlayback<R> {
  const playback = registry.get(guildId);
  const channelId = playback?.channelId;
  if (!playback || !channelId) throw new BotError('voice.bot_not_connected');
  if (memberChannelId !== channelId) throw new BotError('voice.not_in_bot_channel', { channelId });
  return playback;
}
