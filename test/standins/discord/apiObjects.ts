import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  GuildHubType,
  OverwriteType,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIOverwrite,
  type APIRole,
  type APIUser,
  type APIVoiceState,
  type APIGuildTextChannel,
  type APIGuildVoiceChannel,
  type GatewayGuildCreateDispatchData,
  type APIGuild,
  type GuildMemberFlags,
  type RoleFlags,
  type UserFlags,
} from 'discord-api-types/v10';
import type { ChannelRecord, GuildRecord, GuildState, MemberRecord, RoleRecord, UserRecord, VoiceStateRecord } from './guildState.js';

/** The public user object. */
export function apiUser(user: UserRecord): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    bot: user.bot,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

/** The guild member object, with its user. */
export function apiMember(state: GuildState, member: MemberRecord): APIGuildMember {
  const user = state.users.get(member.userId);
  if (!user) throw new Error(`member ${member.userId} has no user`);
  return {
    user: apiUser(user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roleIds],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

/** The member object as sent inside interactions (with the member's permissions in the channel). */
export function apiInteractionMember(state: GuildState, guild: GuildRecord, member: MemberRecord, channel: ChannelRecord): APIInteractionGuildMember {
  return { ...apiMember(state, member), permissions: state.permissions(guild, member.userId, channel).toString() } as APIInteractionGuildMember;
}

/** The role object (permissions as a decimal string). */
export function apiRole(role: RoleRecord): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.botId !== undefined,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

function apiOverwrites(channel: ChannelRecord): APIOverwrite[] {
  return channel.overwrites.map((o) => ({
    id: o.id,
    type: o.type === 0 ? OverwriteType.Role : OverwriteType.Member,
    allow: o.allow.toString(),
    deny: o.deny.toString(),
  }));
}

/** The channel object for a text (type 0) or voice (type 2) guild channel. */
export function apiChannel(channel: ChannelRecord): APIGuildTextChannel<ChannelType.GuildText> | APIGuildVoiceChannel {
  const common = {
    id: channel.id,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: apiOverwrites(channel),
    parent_id: null,
    nsfw: false,
    flags: 0,
    last_message_id: null,
    rate_limit_per_user: 0,
  };
  if (channel.type === 'voice') {
    return {
      ...common,
      type: ChannelType.GuildVoice,
      bitrate: channel.bitrate,
      user_limit: channel.userLimit,
      rtc_region: null,
      video_quality_mode: 1,
    };
  }
  return { ...common, type: ChannelType.GuildText, topic: null, default_auto_archive_duration: 4320, last_pin_timestamp: null };
}

/** The voice state object; `member` is included in gateway dispatches. */
export function apiVoiceState(
  state: GuildState,
  guild: GuildRecord,
  voice: { userId: string; channelId: string | null; sessionId: string; selfMute: boolean; selfDeaf: boolean },
  withMember: boolean,
): APIVoiceState {
  const member = guild.members.get(voice.userId);
  return {
    guild_id: guild.id,
    channel_id: voice.channelId,
    user_id: voice.userId,
    ...(withMember && member ? { member: apiMember(state, member) } : {}),
    session_id: voice.sessionId,
    deaf: false,
    mute: false,
    self_deaf: voice.selfDeaf,
    self_mute: voice.selfMute,
    self_stream: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}

/** The guild object (as from GET /guilds/{id}). */
export function apiGuild(guild: GuildRecord): APIGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [...guild.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: guild.locale as APIGuild['preferred_locale'],
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    approximate_member_count: guild.members.size,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null as GuildHubType | null,
    incidents_data: null,
  };
}

/**
 * The GUILD_CREATE payload. Like Discord, `members` holds everyone only with the GUILD_PRESENCES
 * intent; otherwise just the bot and the members in voice channels.
 */
export function apiGuildCreate(state: GuildState, guild: GuildRecord, allMembers: boolean): GatewayGuildCreateDispatchData {
  const inVoice = new Set([...guild.voiceStates.values()].map((v) => v.userId));
  const members = [...guild.members.values()].filter(
    (m) => allMembers || m.userId === state.botUser.id || inVoice.has(m.userId),
  );
  return {
    ...apiGuild(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [...guild.voiceStates.values()].map((v: VoiceStateRecord) => {
      const { guild_id: _guildId, member: _member, ...rest } = apiVoiceState(state, guild, v, false);
      return rest;
    }),
    members: members.map((m) => apiMember(state, m)),
    channels: [...guild.channels.values()].map(apiChannel),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
