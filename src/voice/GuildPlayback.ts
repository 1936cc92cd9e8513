import { EventEmitter } from 'node:events';
import { BotError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { AudioPreparer, Clock, PlayHandle, PreparedAudio, VoiceLink } from './ports.js';

/** Who asked for an item, for /queue and limits. */
export interface Requester {
  id: string;
  name: string;
}

/** Why an item was not spoken without having failed. */
export type CancelReason =
  | 'stopped'
  | 'disconnected'
  | 'moved'
  | 'left'
  | 'idle'
  | 'alone'
  /** The voice server refused the session: 4017 (DAVE required), 4021 (rate limited), 4022 (call terminated). */
  | 'e2ee_required'
  | 'voice_rate_limited'
  | 'call_ended'
  /** The bot was removed from the server (or the server deleted). */
  | 'removed'
  /** The voice channel was deleted. */
  | 'channel_deleted'
  /** The bot lost a permission it needs in the channel (Speak, Connect, View Channel). */
  | 'no_permission'
  /** The bot is shutting down (a restart or a deploy). */
  | 'restarting';

/** The cancel reason for a voice server's close code, if it has its own. */
const REFUSAL_REASON: Record<number, CancelReason> = { 4017: 'e2ee_required', 4021: 'voice_rate_limited', 4022: 'call_ended' };

/** How an item ended. */
export type EntryOutcome =
  | { status: 'spoken' }
  | { status: 'skipped' }
  | { status: 'cancelled'; reason: CancelReason }
  | { status: 'failed'; error: unknown };

/** What callers put in the queue. */
export interface QueueJob<R> {
  request: R;
  channelId: string;
  requester: Requester;
  /** Short text for /queue (already shortened, safe to show). */
  label: string;
  /**
   * Announcements go ahead of every normal item still waiting (never cutting the one being said), in the order
   * they came, and are not counted against the member limit.
   */
  priority?: 'announcement';
  /**
   * A visit: the item may be for another channel than the one the queue serves. The bot finishes the current item,
   * goes there, says it, and comes back to go on with its queue (or leaves, if it had no channel).
   */
  visit?: boolean;
  onStart?: () => void;
  onEnd?: (outcome: EntryOutcome) => void;
}

/** Where an item is in its life. */
export type EntryState = 'pending' | 'playing' | 'done';

/** One queued item with its own fetch. */
export interface QueueEntry<R> {
  readonly id: number;
  readonly job: QueueJob<R>;
  state: EntryState;
  audio: Promise<PreparedAudio> | undefined;
  readonly abort: AbortController;
}

/** The guild's playback state; `entry` is the item at the front. */
export type PlaybackState =
  | { status: 'idle' }
  | { status: 'joining'; channelId: string }
  | { status: 'connected'; channelId: string }
  | { status: 'buffering'; channelId: string; entry: QueueEntry<unknown> }
  | { status: 'playing'; channelId: string; entry: QueueEntry<unknown>; handle: PlayHandle }
  | { status: 'paused'; channelId: string; entry: QueueEntry<unknown>; handle: PlayHandle }
  | { status: 'destroyed' };

/** Limits and timings of one guild's playback. */
export interface PlaybackOptions {
  maxQueue: number;
  maxPerMember: number;
  idleTimeoutMs: number;
  /** How many items after the current one are fetched ahead. */
  prefetch: number;
}

/** A snapshot for /queue. */
export interface QueueSnapshot {
  channelId: string | null;
  status: PlaybackState['status'];
  current: { id: number; label: string; requester: Requester } | undefined;
  pending: Array<{ id: number; label: string; requester: Requester }>;
}

/**
 * One guild's voice queue: one connection, one player, items synthesized in queue order and fetched one
 * ahead so the next starts without a gap. The only owner of the guild's VoiceLink.
 */
export class GuildPlayback<R = unknown> extends EventEmitter {
  readonly guildId: string;
  private _state: PlaybackState = { status: 'idle' };
  private readonly pending: QueueEntry<R>[] = [];
  private nextId = 1;
  private idleTimer: unknown;
  private skipRequested = false;
  private running = false;

  constructor(
    guildId: string,
    private readonly link: VoiceLink,
    private readonly prepare: AudioPreparer<R>,
    private readonly options: PlaybackOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    this.guildId = guildId;
    link.onEvent((event) => {
      this.logger.info({ guildId, reason: event.reason, closeCode: event.closeCode }, 'voice connection lost');
      this.clear((event.closeCode !== undefined ? REFUSAL_REASON[event.closeCode] : undefined) ?? 'disconnected', true);
    });
  }

  /** Current state (read-only view). */
  get state(): PlaybackState {
    return this._state;
  }

  /**
   * The voice channel the queue serves (where its listeners are), or null. During a visit elsewhere this stays
   * the channel the bot comes back to.
   */
  get channelId(): string | null {
    return this.home ?? this.connectedChannelId;
  }

  /** The channel the voice connection is in or joining right now, or null. */
  get connectedChannelId(): string | null {
    const s = this._state;
    return 'channelId' in s ? s.channelId : null;
  }

  /** True while the bot is in another channel than the one its queue serves (a visit). */
  get visiting(): boolean {
    const now = this.connectedChannelId;
    return now !== null && now !== this.home;
  }

  private setState(next: PlaybackState): void {
    const prev = this._state;
    this._state = next;
    if (next.status === 'connected') this.armIdleTimer();
    else this.disarmIdleTimer();
    this.logger.debug({ guildId: this.guildId, from: prev.status, to: next.status }, 'playback state');
    this.emit('stateChange', prev, next);
  }

  /** Adds a job; throws a BotError when the guild's or the member's limit is reached. Returns its 1-based position. */
  enqueue(job: QueueJob<R>): { id: number; position: number } {
    if (this._state.status === 'destroyed') throw new BotError('internal', {}, { message: 'playback destroyed' });
    const current = this.currentEntry();
    const total = this.pending.length + (current ? 1 : 0);
    if (total >= this.options.maxQueue) throw new BotError('queue.full_guild', { limit: this.options.maxQueue });
    const counts = (e: QueueEntry<R> | undefined) => e !== undefined && e.job.priority === undefined && e.job.requester.id === job.requester.id;
    const mine = this.pending.filter(counts).length + (counts(current) ? 1 : 0);
    if (job.priority === undefined && mine >= this.options.maxPerMember) {
      throw new BotError('queue.full_member', { limit: this.options.maxPerMember });
    }

    // Before queueing: it throws when the job is for another channel while busy, and then nothing may stay queued.
    if (job.visit) this.ensureConnected(job.channelId);
    else this.ensureChannel(job.channelId);
    const entry: QueueEntry<R> = { id: this.nextId++, job, state: 'pending', audio: undefined, abort: new AbortController() };
    let index = this.pending.length;
    if (job.priority !== undefined) {
      index = this.pending.findIndex((e) => e.job.priority === undefined);
      if (index < 0) index = this.pending.length;
    }
    this.pending.splice(index, 0, entry);
    const position = index + 1 + (current ? 1 : 0);
    this.prefetch();
    void this.run();
    return { id: entry.id, position };
  }

  /** Skips the item being played (or buffered). Returns false when nothing was playing. */
  skip(): boolean {
    const s = this._state;
    if (s.status === 'playing' || s.status === 'paused') {
      this.skipRequested = true;
      s.handle.stop();
      return true;
    }
    if (s.status === 'buffering') {
      this.skipRequested = true;
      s.entry.abort.abort();
      return true;
    }
    return false;
  }

  /** Stops the current item and clears the queue; stays in the channel. Returns how many items were dropped. */
  stop(): number {
    const dropped = this.pending.length + (this.currentEntry() ? 1 : 0);
    this.clear('stopped', false);
    return dropped;
  }

  /** Pauses playback; false when nothing is playing. */
  pause(): boolean {
    const s = this._state;
    if (s.status !== 'playing' || !s.handle.pause()) return false;
    this.setState({ ...s, status: 'paused' });
    return true;
  }

  /** Resumes paused playback; false when not paused. */
  resume(): boolean {
    const s = this._state;
    if (s.status !== 'paused' || !s.handle.resume()) return false;
    this.setState({ ...s, status: 'playing' });
    return true;
  }

  /** Joins a channel without queueing anything (for /join). */
  async join(channelId: string): Promise<void> {
    this.ensureChannel(channelId);
    await this.joining;
  }

  /** Leaves the channel, dropping everything queued. */
  leave(reason: CancelReason = 'left'): void {
    this.clear(reason, true);
  }

  /** Cancels every waiting item (each ends 'cancelled' with `reason`) and lets the item being said go on; returns how many. */
  dropPending(reason: CancelReason): number {
    const dropped = this.pending.splice(0);
    for (const entry of dropped) this.finish(entry, { status: 'cancelled', reason });
    return dropped.length;
  }

  /** True while an item is being fetched or said (a paused item does not count: nobody is hearing it). */
  get busy(): boolean {
    return this._state.status === 'buffering' || this._state.status === 'playing';
  }

  /** Leaves and refuses further work; what was queued is cancelled with `reason`. */
  destroy(reason: CancelReason = 'left'): void {
    this.clear(reason, true);
    this.setState({ status: 'destroyed' });
    this.removeAllListeners();
  }

  /** Reconciles with the bot's voice state as Discord reports it (moderator disconnects and moves). */
  handleBotVoiceState(channelId: string | null): void {
    const s = this._state;
    if (s.status === 'idle' || s.status === 'destroyed' || s.status === 'joining') return;
    if (channelId === null) {
      this.logger.info({ guildId: this.guildId }, 'bot was disconnected from voice');
      this.clear('disconnected', true);
    } else if (channelId !== s.channelId) {
      // Moved by a moderator: what was queued was meant for the old channel's listeners.
      this.logger.info({ guildId: this.guildId }, 'bot was moved to another voice channel');
      this.clear('moved', false);
      this.home = channelId;
      this.setState({ status: 'connected', channelId });
    }
  }

  /** What is playing and pending. */
  snapshot(): QueueSnapshot {
    const current = this.currentEntry();
    const view = (e: QueueEntry<R>) => ({ id: e.id, label: e.job.label, requester: e.job.requester });
    return {
      channelId: this.channelId,
      status: this._state.status,
      current: current ? view(current) : undefined,
      pending: this.pending.map(view),
    };
  }

  /**
   * Audio still to be heard before anything queued now would start (ms): what is left of the current item plus every
   * pending one, each as long as `estimateMs` says for its request.
   */
  queuedMs(estimateMs: (request: R) => number): number {
    const current = this.currentEntry();
    let total = 0;
    if (current) {
      const played = this.playingSince === undefined ? 0 : this.clock.now() - this.playingSince;
      total += Math.max(0, estimateMs(current.job.request) - played);
    }
    for (const entry of this.pending) total += estimateMs(entry.job.request);
    return total;
  }

  /** Removes a pending item by id (not the current one); true if it was there. */
  remove(id: number, reason: CancelReason = 'stopped'): boolean {
    const index = this.pending.findIndex((e) => e.id === id);
    if (index < 0) return false;
    const [entry] = this.pending.splice(index, 1);
    this.finish(entry!, { status: 'cancelled', reason });
    this.prefetch();
    return true;
  }

  /** Replaces a pending item's job in place (an edited message); its audio is fetched again. True if it was pending. */
  replace(id: number, job: QueueJob<R>): boolean {
    const index = this.pending.findIndex((e) => e.id === id);
    if (index < 0) return false;
    this.pending[index]!.abort.abort();
    this.pending[index] = { id, job, state: 'pending', audio: undefined, abort: new AbortController() };
    this.prefetch();
    return true;
  }

  private joining: Promise<void> | undefined;
  /** When the current item started playing (clock ms), for what is left of it. */
  private playingSince: number | undefined;
  /** The channel the queue serves; null when the bot is only visiting (or not in voice). */
  private home: string | null = null;

  /** Makes `channelId` the queue's channel, joining it unless the bot is already there or on a visit. */
  private ensureChannel(channelId: string): void {
    const s = this._state;
    if (s.status !== 'idle' && this.home === channelId) return;
    if (s.status !== 'idle' && this.home === null && s.status !== 'destroyed') {
      // Only visiting (an announcement): this channel becomes home, and the bot goes there after the visit.
      this.home = channelId;
      return;
    }
    if (s.status === 'playing' || s.status === 'paused' || s.status === 'buffering' || this.visiting) {
      // Callers only queue for the bot's own channel while it is busy; a different channel here is a bug upstream.
      throw new BotError('voice.not_in_bot_channel', { channelId: this.channelId ?? '' });
    }
    this.home = channelId;
    this.startJoin(channelId);
  }

  /** For a visit: joins the channel when the bot is not in voice at all; otherwise the play loop goes there in turn. */
  private ensureConnected(channelId: string): void {
    if (this._state.status === 'idle') this.startJoin(channelId);
  }

  private startJoin(channelId: string): void {
    this.setState({ status: 'joining', channelId });
    const attempt = this.link.join(channelId).then(
      () => {
        if (this.joining !== attempt) return;
        this.joining = undefined;
        if (this._state.status === 'joining' && this._state.channelId === channelId) {
          this.setState({ status: 'connected', channelId });
          void this.run();
        }
      },
      (err: unknown) => {
        if (this.joining !== attempt) return;
        this.joining = undefined;
        this.logger.warn({ guildId: this.guildId, err: String(err) }, 'voice join failed');
        const error = err instanceof BotError ? err : new BotError('voice.join_failed', {}, { cause: err });
        this.failAll(error);
        this.home = null;
        this.link.destroy();
        if (this._state.status !== 'destroyed') this.setState({ status: 'idle' });
        throw error;
      },
    );
    this.joining = attempt;
    attempt.catch(() => undefined);
  }

  private currentEntry(): QueueEntry<R> | undefined {
    const s = this._state;
    return 'entry' in s ? (s.entry as QueueEntry<R>) : undefined;
  }

  private startFetch(entry: QueueEntry<R>): Promise<PreparedAudio> {
    if (!entry.audio) {
      entry.audio = this.prepare(entry.job.request, entry.abort.signal, { guildId: this.guildId, memberId: entry.job.requester.id });
      entry.audio.catch(() => undefined);
    }
    return entry.audio;
  }

  private prefetch(): void {
    const current = this.currentEntry();
    const budget = current ? this.options.prefetch : this.options.prefetch + 1;
    for (const entry of this.pending.slice(0, budget)) this.startFetch(entry);
  }

  /** The play loop: one item at a time, while connected. */
  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      do {
        while (this.pending.length > 0 && this._state.status === 'connected') {
          const channelId = this._state.channelId;
          const wanted = this.channelFor(this.pending[0]!);
          if (wanted !== null && wanted !== channelId) {
            await this.moveTo(wanted);
            continue;
          }
          const entry = this.pending.shift()!;
          this.skipRequested = false;
          this.playingSince = undefined;
          this.setState({ status: 'buffering', channelId, entry: entry as QueueEntry<unknown> });
          this.prefetch();
          let handle: PlayHandle;
          try {
            const audio = await this.startFetch(entry);
            if (entry.state === 'done') continue;
            // Skipped while buffering, but the audio arrived anyway: the catch below reports it as skipped.
            if (this.skipRequested) throw new Error('skipped before playing');
            if (!this.isCurrent(entry, 'buffering')) {
              audio.packets.destroy();
              continue;
            }
            // A prefetched stream can fail while it waits its turn; report that failure, not an empty play.
            if (audio.packets.errored) throw audio.packets.errored;
            entry.state = 'playing';
            this.playingSince = this.clock.now();
            handle = this.link.play(audio.packets);
            this.setState({ status: 'playing', channelId, entry: entry as QueueEntry<unknown>, handle });
            entry.job.onStart?.();
            await handle.finished;
            this.finish(entry, this.skipRequested ? { status: 'skipped' } : { status: 'spoken' });
          } catch (error) {
            if (entry.state !== 'done') {
              this.finish(entry, this.skipRequested ? { status: 'skipped' } : { status: 'failed', error });
            }
          }
          const s = this._state;
          if ('entry' in s && s.entry === entry) this.setState({ status: 'connected', channelId: s.channelId });
        }
      // Checked synchronously first: an await here with nothing to do would swallow a run() asked for meanwhile.
      } while (this.visitOver() && (await this.endVisit()));
    } finally {
      this.running = false;
    }
  }

  /** Where an entry is said: a visit's own channel, else the queue's channel. */
  private channelFor(entry: QueueEntry<R>): string | null {
    return entry.job.visit ? entry.job.channelId : this.home;
  }

  /** True when the bot is connected away from the queue's channel with nothing left to say there. */
  private visitOver(): boolean {
    const s = this._state;
    return s.status === 'connected' && this.pending.length === 0 && s.channelId !== this.home;
  }

  /** With nothing left to say on a visit: back to the queue's channel (true), or out of voice if it had none. */
  private async endVisit(): Promise<boolean> {
    if (this.home === null) {
      this.logger.info({ guildId: this.guildId }, 'announcement visit over; leaving');
      this.clear('left', true);
      return false;
    }
    await this.moveTo(this.home);
    return true;
  }

  /**
   * Moves the connection to another channel of the guild (a visit, or back from one). If that fails, what
   * was waiting for that channel fails with the reason and the bot goes back (or leaves).
   */
  private async moveTo(channelId: string): Promise<void> {
    this.setState({ status: 'joining', channelId });
    this.logger.info({ guildId: this.guildId, visit: channelId !== this.home }, 'moving to another voice channel');
    try {
      await this.link.join(channelId);
      if (this._state.status === 'joining' && this._state.channelId === channelId) this.setState({ status: 'connected', channelId });
    } catch (err) {
      if (!(this._state.status === 'joining' && this._state.channelId === channelId)) return;
      this.logger.warn({ guildId: this.guildId, err: String(err) }, 'voice move failed');
      const error = err instanceof BotError ? err : new BotError('voice.join_failed', {}, { cause: err });
      const stranded = channelId === this.home ? this.pending.splice(0) : this.takePending((e) => this.channelFor(e) === channelId);
      for (const entry of stranded) this.finish(entry, { status: 'failed', error });
      if (channelId === this.home) this.home = null;
      // The link may still hold the old channel; start from a clean connection wherever we go next.
      this.link.destroy();
      this.setState({ status: 'idle' });
      const next = this.pending[0] ? this.channelFor(this.pending[0]) : this.home;
      if (next !== null) this.startJoin(next);
    }
  }

  private takePending(match: (entry: QueueEntry<R>) => boolean): QueueEntry<R>[] {
    const taken = this.pending.filter(match);
    for (const entry of taken) this.pending.splice(this.pending.indexOf(entry), 1);
    return taken;
  }

  private isCurrent(entry: QueueEntry<R>, status: PlaybackState['status']): boolean {
    const s: PlaybackState = this._state;
    return s.status === status && 'entry' in s && s.entry === entry;
  }

  private finish(entry: QueueEntry<R>, outcome: EntryOutcome): void {
    if (entry.state === 'done') return;
    entry.state = 'done';
    if (outcome.status !== 'spoken') entry.abort.abort();
    if (outcome.status === 'failed') {
      this.logger.warn(
        { guildId: this.guildId, entry: entry.id, err: (outcome.error as Error)?.message ?? String(outcome.error) },
        'queue item failed',
      );
    }
    void entry.audio?.then((a) => a.packets.destroy(), () => undefined);
    try {
      entry.job.onEnd?.(outcome);
    } catch (err) {
      this.logger.error({ err }, 'onEnd listener threw');
    }
    this.emit('entryEnd', entry, outcome);
  }

  private failAll(error: unknown): void {
    for (const entry of this.pending.splice(0)) this.finish(entry, { status: 'failed', error });
  }

  /** Cancels everything; with `leave` also drops the connection. */
  private clear(reason: CancelReason, leave: boolean): void {
    for (const entry of this.pending.splice(0)) this.finish(entry, { status: 'cancelled', reason });
    const s = this._state;
    const current = this.currentEntry();
    if (current) {
      this.finish(current, { status: 'cancelled', reason });
      if ('handle' in s) s.handle.stop();
    }
    if (leave) {
      this.joining = undefined;
      this.home = null;
      this.link.destroy();
      if (s.status !== 'destroyed' && s.status !== 'idle') this.setState({ status: 'idle' });
    } else if (current && 'channelId' in s) {
      this.setState({ status: 'connected', channelId: s.channelId });
    }
  }

  private armIdleTimer(): void {
    this.disarmIdleTimer();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this._state.status === 'connected' && this.pending.length === 0) this.leave('idle');
    }, this.options.idleTimeoutMs);
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
