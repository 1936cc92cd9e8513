import type { VoiceEvent } from './voiceEventBatcher.js';

/** One member's voice state change as plain data (read from discord.js by the caller). */
export interface VoiceStateChange {
  userId: string;
  /** Bots (and webhooks' users) are never announced. */
  isBot: boolean;
  /** Display name as it should be said. */
  name: string;
  fromChannelId: string | null;
  toChannelId: string | null;
  /** Name of `toChannelId`, as it should be said (for moves). */
  toChannelName?: string;
}

/**
 * What a voice state change means for listeners in the bot's channel: someone arrived (join), went out of voice
 * (leave) or went to another channel (move); null for everything else (mute, deafen, streams, other channels).
 */
export function voiceEventFor(change: VoiceStateChange, botChannelId: string | null): VoiceEvent | null {
  if (change.isBot || botChannelId === null || change.fromChannelId === change.toChannelId) return null;
  if (change.toChannelId === botChannelId) return { kind: 'join', userId: change.userId, name: change.name };
  if (change.fromChannelId !== botChannelId) return null;
  if (change.toChannelId === null) return { kind: 'leave', userId: change.userId, name: change.name };
  return {
    kind: 'move',
    userId: change.userId,
    name: change.name,
    ...(change.toChannelName ? { channelName: change.toChannelName } : {}),
  };
}
