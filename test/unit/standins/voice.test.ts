/**
 * The voice stand-in against the REAL @discordjs/voice, running in a child process (Node 22, NODE_EXTRA_CA_CERTS set
 * to the stand-in's certificate — the same trust path the bot will use). A fake adapter answers the library's op 4.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createLoopbackCertificate,
  LISTENER_USER_ID,
  startVoiceStandin,
  type LoopbackCertificate,
  type VoiceSession,
  type VoiceStandin,
} from '../../standins/voice/index.js';
import { VoiceClient } from '../../standins/voice/voiceClient.js';
import { encodeOggOpus } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';

const CHANNEL = '222222222222222222';
const USER = '333333333333333333';

let workDir: string;
let toneFile: string;
let certificate: LoopbackCertificate;
let client: VoiceClient;

// One child process serves every test (it reads NODE_EXTRA_CA_CERTS once, so all stand-ins share one certificate);
// each test uses its own stand-in and guild.
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'voice-standin-test-'));
  toneFile = path.join(workDir, 'tone440.opus');
  await writeFile(toneFile, encodeOggOpus(sineWave(440, 1, { channels: 2 }), { channels: 2, frameMs: 20 }));
  certificate = await createLoopbackCertificate();
  client = await VoiceClient.start({ caFile: certificate.caFile });
});

afterAll(async () => {
  await client?.stop();
  await certificate?.remove();
  await rm(workDir, { recursive: true, force: true });
});

function joinCommand(voice: VoiceStandin, guildId: string) {
  // What Discord's voice server learns from the grant: which channel the token is for.
  voice.grant({ guildId, channelId: CHANNEL, token: `voice-token-${guildId}` });
  return {
    cmd: 'join' as const,
    endpoint: voice.endpoint,
    guildId,
    channelId: CHANNEL,
    userId: USER,
    sessionId: `voice-session-${guildId}`,
    token: `voice-token-${guildId}`,
  };
}

/** The checks every played 1 s 440 Hz tone must pass on the receiving side (what the listening member heard). */
function expectTone(session: VoiceSession): void {
  expect(session.decryptErrors).toEqual([]);
  expect(session.decodeErrors).toEqual([]);
  // Played after the first transition: every frame but the silence frames is end-to-end encrypted and decrypts.
  expect(session.daveVersion).toBe(1);
  expect(session.daveErrors).toEqual([]);
  expect(session.packets.filter((p) => !p.silence).every((p) => p.e2ee === 'encrypted')).toBe(true);
  const audio = session.packets.filter((p) => !p.silence);
  // 1 s of 20 ms frames plus the encoder's flush frame.
  expect(audio.length).toBeGreaterThanOrEqual(49);
  expect(audio.length).toBeLessThanOrEqual(53);
  for (let i = 1; i < session.packets.length; i++) {
    const prev = session.packets[i - 1]!;
    const cur = session.packets[i]!;
    expect((cur.sequence - prev.sequence) & 0xffff).toBe(1);
    expect((cur.timestamp - prev.timestamp) >>> 0).toBe(960);
    expect(cur.nonce).toBe(prev.nonce + 1);
    expect(cur.ssrc).toBe(session.ssrc);
  }
  const speakingOn = session.speaking.find((s) => s.speaking !== 0);
  expect(speakingOn).toBeDefined();
  expect(speakingOn!.at).toBeLessThan(session.packets[0]!.at);
  expect(speakingOn!.ssrc).toBe(session.ssrc);

  const utterances = session.utterances();
  expect(utterances).toHaveLength(1);
  const [tone] = utterances;
  expect(tone!.durationMs).toBeGreaterThanOrEqual(940);
  expect(tone!.durationMs).toBeLessThanOrEqual(1060);
  expect(Math.abs(tone!.frequency - 440) / 440).toBeLessThan(0.03);
}

