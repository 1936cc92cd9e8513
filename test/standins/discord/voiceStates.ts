import { randomBytes } from 'node:crypto';
import { apiVoiceState } from './apiObjects.js';
import type { ChangeSignal } from './changeSignal.js';
import { sessionOwns, type Gateway, type GatewaySession } from './gateway.js';
import type { GuildRecord, GuildState } from './guildState.js';

/** The voice server the bot is sent to, as in VOICE_SERVER_UPDATE, plus who may connect with it. */
export interface VoiceGrant {
  guildId: string;
  channelId: string;
  userId: string;
  /** The bot's gateway session id (the voice state's session_id). */
  sessionId: string;
  token: string;
}

/** One op 4 Voice State Update from the bot, and what the stand-in did with it. */
export interface BotVoiceOp {
  at: number;
  guildId: string;
  channelId: string | null;
  selfMute: boolean;
  selfDeaf: boolean;
  outcome: 'joined' | 'moved' | 'rejoined' | 'updated' | 'left' | 'not-in-voice' | 'denied-permissions' | 'denied-full' | 'unknown-guild' | 'unknown-channel' | 'wrong-shard';
}

/** A VOICE_SERVER_UPDATE the stand-in sent. */
export interface VoiceServerUpdate extends VoiceGrant {
  at: number;
  endpoint: string | null;
}

/** A change of the bot's voice channel, for whoever simulates the voice server. */
export interface BotVoiceChange {
  guildId: string;
  channelId: string | null;
  reason: 'op4' | 'moved' | 'disconnected' | 'reidentified' | 'removed';
}

/** Dependencies of the voice-state logic. */
export interface VoiceStatesDeps {
  state: GuildState;
  gateway: Gateway;
  signal: ChangeSignal;
  /** Where the bot's voice connection should go ('host:port'), or null for "no voice server allocated". */
  voiceEndpoint: (grant: VoiceGrant) => string | null;
}

/** Voice states: the bot's op 4 handling, moderator actions on the bot, and members joining/leaving. */
export class VoiceStates {
  readonly botVoiceOps: BotVoiceOp[] = [];
  readonly voiceServerUpdates: VoiceServerUpdate[] = [];
  readonly #listeners = new Set<(change: BotVoiceChange) => void>();

  constructor(private readonly deps: VoiceStatesDeps) {}

