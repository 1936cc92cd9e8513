/**
 * The voice stand-in's protocol pieces, in-process: packet crypto cross-checked against @discordjs/voice's own
 * receive path, the gateway's handshake/resume/error handling through a raw WebSocket client (trusting the
 * stand-in's certificate via the `ca` option), UDP discovery via the library's VoiceUDPSocket, and utterance splitting.
 */
import { once } from 'node:events';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { VoiceReceiver, VoiceUDPSocket, type VoiceConnection } from '@discordjs/voice';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startVoiceStandin, type VoiceStandin } from '../../standins/voice/index.js';
import {
  openRtpSizePacket,
  sealRtpSizePacket,
  TRANSPORT_MODES,
  type SealOptions,
} from '../../standins/voice/transportCrypto.js';
import { heardItems, SILENCE_FRAME, splitUtterances, type ReceivedPacket, type Utterance } from '../../standins/voice/utterances.js';
import { encodeOpusPackets } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';

const KEY = Buffer.alloc(32, 7);

describe('transport crypto', () => {
  for (const mode of TRANSPORT_MODES) {
    it(`${mode}: @discordjs/voice's receiver opens what sealRtpSizePacket builds, extension and padding included`, async () => {
      const opus = Buffer.from('fake opus payload');
      const extensionBody = Buffer.from([0x10, 0xaa, 0, 0, 0x21, 0xbb, 0xcc, 0]);
      const seal = { sequence: 65535, timestamp: 4294967295, ssrc: 42, nonce: 9, extensionBody, padding: 3 };
      const packet = sealRtpSizePacket(opus, mode, KEY, seal);
      // The library's receive path is private API; it is used here only to prove wire compatibility.
      const receiver = new VoiceReceiver({ state: { status: 'signalling' } } as unknown as VoiceConnection) as unknown as {
        parsePacket(buf: Buffer, mode: string, nonce: Buffer, key: Uint8Array, userId: string): Buffer;
      };
      const nonceBuffer = Buffer.alloc(mode === 'aead_aes256_gcm_rtpsize' ? 12 : 24);
      // The library loads its XChaCha implementation asynchronously at import; retry until it is there.
      const parsed = await vi.waitFor(() => receiver.parsePacket(packet, mode, nonceBuffer, KEY, 'user'));
      expect(parsed.equals(opus)).toBe(true);

      const opened = openRtpSizePacket(packet, mode, KEY);
      expect(opened.opus.equals(opus)).toBe(true);
      expect(opened.nonce).toBe(9);
      expect(opened.header).toMatchObject({
        sequence: 65535,
        timestamp: 4294967295,
        ssrc: 42,
        extension: true,
        padding: true,
        payloadType: 0x78,
      });
    });

    it(`${mode}: a flipped header bit (AAD) or a wrong key fails authentication`, () => {
      const packet = sealRtpSizePacket(SILENCE_FRAME, mode, KEY, { sequence: 1, timestamp: 2, ssrc: 3, nonce: 4 });
      const tampered = Buffer.from(packet);
      tampered[3] = tampered[3]! ^ 1;
      expect(() => openRtpSizePacket(tampered, mode, KEY)).toThrow();
      expect(() => openRtpSizePacket(packet, mode, Buffer.alloc(32, 8))).toThrow();
      expect(openRtpSizePacket(packet, mode, KEY).opus.equals(SILENCE_FRAME)).toBe(true);
    });
  }
});

describe('utterance splitting', () => {
  const packet = (at: number, silence = false, pcmValue = 100): ReceivedPacket => ({
    at,
    sequence: 0,
    timestamp: 0,
    ssrc: 1,
    nonce: 0,
    opus: silence ? SILENCE_FRAME : Buffer.from([1]),
    silence,
    pcm: new Int16Array(1920).fill(pcmValue),
  });

  it('splits at arrival gaps longer than gapMs and leaves silence frames out', () => {
    const packets = [packet(0), packet(20), packet(40, true), packet(60), packet(200, true), packet(300), packet(320)];
    const parts = splitUtterances(packets, 100);
    expect(parts.map((u) => [u.startAt, u.endAt, u.packets.length, u.durationMs])).toEqual([
      [0, 60, 3, 60],
      [300, 320, 2, 40],
    ]);
    expect(splitUtterances(packets, 300)).toHaveLength(1);
  });
});

