import type { ErrorKey } from './errors.js';

type Details = Readonly<Record<string, string | number>>;

const texts: Record<ErrorKey, (d: Details) => string> = {
  'speech.auth': () => 'The speech service refused the bot’s API key. Ask the bot’s operator to check `TTS_API_KEY`.',
  'speech.rate_limited': (d) =>
    `The speech service is rate-limiting the bot${d.retryAfterSeconds ? ` (retry in about ${d.retryAfterSeconds} s)` : ''}. Try again shortly.`,
  'speech.quota': () => 'The bot’s speech service quota is used up. Ask the bot’s operator to check the provider account.',
  'speech.rejected': (d) => `The speech service rejected the request: ${d.providerMessage ?? 'no reason given'}`,
  'speech.unavailable': () => 'The speech service is unavailable right now. Try again in a minute.',
  'speech.timeout': (d) =>
    d.phase === 'stall'
      ? 'The speech service stopped sending audio part-way, so that message was cut short.'
      : 'The speech service took too long to answer. Try again in a moment.',
  'speech.bad_audio': () => 'The speech service sent something that is not playable audio.',
  'input.invalid': (d) => String(d.reason ?? 'That value is not allowed.'),
  'queue.full_guild': (d) => `The queue is full (${d.limit} items). Wait for it to move, or ask a moderator to /stop it.`,
  'queue.full_member': (d) => `You already have ${d.limit} items waiting. Wait until some are spoken.`,
  'voice.not_in_channel': () => 'Join a voice channel first.',
  'voice.not_in_bot_channel': (d) => `I’m in <#${d.channelId}>. Join it to control me.`,
  'voice.cannot_join': (d) => `I can’t speak in <#${d.channelId}>: ${d.reason}.`,
  'voice.not_voice_channel': (d) => `<#${d.channelId}> is not a voice channel I can see.`,
  'voice.channel_full': (d) => `<#${d.channelId}> is full.`,
  'permission.missing': (d) =>
    `I need the **${d.permission}** permission in <#${d.channelId}> for that. Ask a moderator to give it to me there (channel settings → Permissions).`,
  'voice.join_failed': () => 'I couldn’t connect to the voice channel. Try again, or check my permissions.',
  'voice.bot_not_connected': () => 'I’m not in a voice channel here.',
  'file.too_large': (d) =>
    `The audio is larger than the ${d.limitMiB} MiB a file may be here. Use a shorter text, a higher speed, or the opus format.`,
  'command.guild_only': () => 'This command works only in a server.',
  'announce.not_allowed': (d) =>
    `Announcements are for members with Manage Server${d.roleId ? ` or the <@&${d.roleId}> role` : ''}.`,
  'announce.too_many': (d) => `This server already has ${d.limit} scheduled announcements. Cancel one with /announce cancel first.`,
  'announce.unknown': (d) => `There is no scheduled announcement #${d.id} in this server. See /announce list.`,
  internal: () => 'Something went wrong on my side. It has been logged.',
};

/** Said after /read enable when the bot may read a channel but not react there (messages it skips are then not marked). */
export function cannotReactWarning(permission: string, channelId: string): string {
  return `⚠️ I can’t react in <#${channelId}> (I need **${permission}** there), so messages I skip won’t get 🔇.`;
}

/** The notice posted when a scheduled announcement could not be said. */
export function scheduledNotSaidNotice(id: number, channelId: string, why: string): string {
  return `⚠️ Scheduled announcement #${id} was not said in <#${channelId}>. ${why}`;
}

/**
 * User text shown back in a reply (a model name, a time, a word), with every "@" followed by a zero-width space: it reads
 * as typed but can never be a mention (@everyone, @here, <@id>, <@&id>), whatever allowed_mentions says.
 */
export function defuseMentions(text: string): string {
  return text.replaceAll('@', '@\u200B');
}

/** The user-facing text for an error key; text values in the details are defused (they may echo what a member typed). */
export function messageFor(key: ErrorKey, details: Details = {}): string {
  const safe = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? defuseMentions(v) : v]));
  return texts[key](safe);
}
