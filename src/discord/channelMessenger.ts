import { Routes, type Client } from 'discord.js';
import type { Logger } from '../observability/logger.js';
import { checkBotAccess, type AccessCheck } from './botAccess.js';
import type { BotAction } from './botPermissions.js';

/** What the bot does in text channels outside interaction responses: post a notice, react to a message. */
export interface ChannelMessenger {
  /** Posts a plain message (no pings); throws BotError('permission.missing') without View Channel / Send Messages. */
  notify(channelId: string, content: string): Promise<void>;
  /** Replies to a message without pinging anyone, its author included; throws BotError('permission.missing') like notify. */
  replyTo(channelId: string, messageId: string, content: string): Promise<void>;
  /** Adds the bot's reaction; without the permissions it skips, and logs that once per channel until they come back. */
  react(channelId: string, messageId: string, emoji: string): Promise<void>;
}

/** Posts and reacts through discord.js's REST client after checking the bot's permissions in the channel. */
export function createChannelMessenger(deps: { client: Client; logger: Logger }): ChannelMessenger {
  const log = deps.logger.child({ module: 'channels' });
  const cannotReactIn = new Set<string>();

  const access = (channelId: string, action: BotAction): AccessCheck => {
    const channel = deps.client.channels.cache.get(channelId);
    return channel && 'guild' in channel ? checkBotAccess(channel.guild, channelId, action) : { ok: true };
  };

  return {
    async notify(channelId, content) {
      const check = access(channelId, 'post');
      if (!check.ok) throw check.error;
      await deps.client.rest.post(Routes.channelMessages(channelId), { body: { content, allowed_mentions: { parse: [] } } });
    },
    async replyTo(channelId, messageId, content) {
      const check = access(channelId, 'post');
      if (!check.ok) throw check.error;
      await deps.client.rest.post(Routes.channelMessages(channelId), {
        body: {
          content,
          message_reference: { message_id: messageId, fail_if_not_exists: false },
          allowed_mentions: { parse: [], replied_user: false },
        },
      });
    },
    async react(channelId, messageId, emoji) {
      const check = access(channelId, 'react');
      if (!check.ok) {
        if (!cannotReactIn.has(channelId)) {
          cannotReactIn.add(channelId);
          log.warn({ channelId, permission: check.error.details.permission }, 'cannot react in this channel: missing permission');
        }
        return;
      }
      cannotReactIn.delete(channelId);
      await deps.client.rest.put(Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji)));
    },
  };
}
