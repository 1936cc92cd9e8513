/**
 * The voice gateway (v8) side of the stand-in: one handler per WebSocket connection.
 * Identify → Ready, Select Protocol → Session Description, Heartbeat → ACK, Resume → Resumed (+ replay), Speaking recorded.
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { VoiceCall } from './dave/voiceCall.js';
import { isTransportMode } from './transportCrypto.js';
import { ServerOp, type SessionIdentity, type VoiceSession } from './voiceSession.js';

/** Voice close codes the stand-in uses or a test may want to send. */
export const VoiceCloseCode = {
  UnknownOpcode: 4001,
  FailedToDecode: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  SessionNoLongerValid: 4006,
  SessionTimeout: 4009,
  ServerNotFound: 4011,
  UnknownProtocol: 4012,
  Disconnected: 4014,
  VoiceServerCrashed: 4015,
  UnknownEncryptionMode: 4016,
  DaveRequired: 4017,
  BadRequest: 4020,
  RateLimited: 4021,
  CallTerminated: 4022,
} as const;

/** Client → server opcodes the gateway handles. */
const ClientOp = {
  Identify: 0,
  SelectProtocol: 1,
  Heartbeat: 3,
  Speaking: 5,
  Resume: 7,
  DaveTransitionReady: 23,
  DaveMlsKeyPackage: 26,
  DaveMlsCommitWelcome: 28,
  DaveMlsInvalidCommitWelcome: 31,
} as const;

/** What a connection handler needs from the stand-in. */
export interface GatewayContext {
  modes: readonly string[];
  heartbeatIntervalMs: number;
  udpPort: number;
  nextSsrc(): number;
  /** Counts an Identify for a guild, valid or not. */
  countIdentify(guildId: string): void;
  createSession(identity: SessionIdentity, socket: WebSocket): VoiceSession;
  /** The DAVE protocol version the stand-in speaks (0: transport encryption only, any client accepted). */
  daveVersion: number;
  /** The voice channel a token was granted for, if known. */
  channelFor(token: string): string | undefined;
  /** The call a session joins at Session Description (DAVE sessions). */
  callFor(session: VoiceSession): VoiceCall | undefined;
  findSession(serverId: string, sessionId: string, token: string): VoiceSession | undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Serves one voice WebSocket: sends Hello at once, then answers the client until it closes. */
export function serveVoiceSocket(ws: WebSocket, request: IncomingMessage, ctx: GatewayContext): void {
  const gatewayVersion = new URL(request.url ?? '/', 'wss://localhost').searchParams.get('v');
  let session: VoiceSession | undefined;

  ws.on('error', () => {
    // A reset connection surfaces here and again as 'close'; the close is what gets recorded.
  });
  ws.on('close', (code, reason) => session?.socketClosed(ws, code, reason.toString()));
  ws.send(JSON.stringify({ op: ServerOp.Hello, d: { heartbeat_interval: ctx.heartbeatIntervalMs, v: 8 } }));

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      // Client binary messages (DAVE MLS) are [opcode][payload], without a sequence number.
      const op = buf[0] ?? -1;
      if (session?.call && (op === ClientOp.DaveMlsKeyPackage || op === ClientOp.DaveMlsCommitWelcome)) {
        session.daveFromClient(op, Buffer.from(buf.subarray(1)));
      } else session?.recordIgnored(op, buf.subarray(1), true);
      return;
    }
    let packet: { op?: unknown; d?: unknown };
    try {
      packet = JSON.parse(buf.toString('utf8')) as { op?: unknown; d?: unknown };
    } catch {
      ws.close(VoiceCloseCode.FailedToDecode, 'Failed to decode payload');
      return;
    }
    if (typeof packet !== 'object' || packet === null || typeof packet.op !== 'number') {
      ws.close(VoiceCloseCode.FailedToDecode, 'Failed to decode payload');
      return;
    }
    const d = (packet.d ?? {}) as Record<string, unknown>;

    switch (packet.op) {
      case ClientOp.Identify: {
        const guildId = str(d.server_id);
        if (guildId) ctx.countIdentify(guildId);
        if (session) return ws.close(VoiceCloseCode.AlreadyAuthenticated, 'Already authenticated');
        const userId = str(d.user_id);
        const sessionId = str(d.session_id);
        const token = str(d.token);
        if (!guildId || !userId || !sessionId || !token) {
          return ws.close(VoiceCloseCode.AuthenticationFailed, 'Authentication failed');
        }
        const maxDave = typeof d.max_dave_protocol_version === 'number' ? d.max_dave_protocol_version : 0;
        // Since 2026-03-01 Discord admits only clients that speak DAVE.
        if (ctx.daveVersion > 0 && maxDave < ctx.daveVersion) {
          return ws.close(VoiceCloseCode.DaveRequired, 'E2EE/DAVE protocol required');
        }
        session = ctx.createSession(
          {
            guildId,
            userId,
            sessionId,
            token,
            daveVersionRequested: maxDave,
            gatewayVersion,
            ssrc: ctx.nextSsrc(),
            daveVersion: ctx.daveVersion,
            channelId: ctx.channelFor(token),
          },
          ws,
        );
        session.sendSequenced(ServerOp.Ready, {
          ssrc: session.ssrc,
          ip: '127.0.0.1',
          port: ctx.udpPort,
          modes: ctx.modes,
          heartbeat_interval: ctx.heartbeatIntervalMs,
        });
        return;
      }
      case ClientOp.Resume: {
        if (session) return ws.close(VoiceCloseCode.AlreadyAuthenticated, 'Already authenticated');
        const found = ctx.findSession(str(d.server_id) ?? '', str(d.session_id) ?? '', str(d.token) ?? '');
        if (!found || !found.resumable) return ws.close(VoiceCloseCode.SessionNoLongerValid, 'Session no longer valid');
        session = found;
        session.resume(ws, typeof d.seq_ack === 'number' ? d.seq_ack : -1);
        return;
      }
      case ClientOp.Heartbeat: {
        // Heartbeats are answered even before Identify.
        if (session) session.heartbeat(packet.d);
        else ws.send(JSON.stringify({ op: ServerOp.HeartbeatAck, d: typeof packet.d === 'number' ? packet.d : { t: d.t } }));
        return;
      }
      default:
        break;
    }

    if (!session) return ws.close(VoiceCloseCode.NotAuthenticated, 'Not authenticated');

    switch (packet.op) {
      case ClientOp.SelectProtocol: {
        const data = (d.data ?? {}) as Record<string, unknown>;
        if (d.protocol !== 'udp') return ws.close(VoiceCloseCode.UnknownProtocol, 'Unknown protocol');
        const mode = data.mode;
        if (!isTransportMode(mode) || !ctx.modes.includes(mode)) {
          return ws.close(VoiceCloseCode.UnknownEncryptionMode, 'Unknown encryption mode');
        }
        session.describe(mode, { address: String(data.address ?? ''), port: Number(data.port ?? 0) }, ctx.callFor(session));
        return;
      }
      case ClientOp.DaveTransitionReady:
      case ClientOp.DaveMlsInvalidCommitWelcome:
        if (session.call) session.daveFromClient(packet.op, d);
        else session.recordIgnored(packet.op, packet.d, false);
        return;
      case ClientOp.Speaking:
        session.recordSpeaking(d as { speaking?: unknown; ssrc?: unknown });
        return;
      default:
        // Op 13 and the DAVE opcodes, among others: Discord would act on some; the stand-in just keeps them.
        session.recordIgnored(packet.op, packet.d, false);
    }
  });
}
