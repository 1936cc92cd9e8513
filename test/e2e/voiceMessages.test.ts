import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
import { decodeSpeechAudio } from '../standins/speech/inspectAudio.js';
import { heardItems } from '../standins/voice/index.js';
import { encodeOggOpus, parseOggPages } from '../support/oggOpus.js';
import { sineWave } from '../support/pcm.js';
import { useWorld, type World } from './world.js';

const VOICE_MESSAGE = 1 << 13;
const EPHEMERAL = 1 << 6;
const SEND_VOICE_MESSAGES = 1n << 46n;
const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';

describe('voice messages', () => {
  let w: World;
  useWorld(
    {
      env: { READING_ENABLED: 'true' },
      guild: { extraChannels: [{ name: 'no-voice-messages', type: 'text', permissionOverwrites: [{ member: 'speech-bot', deny: SEND_VOICE_MESSAGES }] }] },
    },
    (started) => {
      w = started;
    },
  );
  const botMessages = (channel: string) => w.discord.channelMessages(w.channelId(channel)).filter((m) => m.authorId === w.discord.botUser.id);

  it('/speak output:voice message posts a native voice message: flag, one audio/ogg file, its duration and waveform, no content', async () => {
    const text = 'Hello there, this is a voice message';
    const h = w.speak('bob', { text, output: 'voice_message' });
    await h.waitFor((x) => /Posted as a voice message/.test(content(x)), 20_000);
    expect(h.ephemeral).toBe(true);
    const posted = botMessages('general').filter((m) => (m.flags & VOICE_MESSAGE) !== 0);
    expect(posted).toHaveLength(1);
    const message = posted[0]!;
    expect(content(h)).toContain(message.id);
    expect(message.content).toBe('');
    expect(message.embeds).toEqual([]);
    expect(message.attachments).toHaveLength(1);
    const file = message.attachments[0]!;
    expect(file.contentType).toBe('audio/ogg');
    // What Discord's own clients upload: Ogg Opus, one channel, 48 kHz in the OpusHead.
    const head = parseOggPages(file.data)[0]!.body;
    expect(head.toString('latin1', 0, 8)).toBe('OpusHead');
    expect([head[9], head.readUInt32LE(12)]).toEqual([1, 48_000]);
    // duration_secs matches the audio itself (decoded here with ffmpeg), within 0.1 s.
    const decoded = await decodeSpeechAudio(file.data, 'opus');
    expect(Math.abs(file.durationSecs! - decoded.length / 48_000)).toBeLessThan(0.1);
    const waveform = Buffer.from(file.waveform!, 'base64');
    expect(waveform.length).toBeGreaterThanOrEqual(1);
    expect(waveform.length).toBeLessThanOrEqual(256);
    expect(Math.max(...waveform)).toBe(255);
    expect(message.allowedMentions).toEqual({ parse: [] });
    // Asked as Ogg Opus; posted by Create Message (a deferred response cannot become a voice message).
    expect(w.speech.requests.at(-1)!.body).toMatchObject({ input: text, response_format: 'opus' });
    const created = w.discord.sentMessages.filter((s) => s.kind === 'channel-message' && (Number(s.body.flags) & VOICE_MESSAGE) !== 0);
    expect(created.map((s) => s.status)).toEqual([200]);
  });

  it('"Read aloud as voice message" posts another member’s message as a voice message, in its author’s voice', async () => {
    const target = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'alice', content: 'Meet at noon' });
    const h = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('carol').id, command: 'Read aloud as voice message', targetMessageId: target.id });
    await h.waitFor((x) => /Posted as a voice message/.test(content(x)), 20_000);
    expect(w.speech.requests.at(-1)!.body).toMatchObject({ input: 'Alice said: Meet at noon', response_format: 'opus' });
    const last = botMessages('general').at(-1)!;
    expect([last.flags & VOICE_MESSAGE, last.content, last.attachments.length]).toEqual([VOICE_MESSAGE, '', 1]);
  });

  it('without Send Voice Messages in the channel: a private reply naming it, and nothing is synthesized or posted', async () => {
    const requests = w.speech.requests.length;
    const h = w.discord.interact({ guildId: w.guild.id, channelId: w.channelId('no-voice-messages'), userId: w.guild.member('bob').id, command: 'speak', options: { text: 'not here', output: 'voice_message' } });
    await h.waitFor((x) => content(x).length > 0, 15_000);
    expect(content(h)).toMatch(/\*\*Send Voice Messages\*\* permission in <#\d+>/);
    expect(h.message()!.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(w.speech.requests.length).toBe(requests);
    expect(botMessages('no-voice-messages')).toHaveLength(0);
  });

  it('a member’s voice message in a read channel is announced with its length, heard in voice', async () => {
    const enable = w.command('dave', 'read', { channel: w.channelId('chat') }, 'enable');
    await enable.waitFor((x) => /read aloud/.test(content(x)), 15_000);
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
    const joined = w.command('alice', 'join');
    await joined.waitFor((x) => content(x).length > 0, 15_000);
    await w.discord.waitForBotVoice(w.guild.id, w.channelId('Lounge'));
    const session = w.voice.session(w.guild.id)!;
    const packetsBefore = session.packets.length;
    const since = w.speech.requests.length;
    w.discord.postMessage({
      guildId: w.guild.id,
      channelId: 'chat',
      authorId: 'bob',
      flags: VOICE_MESSAGE,
      attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg', data: encodeOggOpus(sineWave(440, 0.5), { channels: 1, frameMs: 20 }), durationSecs: 12.3, waveform: 'AAAA' }],
    });
    const said = 'Bob sent a voice message, 12 seconds';
    await w.discord.waitUntil(() => w.speech.requests.slice(since).find((r) => (r.body as { input: string }).input === said), 15_000, 'the announcement requested');
    await session.waitForPackets(packetsBefore + 25);
    await session.waitForQuiet(400);
    const after = session.packets[packetsBefore]!.at;
    const heard = heardItems(session.utterances(50).filter((u) => u.packets[0]!.at >= after)).map((i) => i.tone);
    expect(heard.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(heard.at(-1)! - toneFor(said)) / toneFor(said)).toBeLessThan(0.03);
  });
});
