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
  'speech.model_unavailable': (d) =>
    `The speech model${d.model ? ` “${d.model}”` : ''} is no longer available from any configured speech service (retired or removed). Ask the bot’s operator to add another provider or model; see /diagnose.`,
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
  'voice_message.not_allowed': (d) =>
    `Discord does not let me post voice messages in <#${d.channelId}>. Ask a moderator to give me the **Send Voice Messages** permission there, or use another output.`,
  'voice_message.rejected': (d) =>
    `Discord refused the voice message (${d.reason}). This is a fault on my side and has been logged; use \`output: audio file\` meanwhile.`,
  'command.guild_only': () => 'This command works only in a server.',
  'announce.not_allowed': (d) =>
    `Announcements are for members with Manage Server${d.roleId ? ` or the <@&${d.roleId}> role` : ''}.`,
  'announce.too_many': (d) => `This server already has ${d.limit} scheduled announcements. Cancel one with /announce cancel first.`,
  'announce.unknown': (d) => `There is no scheduled announcement #${d.id} in this server. See /announce list.`,
  'bot.shutting_down': () => 'I’m restarting. Try again in a minute.',
  'usage.rate_limited': (d) =>
    `That’s more than the ${d.perMinute} speech requests a minute a member may make here. Try again <t:${d.retryAt}:R>.`,
  'usage.budget_guild': (d) =>
    `This server’s daily speech budget is spent: ${d.used} of ${d.limit} characters used today, and this needs ${d.needed}. It resets <t:${d.resetAt}:R>. Phrases already in the cache still play.`,
  'usage.budget_bot': (d) =>
    `The bot’s daily speech budget (all servers together) is spent: ${d.used} of ${d.limit} characters used today, and this needs ${d.needed}. It resets <t:${d.resetAt}:R>. Phrases already in the cache still play.`,
  'settings.busy': () => 'The settings database is busy (another program is holding it), so nothing was changed. Try again in a moment.',
  'transcribe.no_audio': () => 'That message has no voice message or audio file to transcribe.',
  'transcribe.too_large': (d) =>
    `That audio file is ${d.sizeMiB} MiB; the transcription service takes at most ${d.limitMiB} MiB, so I did not send it.`,
  'transcribe.opted_out': () => 'Its author has opted out (/optout): only they can have their voice messages transcribed.',
  'transcribe.unsupported': () =>
    'None of the configured speech services offers transcription (`/audio/transcriptions`). Ask the bot’s operator to add one.',
  'transcribe.download_failed': () => 'I could not download that audio from Discord. Try again in a moment.',
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

/** What /diagnose says about one speech provider (facts only; never a key). */
export interface ProviderDiagnosisFacts {
  name: string;
  host: string;
  /** 'healthy', failing (not yet open), open until a time, or half-open (one probe allowed). */
  state: { status: 'healthy' } | { status: 'failing'; since: number; failures: number } | { status: 'open'; since: number; until: number } | { status: 'probing'; since: number };
  models: string[] | undefined;
  retiring: Array<{ model: string; shutdownDate: string; daysLeft: number }>;
  missing: string[];
  unavailable: Array<{ model: string; reason: string; since: number }>;
  /** When GET /models was last asked, and what came of it. */
  lastCheck: { at: number; outcome: 'ok' | 'no-endpoint' | 'failed'; detail?: string | undefined; ms?: number | undefined } | undefined;
  counts: { requests: number; served: number; failovers: number; modelFallbacks: number };
}

/** Discord's relative time stamp for an epoch-ms instant. */
const when = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

