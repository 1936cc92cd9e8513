import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { GatewayIntentBits, GatewayOpcodes, GatewayCloseCodes, type GatewayDispatchEvents } from 'discord-api-types/v10';

/** What a bot sent in op 2 Identify. */
export interface IdentifyRecord {
  at: number;
  sessionId: string;
  intents: number;
  shard: [number, number];
  properties: unknown;
  presence: unknown;
}

/** One gateway connection. After Identify it has a session id and receives dispatches. */
export class GatewaySession {
  /** Discord's session_id; set by Identify. */
  sessionId: string | null = null;
  intents = 0;
  shard: [number, number] = [0, 1];
  /** READY and every GUILD_CREATE have been sent. */
  ready = false;
  #sequence = 0;
  readonly #received: number[] = [];
  /** Every dispatch sent in this session, for replay on Resume (Discord keeps them for a while; so does the stand-in). */
  readonly #history: Array<{ s: number; text: string }> = [];
  /** False once the session may no longer be resumed (op 9 d=false, close 1000/1001, a non-resumable close code). */
  resumable = true;
  /** Successful op 6 Resume handshakes. */
  resumes = 0;

  constructor(public socket: WebSocket) {}

  /** Whether the socket is still open. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Whether the session asked for all bits of `intent`. */
  hasIntent(intent: number): boolean {
    return (this.intents & intent) === intent;
  }

  /** Arrival times of this connection's payloads within the last 60 s. */
  get receivedTimes(): readonly number[] {
    return this.#received;
  }

