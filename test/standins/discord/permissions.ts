import { PermissionFlagsBits } from 'discord-api-types/v10';

/** Every permission bit Discord defines (what owners and administrators get). */
export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

const P = PermissionFlagsBits;

/** What a fresh guild's @everyone role may do (Discord's default for new servers). */
export const DEFAULT_EVERYONE_PERMISSIONS: bigint =
  P.CreateInstantInvite | P.AddReactions | P.Stream | P.ViewChannel | P.SendMessages | P.EmbedLinks |
  P.AttachFiles | P.ReadMessageHistory | P.MentionEveryone | P.UseExternalEmojis | P.Connect | P.Speak |
  P.UseVAD | P.ChangeNickname | P.UseApplicationCommands | P.RequestToSpeak | P.CreatePublicThreads |
  P.CreatePrivateThreads | P.UseExternalStickers | P.SendMessagesInThreads | P.UseEmbeddedActivities |
  P.UseSoundboard | P.UseExternalSounds | P.SendVoiceMessages | P.SendPolls | P.UseExternalApps;

/** What the bot's managed role gets when the scenario does not say (a typical invite for a TTS bot). */
export const DEFAULT_BOT_PERMISSIONS: bigint =
  P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles | P.ReadMessageHistory | P.AddReactions |
  P.Connect | P.Speak | P.UseVAD | P.UseApplicationCommands | P.SendVoiceMessages;

/** A channel permission overwrite, with bits already resolved. */
export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member (Discord's OverwriteType). */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/** The inputs of Discord's permission computation for one member. */
export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** Ids of the member's roles (without @everyone). */
  roleIds: readonly string[];
  /** Permissions of every role in the guild by id (including @everyone, whose id is the guild id). */
  rolePermissions: ReadonlyMap<string, bigint>;
}

/** Guild-level permissions (Discord's `compute_base_permissions`). */
export function basePermissions(subject: PermissionSubject): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  let permissions = subject.rolePermissions.get(subject.guildId) ?? 0n;
  for (const roleId of subject.roleIds) permissions |= subject.rolePermissions.get(roleId) ?? 0n;
  if ((permissions & P.Administrator) !== 0n) return ALL_PERMISSIONS;
  return permissions;
}

/** Channel-level permissions (Discord's `compute_overwrites`): @everyone, then roles, then the member. */
export function channelPermissions(subject: PermissionSubject, overwrites: readonly Overwrite[]): bigint {
  const base = basePermissions(subject);
  if ((base & P.Administrator) !== 0n || subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === subject.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && subject.roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === subject.userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;
  // Implicit denials ("Implicit Permissions"): without View Channel nothing else applies; without Send Messages,
  // neither do Mention Everyone, Send TTS Messages, Attach Files and Embed Links.
  if ((permissions & P.ViewChannel) === 0n) return 0n;
  if ((permissions & P.SendMessages) === 0n) permissions &= ~(P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks);
  return permissions;
}

/** Whether `permissions` contains every bit of `required`. */
export function has(permissions: bigint, required: bigint): boolean {
  return (permissions & required) === required;
}

/** Parses a permission value given as bigint, decimal string or number. */
export function toBits(value: bigint | string | number | undefined): bigint {
  if (value === undefined) return 0n;
  return typeof value === 'bigint' ? value : BigInt(value);
}
