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
  'voice.join_failed': () => 'I couldn’t connect to the voice channel. Try again, or check my permissions.',
  'voice.bot_not_connected': () => 'I’m not in a voice channel here.',
  'file.too_large': (d) =>
    `The audio is larger than the ${d.limitMiB} MiB a file may be here. Use a shorter text, a higher speed, or the opus format.`,
  'command.guild_only': () => 'This command works only in a server.',
  'announce.not_allowed': (d) =>
    `Announcements are for members with Manage Server${d.roleId ? ` or the <@&${d.roleId}> role` : ''}.`,
  'announce.too_many': (d) => `This server already has ${d.limit} scheduled announcements. Cancel one with /announce cancel first.`,
  'announce.unknown': (d) => `There is no scheduled announcement #${d.id} in this server. See /announce list.`,
  'settings.busy': () => 'The settings database is busy (another program is holding it), so nothing was changed. Try again in a moment.',
  internal: () => 'Something went wrong on my side. It has been logged.',
};

/** The user-facing text for an error key. */
export function messageFor(key: ErrorKey, details: Details = {}): string {
  return texts[key](details);
}
