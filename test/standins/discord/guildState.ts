import { PermissionFlagsBits } from 'discord-api-types/v10';
import {
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  channelPermissions,
  basePermissions,
  toBits,
  type Overwrite,
  type PermissionSubject,
} from './permissions.js';
import { isSnowflake, type SnowflakeFactory } from './snowflakes.js';

/** A Discord user known to the stand-in. */
export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

/** A user's membership in one guild. */
export interface MemberRecord {
  userId: string;
  nick: string | null;
  roleIds: string[];
  joinedAt: string;
}

/** A guild role; the @everyone role has the guild's id. */
export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  /** Set on the bot's managed integration role. */
  botId?: string;
}

/** A text (0) or voice (2) guild channel. */
export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: 'text' | 'voice';
  position: number;
  userLimit: number;
  bitrate: number;
  overwrites: Overwrite[];
}

/** Somebody's presence in a voice channel. */
export interface VoiceStateRecord {
  userId: string;
  channelId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
}

/** A guild with everything the gateway reports about it. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  joinedAt: string;
  locale: string;
  /** Upload limit for messages in this guild's channels, bytes. */
  attachmentSizeLimit: number;
  roles: Map<string, RoleRecord>;
  channels: Map<string, ChannelRecord>;
  members: Map<string, MemberRecord>;
  voiceStates: Map<string, VoiceStateRecord>;
}

/** A channel permission overwrite in a scenario: names a role (or '@everyone') or a member by username. */
export interface OverwriteSpec {
  role?: string;
  member?: string;
  allow?: bigint | string;
  deny?: bigint | string;
}

/** A channel in a scenario guild. */
export interface ChannelSpec {
  name: string;
  type: 'text' | 'voice';
  id?: string;
  userLimit?: number;
  bitrate?: number;
  permissionOverwrites?: OverwriteSpec[];
}

/** A member in a scenario guild; `roles` are role names (or ids) from the guild's spec. */
export interface MemberSpec {
  username: string;
  globalName?: string;
  nick?: string;
  bot?: boolean;
  roles?: string[];
  id?: string;
}

/** A role in a scenario guild; name it '@everyone' to change the default role's permissions. */
export interface RoleSpec {
  name: string;
  permissions: bigint | string;
  id?: string;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
}

/** A whole scenario guild. The bot is always a member, with a managed role holding `botPermissions`. */
export interface GuildSpec {
  name: string;
  id?: string;
  channels: ChannelSpec[];
  members: MemberSpec[];
  roles?: RoleSpec[];
  /** Username of the owner (owners have every permission); default: the first non-bot member. */
  ownerUsername?: string;
  /** Permissions of the bot's managed role; default DEFAULT_BOT_PERMISSIONS. */
  botPermissions?: bigint;
  /** Upload limit for channel messages, bytes; default 10 MiB. */
  attachmentSizeLimit?: number;
  locale?: string;
}

/** Default upload limit (10 MiB), for channel messages and interaction responses alike. */
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** The stand-in's world: users, guilds, channels, roles, members and voice states. */
export class GuildState {
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();

  constructor(
    private readonly ids: SnowflakeFactory,
    readonly botUser: UserRecord,
  ) {
    this.users.set(botUser.id, botUser);
  }

  /** Finds a user by id or username. */
  findUser(idOrUsername: string): UserRecord | undefined {
    const byId = this.users.get(idOrUsername);
    if (byId) return byId;
    for (const user of this.users.values()) if (user.username === idOrUsername) return user;
    return undefined;
  }

  /** The user with this username, created if new (usernames are unique on Discord). */
  ensureUser(spec: MemberSpec): UserRecord {
    const existing = [...this.users.values()].find((u) => u.username === spec.username);
    if (existing) {
      if (spec.id && spec.id !== existing.id) {
        throw new Error(`username '${spec.username}' already belongs to user ${existing.id}, not ${spec.id}`);
      }
      return existing;
    }
    const id = spec.id ?? this.ids.next();
    if (this.users.has(id)) throw new Error(`user id ${id} is already taken`);
    const user: UserRecord = { id, username: spec.username, globalName: spec.globalName ?? null, bot: spec.bot ?? false };
    this.users.set(id, user);
    return user;
  }

  /** Builds a guild from a scenario spec (the bot joins it with its managed role). */
  addGuild(spec: GuildSpec): GuildRecord {
    const id = spec.id ?? this.ids.next();
    if (this.guilds.has(id)) throw new Error(`guild ${id} already exists`);
    const now = new Date().toISOString();
    const guild: GuildRecord = {
      id,
      name: spec.name,
      ownerId: '',
      joinedAt: now,
      locale: spec.locale ?? 'en-US',
      attachmentSizeLimit: spec.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
      roles: new Map(),
      channels: new Map(),
      members: new Map(),
      voiceStates: new Map(),
    };
    const everyoneSpec = spec.roles?.find((r) => r.name === '@everyone');
    guild.roles.set(id, {
      id,
      name: '@everyone',
      permissions: everyoneSpec ? toBits(everyoneSpec.permissions) : DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      color: 0,
      hoist: false,
      mentionable: false,
    });
    const botRole: RoleRecord = {
      id: this.ids.next(),
      name: this.botUser.username,
      permissions: spec.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
      position: 1,
      color: 0,
      hoist: false,
      mentionable: false,
      botId: this.botUser.id,
    };
    guild.roles.set(botRole.id, botRole);
    let position = 2;
    for (const role of spec.roles ?? []) {
      if (role.name === '@everyone') continue;
      const roleId = role.id ?? this.ids.next();
      guild.roles.set(roleId, {
        id: roleId,
        name: role.name,
        permissions: toBits(role.permissions),
        position: position++,
        color: role.color ?? 0,
        hoist: role.hoist ?? false,
        mentionable: role.mentionable ?? false,
      });
    }
    guild.members.set(this.botUser.id, { userId: this.botUser.id, nick: null, roleIds: [botRole.id], joinedAt: now });
    for (const memberSpec of spec.members) this.addMember(guild, memberSpec);
    const ownerName = spec.ownerUsername ?? spec.members.find((m) => !m.bot)?.username;
    const owner = ownerName ? this.findUser(ownerName) : undefined;
    if (ownerName && (!owner || !guild.members.has(owner.id))) {
      throw new Error(`owner '${ownerName}' is not a member of guild '${spec.name}'`);
    }
    guild.ownerId = owner?.id ?? this.addMember(guild, { username: `${spec.name}-owner` }).userId;
    spec.channels.forEach((channelSpec, index) => {
      const channelId = channelSpec.id ?? this.ids.next();
      guild.channels.set(channelId, {
        id: channelId,
        guildId: id,
        name: channelSpec.name,
        type: channelSpec.type,
        position: index,
        userLimit: channelSpec.userLimit ?? 0,
        bitrate: channelSpec.bitrate ?? 64_000,
        overwrites: (channelSpec.permissionOverwrites ?? []).map((o) => this.resolveOverwrite(guild, o)),
      });
    });
    this.guilds.set(id, guild);
    return guild;
  }

