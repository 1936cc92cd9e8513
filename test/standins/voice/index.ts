/**
 * # Discord voice stand-in (voice gateway v8 over TLS + UDP RTP receiver)
 *
 * A local stand-in for a Discord voice server, for driving the bot (and @discordjs/voice) end to end.
 * Give `endpoint` to the Discord gateway stand-in as the VOICE_SERVER_UPDATE endpoint; @discordjs/voice then dials
 * `wss://<endpoint>?v=8`. Start the process under test with `NODE_EXTRA_CA_CERTS=<caFile>` so it trusts the
 * stand-in's self-signed certificate (Node reads that variable only at start-up, hence a child process; see
 * `voiceClient.ts` for the harness the tests use to run the real library that way).
 *
 * ```ts
 * const voice = await startVoiceStandin();                     // modes: AES-GCM + XChaCha (rtpsize) by default
 * // … start the bot with NODE_EXTRA_CA_CERTS=voice.caFile, have it join guild G …
 * const session = await voice.waitForSession('G');             // identified, Session Description sent
 * await session.waitForPackets(10);
 * await session.waitForQuiet(300);
 * const [first] = session.utterances();                        // { durationMs, frequency, pcm, packets, … }
 * session.close(4014);                                         // fault: "disconnected"
 * voice.identifies('G');                                       // count re-join attempts
 * await voice.close();
 * ```
 *
 * Test harness for the real library (what `test/unit/standins/voice.test.ts` does):
 * ```ts
 * const client = await VoiceClient.start({ caFile: voice.caFile });   // from './voiceClient.js'
 * client.send({ cmd: 'join', endpoint: voice.endpoint, guildId: 'G', channelId: 'C', userId: 'U', sessionId: 'S', token: 'T' });
 * await client.waitForConnection('G', 'ready');
 * client.send({ cmd: 'play', guildId: 'G', file: '/tmp/tone.opus' });  // Ogg Opus
 * await client.waitForPlayer('G', 'idle');
 * await client.stop();
 * ```
 *
 * To serve one long-lived process from several stand-ins (say, one per encryption-mode scenario), create the
 * certificate once with `createLoopbackCertificate()` and pass it as `certificate` to each; `caFile` is then shared.
 *
 * ## What it speaks
 * - On connect it sends op 8 Hello `{ heartbeat_interval, v: 8 }` at once (so it works whether a client waits for
 *   Hello or identifies first; @discordjs/voice identifies on open and takes Hello whenever it comes).
 * - op 0 Identify → op 2 Ready `{ ssrc, ip: '127.0.0.1', port, modes, heartbeat_interval }`. Missing fields → close 4004,
 *   a second Identify → 4005, anything but Heartbeat/Identify/Resume first → 4003.
 * - op 1 Select Protocol `{ protocol: 'udp', data: { address, port, mode } }` → op 4 Session Description
 *   `{ mode, secret_key: number[32], dave_protocol_version: 1 }` (0 with `dave: 0`: @discordjs/voice then runs a
 *   passthrough DAVE session, i.e. transport encryption only). Not 'udp' → 4012; a mode not offered → 4016.
 * - DAVE v1 (default; daveprotocol.com and Discord's voice docs, ops 11, 13, 21–31): an Identify whose
 *   `max_dave_protocol_version` is missing or 0 is closed with 4017. After Session Description the session joins the
 *   call of its channel (learnt from `grant`, as Discord's voice server knows it from VOICE_SERVER_UPDATE): op 11
 *   `clients_connect` both ways, op 25 external sender package (the stand-in's own P-256 key and basic credential),
 *   then the client's op 26 key package is answered with external Add proposals signed by the stand-in for the
 *   current epoch (op 27, binary `[u16 seq][u8 op][payload]`, sequenced and replayed like JSON messages). The first
 *   valid op 28 of an epoch wins: op 29 (transition id + commit) to the members staying, op 30 (transition id +
 *   the welcome holding only that member's secrets) to the added ones; op 23 from all (or `transitionTimeoutMs`)
 *   → op 22. A client leaving (or not resuming within 1 s) gets an external Remove proposal; the last member left
 *   is reset (op 24 epoch 1 + op 21 transition 0); op 31 removes the reporter, whose next key package re-adds it.
 *   The MLS structures (RFC 9420) are encoded by hand in `dave/mls.ts`; the gateway logic is `dave/daveCall.ts`.
 * - The listening member: every call gets a simulated member (`LISTENER_USER_ID`, its own @snazzah/davey session)
 *   when it starts, before the bot arrives; it commits proposals 100 ms after receiving them (so the bot usually
 *   commits first, but either may), joins by welcome otherwise, and decrypts the bot's frames. `packets[].opus` is
 *   what it decrypted (`e2ee: 'encrypted'`); frames without the DAVE marker pass (`'plain'`) until the session's
 *   first encrypted frame, after that they are recorded in `daveErrors` like frames it cannot decrypt.
 *   `call.addListener(userId)` / `removeListener(userId)` put more members in or take them out (epoch transitions).
 * - Faults: `session.corruptNext('commit' | 'welcome')` spoils the next op 29 / op 30 sent to that client.
 * - op 3 Heartbeat `{ t, seq_ack }` → op 6 `{ t }` (unless `stopAnsweringHeartbeats()`).
 * - op 5 Speaking recorded with its arrival time. Other ops (13, DAVE, binary) are recorded in `ignored`, never fatal.
 * - op 7 Resume `{ server_id, session_id, token, seq_ack }` on a new socket → op 9 Resumed, then the v8 "buffered
 *   resume": every sequenced message after `seq_ack` is sent again. Unknown or ended session → close 4006.
 * - Sequence numbers: Ready, Session Description (and replays) carry `seq` from 1 up; Hello, Heartbeat ACK and Resumed
 *   do not. (@discordjs/voice ignores `seq: 0`, so numbering starts at 1.)
 * - UDP (127.0.0.1, own port): 74-byte IP discovery answered with the sender's address/port; 8-byte keep-alives
 *   echoed; RTP routed by SSRC, decrypted (`aead_aes256_gcm_rtpsize` / `aead_xchacha20_poly1305_rtpsize`, 4-byte
 *   big-endian nonce counter at the end), extension body and padding stripped, Opus decoded with opusscript
 *   (48 kHz stereo) per session in arrival order. Failures land in `decryptErrors` / `decodeErrors`; nothing is dropped
 *   silently. Unroutable datagrams land in `strays`.
 *
 * ## Sessions
 * A `VoiceSession` is what one Identify started. A Resume re-attaches the new socket to the same session (same SSRC,
 * key and packet list; `resumes` counts them). `sessions` lists every session in order; `identifies(guild)` counts
 * every Identify received for a guild (so a test sees re-join attempts). A session closed with a 4xxx code other than
 * 4015 (by either side) cannot be resumed.
 *
 * ## DAVE at a glance
 * ```ts
 * voice.grant({ guildId, channelId, token });        // from the Discord stand-in's voiceEndpoint callback
 * const session = await voice.waitForSession(guildId);
 * await session.waitForE2ee();                        // first transition executed (op 22 sent)
 * const call = session.call!;                         // epoch, groupMembers, transitions, incidents, ear, listeners
 * const bob = call.addListener(bobId);                // an epoch transition; bob.privacyCode === call.ear!.privacyCode
 * session.daveErrors;                                 // frames the listener could not hear as sent (want [])
 * ```
 *
 * ## VoiceSession at a glance
 * - Identity: `guildId userId sessionId token ssrc daveVersionRequested gatewayVersion secretKey mode clientAddress`,
 *   `channelId daveVersion call`.
 * - DAVE: `daveErrors daveSent daveReceived e2eeSince firstE2eePacketAt`, `waitForE2ee()`, `corruptNext(what)`.
 * - Life: `openedAt closedAt? closeCode? closeReason? closes[] resumes resumable heartbeats lastSeqAck keepAlives`.
 * - Traffic: `speaking[]` (op 5), `packets[]` ({ at, sequence, timestamp, ssrc, nonce, opus, silence, pcm }),
 *   `decryptErrors[] decodeErrors[] ignored[]`; `packetCount firstPacketAt lastPacketAt` in either receive mode.
 * - Load tests: `startVoiceStandin({ receive: 'count' })` only counts and times audio datagrams per session
 *   (no decryption, no decoding, `packets` stays empty), so hundreds of streams cost the test process little.
 * - Waits: `waitForPackets(n)`, `waitForQuiet(ms)`, `waitForClose()`; analysis: `utterances(gapMs = 100)` →
 *   { startAt, endAt, packets, pcm (48 kHz stereo), durationMs (decoded samples / 48), frequency }.
 * - Faults: `close(code, reason?)`, `stopAnsweringHeartbeats()` (current socket only; a resumed one is answered);
 *   on the stand-in: `setUdpSilence(true)` drops every UDP datagram unanswered (network loss), `udpDropped` counts them.
 *
 * ## Times
 * All `at` / `openedAt` / `closedAt` values are ms on the `Date.now()` scale with sub-ms precision
 * (`performance.timeOrigin + performance.now()`), comparable across the stand-ins of one test process.
 */
