/**
 * One voice session on the stand-in: what one Identify started, through any number of resumed WebSockets.
 * Records the client's gateway traffic and its UDP audio (decrypted, then decoded in arrival order).
 */
import crypto from 'node:crypto';
import OpusScript from 'opusscript';
import type { WebSocket } from 'ws';
import { bufferToPcm } from '../../support/pcm.js';
import type { ChangeSignal } from './changeSignal.js';
import { preciseNow } from './clock.js';
import { OPUS_PAYLOAD_TYPE } from './rtpHeader.js';
import type { CallMember } from './dave/daveCall.js';
import { isDaveFrame } from './dave/frames.js';
import type { VoiceCall } from './dave/voiceCall.js';
import { openRtpSizePacket, type TransportMode } from './transportCrypto.js';
import { SILENCE_FRAME, splitUtterances, type ReceivedPacket, type Utterance } from './utterances.js';

/** Server → client voice opcodes the stand-in sends. */
export const ServerOp = {
  Ready: 2,
  SessionDescription: 4,
  HeartbeatAck: 6,
  Hello: 8,
  Resumed: 9,
  ClientsConnect: 11,
  ClientDisconnect: 13,
  DavePrepareTransition: 21,
  DaveExecuteTransition: 22,
  DavePrepareEpoch: 24,
  DaveMlsExternalSender: 25,
  DaveMlsProposals: 27,
  DaveMlsAnnounceCommitTransition: 29,
  DaveMlsWelcome: 30,
} as const;

/** A frame the listening member could not hear as sent: undecryptable, or unencrypted once the call was. */
export interface DaveFrameError {
  at: number;
  sequence: number;
  kind: 'undecryptable' | 'unencrypted-after-transition' | 'no-listener';
  error: string;
}

/** An Opcode 5 Speaking the client sent. */
export interface SpeakingEvent {
  at: number;
  speaking: number;
  ssrc: number | undefined;
}

/** A client message the stand-in has no handler for (e.g. DAVE opcodes), kept for inspection. */
export interface IgnoredMessage {
  at: number;
  op: number;
  d: unknown;
  binary: boolean;
}

/** What the Identify established. */
export interface SessionIdentity {
  guildId: string;
  userId: string;
  sessionId: string;
  token: string;
  daveVersionRequested: number;
  /** The `v` query parameter of the WebSocket URL ('8' for @discordjs/voice 0.19), null if absent. */
  gatewayVersion: string | null;
  ssrc: number;
  /** The DAVE protocol version the stand-in chose for the session (0: transport encryption only). */
  daveVersion?: number;
  /** The voice channel its token was granted for, if the stand-in was told (`grant`). */
  channelId?: string | undefined;
}

/**
 * What the stand-in does with each audio datagram: 'decode' (default) decrypts, records and decodes it;
 * 'count' only counts it and notes arrival times (no decryption, no `packets` entries), so a load test's
 * receiving side costs next to nothing.
 */
export type ReceiveMode = 'decode' | 'count';

/** Whether a session closed with `code` may still be resumed: 4015 (server crashed) and non-4xxx codes. */
function resumableCloseCode(code: number): boolean {
  return code < 4000 || code > 4999 || code === 4015;
}

export { preciseNow } from './clock.js';