  /** Adds a member (creating the user if needed) to a guild. */
  addMember(guild: GuildRecord, spec: MemberSpec): MemberRecord {
    const user = this.ensureUser(spec);
    if (guild.members.has(user.id)) throw new Error(`'${spec.username}' is already a member of '${guild.name}'`);
    const member: MemberRecord = {
      userId: user.id,
      nick: spec.nick ?? null,
      roleIds: (spec.roles ?? []).map((r) => this.resolveRole(guild, r).id),
      joinedAt: new Date().toISOString(),
    };
    guild.members.set(user.id, member);
    return member;
  }

  /** A guild by id, or throws with a readable message. */
  guild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    return guild;
  }

  /** Finds a channel (and its guild) by id. */
  findChannel(channelId: string): { guild: GuildRecord; channel: ChannelRecord } | undefined {
    for (const guild of this.guilds.values()) {
      const channel = guild.channels.get(channelId);
      if (channel) return { guild, channel };
    }
    return undefined;
  }

  /** A role by name or id, or throws. */
  resolveRole(guild: GuildRecord, nameOrId: string): RoleRecord {
    const role = guild.roles.get(nameOrId) ?? [...guild.roles.values()].find((r) => r.name === nameOrId);
    if (!role) throw new Error(`unknown role '${nameOrId}' in guild '${guild.name}'`);
    return role;
  }

  /** A channel by name or id, or throws. */
  resolveChannel(guild: GuildRecord, nameOrId: string): ChannelRecord {
    const channel = guild.channels.get(nameOrId) ?? [...guild.channels.values()].find((c) => c.name === nameOrId);
    if (!channel) throw new Error(`unknown channel '${nameOrId}' in guild '${guild.name}'`);
    return channel;
  }

  /** A member by user id or username, or throws. */
  resolveMember(guild: GuildRecord, idOrUsername: string): MemberRecord {
    const user = this.findUser(idOrUsername);
    const member = user ? guild.members.get(user.id) : undefined;
    if (!member) throw new Error(`'${idOrUsername}' is not a member of guild '${guild.name}'`);
    return member;
  }

  /** The inputs for computing a member's permissions. */
  permissionSubject(guild: GuildRecord, userId: string): PermissionSubject {
    const member = guild.members.get(userId);
    return {
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      roleIds: member?.roleIds ?? [],
      rolePermissions: new Map([...guild.roles.values()].map((r) => [r.id, r.permissions])),
    };
  }

  /** A member's permissions in a channel (overwrites applied), or guild-wide when no channel is given. */
  permissions(guild: GuildRecord, userId: string, channel?: ChannelRecord): bigint {
    if (!guild.members.has(userId)) return 0n;
    const subject = this.permissionSubject(guild, userId);
    return channel ? channelPermissions(subject, channel.overwrites) : basePermissions(subject);
  }

  /** Whether the user may see and connect to a voice channel, and there is room (or they may ignore the limit). */
  canJoinVoice(guild: GuildRecord, userId: string, channel: ChannelRecord): 'ok' | 'denied-permissions' | 'denied-full' {
    const permissions = this.permissions(guild, userId, channel);
    if ((permissions & (PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect)) !==
      (PermissionFlagsBits.ViewChannel | PermissionFlagsBits.Connect)) {
      return 'denied-permissions';
    }
    if (channel.userLimit > 0 && (permissions & PermissionFlagsBits.ManageChannels) === 0n) {
      const others = [...guild.voiceStates.values()].filter((s) => s.channelId === channel.id && s.userId !== userId);
      if (others.length >= channel.userLimit) return 'denied-full';
    }
    return 'ok';
  }

  /** Turns an overwrite spec into the stored form. */
  resolveOverwrite(guild: GuildRecord, spec: OverwriteSpec): Overwrite {
    const allow = toBits(spec.allow);
    const deny = toBits(spec.deny);
    if (spec.role !== undefined) {
      const role = spec.role === '@everyone' ? guild.roles.get(guild.id)! : this.resolveRole(guild, spec.role);
      return { id: role.id, type: 0, allow, deny };
    }
    if (spec.member !== undefined) {
      const target = isSnowflake(spec.member) ? spec.member : this.resolveMember(guild, spec.member).userId;
      return { id: target, type: 1, allow, deny };
    }
    throw new Error('a permission overwrite needs `role` or `member`');
  }
}
