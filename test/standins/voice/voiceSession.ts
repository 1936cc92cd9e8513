/**
 * One voice session on the stand-in: what one Identify started, through any number of resumed WebSockets.
 * Records the client's gateway traffic and its UDP audio (decrypted, then decoded in arrival order).
 */
import crypto from 'node:crypto';
import OpusScript from 'opusscript';
import type { WebSocket } from 'ws';
import { bufferToPcm } from '../../support/pcm.js';
import type { ChangeSignal } from './changeSignal.js';
import { OPUS_PAYLOAD_TYPE } from './rtpHeader.js';
import { openRtpSizePacket, type TransportMode } from './transportCrypto.js';
import { SILENCE_FRAME, splitUtterances, type ReceivedPacket, type Utterance } from './utterances.js';

/** Server → client voice opcodes the stand-in sends. */
export const ServerOp = { Ready: 2, SessionDescription: 4, HeartbeatAck: 6, Hello: 8, Resumed: 9 } as const;

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

/** Milliseconds on the `Date.now()` scale with sub-ms precision. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A recorded voice session; see the module README in `index.ts` for the scenario API. */
export class VoiceSession {
  readonly guildId: string;
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
  private readonly sentSequenced: Array<{ seq: number; text: string }> = [];
  private decoder: OpusScript | undefined;
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
    this.socket.send(text);
  }

  /** Sends a message without `seq` (Hello, Heartbeat ACK, Resumed). */
  sendUnsequenced(op: number, d: unknown): void {
    this.socket.send(JSON.stringify({ op, d }));
  }

  /** Records the selected mode and sends Session Description with transport-only encryption (DAVE version 0). */
  describe(mode: TransportMode, clientAddress: { address: string; port: number }): void {
    this.mode = mode;
    this.clientAddress = clientAddress;
    if (this.receiveMode === 'decode') this.decoder ??= new OpusScript(48000, 2);
    this.sendSequenced(ServerOp.SessionDescription, {
      mode,
      secret_key: [...this.secretKey],
      dave_protocol_version: 0,
    });
    this.signal.notify();
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
    const { header, nonce, opus } = opened;
    if (header.version !== 2 || header.payloadType !== OPUS_PAYLOAD_TYPE) {
      this.decryptErrors.push({ at, length: datagram.length, error: `not Opus RTP (v${header.version}, PT ${header.payloadType})` });
      this.signal.notify();
      return;
    }
    let pcm: Int16Array | undefined;
    try {
      pcm = bufferToPcm(this.decoder!.decode(opus));
    } catch (error) {
      this.decodeErrors.push({ at, sequence: header.sequence, error: String(error) });
    }
    this.packets.push({
      at,
      sequence: header.sequence,
      timestamp: header.timestamp,
      ssrc: header.ssrc,
      nonce,
      opus: Buffer.from(opus),
      silence: opus.equals(SILENCE_FRAME),
      pcm,
    });
    this.signal.notify();
  }

  /** Frees the Opus decoder (the stand-in calls this on close). */
  dispose(): void {
    this.decoder?.delete();
    this.decoder = undefined;
  }
}