  /** Counts an incoming payload; false once more than 120 arrived within 60 s on this connection (Discord then closes with 4008). */
  countIncoming(now = Date.now()): boolean {
    this.#received.push(now);
    while (this.#received.length > 0 && this.#received[0]! <= now - 60_000) this.#received.shift();
    return this.#received.length <= 120;
  }

  /** Sends a raw gateway payload. */
  send(payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void {
    if (this.open) this.socket.send(JSON.stringify({ s: null, t: null, ...payload }));
  }

  /** Sends a dispatch (op 0) with the next sequence number; kept for replay while the session is resumable. */
  dispatch(event: GatewayDispatchEvents | string, data: unknown): void {
    this.#sequence += 1;
    const text = JSON.stringify({ op: GatewayOpcodes.Dispatch, t: event, s: this.#sequence, d: data });
    this.#history.push({ s: this.#sequence, text });
    if (this.open) this.socket.send(text);
  }

  /** The last sequence number sent. */
  get sequence(): number {
    return this.#sequence;
  }

  /** Takes over a new socket after op 6 Resume: replays every dispatch after `seq`, then sends RESUMED (Discord's order). */
  resumeOn(socket: WebSocket, seq: number, receivedOnSocket: readonly number[] = []): number {
    this.socket = socket;
    this.resumes += 1;
    // Discord's 120-per-60-s send limit is per connection: the new socket starts with what it carried so far.
    this.#received.splice(0, this.#received.length, ...receivedOnSocket);
    const missed = this.#history.filter((m) => m.s > seq);
    for (const m of missed) this.socket.send(m.text);
    this.dispatch('RESUMED', null);
    return missed.length;
  }

  /** Closes the connection with a gateway close code. */
  close(code: number, reason = ''): void {
    if (this.open) this.socket.close(code, reason);
  }
}

/** The intent a dispatch needs (Discord drops events the session did not ask for); 0 = always sent. */
export function intentFor(event: string): number {
  if (event.startsWith('GUILD_MEMBER')) return GatewayIntentBits.GuildMembers;
  if (event.startsWith('GUILD_') || event.startsWith('CHANNEL_')) return GatewayIntentBits.Guilds;
  if (event === 'VOICE_STATE_UPDATE') return GatewayIntentBits.GuildVoiceStates;
  if (event.startsWith('MESSAGE_REACTION')) return GatewayIntentBits.GuildMessageReactions;
  if (event.startsWith('MESSAGE_')) return GatewayIntentBits.GuildMessages;
  if (event === 'TYPING_START') return GatewayIntentBits.GuildMessageTyping;
  return 0;
}

/** Gateway close codes after which Discord lets a client resume (4004 and 4010–4014 end the session). */
function resumableGatewayClose(code: number): boolean {
  return !(code === 4004 || (code >= 4010 && code <= 4014));
}

/** Privileged intents: the ones an app must enable in the developer portal. */
export const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** What the gateway needs from the rest of the stand-in. */
export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the app has enabled (others close the session with 4014). */
  allowedPrivilegedIntents: number;
  /** ws://127.0.0.1:PORT/gateway */
  gatewayUrl(): string;
  /** Called on Identify before READY (e.g. to drop the bot's stale voice states). */
  onIdentify(session: GatewaySession): void;
  /** The READY payload for a session. */
  ready(session: GatewaySession): unknown;
  /** GUILD_CREATE payloads for a session, right after READY. */
  guildCreates(session: GatewaySession): unknown[];
  /** op 4 Voice State Update. */
  onVoiceStateUpdate(session: GatewaySession, data: Record<string, unknown>): void;
  /** op 8 Request Guild Members. */
  onRequestGuildMembers(session: GatewaySession, data: Record<string, unknown>): void;
  /** How many guilds a session of this shard would hold (Discord refuses more than `maxGuildsPerSession` with 4011). */
  guildCount(shard: [number, number]): number;
  /** Something the stand-in does not model. */
  onUnhandled(description: string): void;
  /** A session became ready or closed. */
  onChange(): void;
  /** session_start_limit.max_concurrency: identifies per 5 s, one per rate-limit key `shard_id % max_concurrency`. */
  maxConcurrency: number;
  /** Guilds one session may hold before Discord requires sharding (4011); Discord: 2,500. */
  maxGuildsPerSession: number;
  /** session_start_limit.total: identifies allowed per 24 h. */
  sessionStartTotal: number;
  /** How long a rate-limit key waits between identifies (Discord: 5,000 ms; 0 turns the check off for raw-socket tests). */
  identifyWindowMs: number;
}

/** The shard a guild belongs to: `(guild_id >> 22) % shard_count` (Discord's sharding formula). */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Whether a session's shard owns a guild. */
export function sessionOwns(session: GatewaySession, guildId: string): boolean {
  return shardOfGuild(guildId, session.shard[1]) === session.shard[0];
}

/** Discord's identify window: each rate-limit key may identify once per 5 s. */
export const IDENTIFY_WINDOW_MS = 5_000;

/** The gateway: one GatewaySession per WebSocket, Discord's opcodes and close codes. */
export class Gateway {
  readonly sessions = new Set<GatewaySession>();
  readonly identifies: IdentifyRecord[] = [];
  /** Every op 6 Resume received, and whether it was accepted. */
  readonly resumeAttempts: Array<{ at: number; sessionId: string; seq: number; accepted: boolean; replayed: number }> = [];
  /** Every gateway socket close, with its code (either side). */
  readonly closes: Array<{ at: number; code: number; sessionId: string | null }> = [];
  /** Dispatches sent while no session existed to take them (lost, as on Discord). */
  readonly undelivered: Array<{ at: number; event: string; data: unknown }> = [];
  /** Sessions whose socket closed but which may still be resumed (by session id). */
  readonly #detached = new Map<string, GatewaySession>();
  /** op 3 presence updates as sent. */
  readonly presenceUpdates: unknown[] = [];
  /** Identifies refused with op 9 because their rate-limit key (shard_id % max_concurrency) identified < 5 s before. */
  readonly identifyRateLimited: Array<{ at: number; shard: [number, number]; key: number }> = [];
  /** When each rate-limit key last identified. */
  readonly #lastIdentifyByKey = new Map<number, number>();
  /** When the current 24-hour session start window began (the first identify in it). */
  #sessionWindowStart: number | null = null;
  #sessionStarts = 0;

  /** While set, READY waits for it: Discord being slow to answer Identify (a timing control for tests, no rule change). */
  readyHold: Promise<void> | null = null;

  constructor(private readonly hooks: GatewayHooks) {}

  /** Open sessions that got READY and all GUILD_CREATEs. */
  readySessions(): GatewaySession[] {
    return [...this.sessions].filter((s) => s.open && s.ready);
  }

  /** session_start_limit as GET /gateway/bot reports it (remaining and reset_after count from the window's first identify). */
  sessionStartLimit(now = Date.now()): { total: number; remaining: number; reset_after: number; max_concurrency: number } {
    this.rollSessionWindow(now);
    const total = this.hooks.sessionStartTotal;
    const resetAfter = this.#sessionWindowStart === null ? 86_400_000 : this.#sessionWindowStart + 86_400_000 - now;
    return { total, remaining: Math.max(0, total - this.#sessionStarts), reset_after: resetAfter, max_concurrency: this.hooks.maxConcurrency };
  }

  private rollSessionWindow(now: number): void {
    if (this.#sessionWindowStart !== null && now - this.#sessionWindowStart >= 86_400_000) {
      this.#sessionWindowStart = null;
      this.#sessionStarts = 0;
    }
  }

  /**
   * Sends a dispatch to every ready session that has the event's intent; `data` may vary per session. With `guildId`,
   * only the session whose shard owns the guild gets it (as on Discord: one guild, one shard).
   */
  dispatch(event: string, data: unknown | ((session: GatewaySession) => unknown), guildId?: string): void {
    const intent = intentFor(event);
    // A session between sockets still gets its events: they are replayed when it resumes (or lost if it re-identifies).
    const ready = [...this.sessions].filter((s) => s.ready && (s.open || s.resumable));
    const targets = [...ready, ...this.#detached.values()].filter((s) => guildId === undefined || sessionOwns(s, guildId));
    // No session at all (the client gave its session up and has not identified anew): Discord delivers it to no one.
    if (targets.length === 0 && typeof data !== 'function') this.undelivered.push({ at: Date.now(), event, data });
    for (const session of targets) {
      if (intent !== 0 && !session.hasIntent(intent)) continue;
      const payload = typeof data === 'function' ? (data as (s: GatewaySession) => unknown)(session) : data;
      if (payload !== undefined) session.dispatch(event, payload);
    }
  }

  /** Takes a new WebSocket connection (already upgraded) and says Hello. */
  accept(socket: WebSocket, req: IncomingMessage): void {
    // `conn.session` changes when this socket resumes an older session.
    const conn = { session: new GatewaySession(socket) };
    this.sessions.add(conn.session);
    socket.on('close', (code: number) => {
      const session = conn.session;
      this.closes.push({ at: Date.now(), code, sessionId: session.sessionId });
      this.sessions.delete(session);
      // Discord: a client closing with 1000/1001 ends its session; gateway errors other than these may resume.
      if (code === 1000 || code === 1001 || !resumableGatewayClose(code)) session.resumable = false;
      if (session.sessionId !== null && session.ready && session.resumable && session.socket === socket) this.#detached.set(session.sessionId, session);
      this.hooks.onChange();
    });
    const session = conn.session;
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    if (query.get('v') !== '10') {
      session.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      this.hooks.onUnhandled(`gateway encoding=${query.get('encoding')}`);
      session.close(GatewayCloseCodes.DecodeError, 'Only JSON encoding is supported by the stand-in');
      return;
    }
    if (query.has('compress')) {
      this.hooks.onUnhandled(`gateway compress=${query.get('compress')}`);
      session.close(GatewayCloseCodes.UnknownError, 'Transport compression is not supported by the stand-in');
      return;
    }
    socket.on('message', (raw, isBinary) => this.onMessage(conn, raw.toString(), isBinary));
    session.send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs } });
  }

  /** Sends op 7 Reconnect to every session (Discord asking the client to reconnect and resume). */
  requestReconnect(): void {
    for (const session of this.sessions) session.send({ op: GatewayOpcodes.Reconnect, d: null });
  }

  /** Closes every session with a close code (e.g. 4000 to simulate an outage). */
  closeAll(code: number, reason = ''): void {
    for (const session of this.sessions) session.close(code, reason);
  }

  /** Drops every connection without a close frame (network loss: the client sees 1006); sessions stay resumable. */
  terminateAll(): void {
    for (const session of this.sessions) session.socket.terminate();
  }

  /** Sends op 9 Invalid Session with `d = resumable` to every session; with false the sessions can no longer be resumed. */
  invalidateSessions(resumable: boolean): void {
    for (const session of this.sessions) {
      if (!resumable) session.resumable = false;
      session.send({ op: GatewayOpcodes.InvalidSession, d: resumable });
    }
  }

  private onMessage(conn: { session: GatewaySession }, text: string, isBinary: boolean): void {
    const session = conn.session;
    if (!session.countIncoming()) {
      session.close(GatewayCloseCodes.RateLimited, 'You are being rate limited.');
      return;
    }
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      session.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const data = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        session.send({ op: GatewayOpcodes.HeartbeatAck, d: null });
        return;
      case GatewayOpcodes.Identify:
        this.identify(session, data);
        return;
      case GatewayOpcodes.Resume:
        this.resume(conn, data);
        return;
      default:
        break;
    }
    if (session.sessionId === null) {
      session.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
      return;
    }
    switch (payload.op) {
      case GatewayOpcodes.PresenceUpdate:
        this.presenceUpdates.push(data);
        return;
      case GatewayOpcodes.VoiceStateUpdate:
        this.hooks.onVoiceStateUpdate(session, data);
        return;
      case GatewayOpcodes.RequestGuildMembers:
        this.hooks.onRequestGuildMembers(session, data);
        return;
      default:
        this.hooks.onUnhandled(`gateway op ${String(payload.op)}`);
        session.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  /** op 6 Resume `{ token, session_id, seq }`: re-attaches a resumable session, or op 9 d=false (identify afresh). */
  private resume(conn: { session: GatewaySession }, data: Record<string, unknown>): void {
    const current = conn.session;
    const token = typeof data.token === 'string' ? data.token.replace(/^Bot /, '') : '';
    const sessionId = typeof data.session_id === 'string' ? data.session_id : '';
    const seq = typeof data.seq === 'number' ? data.seq : -1;
    if (token !== this.hooks.token) {
      current.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const target = this.#detached.get(sessionId) ?? (current.sessionId === sessionId ? current : undefined);
    if (!target || !target.resumable || seq > target.sequence) {
      this.resumeAttempts.push({ at: Date.now(), sessionId, seq, accepted: false, replayed: 0 });
      current.send({ op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    this.#detached.delete(sessionId);
    if (target !== current) {
      this.sessions.delete(current);
      conn.session = target;
      this.sessions.add(target);
    }
    const replayed = target.resumeOn(current.socket, seq, current.receivedTimes);
    this.resumeAttempts.push({ at: Date.now(), sessionId, seq, accepted: true, replayed });
    this.hooks.onChange();
  }

  private identify(session: GatewaySession, data: Record<string, unknown>): void {
    if (session.sessionId !== null) {
      session.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    const token = typeof data.token === 'string' ? data.token.replace(/^Bot /, '') : '';
    if (token !== this.hooks.token) {
      session.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if (typeof data.intents !== 'number' || !Number.isInteger(data.intents) || data.intents < 0) {
      session.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
      return;
    }
    if ((data.intents & PRIVILEGED_INTENTS & ~this.hooks.allowedPrivilegedIntents) !== 0) {
      session.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
      return;
    }
    const [shardId, shardCount] = Array.isArray(data.shard) ? (data.shard as unknown[]).map(Number) : [0, 1];
    const integers = Number.isInteger(shardId) && Number.isInteger(shardCount);
    if (shardId === undefined || shardCount === undefined || !integers || !(shardCount >= 1 && shardId >= 0 && shardId < shardCount)) {
      session.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
      return;
    }
    if (this.hooks.guildCount([shardId, shardCount]) > this.hooks.maxGuildsPerSession) {
      session.close(GatewayCloseCodes.ShardingRequired, 'Sharding required.');
      return;
    }
    const now = Date.now();
    const key = shardId % this.hooks.maxConcurrency;
    const last = this.#lastIdentifyByKey.get(key);
    this.rollSessionWindow(now);
    if ((last !== undefined && now - last < this.hooks.identifyWindowMs) || this.#sessionStarts >= this.hooks.sessionStartTotal) {
      // Discord answers an identify over its concurrency limit with op 9 Invalid Session (not resumable).
      this.identifyRateLimited.push({ at: now, shard: [shardId, shardCount], key });
      session.resumable = false;
      session.send({ op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    this.#lastIdentifyByKey.set(key, now);
    this.#sessionWindowStart ??= now;
    this.#sessionStarts += 1;
    // A fresh Identify replaces the shard's earlier sessions: they can no longer be resumed.
    for (const [id, old] of this.#detached) if (old.shard[0] === shardId && old.shard[1] === shardCount) this.#detached.delete(id);
    session.sessionId = randomBytes(16).toString('hex');
    session.intents = data.intents;
    session.shard = [shardId, shardCount];
    this.identifies.push({
      at: Date.now(),
      sessionId: session.sessionId,
      intents: data.intents,
      shard: session.shard,
      properties: data.properties,
      presence: data.presence,
    });
    if (this.readyHold) {
      void this.readyHold.then(() => {
        if (session.open) this.sendReady(session);
      });
      return;
    }
    this.sendReady(session);
  }

  private sendReady(session: GatewaySession): void {
    this.hooks.onIdentify(session);
    session.dispatch('READY', this.hooks.ready(session));
    for (const guild of this.hooks.guildCreates(session)) session.dispatch('GUILD_CREATE', guild);
    session.ready = true;
    this.hooks.onChange();
  }
}
