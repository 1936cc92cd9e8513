import { Events, type Client, type Interaction, type Message } from 'discord.js';
import type { MessageFacts } from '../features/reading/messageFacts.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { PlaybackRegistry } from '../voice/PlaybackRegistry.js';
import { watchGuildLifecycle } from './guildLifecycle.js';
import { messageFacts } from './messageFacts.js';

/** What the bot does with Discord's events: each handler is a call into a service. */
export interface DiscordEventHandlers {
  client: Client;
  playback: PlaybackRegistry<unknown>;
  logger: Logger;
  metrics: Pick<Metrics, 'reconnect'>;
  /** An interaction arrived (the router answers it). */
  onInteraction(interaction: Interaction): void;
  presence: {
    botMoved(guildId: string): void;
    onVoiceStateChange(
      guildId: string,
      change: { userId: string; isBot: boolean; name: string; fromChannelId: string | null; toChannelId: string | null; toChannelName?: string },
    ): void;
  };
  /** Message reading; undefined when READING_ENABLED is not on (no message events are listened to). */
  reading:
    | {
        onMessage(facts: MessageFacts): void;
        onEdit(facts: MessageFacts): void;
        onDelete(guildId: string, messageId: string): void;
      }
    | undefined;
  /** Voice messages transcribed where a server asked for it (only with reading on: they are the channels read aloud). */
  transcribe?: { onMessage(facts: MessageFacts): void } | undefined;
  /** Once every shard of this process is ready (after each full reconnect too). */
  onReady(client: Client<true>): void;
  /** Once, on the first ready. */
  onFirstReady(client: Client<true>): void;
}

/**
 * Subscribes the bot to Discord: interactions, voice states (the bot's own, members' for presence and leaving when
 * alone), messages in reading channels, guild lifecycle, readiness and gateway trouble.
 */
export function wireDiscordEvents(h: DiscordEventHandlers): void {
  const { client, playback, logger } = h;
  client.on(Events.InteractionCreate, (interaction) => h.onInteraction(interaction));
  watchGuildLifecycle({ client, playback, logger });

  // The channel the presence announcer last saw the bot serve, per guild: a change resets its batching.
  const presenceChannel = new Map<string, string | null>();
  client.on(Events.VoiceStateUpdate, (old, now) => {
    const guildPlayback = playback.get(now.guild.id);
    if (!guildPlayback) return;
    if (now.id === client.user?.id) {
      guildPlayback.handleBotVoiceState(now.channelId);
      if (guildPlayback.channelId !== presenceChannel.get(now.guild.id)) h.presence.botMoved(now.guild.id);
      presenceChannel.set(now.guild.id, guildPlayback.channelId);
      return;
    }
    const member = now.member ?? old.member;
    h.presence.onVoiceStateChange(now.guild.id, {
      userId: now.id,
      isBot: member?.user.bot ?? false,
      name: member?.displayName ?? 'someone',
      fromChannelId: old.channelId,
      toChannelId: now.channelId,
      ...(now.channel ? { toChannelName: now.channel.name } : {}),
    });
    const channelId = guildPlayback.channelId;
    // On a visit elsewhere (an announcement) the bot is often alone there, or away from an empty home: not a reason to leave.
    if (channelId && guildPlayback.state.status !== 'joining' && !guildPlayback.visiting) {
      const channel = now.guild.channels.cache.get(channelId);
      const humans = channel?.isVoiceBased() ? channel.members.filter((m) => !m.user.bot).size : 0;
      if (humans === 0) {
        logger.info({ guildId: now.guild.id }, 'no one left in the voice channel; leaving');
        guildPlayback.leave('alone');
      }
    }
  });

  const reading = h.reading;
  if (reading) {
    const own = (m: Message) => m.author?.id === client.user?.id;
    client.on(Events.MessageCreate, (message) => {
      if (!message.inGuild() || own(message)) return;
      const facts = messageFacts(message);
      reading.onMessage(facts);
      h.transcribe?.onMessage(facts);
    });
    client.on(Events.MessageUpdate, (_old, message) => {
      if (!message.partial && message.inGuild() && !own(message)) reading.onEdit(messageFacts(message));
    });
    client.on(Events.MessageDelete, (message) => {
      if (message.guildId) reading.onDelete(message.guildId, message.id);
    });
  }

  client.once(Events.ClientReady, (c) => h.onFirstReady(c));
  client.on(Events.ClientReady, (c) => {
    logger.info({ user: c.user.tag, guilds: c.guilds.cache.size }, 'connected to Discord');
    h.onReady(c);
  });
  client.on(Events.Error, (err) => logger.error({ err: err.message }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, () => h.metrics.reconnect('gateway'));
}