describe('heardItems', () => {
  let at = 0;
  /** A piece of `ms` audio at `frequency`, 60 ms after the previous one. */
  const piece = (frequency: number, ms: number): Utterance => {
    const u = { startAt: at, endAt: at + ms, packets: [], pcm: new Int16Array(0), durationMs: ms, frequency };
    at += ms + 60;
    return u;
  };
  const summary = (items: ReturnType<typeof heardItems>) => items.map((i) => [Math.round(i.tone), i.ms, i.pieces.length]);

  it('merges consecutive pieces of one tone and keeps items in order', () => {
    at = 0;
    expect(summary(heardItems([piece(440, 500), piece(442, 300), piece(660, 400), piece(440, 200)]))).toEqual([
      [440, 800, 2],
      [660, 400, 1],
      [440, 200, 1],
    ]);
  });

  it('a piece too short to measure joins its item, not a new one', () => {
    at = 0;
    // A one-packet tail (no tone) after 440, a mis-measured 80 ms head before 660.
    expect(summary(heardItems([piece(440, 500), piece(0, 20), piece(640, 80), piece(660, 400)]))).toEqual([
      [440, 520, 2],
      [660, 480, 2],
    ]);
    at = 0;
    expect(summary(heardItems([piece(0, 20), piece(440, 500)]))).toEqual([[440, 520, 2]]);
    at = 0;
    expect(summary(heardItems([piece(440, 500), piece(0, 20)]))).toEqual([[440, 520, 2]]);
    at = 0;
    expect(summary(heardItems([piece(0, 20), piece(0, 40)]))).toEqual([[0, 60, 2]]);
  });

  it('a long piece of another tone is another item, however short the gap', () => {
    at = 0;
    expect(heardItems([piece(440, 500), piece(520, 130)])).toHaveLength(2);
  });
});

/** A bare voice-gateway client: collects every message, sends JSON. */
async function rawClient(voice: VoiceStandin) {
  const ws = new WebSocket(`wss://${voice.endpoint}?v=8`, { ca: readFileSync(voice.caFile) });
  const messages: Array<{ op: number; d: any; seq?: number }> = [];
  // Binary messages (DAVE MLS) are not JSON; this client keeps only the JSON ones.
  ws.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(data)));
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await once(ws, 'open');
  const next = async (op: number) => {
    await vi.waitFor(() => expect(messages.some((m) => m.op === op)).toBe(true));
    return messages.find((m) => m.op === op)!;
  };
  return { ws, messages, closed, next, send: (op: number, d: unknown) => ws.send(JSON.stringify({ op, d })) };
}

const identify = { server_id: 'g1', user_id: 'u1', session_id: 's1', token: 't1', max_dave_protocol_version: 1 };

