// Text helpers that are not catalog messages. Every user-facing sentence lives in src/i18n/catalogs/<locale>.json;
// the /diagnose lines below stay English (an operator's technical report).

/**
 * User text shown back in a reply (a model name, a time, a word), with every "@" followed by a zero-width space: it reads
 * as typed but can never be a mention (@everyone, @here, <@id>, <@&id>), whatever allowed_mentions says.
 */
export function defuseMentions(text: string): string {
  return text.replaceAll('@', '@\u200B');
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
