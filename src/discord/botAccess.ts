import type { Guild } from 'discord.js';
import { BotError } from '../errors.js';
import { channelPermissions, missingPermission, type BotAction, type PermissionOverwrite } from './botPermissions.js';

/** Whether the bot may do something in a channel; if not, the error to show (it names the permission and the channel). */
export type AccessCheck = { ok: true } | { ok: false; error: BotError };

/** The bot's permissions in a channel, from the discord.js cache; null when the channel (or the bot's member) is not known. */
export function botPermissionsIn(guild: Guild, channelId: string, now = Date.now()): bigint | null {
  const channel = guild.channels.cache.get(channelId);
  const me = guild.members.me;
  if (!channel || !me || !('permissionOverwrites' in channel)) return null;
  const overwrites: PermissionOverwrite[] = [...channel.permissionOverwrites.cache.values()].map((o) => ({
    id: o.id,
    type: o.type === 1 ? 1 : 0,
    allow: o.allow.bitfield,
    deny: o.deny.bitfield,
  }));
  return channelPermissions({
    guildId: guild.id,
    ownerId: guild.ownerId,
    userId: me.id,
    roleIds: [...me.roles.cache.keys()].filter((id) => id !== guild.id),
    rolePermissions: new Map([...guild.roles.cache.values()].map((r) => [r.id, r.permissions.bitfield])),
    overwrites,
    timedOutUntil: me.communicationDisabledUntilTimestamp,
    now,
  });
}

/**
 * Checks the bot's permissions for an action in a channel of the guild. A channel the cache does not know (a thread,
 * one just created) is not refused here: Discord decides, and the caller handles its answer.
 */
export function checkBotAccess(guild: Guild, channelId: string, action: BotAction): AccessCheck {
  const permissions = botPermissionsIn(guild, channelId);
  if (permissions === null) return { ok: true };
  const missing = missingPermission(action, permissions);
  return missing === null ? { ok: true } : { ok: false, error: new BotError('permission.missing', { permission: missing, channelId }) };
}