/** The /diagnose lines about one provider, in priority position `rank` (1-based). */
export function providerDiagnosis(rank: number, f: ProviderDiagnosisFacts): string[] {
  const state =
    f.state.status === 'healthy'
      ? '🟢 healthy'
      : f.state.status === 'failing'
        ? `🟡 failing since ${when(f.state.since)} (${f.state.failures} in a row)`
        : f.state.status === 'open'
          ? `🔴 circuit open until ${when(f.state.until)} (failing since ${when(f.state.since)}); requests go to the next provider`
          : `🟠 trying again (one test request), failing since ${when(f.state.since)}`;
  const lines = [`**${rank}. ${f.name}** (${f.host}): ${state}`];
  const unavailable = new Set(f.unavailable.map((u) => u.model));
  if (f.models) {
    const usable = f.models.filter((m) => !unavailable.has(m));
    lines.push(`• models: ${usable.length > 0 ? usable.join(', ') : 'none left'}`);
  } else {
    lines.push('• models: whatever members choose (no list configured)');
  }
  for (const r of f.retiring) {
    lines.push(
      r.daysLeft > 0
        ? `• ⚠️ ${r.model} shuts down on ${r.shutdownDate} (in ${r.daysLeft} day${r.daysLeft === 1 ? '' : 's'})`
        : `• ⛔ ${r.model} was shut down on ${r.shutdownDate}`,
    );
  }
  if (f.missing.length > 0) lines.push(`• ⚠️ not listed by the provider: ${f.missing.join(', ')}`);
  for (const u of f.unavailable) lines.push(`• ⛔ ${u.model} unavailable (${u.reason}) since ${when(u.since)}`);
  if (f.lastCheck?.outcome === 'ok') lines.push(`• answered GET /models with the configured key${f.lastCheck.ms === undefined ? '' : ` in ${f.lastCheck.ms} ms`} ${when(f.lastCheck.at)}`);
  if (f.lastCheck?.outcome === 'failed') lines.push(`• model list not readable (${f.lastCheck.detail ?? 'error'}) ${when(f.lastCheck.at)}`);
  if (f.lastCheck?.outcome === 'no-endpoint') lines.push('• no model list (GET /models) at this provider');
  lines.push(`• since start: ${f.counts.served}/${f.counts.requests} requests served, ${f.counts.failovers} passed on, ${f.counts.modelFallbacks} model fallbacks`);
  return lines;
}

/** The heading of a /diagnose section. */
export function diagnosisSection(title: string, lines: string[]): string {
  return [`__${title}__`, ...lines].join('\n');
}

/** Titles of the /diagnose sections. */
export const DIAGNOSIS_TITLES = {
  bot: 'The bot',
  permissions: 'My permissions here',
  voice: 'Voice',
  providers: 'Speech providers (in order)',
  storage: 'Cache and database',
  usage: 'Budget and rate limit in this server',
} as const;