describe('voice gateway', () => {
  let voice: VoiceStandin | undefined;
  afterEach(async () => {
    await voice?.close();
    voice = undefined;
  });

  it('handshakes: Hello, Ready with seq 1, IP discovery via the library, Session Description with seq 2', async () => {
    voice = await startVoiceStandin({ heartbeatIntervalMs: 5000 });
    const c = await rawClient(voice);
    expect((await c.next(8)).d).toEqual({ heartbeat_interval: 5000, v: 8 });
    c.send(0, identify);
    const ready = await c.next(2);
    expect(ready.seq).toBe(1);
    expect(ready.d).toMatchObject({ ip: '127.0.0.1', port: voice.udpPort, modes: [...TRANSPORT_MODES] });

    const udp = new VoiceUDPSocket({ ip: ready.d.ip, port: ready.d.port });
    try {
      const local = await udp.performIPDiscovery(ready.d.ssrc);
      expect(local.ip).toBe('127.0.0.1');
      // `socket` is private in the typings; read it only to learn which local port the library bound.
      expect(local.port).toBe((udp as unknown as { socket: dgram.Socket }).socket.address().port);
    } finally {
      udp.destroy();
    }

    c.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 5, mode: 'aead_xchacha20_poly1305_rtpsize' } });
    const description = await c.next(4);
    expect(description.seq).toBe(2);
    expect(description.d.dave_protocol_version).toBe(1);
    expect(description.d.secret_key).toHaveLength(32);
    const session = await voice.waitForSession('g1');
    expect(Buffer.from(description.d.secret_key).equals(session.secretKey)).toBe(true);
    expect(session).toMatchObject({
      userId: 'u1',
      sessionId: 's1',
      token: 't1',
      daveVersionRequested: 1,
      gatewayVersion: '8',
      ssrc: ready.d.ssrc,
    });

    c.send(3, { t: 1234, seq_ack: 2 });
    expect((await c.next(6)).d).toEqual({ t: 1234 });
    c.send(5, { speaking: 1, delay: 0, ssrc: ready.d.ssrc });
    c.send(13, { user_id: 'x' });
    c.ws.send(Buffer.from([26, 1, 2, 3]));
    await vi.waitFor(() => expect(session.ignored).toHaveLength(2));
    expect(session.ignored.map((m) => [m.op, m.binary])).toEqual([[13, false], [26, true]]);
    expect(session.speaking).toMatchObject([{ speaking: 1, ssrc: ready.d.ssrc }]);
    expect(session.heartbeats).toBe(1);
    expect(session.lastSeqAck).toBe(2);
    expect(voice.identifies('g1')).toBe(1);
  });

  it('records, decrypts and decodes UDP audio; bad packets are reported, not dropped silently', async () => {
    voice = await startVoiceStandin();
    const c = await rawClient(voice);
    c.send(0, identify);
    const { ssrc } = (await c.next(2)).d;
    c.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 5, mode: 'aead_aes256_gcm_rtpsize' } });
    const session = await voice.waitForSession('g1');

    const frames = encodeOpusPackets(sineWave(440, 0.2, { channels: 2 }), { channels: 2, frameMs: 20 });
    const mode = 'aead_aes256_gcm_rtpsize';
    const sock = dgram.createSocket('udp4');
    const send = (opus: Buffer, seal: SealOptions, key: Uint8Array = session.secretKey) =>
      new Promise<void>((resolve) =>
        sock.send(sealRtpSizePacket(opus, mode, key, seal), voice!.udpPort, '127.0.0.1', () => resolve()),
      );
    try {
      for (const [i, frame] of frames.entries()) {
        await send(frame, { sequence: i, timestamp: i * 960, ssrc, nonce: i, extensionBody: Buffer.alloc(4) });
      }
      await send(SILENCE_FRAME, { sequence: 99, timestamp: 0, ssrc, nonce: 99 });
      await send(frames[0]!, { sequence: 100, timestamp: 0, ssrc, nonce: 100 }, KEY);
      // Code-3 packet claiming zero frames: invalid Opus.
      await send(Buffer.from([0x7b, 0x00]), { sequence: 101, timestamp: 0, ssrc, nonce: 101 });
      await send(frames[0]!, { sequence: 1, timestamp: 0, ssrc: ssrc + 77, nonce: 1 });
      await session.waitForPackets(frames.length + 2);
      await vi.waitFor(() => expect(session.decryptErrors).toHaveLength(1));
      await vi.waitFor(() => expect(voice!.strays).toHaveLength(1));
    } finally {
      sock.close();
    }
    const received = session.packets.slice(0, frames.length);
    expect(received.map((p) => p.opus.equals(frames[p.sequence]!))).toEqual(frames.map(() => true));
    expect(session.packets[frames.length]!.silence).toBe(true);
    expect(session.decodeErrors.map((e) => e.sequence)).toEqual([101]);
    const [tone] = session.utterances(1000);
    // 0.2 s plus the encoder's flush frame; the undecodable packet contributes no samples.
    expect(tone!.durationMs).toBe(frames.length * 20);
    expect(Math.abs(tone!.frequency - 440) / 440).toBeLessThan(0.03);
    await session.waitForQuiet(30);
  });

  it('closes a client that offers no DAVE with 4017; with dave: 0 it accepts it and describes version 0', async () => {
    voice = await startVoiceStandin();
    const { max_dave_protocol_version: _, ...withoutDave } = identify;
    const missing = await rawClient(voice);
    missing.send(0, withoutDave);
    expect(await missing.closed).toBe(4017);
    const zero = await rawClient(voice);
    zero.send(0, { ...identify, max_dave_protocol_version: 0 });
    expect(await zero.closed).toBe(4017);
    expect(voice.sessions).toHaveLength(0);
    await voice.close();

    voice = await startVoiceStandin({ dave: 0 });
    const plain = await rawClient(voice);
    plain.send(0, withoutDave);
    await plain.next(2);
    plain.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 5, mode: 'aead_aes256_gcm_rtpsize' } });
    expect((await plain.next(4)).d.dave_protocol_version).toBe(0);
    expect((await voice.waitForSession('g1')).daveVersion).toBe(0);
  });

  it('rejects protocol errors with the Discord close codes', async () => {
    voice = await startVoiceStandin({ modes: ['aead_xchacha20_poly1305_rtpsize'] });
    const early = await rawClient(voice);
    early.send(1, { protocol: 'udp', data: { mode: 'aead_xchacha20_poly1305_rtpsize' } });
    expect(await early.closed).toBe(4003);

    const garbage = await rawClient(voice);
    garbage.ws.send('{not json');
    expect(await garbage.closed).toBe(4002);

    const twice = await rawClient(voice);
    twice.send(0, identify);
    await twice.next(2);
    twice.send(0, identify);
    expect(await twice.closed).toBe(4005);

    const badMode = await rawClient(voice);
    badMode.send(0, identify);
    await badMode.next(2);
    badMode.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode: 'aead_aes256_gcm_rtpsize' } });
    expect(await badMode.closed).toBe(4016);

    const unknown = await rawClient(voice);
    unknown.send(7, { server_id: 'g1', session_id: 'nope', token: 't1', seq_ack: 0 });
    expect(await unknown.closed).toBe(4006);
    // Every Identify counts, the rejected second one included.
    expect(voice.identifies('g1')).toBe(3);
  });

  it('resumes with a replay of missed messages, and refuses to resume after a 4014 close', async () => {
    voice = await startVoiceStandin();
    const first = await rawClient(voice);
    first.send(0, identify);
    await first.next(2);
    first.send(1, { protocol: 'udp', data: { address: '127.0.0.1', port: 1, mode: 'aead_aes256_gcm_rtpsize' } });
    const session = await voice.waitForSession('g1');
    first.ws.close(1001);
    await first.closed;
    await vi.waitFor(() => expect(session.closeCode).toBe(1001));
    expect(session.closes[0]!.by).toBe('client');

    // Acknowledged only Ready (seq 1): Session Description (seq 2) must come again after Resumed.
    const second = await rawClient(voice);
    second.send(7, { server_id: 'g1', session_id: 's1', token: 't1', seq_ack: 1 });
    await second.next(4);
    expect(second.messages.filter((m) => m.op !== 8).map((m) => [m.op, m.seq])).toEqual([
      [9, undefined],
      [4, 2],
    ]);
    expect(session.resumes).toBe(1);
    expect(session.closedAt).toBeUndefined();
    expect(voice.sessions).toHaveLength(1);

    session.close(4014, 'Disconnected');
    expect(session.resumable).toBe(false);
    expect(await second.closed).toBe(4014);
    expect(await session.waitForClose()).toBe(4014);
    expect(session.closes.map((c) => [c.code, c.by])).toEqual([
      [1001, 'client'],
      [4014, 'server'],
    ]);
    const third = await rawClient(voice);
    third.send(7, { server_id: 'g1', session_id: 's1', token: 't1', seq_ack: 2 });
    expect(await third.closed).toBe(4006);
  });

  it('stops acknowledging heartbeats on demand, and times out waits with a clear message', async () => {
    voice = await startVoiceStandin();
    const c = await rawClient(voice);
    c.send(0, identify);
    await c.next(2);
    const session = voice.session('g1')!;
    session.stopAnsweringHeartbeats();
    c.send(3, { t: 1, seq_ack: 1 });
    await vi.waitFor(() => expect(session.heartbeats).toBe(1));
    expect(c.messages.some((m) => m.op === 6)).toBe(false);
    await expect(voice.waitForSession('g1', 50)).rejects.toThrow(/timed out after 50 ms waiting for a voice session for guild g1/);
    await expect(session.waitForPackets(1, 50)).rejects.toThrow(/1 packets/);
    await expect(session.waitForQuiet(10, 50)).rejects.toThrow(/not quiet/);
  });
});
