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
  'command.guild_only': () => 'This command works only in a server.',
  'announce.not_allowed': (d) =>
    `Announcements are for members with Manage Server${d.roleId ? ` or the <@&${d.roleId}> role` : ''}.`,
  'announce.too_many': (d) => `This server already has ${d.limit} scheduled announcements. Cancel one with /announce cancel first.`,
  'announce.unknown': (d) => `There is no scheduled announcement #${d.id} in this server. See /announce list.`,
  'usage.rate_limited': (d) =>
    `That’s more than the ${d.perMinute} speech requests a minute a member may make here. Try again <t:${d.retryAt}:R>.`,
  'usage.budget_guild': (d) =>
    `This server’s daily speech budget is spent: ${d.used} of ${d.limit} characters used today, and this needs ${d.needed}. It resets <t:${d.resetAt}:R>. Phrases already in the cache still play.`,
  'usage.budget_bot': (d) =>
    `The bot’s daily speech budget (all servers together) is spent: ${d.used} of ${d.limit} characters used today, and this needs ${d.needed}. It resets <t:${d.resetAt}:R>. Phrases already in the cache still play.`,
  'settings.busy': () => 'The settings database is busy (another program is holding it), so nothing was changed. Try again in a moment.',
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
  lastCheck: { at: number; outcome: 'ok' | 'no-endpoint' | 'failed'; detail?: string | undefined } | undefined;
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
export const DIAGNOSIS_TITLES = { providers: 'Speech providers (in order)' } as const;

/** The line that ends a /diagnose reply too long for one message (the whole report goes with it as a file). */
export const DIAGNOSIS_TRUNCATED = '… (the full report is attached)';
