/** A call as the stand-in holds it: the gateway's DAVE group state plus the simulated members it put in the call. */
import { DaveCall, type DaveCallOptions } from './daveCall.js';
import { ListeningMember, type ListeningMemberOptions } from './listeningMember.js';

/** One voice channel's call; see `DaveCall` for the gateway side and `ListeningMember` for the members. */
export class VoiceCall extends DaveCall {
  /** Simulated members currently in the call, in the order they joined. */
  readonly listeners = new Map<string, ListeningMember>();

  constructor(guildId: string, channelId: string, notify: () => void, opts: DaveCallOptions = {}) {
    super(guildId, channelId, notify, opts);
  }

  /** Puts a simulated member with its own DAVE session in the call. */
  addListener(userId: string, opts: ListeningMemberOptions = {}): ListeningMember {
    if (this.listeners.has(userId)) throw new Error(`voice stand-in: ${userId} is already in the call`);
    const member = new ListeningMember(userId, this, opts);
    this.listeners.set(userId, member);
    member.connect();
    return member;
  }

  /** Takes a simulated member out of the call (the gateway then proposes its removal). */
  removeListener(userId: string): void {
    const member = this.listeners.get(userId);
    if (!member) throw new Error(`voice stand-in: ${userId} is not in the call`);
    this.listeners.delete(userId);
    member.disconnect();
  }

  /** The member whose ears the stand-in judges with: the earliest simulated member still in the call. */
  get ear(): ListeningMember | undefined {
    return this.listeners.values().next().value;
  }

  /** Disconnects every simulated member and stops the timers. */
  override close(): void {
    for (const member of this.listeners.values()) member.disconnect();
    this.listeners.clear();
    super.close();
  }
}
