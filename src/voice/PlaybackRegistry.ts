import type { CancelReason, GuildPlayback } from './GuildPlayback.js';

/** guildId → GuildPlayback, created on first use; one per guild in this process. */
export class PlaybackRegistry<R = unknown> {
  private readonly byGuild = new Map<string, GuildPlayback<R>>();

  constructor(private readonly create: (guildId: string) => GuildPlayback<R>) {}

  /** The guild's playback if it exists. */
  get(guildId: string): GuildPlayback<R> | undefined {
    return this.byGuild.get(guildId);
  }

  /** The guild's playback, created when missing. */
  getOrCreate(guildId: string): GuildPlayback<R> {
    let playback = this.byGuild.get(guildId);
    if (!playback) {
      playback = this.create(guildId);
      this.byGuild.set(guildId, playback);
    }
    return playback;
  }

  /** Every guild with a playback. */
  all(): IterableIterator<GuildPlayback<R>> {
    return this.byGuild.values();
  }

  /** Destroys and forgets a guild's playback (the bot left the guild); what was queued is cancelled with `reason`. */
  remove(guildId: string, reason: CancelReason): boolean {
    const playback = this.byGuild.get(guildId);
    if (!playback) return false;
    this.byGuild.delete(guildId);
    playback.destroy(reason);
    return true;
  }

  /** Leaves every channel (shutdown). */
  destroyAll(): void {
    for (const playback of this.byGuild.values()) playback.destroy();
    this.byGuild.clear();
  }
}
