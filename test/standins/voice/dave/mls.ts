/**
 * The few MLS (RFC 9420) structures a DAVE voice gateway handles, hand-encoded: the external sender it announces
 * (op 25), the external Add/Remove proposals it signs (op 27), and what it must read from clients' key packages
 * (op 26) and commits/welcomes (op 28) to keep its view of the group (epoch, leaf of each member).
 * Ciphersuite 2 (DHKEMP256_AES128GCM_SHA256_P256): SHA-256, ECDSA P-256 with DER signatures.
 */
import crypto from 'node:crypto';
import { TlsReader, TlsWriter } from './tls.js';

/** MLS 1.0. */
const MLS10 = 1;
/** WireFormat values (RFC 9420 §6). */
const WireFormat = { PublicMessage: 1, Welcome: 3, KeyPackage: 5 } as const;
/** SenderType values. */
const SenderType = { Member: 1, External: 2, NewMemberProposal: 3, NewMemberCommit: 4 } as const;
/** ContentType values. */
const ContentType = { Application: 1, Proposal: 2, Commit: 3 } as const;
/** ProposalType values DAVE allows. */
export const ProposalType = { Add: 1, Remove: 3 } as const;
/** The only ciphersuite of DAVE v1. */
export const DAVE_CIPHERSUITE = 2;
const BASIC_CREDENTIAL = 1;

/** RefHash(label, value) = SHA-256 of struct { opaque label<V>; opaque value<V>; } (RFC 9420 §5.2). */
function refHash(label: string, value: Uint8Array): Buffer {
  const input = new TlsWriter().vector(Buffer.from(label)).vector(value).bytes();
  return crypto.createHash('sha256').update(input).digest();
}

/** The voice gateway's MLS identity: a P-256 signature key and a basic credential. */
export class ExternalSender {
  private readonly privateKey: crypto.KeyObject;
  /** The signature public key as SEC1 uncompressed point (65 bytes). */
  readonly publicKey: Buffer;

  constructor(readonly identity: Buffer = Buffer.from('voice-standin')) {
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.publicKey = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  }

  /** The op 25 payload: struct { SignaturePublicKey signature_key; Credential credential; } ExternalSender. */
  package(): Buffer {
    return new TlsWriter().vector(this.publicKey).u16(BASIC_CREDENTIAL).vector(this.identity).bytes();
  }

  /** SignWithLabel(key, label, content) (RFC 9420 §5.1.2). */
  signWithLabel(label: string, content: Uint8Array): Buffer {
    const signContent = new TlsWriter().vector(Buffer.from(`MLS 1.0 ${label}`)).vector(content).bytes();
    return crypto.sign('sha256', signContent, { key: this.privateKey, dsaEncoding: 'der' });
  }

  /** An external Add proposal for `keyPackage` (a bare KeyPackage), as MLSMessage + its ProposalRef. */
  addProposal(groupId: Buffer, epoch: bigint, keyPackage: Buffer): SignedProposal {
    return this.proposal(groupId, epoch, new TlsWriter().u16(ProposalType.Add).raw(keyPackage).bytes());
  }

  /** An external Remove proposal for the member at `leafIndex`, as MLSMessage + its ProposalRef. */
  removeProposal(groupId: Buffer, epoch: bigint, leafIndex: number): SignedProposal {
    return this.proposal(groupId, epoch, new TlsWriter().u16(ProposalType.Remove).u32(leafIndex).bytes());
  }

  private proposal(groupId: Buffer, epoch: bigint, proposal: Buffer): SignedProposal {
    // FramedContent with sender_type external, sender_index 0 (the group's only external sender), no AAD.
    const content = new TlsWriter()
      .vector(groupId)
      .u64(epoch)
      .u8(SenderType.External)
      .u32(0)
      .vector(Buffer.alloc(0))
      .u8(ContentType.Proposal)
      .raw(proposal)
      .bytes();
    // FramedContentTBS for an external sender carries no GroupContext.
    const tbs = new TlsWriter().u16(MLS10).u16(WireFormat.PublicMessage).raw(content).bytes();
    const authData = new TlsWriter().vector(this.signWithLabel('FramedContentTBS', tbs)).bytes();
    // PublicMessage from an external sender has no membership_tag.
    const message = new TlsWriter().u16(MLS10).u16(WireFormat.PublicMessage).raw(content).raw(authData).bytes();
    const authenticated = new TlsWriter().u16(WireFormat.PublicMessage).raw(content).raw(authData).bytes();
    return { message, ref: refHash('MLS 1.0 Proposal Reference', authenticated) };
  }
}

