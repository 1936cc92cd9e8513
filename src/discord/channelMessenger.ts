import { DiscordAPIError, MessageFlags, Routes, type Client } from 'discord.js';
import type { Logger } from '../observability/logger.js';
import { checkBotAccess, type AccessCheck } from './botAccess.js';
import type { BotAction } from './botPermissions.js';
import { voiceMessageRefusal } from './voiceMessageErrors.js';

/** What the bot does in text channels outside interaction responses: post a notice, react to a message. */
export interface ChannelMessenger {
  /** Posts a plain message (no pings); throws BotError('permission.missing') without View Channel / Send Messages. */
  notify(channelId: string, content: string): Promise<void>;
  /** Adds the bot's reaction; without the permissions it skips, and logs that once per channel until they come back. */
  react(channelId: string, messageId: string, emoji: string): Promise<void>;
  /**
   * Posts a native voice message (Create Message: IS_VOICE_MESSAGE, one audio/ogg file with duration and waveform, no
   * content, no pings); returns its id. Throws BotError('permission.missing') before sending when a permission is
   * missing, and a voice_message.* BotError for Discord's voice-message refusals.
   */
  postVoiceMessage(channelId: string, message: VoiceMessageUpload): Promise<{ messageId: string }>;
}

/** The audio and metadata of a voice message to post. */
export interface VoiceMessageUpload {
  data: Buffer;
  durationSecs: number;
  waveform: string;
  /** Alt text of the file (not message content: voice messages carry none). */
  description?: string;
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
    async postVoiceMessage(channelId, message) {
      const check = access(channelId, 'voice_message');
      if (!check.ok) throw check.error;
      const filename = 'voice-message.ogg';
      try {
        // Through the REST layer, not channel.send: discord.js would sniff the Buffer and label Ogg `application/ogg`,
        // and Discord keeps duration and waveform only for a content type starting with `audio/`.
        const posted = (await deps.client.rest.post(Routes.channelMessages(channelId), {
          body: {
            flags: MessageFlags.IsVoiceMessage,
            allowed_mentions: { parse: [] },
            attachments: [{
              id: 0,
              filename,
              duration_secs: message.durationSecs,
              waveform: message.waveform,
              ...(message.description ? { description: message.description } : {}),
            }],
          },
          files: [{ key: 'files[0]', name: filename, data: message.data, contentType: 'audio/ogg' }],
        })) as { id: string };
        return { messageId: posted.id };
      } catch (err) {
        const refusal = err instanceof DiscordAPIError ? voiceMessageRefusal(err.code, channelId) : null;
        if (refusal) log.warn({ channelId, code: (err as DiscordAPIError).code }, 'Discord refused a voice message');
        throw refusal ?? err;
      }
    },
  };
}