import { once } from 'node:events';
import https from 'node:https';
import { WebSocketServer } from 'ws';
import { ChangeSignal } from './changeSignal.js';
import { createLoopbackCertificate, type LoopbackCertificate } from './loopbackCertificate.js';
import { TRANSPORT_MODES } from './transportCrypto.js';
import type { ListeningMemberOptions } from './dave/listeningMember.js';
import { VoiceCall } from './dave/voiceCall.js';
import { serveVoiceSocket } from './voiceGateway.js';
import { VoiceSession, type ReceiveMode } from './voiceSession.js';
import { startVoiceUdp } from './voiceUdp.js';

export { VoiceSession } from './voiceSession.js';
export type { SpeakingEvent, IgnoredMessage, ReceiveMode, DaveFrameError } from './voiceSession.js';
export { VoiceCall } from './dave/voiceCall.js';
export type { CallTransition, CallIncident } from './dave/daveCall.js';
export type { ListeningMember, ListeningMemberOptions, ListenerFailure } from './dave/listeningMember.js';

/** The user id of the listening member the stand-in puts in every DAVE call (unless `listener: false`). */
export const LISTENER_USER_ID = '1000000000000000001';

/** What a voice server is told about a token it will see in Identify (Discord's VOICE_SERVER_UPDATE grant). */
export interface VoiceGrantInfo {
  guildId: string;
  channelId: string;
  token: string;
}
export type { HeardItem, ReceivedPacket, Utterance } from './utterances.js';
export { heardItems, MIN_MEASURABLE_MS } from './utterances.js';
export { VoiceCloseCode } from './voiceGateway.js';
export { createLoopbackCertificate, type LoopbackCertificate } from './loopbackCertificate.js';
export { TRANSPORT_MODES, type TransportMode } from './transportCrypto.js';