/** A signed external proposal: the MLSMessage to send and the reference a commit uses for it. */
export interface SignedProposal {
  message: Buffer;
  ref: Buffer;
}

/** What the gateway needs from a LeafNode. */
interface LeafNodeFacts {
  identity: Buffer;
  signatureKey: Buffer;
}

function readCredential(r: TlsReader): Buffer {
  const type = r.u16();
  if (type !== BASIC_CREDENTIAL) throw new Error(`credential type ${type} is not basic`);
  return r.vector();
}

function readLeafNode(r: TlsReader): LeafNodeFacts {
  r.vector(); // encryption_key
  const signatureKey = r.vector();
  const identity = readCredential(r);
  for (let i = 0; i < 5; i++) r.vector(); // capabilities: versions, cipher_suites, extensions, proposals, credentials
  const source = r.u8();
  if (source === 1) {
    r.u64(); // lifetime.not_before
    r.u64(); // lifetime.not_after
  } else if (source === 3) {
    r.vector(); // parent_hash
  } else if (source !== 2) {
    throw new Error(`unknown leaf_node_source ${source}`);
  }
  r.vector(); // extensions
  r.vector(); // signature
  return { identity, signatureKey };
}

/** A client's key package (op 26), read. */
export interface KeyPackageFacts {
  /** The bare KeyPackage (what an Add proposal carries). */
  keyPackage: Buffer;
  /** The Discord user id in the basic credential (big-endian u64). */
  userId: string;
  /** KeyPackageRef: how a Welcome names this member. */
  ref: Buffer;
  cipherSuite: number;
}

/**
 * Reads an op 26 payload. The DAVE description calls it an MLSMessage holding a KeyPackage; libdave and davey send
 * the bare KeyPackage. Both are accepted (a wrapped one starts 00 01 00 05, a bare one 00 01 then its ciphersuite).
 */
export function readKeyPackageMessage(payload: Buffer): KeyPackageFacts {
  const r = new TlsReader(payload);
  if (payload.length >= 4 && payload.readUInt16BE(0) === MLS10 && payload.readUInt16BE(2) === WireFormat.KeyPackage) r.offset = 4;
  const start = r.offset;
  if (r.u16() !== MLS10) throw new Error('key package: not MLS 1.0');
  const cipherSuite = r.u16();
  r.vector(); // init_key
  const leaf = readLeafNode(r);
  r.vector(); // extensions
  r.vector(); // signature
  const keyPackage = r.since(start);
  if (!r.done) throw new Error('key package: trailing bytes');
  if (leaf.identity.length !== 8) throw new Error('key package: identity is not a 64-bit user id');
  return {
    keyPackage,
    userId: leaf.identity.readBigUInt64BE().toString(),
    ref: refHash('MLS 1.0 KeyPackage Reference', keyPackage),
    cipherSuite,
  };
}

/** A commit (the head of an op 28 payload), read. */
export interface CommitFacts {
  /** The MLSMessage bytes of the commit alone. */
  message: Buffer;
  groupId: Buffer;
  /** The epoch the commit was made in (the group moves to epoch + 1). */
  epoch: bigint;
  /** The committer's leaf index. */
  committerLeaf: number;
  /** Proposal references, in the commit's order. */
  proposalRefs: Buffer[];
  /** True if the commit also carried proposals by value (DAVE forbids it). */
  inlineProposals: boolean;
  /** The path's new leaf node credential identity, if the commit has an update path. */
  pathIdentity: Buffer | undefined;
}

