/** What the reading feature needs to know about a posted message, as plain data (no discord.js objects). */
export interface MessageFacts {
  id: string;
  guildId: string;
  channelId: string;
  authorId: string;
  /** The author's display name in the guild. */
  authorDisplayName: string;
  authorIsBot: boolean;
  /** Posted by a webhook (no member behind it). */
  webhook: boolean;
  /** A system message (join, pin, boost…), never read. */
  system: boolean;
  /** Sent with @silent (SUPPRESS_NOTIFICATIONS). */
  silent: boolean;
  /** The voice channel the author is in, or null. */
  authorVoiceChannelId: string | null;
  authorRoleIds: readonly string[];
  content: string;
  mentions: { users: Record<string, string>; roles: Record<string, string>; channels: Record<string, string> };
  replyToName?: string | undefined;
  attachments: Array<{ name: string; contentType?: string | undefined }>;
  stickers: string[];
  poll?: { question: string } | undefined;
  forwarded: boolean;
  embedsOnly: boolean;
  /** A native voice message (IS_VOICE_MESSAGE), with its attachment's `duration_secs` when Discord gave one. */
  voiceMessage?: { durationSecs: number | null } | undefined;
}
