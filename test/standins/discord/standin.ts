import { ApplicationCommandType, GatewayIntentBits, InteractionType, type APIApplicationCommand } from 'discord-api-types/v10';
import { apiChannel, apiGuildCreate, apiInteractionMember, apiMember, apiUser } from './apiObjects.js';
import { ChangeSignal } from './changeSignal.js';
import { CommandRegistry } from './commandRegistry.js';
import { registerCommandRoutes } from './commandRoutes.js';
import { Gateway, IDENTIFY_WINDOW_MS, PRIVILEGED_INTENTS, sessionOwns, shardOfGuild, type GatewaySession, type IdentifyRecord } from './gateway.js';
import { GuildState, type GuildRecord, type GuildSpec, type MemberSpec, type OverwriteSpec } from './guildState.js';
import { AttachmentCdn, type CdnDownload } from './cdnRoutes.js';
import { StandinHttpServer, type AppliedRestFault, type RestFault, type UnhandledRequest } from './httpServer.js';
import { registerInfoRoutes, applicationFlags } from './infoRoutes.js';
import {
  InteractionBuilder,
  type AutocompleteInvocation,
  type CommandInvocation,
  type InteractionPlace,
  type MessageCommandInvocation,
  type UserCommandInvocation,
} from './interactionBuilder.js';
import { registerInteractionRoutes } from './interactionRoutes.js';
import { InteractionService, type InteractionHandle, type RecordedFile } from './interactions.js';
import { registerMessageRoutes } from './messageRoutes.js';
import { MessageService } from './messageService.js';
import { MessageStore, type StoredMessage } from './messageStore.js';
import { draftFromCreate, draftFromEdit } from './messagePayload.js';
import { modalSubmissionComponents } from './modalSubmission.js';
import { RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';
import { SentPayloadLog, type SentPayload } from './sentPayloads.js';
import { SnowflakeFactory } from './snowflakes.js';
import { VoiceStates, type BotVoiceChange, type BotVoiceOp, type VoiceGrant, type VoiceServerUpdate } from './voiceStates.js';

/** Options of startDiscordStandin. */
export interface DiscordStandinOptions {
  /** The bot token the stand-in accepts (REST `Authorization: Bot <token>` and gateway Identify). */
  token?: string;
  applicationId?: string;
  botUsername?: string;
  /** 'host:port' the bot is sent to in VOICE_SERVER_UPDATE; gets the grant (token, session) to expect. Default: null endpoint. */
  voiceEndpoint?: (grant: VoiceGrant) => string | null;
  /** How long an interaction may stay unacknowledged (Discord: 3000 ms). */
  ackDeadlineMs?: number;
  /** How long interaction webhook tokens work (Discord: 15 minutes). */
  interactionTokenLifetimeMs?: number;
  /** op 10 Hello heartbeat_interval (Discord: 41250 ms). */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the app in the developer portal (default: all three). */
  allowedPrivilegedIntents?: number;
  /** GET /gateway/bot `shards` (default: Discord's rule of thumb, one shard per 1,000 guilds, at least 1). */
  recommendedShards?: number;
  /** session_start_limit.max_concurrency (default 1, as for most bots). */
  maxConcurrency?: number;
  /** Guilds one session may hold before Identify closes with 4011 Sharding required (Discord: 2,500). */
  maxGuildsPerSession?: number;
  /** Least time between two identifies of one rate-limit key (Discord: 5,000 ms). */
  identifyWindowMs?: number;
  /** session_start_limit.total (Discord: 1,000 a day for most bots). */
  sessionStartTotal?: number;
}

/** A scenario guild's ids, looked up by name. */
export interface GuildHandle {
  id: string;
  name: string;
  channel(name: string): { id: string; name: string; type: 'text' | 'voice' };
  member(username: string): { id: string; username: string };
  role(name: string): { id: string; name: string };
}

/** A member posting in a channel. */
export interface PostMessageInput {
  /** Needed only when `channelId` is a channel name. */
  guildId?: string;
  /** Channel id (or name with guildId). */
  channelId: string;
  /** Author id or username. */
  authorId: string;
  content?: string;
  embeds?: unknown[];
  /** Files; a voice message's one audio file carries `durationSecs` and `waveform` (base64, ≤ 256 bytes). */
  attachments?: Array<{ name: string; data: Buffer; contentType?: string; durationSecs?: number; waveform?: string }>;
  /** Message flags the member's client sets: 8192 (IS_VOICE_MESSAGE), 4096 (SUPPRESS_NOTIFICATIONS). */
  flags?: number;
  /** The member has Nitro: uploads up to 500 MiB (Discord's Nitro limit) instead of the guild's. */
  nitro?: boolean;
  /** Id of the message this one replies to. */
  replyTo?: string;
}

/** Discord's upload limit for members with Nitro. */
const NITRO_UPLOAD_LIMIT = 500 * 1024 * 1024;

/** A channel message as tests see it. */
export interface ChannelMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: any[];
  components: any[];
  attachments: RecordedFile[];
  flags: number;
  type: number;
  editedAt: string | null;
  referenceMessageId?: string;
  /** Set for interaction responses. */
  interactionId?: string;
  mentions: { userIds: string[]; roleIds: string[]; everyone: boolean };
  allowedMentions: unknown;
}