/** Reads the commit MLSMessage at the start of `payload`; returns it and the bytes after it (the Welcome, if any). */
export function readCommitMessage(payload: Buffer): { commit: CommitFacts; rest: Buffer } {
  const r = new TlsReader(payload);
  if (r.u16() !== MLS10) throw new Error('commit: not MLS 1.0');
  if (r.u16() !== WireFormat.PublicMessage) throw new Error('commit: not a PublicMessage');
  const groupId = r.vector();
  const epoch = r.u64();
  const senderType = r.u8();
  if (senderType !== SenderType.Member) throw new Error(`commit: sender type ${senderType} is not member`);
  const committerLeaf = r.u32();
  r.vector(); // authenticated_data
  if (r.u8() !== ContentType.Commit) throw new Error('commit: content is not a commit');
  const proposalRefs: Buffer[] = [];
  let inlineProposals = false;
  const proposals = new TlsReader(r.vector());
  while (!proposals.done) {
    const kind = proposals.u8();
    if (kind === 2) proposalRefs.push(Buffer.from(proposals.vector()));
    else {
      inlineProposals = true;
      break;
    }
  }
  let pathIdentity: Buffer | undefined;
  if (r.u8() === 1) {
    pathIdentity = Buffer.from(readLeafNode(r).identity);
    r.vector(); // nodes
  }
  r.vector(); // signature
  r.vector(); // confirmation_tag
  r.vector(); // membership_tag
  const message = Buffer.from(r.since(0));
  return {
    commit: { message, groupId: Buffer.from(groupId), epoch, committerLeaf, proposalRefs, inlineProposals, pathIdentity },
    rest: payload.subarray(r.offset),
  };
}

/** One recipient's part of a Welcome. */
interface WelcomeSecret {
  newMember: Buffer;
  bytes: Buffer;
}

/** A Welcome (RFC 9420 §12.4.3.1), split into its per-member secrets so each joiner gets only its own. */
export class WelcomeMessage {
  private constructor(
    private readonly cipherSuite: number,
    private readonly secrets: WelcomeSecret[],
    private readonly groupInfo: Buffer,
  ) {}

  /** Reads a bare Welcome (DAVE sends it without the MLSMessage wrapper). */
  static read(bytes: Buffer): WelcomeMessage {
    const r = new TlsReader(bytes);
    const cipherSuite = r.u16();
    const secrets = r.list((s) => {
      const start = s.offset;
      const newMember = Buffer.from(s.vector());
      s.vector(); // kem_output
      s.vector(); // ciphertext
      return { newMember, bytes: Buffer.from(s.since(start)) };
    });
    const groupInfo = Buffer.from(r.vector());
    if (!r.done) throw new Error('welcome: trailing bytes');
    return new WelcomeMessage(cipherSuite, secrets, groupInfo);
  }

  /** KeyPackageRefs of the welcomed members. */
  get newMembers(): Buffer[] {
    return this.secrets.map((s) => s.newMember);
  }

  /** The Welcome holding only the secrets for `keyPackageRef` (what op 30 sends to that member). */
  for(keyPackageRef: Buffer): Buffer {
    const mine = this.secrets.filter((s) => s.newMember.equals(keyPackageRef));
    if (mine.length === 0) throw new Error('welcome: nothing for this key package');
    return new TlsWriter()
      .u16(this.cipherSuite)
      .vector(Buffer.concat(mine.map((s) => s.bytes)))
      .vector(this.groupInfo)
      .bytes();
  }
}

/** The MLS group id DAVE uses for a channel: the channel snowflake as big-endian u64. */
export function groupIdFor(channelId: string): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(channelId));
  return b;
}

/** The op 27 append payload body: operation type 0 then `MLSMessage proposal_messages<V>`. */
export function appendProposalsPayload(messages: Buffer[]): Buffer {
  return new TlsWriter().u8(0).vector(Buffer.concat(messages)).bytes();
}

/** The op 27 revoke payload body: operation type 1 then `ProposalRef proposal_refs<V>`. */
export function revokeProposalsPayload(refs: Buffer[]): Buffer {
  const list = new TlsWriter();
  for (const ref of refs) list.vector(ref);
  return new TlsWriter().u8(1).vector(list.bytes()).bytes();
}
