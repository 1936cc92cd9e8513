/**
 * One media session (a voice channel's call) as Discord's voice gateway runs DAVE v1 for it: the MLS delivery
 * service and external sender (daveprotocol.com, "Group Key Exchange"). It keeps the group context the gateway
 * keeps (group id, epoch, each member's leaf index), signs external Add/Remove proposals (op 27), picks the first
 * valid commit of an epoch and relays it (op 29) with its welcomes split per new member (op 30), runs the
 * transition (op 23 ready from everyone, or a timeout, then op 22 execute), resets a sole remaining member
 * (op 24 epoch 1 + op 21 transition 0) and answers op 31 (invalid commit/welcome) by removing the reporter and
 * adding it again from its next key package.
 */
import { preciseNow } from '../clock.js';
import {
  appendProposalsPayload,
  DAVE_CIPHERSUITE,
  ExternalSender,
  groupIdFor,
  readCommitMessage,
  readKeyPackageMessage,
  revokeProposalsPayload,
  WelcomeMessage,
  type KeyPackageFacts,
} from './mls.js';

/** What a call needs from one connected client, remote (the bot's voice session) or simulated (a listener). */
export interface CallMember {
  readonly userId: string;
  /** op 11 clients_connect. */
  clientsConnect(userIds: string[]): void;
  /** op 13 client_disconnect. */
  clientDisconnect(userId: string): void;
  /** op 25, binary. */
  externalSender(payload: Buffer): void;
  /** op 27, binary: operation type then proposals or refs. */
  proposals(payload: Buffer): void;
  /** op 29, binary: transition id then the commit. */
  announceCommit(transitionId: number, commit: Buffer): void;
  /** op 30, binary: transition id then the welcome. */
  welcome(transitionId: number, welcome: Buffer): void;
  /** op 21. */
  prepareTransition(transitionId: number, protocolVersion: number): void;
  /** op 22. */
  executeTransition(transitionId: number): void;
  /** op 24. */
  prepareEpoch(epoch: number, protocolVersion: number): void;
}

/** A commit the gateway accepted and broadcast. */
export interface CallTransition {
  transitionId: number;
  /** The epoch the group entered. */
  epoch: bigint;
  committer: string;
  added: string[];
  removed: string[];
  announcedAt: number;
  /** Members that sent op 23 for it. */
  ready: string[];
  executedAt: number | undefined;
  /** True if it was executed by the timeout rather than by everyone being ready. */
  timedOut: boolean;
}

/** Something the gateway refused or a client reported, kept for tests. */
export interface CallIncident {
  at: number;
  userId: string;
  kind: 'commit-refused' | 'key-package-refused' | 'invalid-commit-welcome' | 'sole-member-reset';
  detail: string;
}

/** A proposal broadcast in the current epoch and not yet committed or revoked. */
interface PendingProposal {
  ref: Buffer;
  message: Buffer;
  kind: 'add' | 'remove';
  userId: string;
  keyPackage?: KeyPackageFacts;
}

/** Options of a call. */
export interface DaveCallOptions {
  /** How long the gateway waits for op 23 from every member before executing a transition anyway; default 2000 ms. */
  transitionTimeoutMs?: number;
}

/** The gateway's side of one call; see the module comment. */
export class DaveCall {
  readonly groupId: Buffer;
  readonly externalSender = new ExternalSender();
  /** Every accepted commit, in order. */
  readonly transitions: CallTransition[] = [];
  readonly incidents: CallIncident[] = [];
  /** 0 while no group is established. */
  epoch = 0n;
  private readonly members = new Map<string, CallMember>();
  /** Leaf index → user id (undefined: blank leaf), for the established group. */
  private leaves: Array<string | undefined> = [];
  private proposalsInEpoch: PendingProposal[] = [];
  /** Key packages of pending members (connected, not yet welcomed). */
  private readonly keyPackages = new Map<string, KeyPackageFacts>();
  private nextTransitionId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly transitionTimeoutMs: number;

  constructor(
    readonly guildId: string,
    readonly channelId: string,
    private readonly notify: () => void,
    opts: DaveCallOptions = {},
  ) {
    this.groupId = groupIdFor(channelId);
    this.transitionTimeoutMs = opts.transitionTimeoutMs ?? 2000;
  }

  /** True while `member` is connected to the call (a later session of the same user replaces it). */
  has(member: CallMember): boolean {
    return this.members.get(member.userId) === member;
  }

