import { PermissionFlagsBits } from 'discord.js';

/*
 * The bot's permissions in a channel, computed as Discord documents it (topics/permissions: "Permission Overwrites",
 * "Implicit Permissions", "Permissions for Timed Out Members"), from plain data so it is tested without discord.js
 * objects. discord.js's permissionsFor applies the overwrites but neither the implicit denials nor a timeout.
 */

const P = PermissionFlagsBits;
const ALL: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);
/** What sending messages carries with it: without Send Messages these are denied too. */
const NEEDS_SEND_MESSAGES = P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks;
/** What a timed-out member keeps. */
const KEPT_WHEN_TIMED_OUT = P.ViewChannel | P.ReadMessageHistory;

/** A channel permission overwrite; type 0 = role (the guild id is @everyone), 1 = member. */
export interface PermissionOverwrite {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/** Everything Discord's computation needs about one member in one channel. */
export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** The member's roles, without @everyone. */
  roleIds: readonly string[];
  /** Guild-level permissions of every role by id, @everyone (id = guild id) included. */
  rolePermissions: ReadonlyMap<string, bigint>;
  overwrites: readonly PermissionOverwrite[];
  /** End of a timeout (ms since the epoch), if the member has one. */
  timedOutUntil?: number | null;
  /** Now, in ms since the epoch (for the timeout). */
  now: number;
}

/** The member's permissions in the channel (a bit field). */
export function channelPermissions(s: PermissionSubject): bigint {
  if (s.userId === s.ownerId) return ALL;
  let base = s.rolePermissions.get(s.guildId) ?? 0n;
  for (const id of s.roleIds) base |= s.rolePermissions.get(id) ?? 0n;
  if ((base & P.Administrator) !== 0n) return ALL;

  let permissions = base;
  const everyone = s.overwrites.find((o) => o.type === 0 && o.id === s.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of s.overwrites) {
    if (o.type === 0 && o.id !== s.guildId && s.roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const member = s.overwrites.find((o) => o.type === 1 && o.id === s.userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;

  if (s.timedOutUntil != null && s.timedOutUntil > s.now) permissions &= KEPT_WHEN_TIMED_OUT;
  if ((permissions & P.ViewChannel) === 0n) return 0n;
  if ((permissions & P.SendMessages) === 0n) permissions &= ~NEEDS_SEND_MESSAGES;
  return permissions;
}

/** What the bot does in a channel, each needing its own permissions. */
export type BotAction = 'speak' | 'post' | 'react' | 'voice_message';

/**
 * The permissions each action needs, in the order they are checked (the first missing one is named). Interaction
 * responses need none of these: they are webhooks, and Discord gives apps Attach Files and Embed Links for them.
 */
export const ACTION_NEEDS: Readonly<Record<BotAction, readonly bigint[]>> = {
  /** Join a voice channel and be heard. */
  speak: [P.ViewChannel, P.Connect, P.Speak],
  /** Post a message in a channel (the reading notice, a scheduled announcement's failure notice). */
  post: [P.ViewChannel, P.SendMessages],
  /** React to a member's message (🔇, ⚠️ on messages not read); Create Reaction needs Read Message History too. */
  react: [P.ViewChannel, P.ReadMessageHistory, P.AddReactions],
  /** Post a native voice message (Create Message with IS_VOICE_MESSAGE and one audio file). */
  voice_message: [P.ViewChannel, P.SendMessages, P.AttachFiles, P.SendVoiceMessages],
};

/** Names as the Discord client shows them, for replies and logs. */
export const PERMISSION_NAMES: ReadonlyMap<bigint, string> = new Map([
  [P.ViewChannel, 'View Channel'],
  [P.Connect, 'Connect'],
  [P.Speak, 'Speak'],
  [P.SendMessages, 'Send Messages'],
  [P.ReadMessageHistory, 'Read Message History'],
  [P.AddReactions, 'Add Reactions'],
  [P.AttachFiles, 'Attach Files'],
  [P.SendVoiceMessages, 'Send Voice Messages'],
]);

/** The name of the first permission `action` needs that `permissions` lacks, or null when nothing is missing. */
export function missingPermission(action: BotAction, permissions: bigint): string | null {
  const missing = ACTION_NEEDS[action].find((bit) => (permissions & bit) !== bit);
  return missing === undefined ? null : (PERMISSION_NAMES.get(missing) ?? String(missing));
}
