import type { Clock } from '../../voice/ports.js';

/*
 * Collects one guild's join/leave/move events for the bot's voice channel and decides what to announce.
 *
 * Window: the first event after a quiet period opens a window of `windowMs`; every event that arrives
 * before it closes is merged, and the batch is flushed when it closes. Within a window only a member's
 * last state counts, so join-then-leave (or leave-then-rejoin) cancels out.
 *
 * Flap rule: each member has a last ANNOUNCED presence (in or out of the bot's channel; before any
 * announcement, the presence implied by the first event seen: a join implies they were out, a leave or
 * move that they were in). At a flush a member is announced only when their current presence differs
 * from the last announced one, and never twice within `flapMs`. A change that falls inside those
 * `flapMs` is held back; when that time is up the member's presence is checked again and, if it still
 * differs from the last announced one, it joins the next window (opening one if none is open) and is
 * announced then. So: announced as joined, leaves 5 s later → nothing; comes back before `flapMs`
 * → nothing ever; stays away → "left" once `flapMs` has passed since the join was announced.
 */

/** One voice-state change seen in the bot's channel. */
export interface VoiceEvent {
  kind: 'join' | 'leave' | 'move';
  userId: string;
  name: string;
  /** For move: the channel the member moved to (a move without it is announced as a leave). */
  channelName?: string;
}

/** What to announce at once: names per kind, in order of first appearance in the window. */
export interface AnnouncementBatch {
  joined: string[];
  left: string[];
  moved: { name: string; channel: string }[];
}

/** Settings of a VoiceEventBatcher. */
export interface VoiceEventBatcherOptions {
  clock: Clock;
  /** How long events are gathered after the first one, in ms (default 2000). */
  windowMs?: number;
  /** Least time between two announcements about one member, in ms (default 30000). */
  flapMs?: number;
  /** Receives each non-empty batch. */
  onFlush(batch: AnnouncementBatch): void;
}

/** Batches one guild's voice events for the bot's channel and applies the flap rule above. */
export class VoiceEventBatcher {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly flapMs: number;
  private readonly onFlush: (batch: AnnouncementBatch) => void;
  private state: BatcherState = { kind: 'idle' };
  /** Members with an event (or an expired hold) in the open window, in order of first appearance. */
  private readonly pending = new Set<string>();
  private readonly members = new Map<string, MemberRecord>();

  constructor(options: VoiceEventBatcherOptions) {
    this.clock = options.clock;
    this.windowMs = options.windowMs ?? 2000;
    this.flapMs = options.flapMs ?? 30_000;
    this.onFlush = options.onFlush;
  }

  /** Records one event for the bot's channel; ignored after dispose(). */
  push(event: VoiceEvent): void {
    if (this.state.kind === 'disposed') return;
    const presence = presenceAfter(event);
    const record = this.members.get(event.userId);
    if (record) {
      record.name = event.name;
      record.current = presence;
      record.lastEvent = event;
    } else {
      this.members.set(event.userId, {
        name: event.name,
        current: presence,
        lastEvent: event,
        announced: presence === 'in' ? 'out' : 'in',
        announcedAt: null,
        hold: null,
      });
    }
    this.addPending(event.userId);
  }

  /** Cancels every timer and drops pending events; nothing is flushed afterwards. */
  dispose(): void {
    if (this.state.kind === 'collecting') this.clock.clearTimeout(this.state.timer);
    for (const record of this.members.values()) {
      if (record.hold !== null) this.clock.clearTimeout(record.hold);
    }
    this.state = { kind: 'disposed' };
    this.pending.clear();
    this.members.clear();
  }

  private addPending(userId: string): void {
    this.pending.add(userId);
    if (this.state.kind === 'idle') {
      this.state = { kind: 'collecting', timer: this.clock.setTimeout(() => this.flush(), this.windowMs) };
    }
  }

  private flush(): void {
    if (this.state.kind !== 'collecting') return;
    this.state = { kind: 'idle' };
    const now = this.clock.now();
    const batch: AnnouncementBatch = { joined: [], left: [], moved: [] };
    for (const userId of this.pending) {
      const record = this.members.get(userId);
      if (!record || record.current === record.announced) continue;
      if (record.announcedAt !== null && now - record.announcedAt < this.flapMs) {
        this.holdUntilFlapEnds(userId, record, now);
        continue;
      }
      addToBatch(batch, record);
      record.announced = record.current;
      record.announcedAt = now;
    }
    this.pending.clear();
    this.forgetSettled(now);
    if (batch.joined.length + batch.left.length + batch.moved.length > 0) this.onFlush(batch);
  }

  private holdUntilFlapEnds(userId: string, record: MemberRecord, now: number): void {
    if (record.hold !== null || record.announcedAt === null) return;
    record.hold = this.clock.setTimeout(() => {
      record.hold = null;
      if (this.state.kind === 'disposed') return;
      if (record.current !== record.announced) this.addPending(userId);
    }, record.announcedAt + this.flapMs - now);
  }

  /** Drops members whose records can no longer change an outcome, so the map stays small. */
  private forgetSettled(now: number): void {
    for (const [userId, record] of this.members) {
      const flapOver = record.announcedAt === null || now - record.announcedAt >= this.flapMs;
      if (flapOver && record.hold === null && record.current === record.announced) {
        this.members.delete(userId);
      }
    }
  }
}

type Presence = 'in' | 'out';

type BatcherState = { kind: 'idle' } | { kind: 'collecting'; timer: unknown } | { kind: 'disposed' };

interface MemberRecord {
  name: string;
  /** Presence after the latest event. */
  current: Presence;
  /** The latest event, which says how the member left (leave or move, and where to). */
  lastEvent: VoiceEvent;
  /** Presence listeners last heard about (inferred from the first event before any announcement). */
  announced: Presence;
  /** When the last announcement about this member was made, or null if none was. */
  announcedAt: number | null;
  /** Timer for the end of the flap hold, or null. */
  hold: unknown;
}

function presenceAfter(event: VoiceEvent): Presence {
  return event.kind === 'join' ? 'in' : 'out';
}

function addToBatch(batch: AnnouncementBatch, record: MemberRecord): void {
  const event = record.lastEvent;
  if (record.current === 'in') batch.joined.push(record.name);
  else if (event.kind === 'move' && event.channelName) batch.moved.push({ name: record.name, channel: event.channelName });
  else batch.left.push(record.name);
}