const DEFAULT_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.standin.token';

/** The local Discord: see index.ts for the scenario API. */
export class DiscordStandin {
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: { id: string; username: string };
  /** Requests the stand-in could not serve; tests should expect this to stay empty. */
  readonly unhandled: UnhandledRequest[] = [];
  /** The first port is known after start(). */
  #port = 0;

  readonly #ids = new SnowflakeFactory();
  readonly #signal = new ChangeSignal();
  readonly #state: GuildState;
  readonly #registry: CommandRegistry;
  readonly #store = new MessageStore();
  /** Discord's CDN for attachments: signed URLs, and every download asked of it. */
  readonly #cdn = new AttachmentCdn(this.#store);
  readonly #sent = new SentPayloadLog();
  readonly #gateway: Gateway;
  readonly #readyHolds = new Set<Promise<void>>();
  readonly #messages: MessageService;
  readonly #interactions: InteractionService;
  readonly #voice: VoiceStates;
  readonly #builder: InteractionBuilder;
  readonly #http: StandinHttpServer;
  readonly #ackDeadlineMs: number;
  readonly #allowedPrivilegedIntents: number;
  readonly #recommendedShards: number | undefined;

  constructor(options: DiscordStandinOptions = {}) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.applicationId = options.applicationId ?? this.#ids.next();
    const botUser = { id: this.applicationId, username: options.botUsername ?? 'speech-bot', globalName: null, bot: true };
    this.botUser = { id: botUser.id, username: botUser.username };
    this.#ackDeadlineMs = options.ackDeadlineMs ?? 3000;
    this.#allowedPrivilegedIntents = options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS;
    this.#state = new GuildState(this.#ids, botUser);
    this.#registry = new CommandRegistry(this.#ids, this.applicationId);
    this.#gateway = new Gateway({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      allowedPrivilegedIntents: this.#allowedPrivilegedIntents,
      gatewayUrl: () => this.gatewayUrl,
      onIdentify: (session) => this.#voice.clearBotStates(session),
      ready: (session) => this.readyPayload(session),
      guildCreates: (session) => this.guildCreates(session),
      onVoiceStateUpdate: (session, data) => this.#voice.onVoiceStateUpdate(session, data),
      onRequestGuildMembers: (session, data) => this.requestGuildMembers(session, data),
      onUnhandled: (reason) => this.unhandled.push({ method: 'GATEWAY', path: '/gateway', reason }),
      onChange: () => this.#signal.notify(),
      guildCount: ([id, count]) => [...this.#state.guilds.keys()].filter((g) => shardOfGuild(g, count) === id).length,
      maxConcurrency: options.maxConcurrency ?? 1,
      maxGuildsPerSession: options.maxGuildsPerSession ?? 2500,
      identifyWindowMs: options.identifyWindowMs ?? IDENTIFY_WINDOW_MS,
      sessionStartTotal: options.sessionStartTotal ?? 1000,
    });
    this.#recommendedShards = options.recommendedShards;
    this.#messages = new MessageService({
      state: this.#state,
      store: this.#store,
      ids: this.#ids,
      gateway: this.#gateway,
      signal: this.#signal,
      origin: () => this.origin,
      cdn: this.#cdn,
      allowedPrivilegedIntents: this.#allowedPrivilegedIntents,
    });
    this.#interactions = new InteractionService({
      ids: this.#ids,
      applicationId: this.applicationId,
      botUserId: botUser.id,
      store: this.#store,
      messages: this.#messages,
      gateway: this.#gateway,
      signal: this.#signal,
      tokenLifetimeMs: options.interactionTokenLifetimeMs ?? 15 * 60_000,
      sent: this.#sent,
    });
    this.#voice = new VoiceStates({
      state: this.#state,
      gateway: this.#gateway,
      signal: this.#signal,
      voiceEndpoint: options.voiceEndpoint ?? (() => null),
    });
    this.#builder = new InteractionBuilder(this.#state, this.#registry);
    const router = new RestRouter();
    const ctx: RouteContext = {
      token: this.token,
      applicationId: this.applicationId,
      allowedPrivilegedIntents: this.#allowedPrivilegedIntents,
      ids: this.#ids,
      state: this.#state,
      registry: this.#registry,
      store: this.#store,
      messages: this.#messages,
      interactions: this.#interactions,
      gateway: this.#gateway,
      sent: this.#sent,
      origin: () => this.origin,
      gatewayUrl: () => this.gatewayUrl,
      recommendedShards: () => this.#recommendedShards ?? Math.max(1, Math.ceil(this.#state.guilds.size / 1000)),
    };
    registerInfoRoutes(router, ctx);
    registerCommandRoutes(router, ctx);
    registerInteractionRoutes(router, ctx);
    registerMessageRoutes(router, ctx);
    this.#http = new StandinHttpServer({
      token: this.token,
      router,
      gateway: this.#gateway,
      store: this.#store,
      cdn: this.#cdn,
      unhandled: this.unhandled,
      onRequest: () => this.#signal.notify(),
      faults: this.#restFaults,
    });
  }

  readonly #restFaults: { pending: Array<RestFault & { left: number }>; applied: AppliedRestFault[] } = { pending: [], applied: [] };

  /** Starts listening on 127.0.0.1 (ephemeral port). */
  async start(): Promise<this> {
    this.#port = await this.#http.listen();
    return this;
  }

  /** Stops the server and drops every gateway connection. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /** http://127.0.0.1:PORT */
  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** http://127.0.0.1:PORT/api — give this to `new Client({ rest: { api } })` / DISCORD_API_URL. */
  get apiBase(): string {
    return `${this.origin}/api`;
  }

  /** ws://127.0.0.1:PORT/gateway (what GET /gateway/bot returns). */
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  // ── guilds & members ────────────────────────────────────────────────────────────

  /** Adds a guild (the bot is a member). If the bot is connected, it gets GUILD_CREATE like on a real join. */
  addGuild(spec: GuildSpec): GuildHandle {
    const guild = this.#state.addGuild(spec);
    this.#gateway.dispatch('GUILD_CREATE', (session: GatewaySession) => apiGuildCreate(this.#state, guild, session.hasIntent(GatewayIntentBits.GuildPresences)), guild.id);
    this.#signal.notify();
    return this.guildHandle(guild);
  }

  /** The handle of an existing guild. */
  guild(guildId: string): GuildHandle {
    return this.guildHandle(this.#state.guild(guildId));
  }

  /** A member joins a guild (GUILD_MEMBER_ADD); returns the user id. */
  addMember(guildId: string, spec: MemberSpec): string {
    const guild = this.#state.guild(guildId);
    const member = this.#state.addMember(guild, spec);
    this.#gateway.dispatch('GUILD_MEMBER_ADD', { ...apiMember(this.#state, member), guild_id: guild.id }, guild.id);
    this.#signal.notify();
    return member.userId;
  }

  /** A member leaves a guild (their voice state ends first, then GUILD_MEMBER_REMOVE). */
  removeMember(guildId: string, userIdOrName: string): void {
    const guild = this.#state.guild(guildId);
    const member = this.#state.resolveMember(guild, userIdOrName);
    if (member.userId === this.botUser.id) throw new Error('the bot cannot be removed with removeMember');
    if (guild.voiceStates.has(member.userId)) this.#voice.setMemberVoice(guildId, member.userId, null);
    guild.members.delete(member.userId);
    this.#gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: apiUser(this.#state.users.get(member.userId)!) }, guild.id);
    this.#signal.notify();
  }

  // ── gateway ───────────────────────────────────────────────────────────────────────

  /** Resolves when a connected bot session has READY and every GUILD_CREATE (now or once it happens). */
  async waitForReady(timeoutMs = 10_000): Promise<void> {
    await this.#signal.waitFor(() => (this.#gateway.readySessions().length > 0 ? true : undefined), timeoutMs, () => 'a ready gateway session');
  }

  /**
   * Holds READY back from sessions that Identify until the returned function is called (Discord slow to answer).
   * Holds nest: READY waits for every hold taken before the Identify.
   */
  holdReady(): () => void {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const update = () => {
      this.#gateway.readyHold = this.#readyHolds.size > 0 ? Promise.all(this.#readyHolds).then(() => undefined) : null;
    };
    this.#readyHolds.add(hold);
    update();
    return () => {
      this.#readyHolds.delete(hold);
      update();
      release();
    };
  }

  /** Resolves when every shard of `shardCount` has a ready session (a sharded bot fully connected). */
  async waitForShards(shardCount: number, timeoutMs = 30_000): Promise<void> {
    await this.#signal.waitFor(() => (this.readyShards(shardCount).length === shardCount ? true : undefined), timeoutMs, () =>
      `ready sessions for all ${shardCount} shards (now ${JSON.stringify(this.readyShards(shardCount))})`);
  }

  /** The shard ids (of `shardCount`) that have an open, ready session now. */
  readyShards(shardCount: number): number[] {
    const ids = this.#gateway.readySessions().filter((s) => s.shard[1] === shardCount).map((s) => s.shard[0]);
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  /** The shard `(guild_id >> 22) % shardCount` that owns a guild. */
  shardOf(guildId: string, shardCount: number): number {
    return shardOfGuild(guildId, shardCount);
  }

  /** Identifies refused with op 9 for breaking max_concurrency (or the daily session start limit). */
  get identifyRateLimited(): ReadonlyArray<{ at: number; shard: [number, number]; key: number }> {
    return this.#gateway.identifyRateLimited;
  }

  /** Whether a bot session is connected and ready. */
  get connected(): boolean {
    return this.#gateway.readySessions().length > 0;
  }

  /** Every Identify so far (intents, shard, properties). */
  get identifies(): readonly IdentifyRecord[] {
    return this.#gateway.identifies;
  }

  /** Sends op 7 Reconnect to the bot (it reconnects; its resume is refused, so it re-identifies). */
  requestReconnect(): void {
    this.#gateway.requestReconnect();
  }

  /** Drops every gateway connection with a close code (default 4000, which the client recovers from). */
  dropGateway(code = 4000): void {
    this.#gateway.closeAll(code, 'dropped by the test');
  }

  /** Cuts every gateway connection without a close frame (the client sees 1006); the sessions stay resumable. */
  cutGateway(): void {
    this.#gateway.terminateAll();
  }

  /** Sends op 9 Invalid Session (d = resumable); with false the session is gone and the bot must identify anew. */
  invalidateSession(resumable: boolean): void {
    this.#gateway.invalidateSessions(resumable);
  }

  /** Every gateway socket close with its code (4008: the bot sent more than 120 payloads in 60 s). */
  get gatewayCloses(): ReadonlyArray<{ at: number; code: number; sessionId: string | null }> {
    return this.#gateway.closes;
  }

  /** Dispatches sent while the bot had no gateway session at all (between giving one up and identifying anew). */
  get undeliveredDispatches(): ReadonlyArray<{ at: number; event: string; data: unknown }> {
    return this.#gateway.undelivered;
  }

  /** Every op 6 Resume the bot sent: accepted or refused, and how many dispatches were replayed. */
  get resumeAttempts(): ReadonlyArray<{ at: number; sessionId: string; seq: number; accepted: boolean; replayed: number }> {
    return this.#gateway.resumeAttempts;
  }

  // ── faults ────────────────────────────────────────────────────────────────────────

  /** Answers the next matching REST request(s) with 429 (Discord's body and headers) or a 5xx; see RestFault. */
  failRest(fault: RestFault): void {
    this.#restFaults.pending.push({ ...fault, left: fault.times ?? 1 });
  }

  /** REST faults applied so far. */
  get restFaultsApplied(): readonly AppliedRestFault[] {
    return this.#restFaults.applied;
  }

  /**
   * The bot is removed from a guild (kicked, or the guild deleted): GUILD_DELETE without `unavailable`, as Discord
   * sends it then. The guild is gone from the stand-in afterwards.
   */
  removeGuild(guildId: string): void {
    const guild = this.#state.guild(guildId);
    this.#gateway.dispatch('GUILD_DELETE', { id: guild.id }, guild.id);
    this.#state.guilds.delete(guild.id);
    this.#voice.forgetGuild(guild.id);
    this.#signal.notify();
  }

  /**
   * A channel is deleted: everyone in it (the bot too) is disconnected first (VOICE_STATE_UPDATE with channel null),
   * then CHANNEL_DELETE.
   */
  deleteChannel(guildId: string, channelIdOrName: string): void {
    const guild = this.#state.guild(guildId);
    const channel = this.#state.resolveChannel(guild, channelIdOrName);
    for (const state of [...guild.voiceStates.values()]) {
      if (state.channelId !== channel.id) continue;
      if (state.userId === this.botUser.id) this.#voice.disconnectBot(guild.id);
      else this.#voice.setMemberVoice(guild.id, state.userId, null);
    }
    guild.channels.delete(channel.id);
    this.#gateway.dispatch('CHANNEL_DELETE', apiChannel(channel), guild.id);
    this.#signal.notify();
  }

  /**
   * Sets (replaces) a permission overwrite on a channel — e.g. `{ member: botUser.id, deny: Speak }` — and sends
   * CHANNEL_UPDATE. Discord does not disconnect anyone already connected when Connect is taken away.
   */
  setChannelOverwrite(guildId: string, channelIdOrName: string, spec: OverwriteSpec): void {
    const guild = this.#state.guild(guildId);
    const channel = this.#state.resolveChannel(guild, channelIdOrName);
    const overwrite = this.#state.resolveOverwrite(guild, spec);
    channel.overwrites = [...channel.overwrites.filter((o) => o.id !== overwrite.id), overwrite];
    this.#gateway.dispatch('CHANNEL_UPDATE', apiChannel(channel), guild.id);
    this.#signal.notify();
  }

  // ── commands & interactions ──────────────────────────────────────────────────────

  /** Registered commands: a guild's, or the global ones. */
  commands(guildId?: string): APIApplicationCommand[] {
    return this.#registry.list(guildId);
  }

  /** A member runs a slash command; built only from the registered definition (mistakes throw here). */
  interact(invocation: CommandInvocation): InteractionHandle {
    const place = this.#builder.place(invocation.guildId, invocation.channelId, invocation.userId);
    const { definition, data } = this.#builder.chatInputData(place, invocation);
    return this.createInteraction(place, InteractionType.ApplicationCommand, data, invocation, {
      commandName: definition.name,
      commandType: ApplicationCommandType.ChatInput,
    });
  }

  /** A member types into an autocomplete option; resolves with the choices the bot answers (type 8). */
  async autocomplete(invocation: AutocompleteInvocation): Promise<Array<{ name: string; value: string | number }>> {
    const place = this.#builder.place(invocation.guildId, invocation.channelId, invocation.userId);
    const { definition, data } = this.#builder.chatInputData(place, invocation, invocation.focused);
    const handle = this.createInteraction(place, InteractionType.ApplicationCommandAutocomplete, data, invocation, {
      commandName: definition.name,
      commandType: ApplicationCommandType.ChatInput,
    });
    const deadline = invocation.ackDeadlineMs ?? this.#ackDeadlineMs;
    await handle.waitFor((h) => h.autocompleteChoices !== undefined || h.events.some((e) => e.status >= 400), deadline + 500);
    if (!handle.autocompleteChoices) throw new Error(`autocomplete failed: ${JSON.stringify(handle.events.map((e) => e.error))}`);
    return handle.autocompleteChoices;
  }

  /** A member uses a message context-menu command (e.g. 'Read aloud') on a stored message. */
  messageCommand(invocation: MessageCommandInvocation): InteractionHandle {
    const place = this.#builder.place(invocation.guildId, invocation.channelId, invocation.userId);
    const target = this.#store.get(place.channel.id, invocation.targetMessageId);
    if (!target) throw new Error(`message ${invocation.targetMessageId} is not in channel ${place.channel.name}`);
    // Context-menu targets are exempt from the MESSAGE_CONTENT rules: always full content.
    const { definition, data } = this.#builder.messageCommandData(place, invocation.command, this.#messages.renderFull(target));
    return this.createInteraction(place, InteractionType.ApplicationCommand, data, invocation, {
      commandName: definition.name,
      commandType: ApplicationCommandType.Message,
    });
  }

  /** A member uses a user context-menu command on a member. */
  userCommand(invocation: UserCommandInvocation): InteractionHandle {
    const place = this.#builder.place(invocation.guildId, invocation.channelId, invocation.userId);
    const { definition, data } = this.#builder.userCommandData(place, invocation.command, invocation.targetUserId);
    return this.createInteraction(place, InteractionType.ApplicationCommand, data, invocation, {
      commandName: definition.name,
      commandType: ApplicationCommandType.User,
    });
  }

  /** A member clicks a button (no values) or picks select-menu values on one of the bot's messages. */
  clickComponent(input: { messageId: string; userId: string; customId: string; values?: string[]; ackDeadlineMs?: number; locale?: string }): InteractionHandle {
    const message = this.#store.byId.get(input.messageId);
    if (!message || message.deleted) throw new Error(`no message ${input.messageId}`);
    const place = this.#builder.place(message.guildId, message.channelId, input.userId);
    const data = this.#builder.componentData(message.components, input.customId, input.values);
    const payload = { message: this.#messages.renderFull(message) };
    return this.createInteraction(place, InteractionType.MessageComponent, data, input, { sourceMessageId: message.id }, payload);
  }

  /** The user submits the modal the bot opened on `shownOn` (a callback of type 9), with values by custom_id. */
  submitModal(shownOn: InteractionHandle, values: Record<string, string | string[]>, options: { ackDeadlineMs?: number } = {}): InteractionHandle {
    const modal = shownOn.modal as Record<string, any> | undefined;
    if (!modal) throw new Error(`interaction ${shownOn.id} did not open a modal`);
    const source = shownOn.payload;
    const place = this.#builder.place(source.guild_id, source.channel_id, source.member.user.id);
    const data = { custom_id: modal.custom_id, components: modalSubmissionComponents(modal, values) };
    const sourceMessageId: string | undefined = source.message?.id;
    return this.createInteraction(
      place,
      InteractionType.ModalSubmit,
      data,
      { ...options, locale: source.locale, attachmentSizeLimit: source.attachment_size_limit },
      sourceMessageId ? { sourceMessageId } : {},
      source.message ? { message: source.message } : {},
    );
  }

  /** Every interaction created so far. */
  interactions(): InteractionHandle[] {
    return this.#interactions.all();
  }

  // ── voice ─────────────────────────────────────────────────────────────────────────

  /** A member joins, moves to, or leaves (null) a voice channel: VOICE_STATE_UPDATE with the member. */
  setVoiceState(guildId: string, userId: string, channelId: string | null, flags?: { selfMute?: boolean; selfDeaf?: boolean }): void {
    this.#voice.setMemberVoice(guildId, userId, channelId, flags);
  }

  /** The bot's voice channel in a guild, as the stand-in sees it. */
  botVoiceChannel(guildId: string): string | null {
    return this.#voice.botChannel(guildId);
  }

  /** Resolves once the bot's voice channel in the guild is `channelId` (null = not in voice). */
  async waitForBotVoice(guildId: string, channelId: string | null, timeoutMs = 10_000): Promise<void> {
    await this.#signal.waitFor(() => (this.botVoiceChannel(guildId) === channelId ? true : undefined), timeoutMs, () =>
      `the bot in voice channel ${channelId} (now ${this.botVoiceChannel(guildId)})`);
  }

  /** Every op 4 the bot sent, with what the stand-in did. */
  get botVoiceOps(): readonly BotVoiceOp[] {
    return this.#voice.botVoiceOps;
  }

  /** Every VOICE_SERVER_UPDATE sent (token, session, endpoint). */
  get voiceServerUpdates(): readonly VoiceServerUpdate[] {
    return this.#voice.voiceServerUpdates;
  }

  /** The latest voice grant for a guild: what a voice server stand-in should accept in its Identify. */
  currentVoiceGrant(guildId: string): VoiceServerUpdate | undefined {
    return this.#voice.currentGrant(guildId);
  }

  /** Subscribes to the bot's voice channel changes (e.g. to close the voice server's socket with 4014). */
  onBotVoiceChange(listener: (change: BotVoiceChange) => void): () => void {
    return this.#voice.onBotVoiceChange(listener);
  }

  /** A moderator disconnects the bot from voice. */
  disconnectBot(guildId: string): void {
    this.#voice.disconnectBot(guildId);
  }

  /** A moderator drags the bot to another voice channel (id or name). */
  moveBot(guildId: string, channelId: string): void {
    this.#voice.moveBot(guildId, channelId);
  }

  // ── messages ──────────────────────────────────────────────────────────────────────

  /** Every attachment download asked of the CDN (by the bot), in order; refused ones (unsigned URL) have status 404. */
  get attachmentDownloads(): readonly CdnDownload[] {
    return this.#cdn.downloads;
  }

  /**
   * A member posts a message (MESSAGE_CREATE; content blanked for bots without MESSAGE_CONTENT unless mentioned).
   * With `flags: 8192` (IS_VOICE_MESSAGE) and one audio attachment carrying `durationSecs` and `waveform` it is a
   * voice message, checked by Discord's rules. Uploads are held to the guild's limit, or 500 MiB for a member with Nitro.
   */
  postMessage(input: PostMessageInput): ChannelMessage {
    const { guild, channelId, authorId } = this.resolvePost(input);
    const files = (input.attachments ?? []).map((a, index) => ({
      field: `files[${index}]`,
      index,
      name: a.name,
      contentType: a.contentType ?? 'application/octet-stream',
      data: a.data,
    }));
    const body: Record<string, unknown> = { content: input.content ?? '' };
    if (input.flags !== undefined) body.flags = input.flags;
    if (input.attachments?.some((a) => a.durationSecs !== undefined || a.waveform !== undefined)) {
      body.attachments = input.attachments.map((a, id) => ({
        id,
        filename: a.name,
        ...(a.durationSecs !== undefined ? { duration_secs: a.durationSecs } : {}),
        ...(a.waveform !== undefined ? { waveform: a.waveform } : {}),
      }));
    }
    if (input.embeds) body.embeds = input.embeds;
    if (input.replyTo) body.message_reference = { message_id: input.replyTo };
    const sizeLimit = input.nitro ? Math.max(guild.attachmentSizeLimit, NITRO_UPLOAD_LIMIT) : guild.attachmentSizeLimit;
    const draft = draftFromCreate(body, files, { ids: this.#ids, sizeLimit, errorPath: [], allowEphemeral: false });
    return this.channelMessage(this.#messages.create({ channelId, guildId: guild.id, authorId, draft }));
  }

  /** A member edits their message (MESSAGE_UPDATE). */
  editMessage(input: { channelId: string; messageId: string; content: string }): ChannelMessage {
    const message = this.storedMessage(input.channelId, input.messageId);
    const guild = this.#state.guild(message.guildId);
    const draft = draftFromEdit(message, { content: input.content }, [], { ids: this.#ids, sizeLimit: guild.attachmentSizeLimit, errorPath: [], allowEphemeral: false });
    return this.channelMessage(this.#messages.update(message, draft));
  }

  /** A message is deleted (MESSAGE_DELETE). */
  deleteMessage(input: { channelId: string; messageId: string }): void {
    this.#messages.remove(this.storedMessage(input.channelId, input.messageId));
  }

  /** A member reacts to a message (MESSAGE_REACTION_ADD). */
  addReaction(input: { channelId: string; messageId: string; userId: string; emoji: string }): void {
    const message = this.storedMessage(input.channelId, input.messageId);
    const member = this.#state.resolveMember(this.#state.guild(message.guildId), input.userId);
    this.#messages.addReaction(message, member.userId, input.emoji);
  }

  /** Messages in a channel (oldest first, deleted and ephemeral ones excluded). */
  channelMessages(channelId: string): ChannelMessage[] {
    return this.#store.inChannel(channelId).map((m) => this.channelMessage(m));
  }

  /** One message by id (including ephemeral interaction responses), or undefined. */
  message(messageId: string): ChannelMessage | undefined {
    const message = this.#store.byId.get(messageId);
    return message && !message.deleted ? this.channelMessage(message) : undefined;
  }

  /** Reactions on a message: emoji and who reacted. */
  reactions(channelId: string, messageId: string): Array<{ emoji: string; userIds: string[] }> {
    const message = this.storedMessage(channelId, messageId);
    return [...(this.#store.reactions.get(message.id) ?? new Map<string, Set<string>>()).entries()].map(([emoji, users]) => ({ emoji, userIds: [...users] }));
  }

  /**
   * Every message payload the bot sent, refused ones included: interaction responses that carry a message (callback
   * types 4 and 7), edits of the original response, follow-ups and their edits, channel messages and their edits.
   */
  get sentMessages(): readonly SentPayload[] {
    return this.#sent.all();
  }

  /**
   * The sent message payloads whose `allowed_mentions` would let a mention ping: missing (Discord then parses every
   * mention, on edits too), or allowing anything (`parse` entries, `users`/`roles` lists, `replied_user`). Expect [].
   */
  payloadsThatCouldPing(): SentPayload[] {
    return this.#sent.couldPing();
  }

  /** Resolves once `check()` returns a value other than undefined (re-checked on every stand-in change). */
  waitUntil<T>(check: () => T | undefined, timeoutMs = 10_000, description = 'a stand-in condition'): Promise<T> {
    return this.#signal.waitFor(check, timeoutMs, () => description);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────

  private createInteraction(
    place: InteractionPlace,
    type: InteractionType,
    data: Record<string, unknown>,
    options: { attachmentSizeLimit?: number; locale?: string; ackDeadlineMs?: number; callbackDelayMs?: number },
    extra: { commandName?: string; commandType?: ApplicationCommandType; sourceMessageId?: string },
    payloadExtra: Record<string, unknown> = {},
  ): InteractionHandle {
    const { guild, channel, userId } = place;
    const member = guild.members.get(userId)!;
    const attachmentSizeLimit = options.attachmentSizeLimit ?? guild.attachmentSizeLimit;
    const payload = {
      type,
      data,
      guild: { id: guild.id, locale: guild.locale, features: [] },
      guild_id: guild.id,
      guild_locale: guild.locale,
      channel: { ...apiChannel(channel), permissions: this.#state.permissions(guild, userId, channel).toString() },
      channel_id: channel.id,
      member: apiInteractionMember(this.#state, guild, member, channel),
      locale: options.locale ?? 'en-US',
      app_permissions: this.#state.permissions(guild, this.botUser.id, channel).toString(),
      entitlements: [],
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
      attachment_size_limit: attachmentSizeLimit,
      ...payloadExtra,
    };
    return this.#interactions.create({
      type,
      guildId: guild.id,
      channelId: channel.id,
      userId,
      payload,
      attachmentSizeLimit,
      ackDeadlineMs: options.ackDeadlineMs ?? this.#ackDeadlineMs,
      ...(options.callbackDelayMs ? { callbackDelayMs: options.callbackDelayMs } : {}),
      ...extra,
    });
  }

  private readyPayload(session: GatewaySession): unknown {
    return {
      v: 10,
      user: { ...apiUser(this.#state.botUser), verified: true, mfa_enabled: false, email: null },
      guilds: [...this.#state.guilds.values()].filter((g) => this.inShard(session, g.id)).map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.sessionId,
      session_type: 'normal',
      resume_gateway_url: this.gatewayUrl,
      shard: session.shard,
      application: { id: this.applicationId, flags: applicationFlags(this.#allowedPrivilegedIntents) },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
      geo_ordered_rtc_regions: ['local'],
      auth: {},
      _trace: ['["discord-standin",{"micros":0}]'],
    };
  }

  private guildCreates(session: GatewaySession): unknown[] {
    // Without the GUILDS intent Discord sends no GUILD_CREATE (guilds stay unavailable).
    if (!session.hasIntent(GatewayIntentBits.Guilds)) return [];
    const allMembers = session.hasIntent(GatewayIntentBits.GuildPresences);
    return [...this.#state.guilds.values()].filter((g) => this.inShard(session, g.id)).map((g) => apiGuildCreate(this.#state, g, allMembers));
  }

  private inShard(session: GatewaySession, guildId: string): boolean {
    return sessionOwns(session, guildId);
  }

  private requestGuildMembers(session: GatewaySession, data: Record<string, unknown>): void {
    const guild = this.#state.guilds.get(String(data.guild_id));
    // Discord answers only for guilds of the session's shard.
    if (!guild || !this.inShard(session, guild.id)) return;
    const userIds = Array.isArray(data.user_ids) ? data.user_ids.map(String) : typeof data.user_ids === 'string' ? [data.user_ids] : undefined;
    const query = typeof data.query === 'string' ? data.query.toLowerCase() : '';
    const limit = typeof data.limit === 'number' && data.limit > 0 ? data.limit : Number.MAX_SAFE_INTEGER;
    const members = [...guild.members.values()].filter((m) => {
      if (userIds) return userIds.includes(m.userId);
      const user = this.#state.users.get(m.userId)!;
      return [user.username, user.globalName ?? '', m.nick ?? ''].some((n) => n.toLowerCase().startsWith(query));
    }).slice(0, limit);
    const chunk: Record<string, unknown> = {
      guild_id: guild.id,
      members: members.map((m) => apiMember(this.#state, m)),
      chunk_index: 0,
      chunk_count: 1,
    };
    if (userIds) chunk.not_found = userIds.filter((id) => !guild.members.has(id));
    if (data.nonce !== undefined) chunk.nonce = data.nonce;
    session.dispatch('GUILD_MEMBERS_CHUNK', chunk);
  }

  private guildHandle(guild: GuildRecord): GuildHandle {
    return {
      id: guild.id,
      name: guild.name,
      channel: (name) => {
        const c = this.#state.resolveChannel(guild, name);
        return { id: c.id, name: c.name, type: c.type };
      },
      member: (username) => {
        const m = this.#state.resolveMember(guild, username);
        return { id: m.userId, username: this.#state.users.get(m.userId)!.username };
      },
      role: (name) => {
        const r = this.#state.resolveRole(guild, name);
        return { id: r.id, name: r.name };
      },
    };
  }

  private resolvePost(input: PostMessageInput): { guild: GuildRecord; channelId: string; authorId: string } {
    const found = this.#state.findChannel(input.channelId);
    const guild = found?.guild ?? (input.guildId ? this.#state.guild(input.guildId) : undefined);
    if (!guild) throw new Error(`unknown channel ${input.channelId} (pass guildId to use a channel name)`);
    const channel = found?.channel ?? this.#state.resolveChannel(guild, input.channelId);
    const author = this.#state.resolveMember(guild, input.authorId);
    return { guild, channelId: channel.id, authorId: author.userId };
  }

  private storedMessage(channelId: string, messageId: string): StoredMessage {
    const message = this.#store.get(channelId, messageId);
    if (!message) throw new Error(`no message ${messageId} in channel ${channelId}`);
    return message;
  }

  private channelMessage(message: StoredMessage): ChannelMessage {
    const view: ChannelMessage = {
      id: message.id,
      channelId: message.channelId,
      authorId: message.authorId,
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments.map((a) => ({
        name: a.name,
        contentType: a.contentType,
        data: a.data,
        ...(a.durationSecs !== undefined ? { durationSecs: a.durationSecs } : {}),
        ...(a.waveform !== undefined ? { waveform: a.waveform } : {}),
      })),
      flags: message.flags,
      type: message.type,
      editedAt: message.editedAt,
      mentions: message.mentions,
      allowedMentions: message.allowedMentions,
    };
    if (message.referenceMessageId) view.referenceMessageId = message.referenceMessageId;
    if (message.interaction) view.interactionId = message.interaction.id;
    return view;
  }
}
