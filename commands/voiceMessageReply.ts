import type { Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import type { Asker } from '../src/features/speak.js';
import { shorten } from '../src/features/speak.js';
import type { SpeechAsk } from '../src/speech/request.js';

/** Refuses before anything is spent when the bot may not post a voice message in the command's channel. */
export function precheckVoiceMessage(ctx: CommandContext<Services>): void {
  const check = ctx.voice.can(ctx.channelId, 'voice_message');
  if (!check.ok) throw check.error;
}

/**
 * Makes `ask` into a voice message and posts it in the command's channel, then says where in the (private) reply.
 * `altText` is the file's description, seen by everyone there: word it in the server's language (ctx.tServer).
 * Discord takes IS_VOICE_MESSAGE only on Create Message and on an initial (type 4) response: a deferred response keeps
 * only EPHEMERAL, its edits and follow-ups cannot become voice messages. Synthesis takes longer than the 3 s before a
 * response is due, so the command defers privately and the bot posts the voice message itself.
 */
export async function postVoiceMessageReply(
  ctx: CommandContext<Services>,
  ask: SpeechAsk,
  who: Asker,
  payerId: string,
  altText: string,
): Promise<void> {
  const made = await ctx.services.voiceMessages.make(ask, who, ctx.attachmentSizeLimit, payerId);
  const { messageId } = await ctx.services.postVoiceMessage(ctx.channelId, {
    ...made.audio,
    description: shorten(altText, 1000),
  });
  const seconds = Math.max(1, Math.round(made.audio.durationSecs));
  await ctx.reply({
    content: ctx.t('replies.voice_message.posted', {
      seconds,
      voice: made.request.voice,
      link: `https://discord.com/channels/${ctx.guildId}/${ctx.channelId}/${messageId}`,
      cached: made.fromCache ? 'yes' : 'no',
      cacheNote: ctx.t('replies.outcome.cache_note'),
    }),
  });
}