  /** User ids connected to the call. */
  get connected(): string[] {
    return [...this.members.keys()];
  }

  /** User ids in the established group, by leaf order (empty while unestablished). */
  get groupMembers(): string[] {
    return this.leaves.filter((u): u is string => u !== undefined);
  }

  /** True once a first commit was broadcast (epoch ≥ 1). */
  get established(): boolean {
    return this.epoch > 0n;
  }

  /** A client connected (after Session Description for a remote one): op 11 both ways, then op 25 to it. */
  join(member: CallMember): void {
    const others = [...this.members.values()].filter((m) => m.userId !== member.userId);
    const previous = this.members.get(member.userId);
    if (previous) this.leave(previous);
    this.members.set(member.userId, member);
    for (const other of others) other.clientsConnect([member.userId]);
    if (others.length > 0) member.clientsConnect(others.map((m) => m.userId));
    member.externalSender(this.externalSender.package());
    this.notify();
  }

  /** A client left (or its session ended): op 13 to the others, a Remove proposal or a sole-member reset. */
  leave(member: CallMember): void {
    if (this.members.get(member.userId) !== member) return;
    this.members.delete(member.userId);
    this.keyPackages.delete(member.userId);
    for (const other of this.members.values()) other.clientDisconnect(member.userId);
    const revoked = this.proposalsInEpoch.filter((p) => p.kind === 'add' && p.userId === member.userId);
    if (revoked.length > 0) {
      this.proposalsInEpoch = this.proposalsInEpoch.filter((p) => !revoked.includes(p));
      this.broadcastToCommitters(revokeProposalsPayload(revoked.map((p) => p.ref)));
    }
    if (this.established) {
      const leaf = this.leaves.indexOf(member.userId);
      const remaining = this.groupMembers.filter((u) => u !== member.userId);
      if (remaining.length <= 1) this.resetSoleMember(remaining[0]);
      else if (leaf >= 0) this.propose([this.removeProposal(member.userId, leaf)]);
    }
    this.notify();
  }

  /** op 26 from a connected client. */
  keyPackage(userId: string, payload: Buffer): void {
    let facts: KeyPackageFacts;
    try {
      facts = readKeyPackageMessage(payload);
      if (facts.userId !== userId) throw new Error(`credential names ${facts.userId}, session is ${userId}`);
      if (facts.cipherSuite !== DAVE_CIPHERSUITE) throw new Error(`ciphersuite ${facts.cipherSuite}`);
    } catch (error) {
      this.incident(userId, 'key-package-refused', String(error));
      return;
    }
    this.keyPackages.set(userId, facts);
    const proposals: PendingProposal[] = [];
    // A member replacing its key package is removed first ("about to be re-added with a different key package").
    const leaf = this.leaves.indexOf(userId);
    const removing = this.proposalsInEpoch.some((p) => p.kind === 'remove' && p.userId === userId);
    if (this.established && leaf >= 0 && !removing) proposals.push(this.removeProposal(userId, leaf));
    const stale = this.proposalsInEpoch.filter((p) => p.kind === 'add' && p.userId === userId);
    if (stale.length > 0) {
      this.proposalsInEpoch = this.proposalsInEpoch.filter((p) => !stale.includes(p));
      this.broadcastToCommitters(revokeProposalsPayload(stale.map((p) => p.ref)), userId);
    }
    proposals.push(this.addProposal(userId, facts));
    if (!this.established) {
      // Initial group creation: the newcomer also gets the in-flight adds of the other pending members.
      const inFlight = this.proposalsInEpoch.filter((p) => p.kind === 'add' && p.userId !== userId);
      if (inFlight.length > 0) this.members.get(userId)?.proposals(appendProposalsPayload(inFlight.map((p) => p.message)));
    }
    this.propose(proposals);
    this.notify();
  }