const duration = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
};
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** The /diagnose lines, one function per kind of fact (facts in, text out). */
export const diagnosisLines = {
  bot: (f: { version: string; uptimeMs: number; pingMs: number; intents: string[]; reading: string }) => [
    `• version ${f.version}, up ${duration(f.uptimeMs)}`,
    `• gateway ping ${f.pingMs >= 0 ? `${Math.round(f.pingMs)} ms` : 'not measured yet'}`,
    `• intents: ${f.intents.join(', ')}`,
    `• reading messages aloud: ${f.reading}`,
  ],
  /** One channel: 🔊 voice or 💬 text; `missing` empty means all is well. */
  channel: (f: { kind: 'voice' | 'text'; channelId: string; checked: string[]; missing: Array<{ permission: string; for: string }> | null }) =>
    f.missing === null
      ? `${f.kind === 'voice' ? '🔊' : '💬'} <#${f.channelId}>: I cannot see this channel`
      : f.missing.length === 0
        ? `${f.kind === 'voice' ? '🔊' : '💬'} <#${f.channelId}>: ✅ ${f.checked.join(', ')}`
        : `${f.kind === 'voice' ? '🔊' : '💬'} <#${f.channelId}>: ⛔ missing ${f.missing.map((m) => `**${m.permission}** (${m.for})`).join(', ')}`,
  notInVoice: () => '🔊 you are not in a voice channel: join one and run /diagnose again to check it',
  voice: (f: { dave: string | null; opus: string | null; encryption: string[]; ffmpeg: { path: string; version: string | null } }) => [
    `• DAVE (end-to-end voice encryption): ${f.dave ?? '⛔ @snazzah/davey not found: Discord refuses voice without it'}`,
    `• transport encryption: ${f.encryption.length > 0 ? f.encryption.join(', ') : '⛔ none found'} (Discord's required mode is aead_xchacha20_poly1305_rtpsize)`,
    `• Opus: ${f.opus ?? '⚠️ no Opus library (needed only to re-encode)'}`,
    `• ffmpeg: ${f.ffmpeg.version ? `${f.ffmpeg.version} at ${f.ffmpeg.path}` : `⛔ not runnable at ${f.ffmpeg.path} (set FFMPEG_PATH)`}`,
  ],
  cache: (f: { bytes: number; maxBytes: number; entries: number; hits: number; misses: number } | null) =>
    f === null
      ? '• audio cache: off (AUDIO_CACHE_MB=0)'
      : `• audio cache: ${mib(f.bytes)} of ${mib(f.maxBytes)}, ${f.entries} clips, hit rate ${f.hits + f.misses > 0 ? `${Math.round((100 * f.hits) / (f.hits + f.misses))} %` : 'n/a'} (${f.hits} hits, ${f.misses} misses since start)`,
  /** A daily budget: 0 means none; resetAt in ms. */
  budget: (scope: 'server' | 'bot', b: { limit: number; used: number; resetAt: number }) =>
    b.limit === 0
      ? `• ${scope === 'server' ? 'this server' : 'the whole bot'}: no daily character budget (${b.used} characters today)`
      : `• ${scope === 'server' ? 'this server' : 'the whole bot'}: ${Math.max(0, b.limit - b.used)} of ${b.limit} characters left today, resets <t:${Math.ceil(b.resetAt / 1000)}:R>`,
  rateLimit: (perMinute: number) => `• each member may make ${perMinute} speech requests a minute`,
  postgres: (where: string) => `• database: PostgreSQL at ${where}`,
  database: (f: { file: string; bytes: number | null; schemaVersion: number }) =>
    `• database: ${f.file}, ${f.bytes === null ? 'size unknown' : mib(f.bytes)}, schema version ${f.schemaVersion}`,
};

/** Which reading set-up applies (READING_ENABLED and the Developer Portal), for /read and /diagnose. */
export const READING_CASES: Readonly<Record<'config-on' | 'config-off' | 'auto-allowed' | 'auto-not-allowed' | 'auto-unknown', string>> = {
  'config-on': 'on (READING_ENABLED=true)',
  'config-off':
    'off: the operator set `READING_ENABLED=false`. To read messages aloud, set it to `auto` or `true`, turn on the **Message Content** intent for the bot in the Discord Developer Portal, and restart the bot.',
  'auto-allowed': 'on (READING_ENABLED=auto: the Developer Portal allows the Message Content intent)',
  'auto-not-allowed':
    'off: the **Message Content** intent is not switched on for this bot in the Discord Developer Portal (Bot → Privileged Gateway Intents). The operator must turn it on and restart the bot.',
  'auto-unknown': 'off: the bot could not read its application settings from Discord at start (READING_ENABLED=auto); it will try again at the next start.',
};

/** What each permission the bot checks is for, in /diagnose. */
export const PERMISSION_PURPOSES: Readonly<Record<string, string>> = {
  'View Channel': 'to see the channel',
  Connect: 'to join',
  Speak: 'to be heard',
  'Send Messages': 'for notices',
  'Read Message History': 'for reactions',
  'Add Reactions': 'to mark messages not read',
  'Attach Files': 'for voice messages',
  'Send Voice Messages': 'for voice messages',
};

/** The line that ends a /diagnose reply too long for one message (the whole report goes with it as a file). */
export const DIAGNOSIS_TRUNCATED = '… (the full report is attached)';