/** A recorded voice session; see the module README in `index.ts` for the scenario API. */
export class VoiceSession implements CallMember {
  readonly guildId: string;
  /** The voice channel of the session's token, if granted through `VoiceStandin.grant`. */
  readonly channelId: string | undefined;
  /** The DAVE protocol version sent in Session Description (1 by default, 0 for transport encryption only). */
  readonly daveVersion: number;
  /** The call (DAVE group) the session joined at Session Description; undefined for version 0. */
  call: VoiceCall | undefined;
  /** Frames the call's listening member could not hear as sent (DAVE sessions only). */
  readonly daveErrors: DaveFrameError[] = [];
  /** DAVE messages sent to the client, in order (op and when). */
  readonly daveSent: Array<{ at: number; op: number; transitionId?: number }> = [];
  /** DAVE messages received from the client (ops 23, 26, 28, 31), in order. */
  readonly daveReceived: Array<{ at: number; op: number; transitionId?: number }> = [];
  /** When the first op 22 (execute transition) was sent: from then on every frame must be end-to-end encrypted. */
  e2eeSince: number | undefined;
  /** Arrival of the first audio frame that passed the DAVE frame check. */
  firstE2eePacketAt: number | undefined;
  readonly userId: string;
  readonly sessionId: string;
  readonly token: string;
  readonly daveVersionRequested: number;
  readonly gatewayVersion: string | null;
  readonly ssrc: number;
  /** The 32-byte transport key sent in Session Description. */
  readonly secretKey: Buffer = crypto.randomBytes(32);
  readonly openedAt: number = preciseNow();
  /** The mode the client selected (set by Select Protocol). */
  mode: TransportMode | undefined;
  /** Address/port the client announced in Select Protocol. */
  clientAddress: { address: string; port: number } | undefined;
  /** When the current WebSocket closed (cleared again by a successful resume). */
  closedAt: number | undefined;
  closeCode: number | undefined;
  closeReason: string | undefined;
  /** Every WebSocket close, in order (a resumed session has several). */
  readonly closes: Array<{ at: number; code: number; reason: string; by: 'server' | 'client' }> = [];
  readonly speaking: SpeakingEvent[] = [];
  readonly packets: ReceivedPacket[] = [];
  /** Heartbeats received (answered or not). */
  heartbeats = 0;
  /** Successful Resume (op 7) handshakes. */
  resumes = 0;
  /** The `seq_ack` of the latest heartbeat or resume (-1 before any). */
  lastSeqAck = -1;
  /** UDP keep-alive datagrams (8 bytes) received. */
  keepAlives = 0;
  readonly decryptErrors: Array<{ at: number; length: number; error: string }> = [];
  readonly decodeErrors: Array<{ at: number; sequence: number; error: string }> = [];
  readonly ignored: IgnoredMessage[] = [];

  private socket: WebSocket;
  private answeringHeartbeats = true;
  private readonly closedByServer = new WeakSet<WebSocket>();
  private ended = false;
  private seq = 0;
  private readonly sentSequenced: Array<{ seq: number; text: string | Buffer }> = [];
  private decoder: OpusScript | undefined;
  private readonly corrupt = new Set<'commit' | 'welcome'>();
  private leaveTimer: NodeJS.Timeout | undefined;
  private counted = 0;
  private firstCountedAt: number | undefined;
  private lastCountedAt: number | undefined;

  constructor(
    identity: SessionIdentity,
    socket: WebSocket,
    private readonly signal: ChangeSignal,
    /** See {@link ReceiveMode}. */
    readonly receiveMode: ReceiveMode = 'decode',
  ) {
    this.guildId = identity.guildId;
    this.channelId = identity.channelId;
    this.daveVersion = identity.daveVersion ?? 0;
    this.userId = identity.userId;
    this.sessionId = identity.sessionId;
    this.token = identity.token;
    this.daveVersionRequested = identity.daveVersionRequested;
    this.gatewayVersion = identity.gatewayVersion;
    this.ssrc = identity.ssrc;
    this.socket = socket;
  }

  /** True once Session Description has been sent: the client may now send audio. */
  get described(): boolean {
    return this.mode !== undefined;
  }

  /** False once the session was closed with a code that forbids resuming (4000–4999 except 4015). */
  get resumable(): boolean {
    return !this.ended;
  }

  /** Audio packets received (silence frames included): `packets.length`, or the count in 'count' mode. */
  get packetCount(): number {
    return this.receiveMode === 'count' ? this.counted : this.packets.length;
  }

  /** Arrival time of the first audio packet, if any. */
  get firstPacketAt(): number | undefined {
    return this.receiveMode === 'count' ? this.firstCountedAt : this.packets[0]?.at;
  }

