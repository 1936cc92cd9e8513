/** The stand-in's UDP voice socket: answers IP discovery and hands RTP datagrams to the session owning their SSRC. */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { discoveryRequestSsrc, discoveryResponse } from './ipDiscovery.js';
import { preciseNow, type VoiceSession } from './voiceSession.js';

/** How the UDP socket finds sessions. */
export interface SessionLookup {
  bySsrc(ssrc: number): VoiceSession | undefined;
  /** Sessions whose Select Protocol announced this address and port. */
  byClientAddress(address: string, port: number): VoiceSession[];
}

/** A bound UDP voice socket. */
export interface VoiceUdp {
  port: number;
  /** Datagrams that matched no session (unknown SSRC or unrecognised shape). */
  readonly strays: Array<{ at: number; length: number; from: string }>;
  /** While true every datagram is dropped unanswered (network loss); `dropped` counts them. */
  dropping: boolean;
  readonly dropped: number;
  close(): Promise<void>;
}

/** Binds 127.0.0.1:0 and routes datagrams through `sessions`. */
export async function startVoiceUdp(sessions: SessionLookup): Promise<VoiceUdp> {
  const socket = dgram.createSocket('udp4');
  const strays: VoiceUdp['strays'] = [];
  const state = { dropping: false, dropped: 0 };
  socket.on('message', (msg, rinfo) => {
    if (state.dropping) {
      state.dropped += 1;
      return;
    }
    const at = preciseNow();
    const discoverySsrc = discoveryRequestSsrc(msg);
    if (discoverySsrc !== undefined && sessions.bySsrc(discoverySsrc)) {
      socket.send(discoveryResponse(discoverySsrc, rinfo.address, rinfo.port), rinfo.port, rinfo.address);
      return;
    }
    if (msg.length === 8) {
      // @discordjs/voice sends an 8-byte counter every 5 s as keep-alive (no SSRC in it); echo it like Discord.
      for (const session of sessions.byClientAddress(rinfo.address, rinfo.port)) session.keepAlive();
      socket.send(msg, rinfo.port, rinfo.address);
      return;
    }
    const session = msg.length >= 12 && msg[0]! >> 6 === 2 ? sessions.bySsrc(msg.readUInt32BE(8)) : undefined;
    if (!session) {
      strays.push({ at, length: msg.length, from: `${rinfo.address}:${rinfo.port}` });
      return;
    }
    session.receiveAudio(msg, at);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    strays,
    get dropping() {
      return state.dropping;
    },
    set dropping(on: boolean) {
      state.dropping = on;
    },
    get dropped() {
      return state.dropped;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
