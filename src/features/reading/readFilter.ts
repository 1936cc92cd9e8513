import type { GuildSettings } from '../../settings/definitions.js';
import type { MessageFacts } from './messageFacts.js';

/** Why a message is not read (logged as a reason, never with the text). */
export type SkipReason =
  | 'not_reading_channel'
  | 'system'
  | 'bot'
  | 'silent'
  | 'skip_prefix'
  | 'opted_out'
  | 'missing_role'
  | 'author_not_with_bot'
  | 'bot_not_in_voice';

/** Read it in this voice channel (joining it first when `join`), or skip it for a reason. */
export type ReadDecision = { read: true; voiceChannelId: string; join: boolean } | { read: false; reason: SkipReason };

/** What the decision depends on besides the message. */
export interface ReadContext {
  settings: Pick<
    GuildSettings,
    'read_voice_chats' | 'read_require_in_voice' | 'read_ignore_bots' | 'read_skip_silent' | 'read_skip_prefix' | 'read_required_role' | 'read_auto_join'
  >;
  /** Text channels bound with /read enable. */
  boundChannels: ReadonlySet<string>;
  /** The voice channel the bot is in (or joining) in this guild, or null. */
  botVoiceChannelId: string | null;
  /** The author opted out of being read. */
  optedOut: boolean;
}

/** Decides whether and where a posted message is read aloud; pure, so every rule is table-tested. */
export function readDecision(m: MessageFacts, ctx: ReadContext): ReadDecision {
  const s = ctx.settings;
  // A voice channel's own text chat has the voice channel's id.
  const voiceChat = s.read_voice_chats && (m.channelId === ctx.botVoiceChannelId || (ctx.botVoiceChannelId === null && m.channelId === m.authorVoiceChannelId));
  if (!ctx.boundChannels.has(m.channelId) && !voiceChat) return { read: false, reason: 'not_reading_channel' };
  if (m.system) return { read: false, reason: 'system' };
  if (s.read_ignore_bots && (m.authorIsBot || m.webhook)) return { read: false, reason: 'bot' };
  if (s.read_skip_silent && m.silent) return { read: false, reason: 'silent' };
  if (s.read_skip_prefix !== '' && m.content.trimStart().startsWith(s.read_skip_prefix)) return { read: false, reason: 'skip_prefix' };
  if (ctx.optedOut) return { read: false, reason: 'opted_out' };
  if (s.read_required_role !== null && !m.authorRoleIds.includes(s.read_required_role)) return { read: false, reason: 'missing_role' };
  if (ctx.botVoiceChannelId !== null) {
    if (s.read_require_in_voice && m.authorVoiceChannelId !== ctx.botVoiceChannelId) return { read: false, reason: 'author_not_with_bot' };
    return { read: true, voiceChannelId: ctx.botVoiceChannelId, join: false };
  }
  if (s.read_auto_join && m.authorVoiceChannelId !== null) return { read: true, voiceChannelId: m.authorVoiceChannelId, join: true };
  return { read: false, reason: 'bot_not_in_voice' };
}

/** A stable voice for a member from the configured list (FNV-1a of the user id), for "distinct voices". */
export function distinctVoice(userId: string, voices: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return voices[hash % voices.length]!;
}