  /** Arrival time of the latest audio packet, if any. */
  get lastPacketAt(): number | undefined {
    return this.receiveMode === 'count' ? this.lastCountedAt : this.packets.at(-1)?.at;
  }

  // ---- scenario API -------------------------------------------------------------------------------------------

  /** Resolves once at least `n` packets (silence frames included) have arrived. */
  waitForPackets(n: number, timeoutMs = 5000): Promise<void> {
    return this.signal.until(() => this.packetCount >= n, timeoutMs, `${n} packets from guild ${this.guildId}`);
  }

  /** Resolves once a packet has arrived and then none for `quietMs`. */
  waitForQuiet(quietMs: number, timeoutMs = 10_000): Promise<void> {
    const deadline = preciseNow() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const now = preciseNow();
        const last = this.lastPacketAt;
        if (last !== undefined && now - last >= quietMs) return resolve();
        if (now >= deadline) {
          return reject(new Error(`voice stand-in: guild ${this.guildId} not quiet for ${quietMs} ms within ${timeoutMs} ms`));
        }
        const wait = last === undefined ? 20 : quietMs - (now - last);
        setTimeout(check, Math.max(1, Math.min(wait, deadline - now)));
      };
      check();
    });
  }

  /** The received audio split where packets are more than `gapMs` apart (silence frames excluded), decoded. */
  utterances(gapMs = 100): Utterance[] {
    return splitUtterances(this.packets, gapMs);
  }

  /** Resolves once the session's first DAVE transition was executed (op 22 sent): from then on frames must be E2EE. */
  waitForE2ee(timeoutMs = 5000): Promise<void> {
    return this.signal.until(() => this.e2eeSince !== undefined, timeoutMs, `guild ${this.guildId}'s first DAVE transition`);
  }

  /** Resolves with the close code once the current WebSocket has closed (either side; after the close handshake). */
  async waitForClose(timeoutMs = 5000): Promise<number> {
    await this.signal.until(() => this.closeCode !== undefined, timeoutMs, `guild ${this.guildId}'s voice socket to close`);
    return this.closeCode!;
  }

  /** Closes the current WebSocket with a voice close code (4014 disconnected, 4006 invalid session, 4022 call terminated…). */
  close(code: number, reason = ''): void {
    this.closedByServer.add(this.socket);
    if (!resumableCloseCode(code)) this.ended = true;
    this.socket.close(code, reason);
  }

  /** Stops acknowledging heartbeats on the current WebSocket (a resumed socket is answered again). */
  stopAnsweringHeartbeats(): void {
    this.answeringHeartbeats = false;
  }

  // ---- gateway side (used by voiceGateway.ts) -----------------------------------------------------------------

  /** Sends a message that carries `seq` and is kept for replay on resume (v8 buffered resume). */
  sendSequenced(op: number, d: unknown): void {
    this.seq += 1;
    const text = JSON.stringify({ op, d, seq: this.seq });
    this.sentSequenced.push({ seq: this.seq, text });
    this.trySend(text);
  }

  /** Sends a binary message `[u16 seq][u8 op][payload]`, sequenced like JSON ones and replayed on resume. */
  sendBinarySequenced(op: number, payload: Buffer): void {
    this.seq += 1;
    const head = Buffer.alloc(3);
    head.writeUInt16BE(this.seq & 0xffff, 0);
    head[2] = op;
    const message = Buffer.concat([head, payload]);
    this.sentSequenced.push({ seq: this.seq, text: message });
    this.trySend(message);
  }

  /** Sends a message without `seq` (Hello, Heartbeat ACK, Resumed). */
  sendUnsequenced(op: number, d: unknown): void {
    this.socket.send(JSON.stringify({ op, d }));
  }

  /**
   * Records the selected mode and sends Session Description with the session's DAVE version; with version 1 the
   * session then joins `call` (op 11 for the members already there, op 25 external sender).
   */
  describe(mode: TransportMode, clientAddress: { address: string; port: number }, call?: VoiceCall): void {
    this.mode = mode;
    this.clientAddress = clientAddress;
    if (this.receiveMode === 'decode') this.decoder ??= new OpusScript(48000, 2);
    this.sendSequenced(ServerOp.SessionDescription, {
      mode,
      secret_key: [...this.secretKey],
      dave_protocol_version: this.daveVersion,
    });
    if (this.daveVersion > 0 && call) {
      this.call = call;
      call.join(this);
    }
    this.signal.notify();
  }

  // ---- DAVE, gateway → client (CallMember) ---------------------------------------------------------------------

  clientsConnect(userIds: string[]): void {
    this.sendSequenced(ServerOp.ClientsConnect, { user_ids: userIds });
  }

  clientDisconnect(userId: string): void {
    this.sendSequenced(ServerOp.ClientDisconnect, { user_id: userId });
  }

  externalSender(payload: Buffer): void {
    this.sendDaveBinary(ServerOp.DaveMlsExternalSender, payload);
  }

  proposals(payload: Buffer): void {
    this.sendDaveBinary(ServerOp.DaveMlsProposals, payload);
  }

  announceCommit(transitionId: number, commit: Buffer): void {
    this.sendDaveBinary(ServerOp.DaveMlsAnnounceCommitTransition, this.withTransitionId(transitionId, this.corruptOnce('commit', commit)), transitionId);
  }

  welcome(transitionId: number, welcome: Buffer): void {
    this.sendDaveBinary(ServerOp.DaveMlsWelcome, this.withTransitionId(transitionId, this.corruptOnce('welcome', welcome)), transitionId);
  }

  prepareTransition(transitionId: number, protocolVersion: number): void {
    this.daveSent.push({ at: preciseNow(), op: ServerOp.DavePrepareTransition, transitionId });
    this.sendSequenced(ServerOp.DavePrepareTransition, { transition_id: transitionId, protocol_version: protocolVersion });
  }

  executeTransition(transitionId: number): void {
    this.e2eeSince ??= preciseNow();
    this.daveSent.push({ at: preciseNow(), op: ServerOp.DaveExecuteTransition, transitionId });
    this.sendSequenced(ServerOp.DaveExecuteTransition, { transition_id: transitionId });
    this.signal.notify();
  }

  prepareEpoch(epoch: number, protocolVersion: number): void {
    this.daveSent.push({ at: preciseNow(), op: ServerOp.DavePrepareEpoch });
    this.sendSequenced(ServerOp.DavePrepareEpoch, { epoch, protocol_version: protocolVersion });
  }

  /** Fault: the next op 29 commit (or op 30 welcome) relayed to this client is corrupted, so it cannot process it. */
  corruptNext(what: 'commit' | 'welcome'): void {
    this.corrupt.add(what);
  }

  // ---- DAVE, client → gateway (used by voiceGateway.ts) --------------------------------------------------------

  /** A DAVE message from the client: binary op 26 / op 28, JSON op 23 / op 31. */
  daveFromClient(op: number, payload: Buffer | Record<string, unknown>): void {
    const transitionId = Buffer.isBuffer(payload) ? undefined : Number(payload.transition_id);
    this.daveReceived.push({ at: preciseNow(), op, ...(transitionId === undefined ? {} : { transitionId }) });
    const call = this.call;
    if (call) {
      if (op === 26 && Buffer.isBuffer(payload)) call.keyPackage(this.userId, payload);
      else if (op === 28 && Buffer.isBuffer(payload)) call.commitWelcome(this.userId, payload);
      else if (op === 23 && transitionId !== undefined) call.readyForTransition(this.userId, transitionId);
      else if (op === 31 && transitionId !== undefined) call.invalidCommitWelcome(this.userId, transitionId);
    }
    this.signal.notify();
  }

  /** Leaves the call (the session ended or its socket closed for good). */
  leaveCall(): void {
    this.call?.leave(this);
  }

  private sendDaveBinary(op: number, payload: Buffer, transitionId?: number): void {
    this.daveSent.push({ at: preciseNow(), op, ...(transitionId === undefined ? {} : { transitionId }) });
    this.sendBinarySequenced(op, payload);
    this.signal.notify();
  }

  private withTransitionId(transitionId: number, body: Buffer): Buffer {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(transitionId);
    return Buffer.concat([head, body]);
  }

  private corruptOnce(what: 'commit' | 'welcome', body: Buffer): Buffer {
    if (!this.corrupt.delete(what)) return body;
    const bad = Buffer.from(body);
    // Flip bits in the middle: the message still parses as far as framing goes but fails verification.
    bad[Math.floor(bad.length / 2)]! ^= 0xff;
    return bad;
  }

  private trySend(data: string | Buffer): void {
    if (this.socket.readyState === 1) this.socket.send(data);
  }

  /** Records a heartbeat and acknowledges it unless told not to (v8 `{ t, seq_ack }`; a bare pre-v8 nonce is echoed bare). */
  heartbeat(d: unknown): void {
    this.heartbeats += 1;
    this.signal.notify();
    if (typeof d === 'number') {
      if (this.answeringHeartbeats) this.sendUnsequenced(ServerOp.HeartbeatAck, d);
      return;
    }
    const { t, seq_ack: seqAck } = (d ?? {}) as { t?: unknown; seq_ack?: unknown };
    if (typeof seqAck === 'number') this.lastSeqAck = seqAck;
    if (this.answeringHeartbeats) this.sendUnsequenced(ServerOp.HeartbeatAck, { t });
  }

  /** Records an Opcode 5 Speaking. */
  recordSpeaking(d: { speaking?: unknown; ssrc?: unknown } | undefined): void {
    const speaking = typeof d?.speaking === 'number' ? d.speaking : Number(d?.speaking ?? 0);
    this.speaking.push({ at: preciseNow(), speaking, ssrc: typeof d?.ssrc === 'number' ? d.ssrc : undefined });
    this.signal.notify();
  }

  /** Records a client message without a handler. */
  recordIgnored(op: number, d: unknown, binary: boolean): void {
    this.ignored.push({ at: preciseNow(), op, d, binary });
  }

  /** Takes over a new WebSocket after a valid Resume: sends Resumed, then replays sequenced messages after `seqAck`. */
  resume(socket: WebSocket, seqAck: number): void {
    if (socket !== this.socket && this.socket.readyState < 2) {
      this.closedByServer.add(this.socket);
      this.socket.terminate();
    }
    clearTimeout(this.leaveTimer);
    this.socket = socket;
    this.answeringHeartbeats = true;
    this.closedAt = undefined;
    this.closeCode = undefined;
    this.closeReason = undefined;
    this.resumes += 1;
    this.lastSeqAck = seqAck;
    this.sendUnsequenced(ServerOp.Resumed, null);
    for (const message of this.sentSequenced) if (message.seq > seqAck) socket.send(message.text);
    this.signal.notify();
  }

  /** Records the close of one of this session's sockets; `closedAt`/`closeCode` follow only the current one. */
  socketClosed(socket: WebSocket, code: number, reason: string): void {
    const at = preciseNow();
    this.closes.push({ at, code, reason, by: this.closedByServer.has(socket) ? 'server' : 'client' });
    if (!resumableCloseCode(code)) this.ended = true;
    if (socket === this.socket) {
      this.closedAt = at;
      this.closeCode = code;
      this.closeReason = reason;
      // The client is gone from the call once its session ends, or if it does not resume within a second.
      if (this.ended) this.leaveCall();
      else {
        clearTimeout(this.leaveTimer);
        this.leaveTimer = setTimeout(() => {
          if (this.socket === socket) this.leaveCall();
        }, 1000);
      }
    }
    this.signal.notify();
  }

  // ---- UDP side (used by voiceUdp.ts) -------------------------------------------------------------------------

  /** Counts a UDP keep-alive. */
  keepAlive(): void {
    this.keepAlives += 1;
  }

  /** Decrypts, records and decodes one RTP datagram; failures are recorded, never thrown. */
  receiveAudio(datagram: Buffer, at: number): void {
    if (!this.mode) {
      this.decryptErrors.push({ at, length: datagram.length, error: 'audio before Session Description' });
      this.signal.notify();
      return;
    }
    if (this.receiveMode === 'count') {
      this.counted += 1;
      this.firstCountedAt ??= at;
      this.lastCountedAt = at;
      this.signal.notify();
      return;
    }
    let opened;
    try {
      opened = openRtpSizePacket(datagram, this.mode, this.secretKey);
    } catch (error) {
      this.decryptErrors.push({ at, length: datagram.length, error: String(error) });
      this.signal.notify();
      return;
    }
    const { header, nonce } = opened;
    if (header.version !== 2 || header.payloadType !== OPUS_PAYLOAD_TYPE) {
      this.decryptErrors.push({ at, length: datagram.length, error: `not Opus RTP (v${header.version}, PT ${header.payloadType})` });
      this.signal.notify();
      return;
    }
    const heard = this.hear(opened.opus, header.sequence, at);
    let pcm: Int16Array | undefined;
    if (heard.opus) {
      try {
        pcm = bufferToPcm(this.decoder!.decode(heard.opus));
      } catch (error) {
        this.decodeErrors.push({ at, sequence: header.sequence, error: String(error) });
      }
    }
    const opus = heard.opus ?? opened.opus;
    this.packets.push({
      at,
      sequence: header.sequence,
      timestamp: header.timestamp,
      ssrc: header.ssrc,
      nonce,
      opus: Buffer.from(opus),
      silence: opus.equals(SILENCE_FRAME),
      pcm,
      ...(heard.e2ee ? { e2ee: heard.e2ee } : {}),
    });
    this.signal.notify();
  }

  /**
   * What the call's listening member hears of one transport-decrypted frame: a DAVE frame is decrypted with its
   * session; the silence frame passes; an unencrypted frame passes only before the first executed transition
   * (passthrough), after it a receiver drops it. Frames it cannot hear are recorded in `daveErrors`.
   */
  private hear(frame: Buffer, sequence: number, at: number): { opus: Buffer | undefined; e2ee?: ReceivedPacket['e2ee'] } {
    if (this.daveVersion === 0) return { opus: frame };
    if (frame.equals(SILENCE_FRAME)) return { opus: frame, e2ee: 'silence' };
    // Media still arriving from a client that has left the call is not forwarded to its members: nobody hears it.
    if (this.call && !this.call.has(this)) return { opus: undefined, e2ee: isDaveFrame(frame) ? 'encrypted' : 'plain' };
    if (!isDaveFrame(frame)) {
      // The sender switches to E2EE when it processes its first commit or welcome; a frame it prepared just before
      // may still be in flight, so "after the transition" is judged from its first encrypted frame.
      if (this.firstE2eePacketAt !== undefined) {
        this.daveErrors.push({ at, sequence, kind: 'unencrypted-after-transition', error: 'frame without the DAVE marker' });
        return { opus: undefined, e2ee: 'plain' };
      }
      return { opus: frame, e2ee: 'plain' };
    }
    this.firstE2eePacketAt ??= at;
    const ear = this.call?.ear;
    if (!ear) {
      this.daveErrors.push({ at, sequence, kind: 'no-listener', error: 'no listening member in the call' });
      return { opus: undefined, e2ee: 'encrypted' };
    }
    try {
      return { opus: ear.decrypt(this.userId, frame), e2ee: 'encrypted' };
    } catch (error) {
      this.daveErrors.push({ at, sequence, kind: 'undecryptable', error: String(error) });
      return { opus: undefined, e2ee: 'encrypted' };
    }
  }

  /** Frees the Opus decoder (the stand-in calls this on close). */
  dispose(): void {
    clearTimeout(this.leaveTimer);
    this.leaveCall();
    this.decoder?.delete();
    this.decoder = undefined;
  }
}
