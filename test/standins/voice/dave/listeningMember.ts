/**
 * A simulated member of a call with its own DAVE session (@snazzah/davey, as a Discord client would run libdave):
 * it sends its key package, creates its pending group from the external sender, commits the gateway's proposals
 * like any committing member, joins through welcomes, reports invalid ones (op 31) and decrypts what others send.
 * Messages are handled one at a time, after the current tick, as a remote client would.
 */
import davey from '@snazzah/davey';
import { preciseNow } from '../clock.js';
import type { CallMember, DaveCall } from './daveCall.js';

/** Options of a listening member. */
export interface ListeningMemberOptions {
  /** Delay before it sends its commit of proposals it received (a remote client's round trip); default 100 ms. */
  commitDelayMs?: number;
  /** False: it never commits (it still joins through others' commits). Default true. */
  commits?: boolean;
}

/** Something the member failed to do, kept for tests. */
export interface ListenerFailure {
  at: number;
  what: 'proposals' | 'commit' | 'welcome' | 'other';
  error: string;
}

/** One simulated member; see the module comment. */
export class ListeningMember implements CallMember {
  readonly session: davey.DAVESession;
  readonly failures: ListenerFailure[] = [];
  /** Transitions it executed (op 22, or op 21 with id 0). */
  readonly executed: number[] = [];
  private readonly recognized = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  /** Bumped whenever its pending group is replaced, so a delayed commit of stale proposals is dropped. */
  private generation = 0;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly commitDelayMs: number;
  private readonly commits: boolean;

  constructor(
    readonly userId: string,
    private readonly call: DaveCall,
    opts: ListeningMemberOptions = {},
  ) {
    this.commitDelayMs = opts.commitDelayMs ?? 100;
    this.commits = opts.commits ?? true;
    this.session = new davey.DAVESession(1, userId, call.channelId);
  }

  /** Connects it to the call and sends its first key package. */
  connect(): void {
    this.call.join(this);
    this.later(() => this.sendKeyPackage());
  }

  /** Leaves the call. */
  disconnect(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.call.leave(this);
    this.session.reset();
  }

  /** The voice privacy code of its current epoch ('' before it is in a group). */
  get privacyCode(): string {
    return this.session.voicePrivacyCode;
  }

  /** True once it is in an established group and can decrypt. */
  get ready(): boolean {
    return this.session.ready;
  }

  /** Decrypts a DAVE frame from `userId`; throws if it cannot. */
  decrypt(userId: string, frame: Buffer): Buffer {
    // 0 = MediaType.AUDIO (an ambient const enum in davey's typings).
    return this.session.decrypt(userId, 0 as davey.MediaType, frame);
  }

  // ---- CallMember -------------------------------------------------------------------------------------------

  clientsConnect(userIds: string[]): void {
    for (const id of userIds) this.recognized.add(id);
  }

  clientDisconnect(userId: string): void {
    this.recognized.delete(userId);
  }

  externalSender(payload: Buffer): void {
    this.later(() => this.session.setExternalSender(payload));
  }

  proposals(payload: Buffer): void {
    // Proposals are cached at once (a commit referencing them may come next); only sending our commit waits.
    this.later(() => this.processProposals(payload));
  }

  announceCommit(transitionId: number, commit: Buffer): void {
    this.later(() => {
      try {
        this.session.processCommit(commit);
        this.generation += 1;
      } catch (error) {
        this.fail('commit', error);
        return this.recover(transitionId);
      }
      this.call.readyForTransition(this.userId, transitionId);
    });
  }

  welcome(transitionId: number, welcome: Buffer): void {
    this.later(() => {
      try {
        this.session.processWelcome(welcome);
        this.generation += 1;
      } catch (error) {
        this.fail('welcome', error);
        return this.recover(transitionId);
      }
      this.call.readyForTransition(this.userId, transitionId);
    });
  }

  prepareTransition(transitionId: number): void {
    this.later(() => {
      if (transitionId === 0) this.executed.push(0);
      else this.call.readyForTransition(this.userId, transitionId);
    });
  }

  executeTransition(transitionId: number): void {
    this.later(() => void this.executed.push(transitionId));
  }

  prepareEpoch(epoch: number): void {
    if (epoch !== 1) return;
    this.later(() => {
      this.generation += 1;
      this.session.reinit(1, this.userId, this.call.channelId);
      this.sendKeyPackage();
    });
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private processProposals(payload: Buffer): void {
    let result;
    try {
      result = this.session.processProposals(payload[0]!, payload.subarray(1), [...this.recognized]);
    } catch (error) {
      return this.fail('proposals', error);
    }
    if (!this.commits || !result.commit) return;
    const message = result.welcome ? Buffer.concat([result.commit, result.welcome]) : result.commit;
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // Not sent if a commit or welcome moved the group on meanwhile: this one would be for a past epoch.
      if (generation === this.generation && !this.closed) this.call.commitWelcome(this.userId, message);
    }, this.commitDelayMs);
    this.timers.add(timer);
  }

  /** After an unprocessable commit or welcome: op 31, then a fresh session and key package (as libdave does). */
  private recover(transitionId: number): void {
    this.call.invalidCommitWelcome(this.userId, transitionId);
    this.generation += 1;
    this.session.reinit(1, this.userId, this.call.channelId);
    this.sendKeyPackage();
  }

  private sendKeyPackage(): void {
    this.call.keyPackage(this.userId, this.session.getSerializedKeyPackage());
  }

  private fail(what: ListenerFailure['what'], error: unknown): void {
    this.failures.push({ at: preciseNow(), what, error: String(error) });
  }

  /** Runs `step` after the current tick, after every earlier step. */
  private later(step: () => void): void {
    this.queue = this.queue.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            if (!this.closed) {
              try {
                step();
              } catch (error) {
                this.fail('other', error);
              }
            }
            resolve();
          }),
        ),
    );
  }
}