  /** Subscribes to the bot's voice channel changes; returns an unsubscribe function. */
  onBotVoiceChange(listener: (change: BotVoiceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The bot's current voice channel in a guild. */
  botChannel(guildId: string): string | null {
    return this.deps.state.guilds.get(guildId)?.voiceStates.get(this.deps.state.botUser.id)?.channelId ?? null;
  }

  /** The latest VOICE_SERVER_UPDATE grant for a guild (what the voice server should accept). */
  currentGrant(guildId: string): VoiceServerUpdate | undefined {
    return this.voiceServerUpdates.findLast((u) => u.guildId === guildId);
  }

  /** op 4 from the bot, answered like Discord (VOICE_STATE_UPDATE, and VOICE_SERVER_UPDATE when it (re)joins). */
  onVoiceStateUpdate(session: GatewaySession, data: Record<string, unknown>): void {
    const guildId = String(data.guild_id);
    const channelId = typeof data.channel_id === 'string' ? data.channel_id : null;
    const selfMute = data.self_mute === true;
    const selfDeaf = data.self_deaf === true;
    const record = (outcome: BotVoiceOp['outcome']) => {
      this.botVoiceOps.push({ at: Date.now(), guildId, channelId, selfMute, selfDeaf, outcome });
      this.deps.signal.notify();
    };
    const guild = this.deps.state.guilds.get(guildId);
    if (!guild) return record('unknown-guild');
    // Discord acts on op 4 only from the session of the shard that owns the guild.
    if (!sessionOwns(session, guild.id)) return record('wrong-shard');
    const botId = this.deps.state.botUser.id;
    const current = guild.voiceStates.get(botId);
    const sessionId = session.sessionId!;
    if (channelId === null) {
      guild.voiceStates.delete(botId);
      this.dispatchState(guild, { userId: botId, channelId: null, sessionId, selfMute, selfDeaf });
      record(current ? 'left' : 'not-in-voice');
      if (current) this.emit({ guildId, channelId: null, reason: 'op4' });
      return;
    }
    const channel = guild.channels.get(channelId);
    if (!channel || channel.type !== 'voice') return record('unknown-channel');
    // Discord stays silent (no events at all) when the bot may not join.
    const access = this.deps.state.canJoinVoice(guild, botId, channel);
    if (access !== 'ok') return record(access);
    const sameChannel = current?.channelId === channelId;
    const onlyFlagsChanged = sameChannel && (current.selfMute !== selfMute || current.selfDeaf !== selfDeaf);
    guild.voiceStates.set(botId, { userId: botId, channelId, sessionId, selfMute, selfDeaf });
    this.dispatchState(guild, { userId: botId, channelId, sessionId, selfMute, selfDeaf });
    if (onlyFlagsChanged) return record('updated');
    // A repeated op 4 for the same channel is a reconnect request: Discord hands out a fresh voice server token.
    this.sendServerUpdate(session, guild, channelId);
    record(sameChannel ? 'rejoined' : current ? 'moved' : 'joined');
    if (!sameChannel) this.emit({ guildId, channelId, reason: 'op4' });
  }

  /** A moderator disconnects the bot from voice: VOICE_STATE_UPDATE with channel_id null. */
  disconnectBot(guildId: string): void {
    const guild = this.deps.state.guild(guildId);
    const botId = this.deps.state.botUser.id;
    const current = guild.voiceStates.get(botId);
    if (!current) throw new Error(`the bot is not in a voice channel in guild ${guild.name}`);
    guild.voiceStates.delete(botId);
    this.dispatchState(guild, { ...current, channelId: null });
    this.emit({ guildId, channelId: null, reason: 'disconnected' });
    this.deps.signal.notify();
  }

  /** A moderator moves the bot: VOICE_STATE_UPDATE with the new channel and a fresh VOICE_SERVER_UPDATE. */
  moveBot(guildId: string, channelIdOrName: string): void {
    const guild = this.deps.state.guild(guildId);
    const channel = this.deps.state.resolveChannel(guild, channelIdOrName);
    if (channel.type !== 'voice') throw new Error(`'${channel.name}' is not a voice channel`);
    const botId = this.deps.state.botUser.id;
    const current = guild.voiceStates.get(botId);
    if (!current) throw new Error(`the bot is not in a voice channel in guild ${guild.name}`);
    const sessions = this.deps.gateway.readySessions().filter((s) => sessionOwns(s, guild.id));
    const session = sessions.find((s) => s.sessionId === current.sessionId) ?? sessions[0];
    const moved = { ...current, channelId: channel.id };
    guild.voiceStates.set(botId, moved);
    this.dispatchState(guild, moved);
    if (session) this.sendServerUpdate(session, guild, channel.id);
    this.emit({ guildId, channelId: channel.id, reason: 'moved' });
    this.deps.signal.notify();
  }

  /** A member joins, moves or leaves (null) voice; dispatches VOICE_STATE_UPDATE with the member. */
  setMemberVoice(guildId: string, userIdOrName: string, channelIdOrName: string | null, flags: { selfMute?: boolean; selfDeaf?: boolean } = {}): void {
    const guild = this.deps.state.guild(guildId);
    const member = this.deps.state.resolveMember(guild, userIdOrName);
    if (member.userId === this.deps.state.botUser.id) throw new Error('use the bot (op 4) or moveBot/disconnectBot for the bot user');
    const current = guild.voiceStates.get(member.userId);
    if (channelIdOrName === null) {
      if (!current) return;
      guild.voiceStates.delete(member.userId);
      this.dispatchState(guild, { ...current, channelId: null });
    } else {
      const channel = this.deps.state.resolveChannel(guild, channelIdOrName);
      if (channel.type !== 'voice') throw new Error(`'${channel.name}' is not a voice channel`);
      const next = {
        userId: member.userId,
        channelId: channel.id,
        sessionId: current?.sessionId ?? randomBytes(16).toString('hex'),
        selfMute: flags.selfMute ?? current?.selfMute ?? false,
        selfDeaf: flags.selfDeaf ?? current?.selfDeaf ?? false,
      };
      guild.voiceStates.set(member.userId, next);
      this.dispatchState(guild, next);
    }
    this.deps.signal.notify();
  }

  /** The bot left a guild (GUILD_DELETE): its voice connection there is gone. */
  forgetGuild(guildId: string): void {
    this.emit({ guildId, channelId: null, reason: 'removed' });
  }

  /** On a new Identify: that shard's previous voice connections are gone, so the bot's voice states in its guilds are cleared. */
  clearBotStates(session: GatewaySession): void {
    const botId = this.deps.state.botUser.id;
    for (const guild of this.deps.state.guilds.values()) {
      if (sessionOwns(session, guild.id) && guild.voiceStates.delete(botId)) this.emit({ guildId: guild.id, channelId: null, reason: 'reidentified' });
    }
  }

  private dispatchState(guild: GuildRecord, voice: { userId: string; channelId: string | null; sessionId: string; selfMute: boolean; selfDeaf: boolean }): void {
    this.deps.gateway.dispatch('VOICE_STATE_UPDATE', apiVoiceState(this.deps.state, guild, voice, true), guild.id);
  }

  private sendServerUpdate(session: GatewaySession, guild: GuildRecord, channelId: string): void {
    const grant: VoiceGrant = {
      guildId: guild.id,
      channelId,
      userId: this.deps.state.botUser.id,
      sessionId: session.sessionId!,
      token: randomBytes(8).toString('hex'),
    };
    const endpoint = this.deps.voiceEndpoint(grant);
    this.voiceServerUpdates.push({ ...grant, at: Date.now(), endpoint });
    // VOICE_SERVER_UPDATE needs no intent and goes to the session that asked.
    session.dispatch('VOICE_SERVER_UPDATE', { token: grant.token, guild_id: guild.id, endpoint });
  }

  private emit(change: BotVoiceChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}