  /** op 28 from a connected client: the first valid commit of the epoch wins and is relayed as op 29 / op 30. */
  commitWelcome(userId: string, payload: Buffer): void {
    let parsed;
    try {
      parsed = readCommitMessage(payload);
    } catch (error) {
      this.incident(userId, 'commit-refused', `unreadable: ${String(error)}`);
      return;
    }
    const { commit, rest } = parsed;
    const refuse = (why: string): void => this.incident(userId, 'commit-refused', why);
    if (!commit.groupId.equals(this.groupId)) return refuse('wrong group');
    if (commit.epoch !== this.epoch) return refuse(`epoch ${commit.epoch}, group is at ${this.epoch}`);
    if (commit.inlineProposals) return refuse('proposals by value');
    if (commit.proposalRefs.length === 0) return refuse('no proposal references');
    const used: PendingProposal[] = [];
    for (const ref of commit.proposalRefs) {
      const found = this.proposalsInEpoch.find((p) => p.ref.equals(ref));
      if (!found) return refuse('unknown proposal reference');
      used.push(found);
    }
    // Before the group exists each pending member commits the adds of the others, not its own.
    const expected = this.proposalsInEpoch.filter((p) => this.established || p.userId !== userId);
    if (expected.some((p) => !used.includes(p))) return refuse('does not reference every proposal of the epoch');
    if (this.established && this.leaves[commit.committerLeaf] !== userId) return refuse('committer leaf is not the sender');
    if (!this.established && commit.committerLeaf !== 0) return refuse('initial commit not from leaf 0');
    if (commit.pathIdentity && commit.pathIdentity.readBigUInt64BE().toString() !== userId) return refuse('path changes the credential');

    const adds = used.filter((p) => p.kind === 'add');
    let welcome: WelcomeMessage | undefined;
    if (adds.length > 0) {
      try {
        welcome = WelcomeMessage.read(rest);
      } catch (error) {
        return refuse(`welcome: ${String(error)}`);
      }
      if (adds.some((p) => !welcome!.newMembers.some((ref) => ref.equals(p.keyPackage!.ref)))) return refuse('welcome misses a member');
    }

    // The new tree as MLS builds it: removes blank their leaves, then adds fill the leftmost blank leaves in order.
    const before = this.established ? [...this.leaves] : [userId];
    const leaves = [...before];
    for (const p of used) if (p.kind === 'remove') leaves[leaves.indexOf(p.userId)] = undefined;
    for (const p of adds) {
      const blank = leaves.indexOf(undefined);
      if (blank >= 0) leaves[blank] = p.userId;
      else leaves.push(p.userId);
    }
    while (leaves.length > 0 && leaves.at(-1) === undefined) leaves.pop();

    const transitionId = this.takeTransitionId();
    this.epoch = commit.epoch + 1n;
    this.leaves = leaves;
    this.proposalsInEpoch = [];
    const transition: CallTransition = {
      transitionId,
      epoch: this.epoch,
      committer: userId,
      added: adds.map((p) => p.userId),
      removed: used.filter((p) => p.kind === 'remove').map((p) => p.userId),
      announcedAt: preciseNow(),
      ready: [],
      executedAt: undefined,
      timedOut: false,
    };
    this.transitions.push(transition);
    const removed = new Set(transition.removed);
    const stayed = before.filter((u): u is string => u !== undefined && !removed.has(u) && leaves.includes(u));
    for (const user of stayed) this.members.get(user)?.announceCommit(transitionId, commit.message);
    for (const p of adds) {
      this.keyPackages.delete(p.userId);
      this.members.get(p.userId)?.welcome(transitionId, welcome!.for(p.keyPackage!.ref));
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.execute(transition, true);
    }, this.transitionTimeoutMs);
    this.timers.add(timer);
    // Members still pending (connected, key package sent, not in this commit) get their adds in the new epoch.
    const pending = [...this.keyPackages.entries()].filter(([u]) => this.members.has(u) && !leaves.includes(u));
    if (pending.length > 0) this.propose(pending.map(([u, kp]) => this.addProposal(u, kp)));
    this.notify();
  }

  /** op 23 from a client. */
  readyForTransition(userId: string, transitionId: number): void {
    const transition = this.transitions.find((t) => t.transitionId === transitionId && t.executedAt === undefined);
    if (!transition) return;
    if (!transition.ready.includes(userId)) transition.ready.push(userId);
    const waitingFor = this.groupMembers.filter((u) => this.members.has(u) && !transition.ready.includes(u));
    if (waitingFor.length === 0) this.execute(transition, false);
    this.notify();
  }

  /** op 31 from a client: it could not process a commit or welcome. Remove it; its next key package re-adds it. */
  invalidCommitWelcome(userId: string, transitionId: number): void {
    this.incident(userId, 'invalid-commit-welcome', `transition ${transitionId}`);
    const leaf = this.leaves.indexOf(userId);
    if (!this.established || leaf < 0) return;
    const remaining = this.groupMembers.filter((u) => u !== userId);
    if (remaining.length <= 1) {
      // Removing the reporter would leave one member: start a new group instead.
      this.resetGroup();
      for (const user of remaining) this.resetMember(user);
      return;
    }
    this.propose([this.removeProposal(userId, leaf)]);
  }

  /**
   * Sends `userId` alone an external Remove proposal signed for the epoch before the current one and not recorded for
   * any commit: what a member can receive from Discord when a recovery (op 31) or a transition races a proposal. The
   * DAVE protocol says such a proposal is ignored; a client that throws on it has a bug.
   */
  sendStaleProposal(userId: string): void {
    if (!this.established || this.epoch < 2n) throw new Error('voice stand-in: a stale proposal needs an epoch before the current one');
    const member = this.members.get(userId);
    if (!member) throw new Error(`voice stand-in: ${userId} is not connected`);
    const leaf = this.leaves.findIndex((u) => u !== undefined && u !== userId);
    const stale = this.externalSender.removeProposal(this.groupId, this.epoch - 1n, Math.max(0, leaf));
    member.proposals(appendProposalsPayload([stale.message]));
  }

  /** Stops the transition timers. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private addProposal(userId: string, keyPackage: KeyPackageFacts): PendingProposal {
    const signed = this.externalSender.addProposal(this.groupId, this.epoch, keyPackage.keyPackage);
    return { ...signed, kind: 'add', userId, keyPackage };
  }

  private removeProposal(userId: string, leaf: number): PendingProposal {
    const signed = this.externalSender.removeProposal(this.groupId, this.epoch, leaf);
    return { ...signed, kind: 'remove', userId };
  }

  /** Records proposals for the epoch and sends them to whoever may commit them. */
  private propose(proposals: PendingProposal[]): void {
    this.proposalsInEpoch.push(...proposals);
    if (this.established) {
      const payload = appendProposalsPayload(proposals.map((p) => p.message));
      // A member being removed (it left, or reported op 31 and is pending again) no longer takes part.
      const leaving = new Set(this.proposalsInEpoch.filter((p) => p.kind === 'remove').map((p) => p.userId));
      for (const user of this.groupMembers) if (!leaving.has(user)) this.members.get(user)?.proposals(payload);
      return;
    }
    // Unestablished: every other pending member with a key package has a local group and may commit the add.
    for (const p of proposals) {
      const payload = appendProposalsPayload([p.message]);
      for (const user of this.keyPackages.keys()) if (user !== p.userId) this.members.get(user)?.proposals(payload);
    }
  }

  private broadcastToCommitters(payload: Buffer, except?: string): void {
    const leaving = new Set(this.proposalsInEpoch.filter((p) => p.kind === 'remove').map((p) => p.userId));
    const users = this.established ? this.groupMembers.filter((u) => !leaving.has(u)) : [...this.keyPackages.keys()];
    for (const user of users) if (user !== except) this.members.get(user)?.proposals(payload);
  }

  private execute(transition: CallTransition, timedOut: boolean): void {
    if (transition.executedAt !== undefined) return;
    transition.executedAt = preciseNow();
    transition.timedOut = timedOut;
    for (const user of this.groupMembers) this.members.get(user)?.executeTransition(transition.transitionId);
    this.notify();
  }

  private takeTransitionId(): number {
    const id = this.nextTransitionId;
    this.nextTransitionId = (this.nextTransitionId % 0xffff) + 1;
    return id;
  }

  /** Forgets the group: the next commit creates a new one at epoch 1. Pending members' adds are proposed again. */
  private resetGroup(): void {
    const inGroup = new Set(this.groupMembers);
    const pending = [...this.keyPackages.entries()].filter(([u]) => !inGroup.has(u) && this.members.has(u));
    this.epoch = 0n;
    this.leaves = [];
    this.keyPackages.clear();
    for (const [user, kp] of pending) this.keyPackages.set(user, kp);
    this.proposalsInEpoch = pending.map(([user, kp]) => this.addProposal(user, kp));
  }

  /** "Sole member reset": op 24 epoch 1 and op 21 transition 0 to the one member left; the group is recreated. */
  private resetSoleMember(userId: string | undefined): void {
    this.resetGroup();
    if (userId) {
      this.incident(userId, 'sole-member-reset', 'one member left in the group');
      this.resetMember(userId);
    }
  }

  private resetMember(userId: string): void {
    const member = this.members.get(userId);
    member?.prepareEpoch(1, 1);
    member?.prepareTransition(0, 1);
  }

  private incident(userId: string, kind: CallIncident['kind'], detail: string): void {
    this.incidents.push({ at: preciseNow(), userId, kind, detail });
    this.notify();
  }
}