/** Options for `startVoiceStandin`. */
export interface VoiceStandinOptions {
  /** Encryption modes offered in Ready, in order; default both rtpsize AEAD modes (AES-GCM first). */
  modes?: string[];
  /** Heartbeat interval announced in Hello; default 13750 ms (Discord's usual value). */
  heartbeatIntervalMs?: number;
  /**
   * TLS certificate to serve (from `createLoopbackCertificate`), so several stand-ins — e.g. with different modes —
   * can serve one long-lived client process that read `NODE_EXTRA_CA_CERTS` once. The caller removes it.
   * Default: a fresh certificate owned (and deleted on close) by this stand-in.
   */
  certificate?: LoopbackCertificate;
  /**
   * What each session does with audio: 'decode' (default: decrypt, record in `packets`, decode) or 'count'
   * (count and time packets only: `packetCount`, `firstPacketAt`, `lastPacketAt`), for load tests with many streams.
   */
  receive?: ReceiveMode;
  /**
   * DAVE protocol version the stand-in speaks: 1 (default, as Discord since 2026-03-01: a client whose Identify
   * offers no DAVE is closed with 4017) or 0 (transport encryption only, any client accepted, no MLS).
   */
  dave?: 0 | 1;
  /**
   * The simulated member put in every DAVE call when the call starts (before the bot arrives), whose decryption
   * is what `packets` record: options for it, or false for none. Default: user `LISTENER_USER_ID`, commits after 100 ms.
   */
  listener?: false | (ListeningMemberOptions & { userId?: string });
  /** How long a DAVE transition waits for every member's op 23 before op 22 anyway; default 2000 ms. */
  transitionTimeoutMs?: number;
}

/** A running voice stand-in. */
export interface VoiceStandin {
  /** `127.0.0.1:PORT`: the VOICE_SERVER_UPDATE endpoint (no scheme, as Discord sends it). */
  readonly endpoint: string;
  /** PEM of the self-signed certificate, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  /** The UDP port announced in Ready. */
  readonly udpPort: number;
  /** The modes offered in Ready. */
  readonly modes: readonly string[];
  /** Every session ever identified, in order. */
  readonly sessions: readonly VoiceSession[];
  /** UDP datagrams no session claimed. */
  readonly strays: ReadonlyArray<{ at: number; length: number; from: string }>;
  /** The latest session for a guild. */
  session(guildId: string): VoiceSession | undefined;
  /** Resolves with the latest session for the guild once it has Session Description (optionally: one newer than `after`). */
  waitForSession(guildId: string, timeoutMs?: number, opts?: { after?: VoiceSession }): Promise<VoiceSession>;
  /** Identify messages received for the guild. */
  identifies(guildId: string): number;
  /**
   * Network loss on the media path: while on, every UDP datagram (audio, keep-alive, IP discovery) is dropped
   * unanswered, as a lost route would. `udpDropped` counts them.
   */
  setUdpSilence(on: boolean): void;
  readonly udpDropped: number;
  /** The DAVE protocol version in use (0 or 1). */
  readonly daveVersion: number;
  /**
   * Tells the stand-in which channel a token is for (what Discord's voice server knows from VOICE_SERVER_UPDATE),
   * so the session joins that channel's call. Pass it from the Discord stand-in's `voiceEndpoint` callback.
   */
  grant(grant: VoiceGrantInfo): void;
  /** The call of a voice channel (created, with its listening member, on first use). */
  call(guildId: string, channelId: string): VoiceCall;
  /** Every call so far. */
  readonly calls: readonly VoiceCall[];
  /** Closes every socket and frees decoders and the certificate file. */
  close(): Promise<void>;
}