describe('voice stand-in with the real @discordjs/voice', () => {
  it('receives a 1 s 440 Hz tone over AES-256-GCM, then the library sees a 4014 close as Disconnected', async () => {
    const guild = '100000000000000001';
    const voice = await startVoiceStandin({ certificate });
    try {
      const mark = client.events.length;
      client.send(joinCommand(voice, guild));
      await client.waitForConnection(guild, 'ready', 10_000, mark);
      const session = await voice.waitForSession(guild);
      expect(session.mode).toBe('aead_aes256_gcm_rtpsize');
      expect(session.gatewayVersion).toBe('8');
      expect(session.userId).toBe(USER);
      expect(session.sessionId).toBe(`voice-session-${guild}`);
      expect(session.token).toBe(`voice-token-${guild}`);
      expect(session.daveVersionRequested).toBeGreaterThanOrEqual(1);
      // DAVE: op 11 and op 25 went out after Session Description; the bot committed the listener's add (op 28),
      // got its commit back (op 29), both sides were ready (op 23) and the transition executed (op 22).
      await session.waitForE2ee();
      const call = session.call!;
      expect(call.channelId).toBe(CHANNEL);
      expect(call.transitions).toMatchObject([{ transitionId: 1, epoch: 1n, committer: USER, added: [LISTENER_USER_ID], timedOut: false }]);
      expect(call.groupMembers.sort()).toEqual([LISTENER_USER_ID, USER].sort());
      expect(session.daveReceived.map((m) => m.op)).toEqual([26, 28, 23]);
      expect(session.daveSent.map((m) => m.op)).toEqual([25, 27, 29, 22]);
      expect(call.incidents).toEqual([]);
      const codeEvent = client.events.length;
      client.send({ cmd: 'privacyCode', guildId: guild });
      const code = await client.waitFor((e) => e.event === 'privacyCode' && e.guildId === guild, 5000, 'privacy code', codeEvent);
      // Both sides show the same 30-digit voice privacy code.
      expect(code).toMatchObject({ code: call.ear!.privacyCode });
      expect(call.ear!.privacyCode).toMatch(/^\d{30}$/);

      const beforePlay = client.events.length;
      client.send({ cmd: 'play', guildId: guild, file: toneFile });
      await client.waitForPlayer(guild, 'idle', 10_000, beforePlay);
      await session.waitForQuiet(200);
      expectTone(session);
      // The resource ends in silence padding (the library sends 4 of its 5 frames: the 5th is prepared but the
      // player goes idle before dispatching it), then the player stops speaking.
      const lastAudio = session.packets.findLastIndex((p) => !p.silence);
      const trailing = session.packets.slice(lastAudio + 1);
      expect(trailing.length).toBeGreaterThanOrEqual(1);
      expect(trailing.length).toBeLessThanOrEqual(5);
      expect(trailing.every((p) => p.silence)).toBe(true);
      expect(session.speaking.map((s) => s.speaking)).toEqual([1, 0]);
      expect(session.speaking[1]!.at).toBeGreaterThan(session.packets.at(-1)!.at);

      const beforeClose = client.events.length;
      session.close(4014, 'Disconnected');
      const disconnected = await client.waitForConnection(guild, 'disconnected', 5000, beforeClose);
      expect(disconnected.closeCode).toBe(4014);
      expect(await session.waitForClose()).toBe(4014);
      expect(session.closes.at(-1)!.by).toBe('server');
      // 4014 means "do not reconnect": the library does not identify again by itself.
      expect(voice.identifies(guild)).toBe(1);
    } finally {
      await voice.close();
    }
  });

  it('works with XChaCha20-Poly1305 when it is the only mode offered', async () => {
    const guild = '100000000000000002';
    const voice = await startVoiceStandin({ certificate, modes: ['aead_xchacha20_poly1305_rtpsize'] });
    try {
      const mark = client.events.length;
      client.send(joinCommand(voice, guild));
      await client.waitForConnection(guild, 'ready', 10_000, mark);
      const session = await voice.waitForSession(guild);
      expect(session.mode).toBe('aead_xchacha20_poly1305_rtpsize');
      await session.waitForE2ee();
      const beforePlay = client.events.length;
      client.send({ cmd: 'play', guildId: guild, file: toneFile });
      await client.waitForPlayer(guild, 'idle', 10_000, beforePlay);
      await session.waitForQuiet(200);
      expectTone(session);
    } finally {
      client.send({ cmd: 'destroy', guildId: guild });
      await voice.close();
    }
  });

  it('refuses a library that offers no DAVE (daveEncryption: false); the library keeps re-joining regardless', async () => {
    const guild = '100000000000000005';
    const voice = await startVoiceStandin({ certificate });
    try {
      const mark = client.events.length;
      client.send({ ...joinCommand(voice, guild), daveEncryption: false });
      // The 4017 close itself is checked in voiceProtocol.test.ts; the library does not surface it, it re-joins.
      await client.waitFor((e) => e.event === 'connection' && e.guildId === guild && e.rejoinAttempts >= 2, 10_000, 're-joins', mark);
      expect(voice.identifies(guild)).toBeGreaterThanOrEqual(2);
      expect(voice.sessions).toHaveLength(0);
      expect(client.events.slice(mark).some((e) => e.event === 'connection' && e.guildId === guild && e.status === 'ready')).toBe(false);
    } finally {
      client.send({ cmd: 'destroy', guildId: guild });
      await voice.close();
    }
  });

  it("in 'count' mode only counts and times the packets (no decryption, no decoding, nothing kept)", async () => {
    const guild = '100000000000000004';
    const voice = await startVoiceStandin({ certificate, receive: 'count' });
    try {
      const mark = client.events.length;
      client.send(joinCommand(voice, guild));
      await client.waitForConnection(guild, 'ready', 10_000, mark);
      const session = await voice.waitForSession(guild);
      expect(session.receiveMode).toBe('count');
      expect(session.packetCount).toBe(0);
      expect(session.firstPacketAt).toBeUndefined();
      const beforePlay = client.events.length;
      const sent = Date.now();
      client.send({ cmd: 'play', guildId: guild, file: toneFile });
      await session.waitForPackets(20, 5000);
      await client.waitForPlayer(guild, 'idle', 10_000, beforePlay);
      await session.waitForQuiet(200);
      // 1 s of 20 ms frames, the encoder's flush frame and up to 5 silence frames, all counted.
      expect(session.packetCount).toBeGreaterThanOrEqual(50);
      expect(session.packetCount).toBeLessThanOrEqual(58);
      expect(session.packets).toEqual([]);
      expect(session.decryptErrors).toEqual([]);
      expect(session.firstPacketAt!).toBeGreaterThanOrEqual(sent - 1);
      expect(session.lastPacketAt! - session.firstPacketAt!).toBeGreaterThan(900);
      expect(session.utterances()).toEqual([]);
    } finally {
      client.send({ cmd: 'destroy', guildId: guild });
      await voice.close();
    }
  });

  it('sees the library resume after unanswered heartbeats and re-join after a 4006 close', async () => {
    const guild = '100000000000000003';
    const voice = await startVoiceStandin({ certificate, heartbeatIntervalMs: 100 });
    try {
      const mark = client.events.length;
      client.send(joinCommand(voice, guild));
      await client.waitForConnection(guild, 'ready', 10_000, mark);
      const first = await voice.waitForSession(guild);

      // Missed heartbeats: the library closes the socket itself after three and resumes on a new one.
      first.stopAnsweringHeartbeats();
      const beforeResume = client.events.length;
      await client.waitForConnection(guild, 'connecting', 5000, beforeResume);
      await client.waitForConnection(guild, 'ready', 5000, beforeResume);
      expect(first.resumes).toBe(1);
      await vi.waitFor(() => expect(first.closes.map((c) => c.by)).toEqual(['client']));
      expect(first.heartbeats).toBeGreaterThanOrEqual(3);
      expect(voice.sessions).toHaveLength(1);
      expect(voice.identifies(guild)).toBe(1);

      // 4006: not resumable, so the library asks the main gateway to join again and identifies anew.
      const beforeRejoin = client.events.length;
      first.close(4006, 'Session no longer valid');
      await client.waitFor(
        (e) => e.event === 'gatewayPayload' && e.guildId === guild,
        5000,
        'op 4 re-join through the adapter',
        beforeRejoin,
      );
      const second = await voice.waitForSession(guild, 5000, { after: first });
      await client.waitForConnection(guild, 'ready', 5000, beforeRejoin);
      expect(voice.identifies(guild)).toBe(2);
      expect(second.ssrc).not.toBe(first.ssrc);
    } finally {
      client.send({ cmd: 'destroy', guildId: guild });
      await voice.close();
    }
  });
});
