import type { Readable } from 'node:stream';

/** One item of audio being played; settles when the audio has been sent in full. */
export interface PlayHandle {
  /** Resolves when the audio ended (played out or stopped), rejects if the stream failed. */
  readonly finished: Promise<void>;
  pause(): boolean;
  resume(): boolean;
  stop(): void;
}

/** What the voice connection tells its owner that it did not ask for. */
export interface VoiceLinkEvent {
  type: 'disconnected';
  reason: 'closed' | 'rejoin_limit' | 'refused';
  /** The voice server's close code, when it refused the session (4017, 4021, 4022). */
  closeCode?: number;
}

/** A guild's voice connection and player, as GuildPlayback sees them (the port the real library sits behind). */
export interface VoiceLink {
  /** Channel the connection is in or joining, or null. */
  readonly channelId: string | null;
  /** Joins (or moves to) a channel; resolves when audio can be sent. */
  join(channelId: string): Promise<void>;
  /** Plays a stream of 20 ms Opus packets (objectMode Buffers). */
  play(packets: Readable): PlayHandle;
  /** Leaves the channel and frees everything; no events afterwards. */
  destroy(): void;
  /** Registers the listener for unrequested changes. */
  onEvent(listener: (event: VoiceLinkEvent) => void): void;
}

/** Makes the VoiceLink of a guild. */
export type VoiceLinkFactory = (guildId: string) => VoiceLink;

/** Audio ready to play: 20 ms Opus packets, already flowing into a buffer. */
export interface PreparedAudio {
  /** objectMode stream of 20 ms Opus packets. */
  packets: Readable;
  /** Provider's time to first byte for this item, in ms. */
  ttfbMs: number;
}

/** Whose audio is being prepared: provider calls are shared fairly between guilds, and counted for the member. */
export interface PrepareContext {
  guildId: string;
  /** The member the item is for (who asked, or whose message is read). */
  memberId?: string;
}

/** Turns a job's request into playable audio; the signal aborts the provider call. */
export type AudioPreparer<R> = (request: R, signal: AbortSignal, context: PrepareContext) => Promise<PreparedAudio>;

/** Timers, injected so tests can drive idle timeouts. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
};
