import type { Client } from 'discord.js';
import type { DiagnosisText, DiagnosticSection } from '../observability/diagnostics.js';
import { botPermissionsIn } from './botAccess.js';
import { ACTION_NEEDS, PERMISSION_NAMES, type BotAction } from './botPermissions.js';

/** The catalog key (`replies.diagnose.purposes.…`) saying what each permission the bot checks is for. */
const PURPOSE_KEYS: Readonly<Record<string, string>> = {
  'View Channel': 'view_channel',
  Connect: 'connect',
  Speak: 'speak',
  'Send Messages': 'send_messages',
  'Read Message History': 'read_message_history',
  'Add Reactions': 'add_reactions',
  'Attach Files': 'attach_files',
  'Send Voice Messages': 'send_voice_messages',
};

/** The permissions `actions` need that `permissions` lacks, by name, each with the key of what it is for (no duplicates). */
export function missingFor(actions: readonly BotAction[], permissions: bigint): Array<{ permission: string; purpose: string }> {
  const bits = [...new Set(actions.flatMap((a) => ACTION_NEEDS[a]))];
  return bits
    .filter((bit) => (permissions & bit) !== bit)
    .map((bit) => {
      const name = PERMISSION_NAMES.get(bit) ?? String(bit);
      return { permission: name, purpose: PURPOSE_KEYS[name] ?? 'needed' };
    });
}

/** Uptime in the largest two units (days and hours, hours and minutes, or minutes and seconds). */
export function uptimeText(t: DiagnosisText, ms: number): string {
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return t('replies.diagnose.duration.days', { days, hours });
  if (hours > 0) return t('replies.diagnose.duration.hours', { hours, minutes });
  return t('replies.diagnose.duration.minutes', { minutes, seconds: s % 60 });
}

/** The /diagnose section about the bot itself: version, uptime, gateway ping, intents, the reading set-up. */
export function botSection(deps: {
  client: Client;
  version: string;
  startedAt: number;
  now: () => number;
  /** Which reading case applies (`auto-allowed`, `config-off`…): its words are `replies.read.cases.<case>`. */
  readingCase: () => string;
}): DiagnosticSection {
  return {
    titleKey: 'replies.diagnose.titles.bot',
    lines: ({ t }) => {
      const ping = deps.client.ws.ping;
      return [
        t('replies.diagnose.bot.version', { version: deps.version, uptime: uptimeText(t, deps.now() - deps.startedAt) }),
        ping >= 0 ? t('replies.diagnose.bot.ping', { ms: Math.round(ping) }) : t('replies.diagnose.bot.ping_unknown'),
        t('replies.diagnose.bot.intents', { intents: deps.client.options.intents.toArray().map(String).join(', ') }),
        t('replies.diagnose.bot.reading', { reading: t(`replies.read.cases.${deps.readingCase()}`) }),
      ];
    },
  };
}

/** The line about one channel: 🔊 voice or 💬 text; `missing` null when the bot cannot see it, empty when all is well. */
export function channelLine(
  t: DiagnosisText,
  f: { kind: 'voice' | 'text'; channelId: string; checked: string[]; missing: Array<{ permission: string; purpose: string }> | null },
): string {
  const head = { icon: f.kind === 'voice' ? '🔊' : '💬', channelId: f.channelId };
  if (f.missing === null) return t('replies.diagnose.permissions.hidden', head);
  if (f.missing.length === 0) return t('replies.diagnose.permissions.ok', { ...head, checked: f.checked.join(', ') });
  const missing = f.missing.map((m) => t('replies.diagnose.permissions.missing_one', { permission: m.permission, purpose: t(`replies.diagnose.purposes.${m.purpose}`) }));
  return t('replies.diagnose.permissions.missing', { ...head, missing: missing.join(', ') });
}

/** The /diagnose section about the bot's permissions in the member's voice channel and in this text channel. */
export function permissionsSection(client: Client): DiagnosticSection {
  const line = (t: DiagnosisText, guildId: string, channelId: string, kind: 'voice' | 'text', actions: BotAction[]) => {
    const guild = client.guilds.cache.get(guildId);
    const permissions = guild ? botPermissionsIn(guild, channelId) : null;
    const checked = [...new Set(actions.flatMap((a) => ACTION_NEEDS[a]))].map((bit) => PERMISSION_NAMES.get(bit) ?? String(bit));
    return channelLine(t, { kind, channelId, checked, missing: permissions === null ? null : missingFor(actions, permissions) });
  };
  return {
    titleKey: 'replies.diagnose.titles.permissions',
    lines: (ctx) => [
      ctx.memberVoiceChannelId
        ? line(ctx.t, ctx.guildId, ctx.memberVoiceChannelId, 'voice', ['speak'])
        : ctx.t('replies.diagnose.permissions.not_in_voice', { command: ctx.t('commands.diagnose.name') }),
      line(ctx.t, ctx.guildId, ctx.channelId, 'text', ['post', 'react', 'voice_message']),
    ],
  };
}
