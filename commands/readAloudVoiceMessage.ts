import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';
import { postVoiceMessageReply, precheckVoiceMessage } from './voiceMessageReply.js';

/**
 * "Read aloud as voice message" on a message: posts it, read in its author's voice, as a native voice message in the
 * same channel (for members who listen on a phone, or to keep it in the chat). A second menu entry rather than a
 * setting: the choice is per message, visible where it is made, and "Read aloud" keeps working as before.
 */
export const readAloudVoiceMessage: BotCommand = {
  data: new ContextMenuCommandBuilder()
    .setName('Read aloud as voice message')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  spendsSpeech: () => true,

  precheck: precheckVoiceMessage,

  defer: () => 'ephemeral',

  async execute(ctx) {
    const target = ctx.target;
    if (!target) throw new BotError('input.not_a_message');
    const asked = ctx.services.reading.askOnRequest(target, ctx.user.id);
    if (asked.kind === 'opted_out') {
      await ctx.reply({ content: ctx.t('replies.read_aloud.opted_out') });
      return;
    }
    if (asked.kind === 'nothing') {
      await ctx.reply({ content: ctx.t('replies.read_aloud.nothing') });
      return;
    }
    await postVoiceMessageReply(
      ctx,
      { text: asked.text, ...(asked.voice ? { voice: asked.voice } : {}) },
      { guildId: target.guildId, userId: target.authorId },
      ctx.user.id,
      ctx.tServer('replies.voice_message.alt_read', { author: target.authorDisplayName, reader: ctx.user.displayName }),
    );
  },
};
