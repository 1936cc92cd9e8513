import { BotError } from '../errors.js';

/** Discord's JSON error codes about voice messages (topics/opcodes-and-status-codes). */
export const VOICE_MESSAGE_CODES: Readonly<Record<number, string>> = {
  50013: 'missing permissions',
  50159: 'voice messages do not support additional content',
  50160: 'voice messages must have a single audio attachment',
  50161: 'voice messages must have supporting metadata',
  50162: 'voice messages cannot be edited',
  50173: 'you cannot send voice messages in this channel',
};

/**
 * The user-facing error for Discord's answer to a voice message, or null for codes that are not about it.
 * 50173 and 50013 mean the channel refuses it (Send Voice Messages); 50159-50162 mean the bot built it wrong.
 */
export function voiceMessageRefusal(code: unknown, channelId: string): BotError | null {
  if (code === 50173 || code === 50013) return new BotError('voice_message.not_allowed', { channelId });
  if (typeof code === 'number' && code >= 50159 && code <= 50162) {
    return new BotError('voice_message.rejected', { reason: `${code}: ${VOICE_MESSAGE_CODES[code]}` });
  }
  return null;
}
