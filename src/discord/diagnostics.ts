import type { Client } from 'discord.js';
import { DIAGNOSIS_TITLES, PERMISSION_PURPOSES, diagnosisLines } from '../messages.js';
import type { DiagnosticSection } from '../observability/diagnostics.js';
import { botPermissionsIn } from './botAccess.js';
import { ACTION_NEEDS, PERMISSION_NAMES, type BotAction } from './botPermissions.js';

/** The permissions `actions` need that `permissions` lacks, by name, each with what it is for (no duplicates). */
export function missingFor(actions: readonly BotAction[], permissions: bigint): Array<{ permission: string; for: string }> {
  const bits = [...new Set(actions.flatMap((a) => ACTION_NEEDS[a]))];
  return bits
    .filter((bit) => (permissions & bit) !== bit)
    .map((bit) => {
      const name = PERMISSION_NAMES.get(bit) ?? String(bit);
      return { permission: name, for: PERMISSION_PURPOSES[name] ?? 'needed' };
    });
}

/** The /diagnose section about the bot itself: version, uptime, gateway ping, intents, the reading set-up. */
export function botSection(deps: { client: Client; version: string; startedAt: number; now: () => number; reading: () => string }): DiagnosticSection {
  return {
    title: DIAGNOSIS_TITLES.bot,
    lines: () =>
      diagnosisLines.bot({
        version: deps.version,
        uptimeMs: deps.now() - deps.startedAt,
        pingMs: deps.client.ws.ping,
        intents: deps.client.options.intents.toArray().map(String),
        reading: deps.reading(),
      }),
  };
}

/** The /diagnose section about the bot's permissions in the member's voice channel and in this text channel. */
export function permissionsSection(client: Client): DiagnosticSection {
  const channelLine = (guildId: string, channelId: string, kind: 'voice' | 'text', actions: BotAction[]) => {
    const guild = client.guilds.cache.get(guildId);
    const permissions = guild ? botPermissionsIn(guild, channelId) : null;
    const checked = [...new Set(actions.flatMap((a) => ACTION_NEEDS[a]))].map((bit) => PERMISSION_NAMES.get(bit) ?? String(bit));
    return diagnosisLines.channel({ kind, channelId, checked, missing: permissions === null ? null : missingFor(actions, permissions) });
  };
  return {
    title: DIAGNOSIS_TITLES.permissions,
    lines: (ctx) => [
      ctx.memberVoiceChannelId ? channelLine(ctx.guildId, ctx.memberVoiceChannelId, 'voice', ['speak']) : diagnosisLines.notInVoice(),
      channelLine(ctx.guildId, ctx.channelId, 'text', ['post', 'react', 'voice_message']),
    ],
  };
}