/** Starts the stand-in on 127.0.0.1 (ephemeral TLS port for the gateway, ephemeral UDP port for media). */
export async function startVoiceStandin(opts: VoiceStandinOptions = {}): Promise<VoiceStandin> {
  const modes = [...(opts.modes ?? TRANSPORT_MODES)];
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 13_750;
  const signal = new ChangeSignal();
  const sessions: VoiceSession[] = [];
  const identifyCounts = new Map<string, number>();
  const bySsrc = new Map<number, VoiceSession>();
  let nextSsrc = 1000;
  const daveVersion = opts.dave ?? 1;
  const tokens = new Map<string, string>();
  const calls: VoiceCall[] = [];
  const callOf = (guildId: string, channelId: string): VoiceCall => {
    const found = calls.find((c) => c.guildId === guildId && c.channelId === channelId);
    if (found) return found;
    const call = new VoiceCall(guildId, channelId, () => signal.notify(), {
      ...(opts.transitionTimeoutMs !== undefined ? { transitionTimeoutMs: opts.transitionTimeoutMs } : {}),
    });
    calls.push(call);
    if (opts.listener !== false) {
      const { userId, ...listenerOpts } = opts.listener ?? {};
      call.addListener(userId ?? LISTENER_USER_ID, listenerOpts);
    }
    return call;
  };

  const udp = await startVoiceUdp({
    bySsrc: (ssrc) => bySsrc.get(ssrc),
    byClientAddress: (address, port) =>
      sessions.filter((s) => s.clientAddress?.address === address && s.clientAddress.port === port),
  });
  const certificate = opts.certificate ?? (await createLoopbackCertificate());
  const server = https.createServer({ cert: certificate.cert, key: certificate.key });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, request) =>
    serveVoiceSocket(ws, request, {
      modes,
      heartbeatIntervalMs,
      udpPort: udp.port,
      nextSsrc: () => nextSsrc++,
      countIdentify: (guildId) => {
        identifyCounts.set(guildId, (identifyCounts.get(guildId) ?? 0) + 1);
        signal.notify();
      },
      createSession: (identity, socket) => {
        const session = new VoiceSession(identity, socket, signal, opts.receive ?? 'decode');
        sessions.push(session);
        if (!bySsrc.has(session.ssrc)) bySsrc.set(session.ssrc, session);
        signal.notify();
        return session;
      },
      daveVersion,
      channelFor: (token) => tokens.get(token),
      callFor: (session) => (session.channelId ? callOf(session.guildId, session.channelId) : undefined),
      findSession: (serverId, sessionId, token) =>
        sessions.findLast((s) => s.guildId === serverId && s.sessionId === sessionId && s.token === token),
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('voice stand-in: no TCP address');

  const latest = (guildId: string): VoiceSession | undefined => sessions.findLast((s) => s.guildId === guildId);

  return {
    endpoint: `127.0.0.1:${address.port}`,
    caFile: certificate.caFile,
    udpPort: udp.port,
    modes,
    sessions,
    strays: udp.strays,
    session: latest,
    async waitForSession(guildId, timeoutMs = 5000, waitOpts = {}) {
      const minIndex = waitOpts.after ? sessions.indexOf(waitOpts.after) + 1 : 0;
      const ready = (): VoiceSession | undefined => {
        const s = latest(guildId);
        return s && s.described && sessions.indexOf(s) >= minIndex ? s : undefined;
      };
      await signal.until(() => ready() !== undefined, timeoutMs, `a voice session for guild ${guildId}`);
      return ready()!;
    },
    identifies: (guildId) => identifyCounts.get(guildId) ?? 0,
    setUdpSilence(on) {
      udp.dropping = on;
    },
    get udpDropped() {
      return udp.dropped;
    },
    daveVersion,
    grant(grant) {
      tokens.set(grant.token, grant.channelId);
    },
    call: callOf,
    calls,
    async close() {
      for (const call of calls) call.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await udp.close();
      for (const session of sessions) session.dispose();
      if (!opts.certificate) await certificate.remove();
    },
  };
}
