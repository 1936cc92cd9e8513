import { beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../standins/discord/index.js';
import { runFfmpeg } from '../standins/speech/ffmpegEncode.js';
import { durationFor, type TranscriptionRecordBody } from '../standins/speech/index.js';
import { freePort, sample } from './opsPort.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: InteractionHandle) => h.message()?.content ?? '';
/** The private text a refused command got: a direct ephemeral reply, or an ephemeral follow-up after a public deferral. */
const privateText = (h: InteractionHandle): string | undefined => {
  const f = h.followups().find((m) => (m.flags & 64) === 64);
  if (f) return f.content;
  const m = h.message();
  return m && h.ephemeral && m.content.length > 0 && !/Thinking/.test(m.content) ? m.content : undefined;
};
const transcriptions = (w: World) => w.speech.requests.filter((r) => r.path === '/v1/audio/transcriptions');

describe('Transcribe and voice-message transcripts', () => {
  let w: World;
  // The ops port (for /metrics) is picked before the world starts: this hook runs before useWorld's.
  const env: Record<string, string> = { READING_ENABLED: 'true', TRANSCRIBE_MODEL: 'gpt-4o-mini-transcribe' };
  beforeAll(async () => {
    env.HTTP_PORT = String(await freePort());
  });
  const metricsText = async () => (await fetch(`http://127.0.0.1:${env.HTTP_PORT}/metrics`)).text();
  useWorld(
    {
      env,
      // The first provider speaks only (Kokoro-FastAPI has no /audio/transcriptions): transcription fails over to the second.
      extraSpeech: { kokoro: { personality: 'kokoro' } },
      providers: (s) => [
        { name: 'kokoro', baseUrl: s.kokoro!.baseUrl, models: ['kokoro'], voices: ['af_alloy'], voiceMap: { alloy: 'af_alloy' }, instructions: false },
        { name: 'openai', baseUrl: s.main!.baseUrl, apiKey: s.main!.apiKey },
      ],
    },
    (started) => {
      w = started;
    },
  );

  /** A member posts a native voice message of what the speech stand-in says for `text`, as Discord clients upload it. */
  async function postVoiceMessage(member: MemberName, channel: string, text: string) {
    const opus = await w.speech.expectedAudio({ input: text, response_format: 'opus' });
    const ogg = await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-c:a', 'libopus', '-b:a', '32k', '-ar', '48000', '-ac', '1', '-f', 'ogg', 'pipe:1'], opus);
    return w.discord.postMessage({
      guildId: w.guild.id,
      channelId: channel,
      authorId: member,
      flags: 8192,
      attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg', data: ogg, durationSecs: durationFor(text), waveform: Buffer.alloc(64, 128).toString('base64') }],
    });
  }
  const transcribe = (member: MemberName, targetMessageId: string, channel = 'general') =>
    w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId(channel), userId: w.guild.member(member).id, command: 'Transcribe', targetMessageId });
  const setting = async (key: string, value: string) => {
    const h = w.command('dave', 'settings', { key, value }, 'set');
    await h.waitFor((x) => new RegExp(`${key} is now`).test(content(x)), 15_000);
  };

  it('Transcribe on a voice message gives back its text, privately; publicly with transcribe_public', async () => {
    const voice = await postVoiceMessage('alice', 'general', 'hello there');
    const bob = transcribe('bob', voice.id);
    await bob.waitFor((h) => /hello there/.test(content(h)), 20_000);
    expect(bob.ephemeral).toBe(true);
    expect(content(bob)).toMatch(/^📝 Transcript of Alice’s voice message, 1 s:\n> hello there$/);
    const sent = transcriptions(w).at(-1)!;
    const form = sent.body as TranscriptionRecordBody;
    expect(form).toMatchObject({ model: 'gpt-4o-mini-transcribe', response_format: 'json', file: { filename: 'voice-message.ogg', contentType: 'audio/ogg' } });
    expect(w.discord.attachmentDownloads.filter((d) => d.status === 200).length).toBe(1);
    // Kokoro was asked first and has no such route (404, FastAPI's body); the file went on to the next provider.
    expect(w.speeches.kokoro!.requests.filter((r) => r.path === '/v1/audio/transcriptions').map((r) => r.status)).toEqual([404]);
    // /metrics: one menu transcription, Kokoro's call counted as no route, the second provider's as ok, the seconds sent.
    const metrics = await metricsText();
    expect(sample(metrics, 'speechbot_transcriptions_total{trigger="menu",result="transcribed"}')).toBe(1);
    expect(sample(metrics, 'speechbot_transcriptions_total{trigger="menu",result="failed"}')).toBe(0);
    expect(sample(metrics, 'speechbot_transcription_requests_total{provider="kokoro",outcome="transcribe.unsupported"}')).toBe(1);
    expect(sample(metrics, 'speechbot_transcription_requests_total{provider="openai",outcome="ok"}')).toBe(1);
    expect(sample(metrics, 'speechbot_transcription_audio_seconds_sent_total')).toBeCloseTo(durationFor('hello there'), 6);
    // Neither the transcript nor any id is in the metrics.
    expect(metrics).not.toContain('hello there');
    for (const id of [w.guild.id, w.guild.member('alice').id, w.guild.member('bob').id, voice.id]) expect(metrics).not.toContain(id);

    await setting('transcribe_public', 'on');
    const carol = transcribe('carol', voice.id);
    await carol.waitFor((h) => /hello there/.test(content(h)), 20_000);
    expect(carol.ephemeral).toBe(false);
    await setting('transcribe_public', 'off');
  });

  it('a message without audio, and an attachment over the endpoint limit, get clear replies without any upload', async () => {
    const before = transcriptions(w).length;
    const downloadsBefore = w.discord.attachmentDownloads.length;
    const text = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'alice', content: 'just words' });
    const none = transcribe('bob', text.id);
    await none.waitFor((h) => privateText(h) !== undefined, 15_000);
    expect(privateText(none)).toMatch(/no voice message or audio file/);
    const big = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'alice', nitro: true, attachments: [{ name: 'long-talk.mp3', contentType: 'audio/mpeg', data: Buffer.alloc(26 * 1024 * 1024) }] });
    const tooBig = transcribe('bob', big.id);
    await tooBig.waitFor((h) => privateText(h) !== undefined, 15_000);
    expect(privateText(tooBig)).toMatch(/26\.0 MiB; the transcription service takes at most 25 MiB/);
    expect(transcriptions(w).length).toBe(before);
    expect(w.discord.attachmentDownloads.length).toBe(downloadsBefore);
  });

  it('with transcribe_voice_messages on, a voice message in a channel read aloud gets a transcript reply that pings no one; not one from a member who opted out', async () => {
    const read = w.command('dave', 'read', { channel: w.channelId('chat') }, 'enable');
    await read.waitFor((h) => /is now read aloud/.test(content(h)), 15_000);
    await setting('transcribe_voice_messages', 'on');
    const optout = w.command('carol', 'optout');
    await optout.waitFor((h) => /will not be read aloud/.test(content(h)), 15_000);

    const carols = await postVoiceMessage('carol', 'chat', 'carol keeps this to herself');
    const bobs = await postVoiceMessage('bob', 'chat', 'auto transcript please');
    const reply = await w.discord.waitUntil(
      () => w.discord.channelMessages(w.channelId('chat')).find((m) => m.authorId === w.discord.botUser.id && m.referenceMessageId === bobs.id),
      20_000,
      'the transcript reply to bob',
    );
    expect(reply.content).toMatch(/Bob’s voice message, 1 s:\n> auto transcript please/);
    expect(reply.mentions.userIds).toEqual([]);
    expect(reply.allowedMentions).toEqual({ parse: [], replied_user: false });
    expect(w.discord.payloadsThatCouldPing()).toEqual([]);
    // Carol's came first and was never sent anywhere: no reply, no upload of her words.
    expect(w.discord.channelMessages(w.channelId('chat')).some((m) => m.referenceMessageId === carols.id)).toBe(false);
    expect(w.speech.transcripts).not.toContain('carol keeps this to herself');
    // On request: not by others, only by herself.
    const bob = transcribe('bob', carols.id, 'chat');
    await bob.waitFor((h) => privateText(h) !== undefined, 15_000);
    expect(privateText(bob)).toMatch(/opted out/);
    const herself = transcribe('carol', carols.id, 'chat');
    await herself.waitFor((h) => /carol keeps this to herself/.test(content(h)), 20_000);
    expect(herself.ephemeral).toBe(true);
    // The transcript is never logged.
    expect(w.bot!.output.join('\n')).not.toMatch(/auto transcript please|carol keeps this/);
  });

  it('counts against the member rate limit and the daily budget, and /usage shows the seconds', async () => {
    const usage = w.command('dave', 'usage');
    await usage.waitFor((h) => content(h).length > 0, 15_000);
    expect(content(usage)).toMatch(/gpt-4o-mini-transcribe \(transcription\): \d+ s of audio today/);

    const voice = await postVoiceMessage('alice', 'general', 'budget words');
    await setting('char_budget_daily', '1');
    const before = transcriptions(w).length;
    const spent = transcribe('bob', voice.id);
    await spent.waitFor((h) => privateText(h) !== undefined, 15_000);
    expect(privateText(spent)).toMatch(/daily speech budget is spent/);
    expect(transcriptions(w).length).toBe(before);
    await setting('char_budget_daily', '100000');

    await setting('member_rate_per_min', '1');
    const first = transcribe('dave', voice.id);
    await first.waitFor((h) => /budget words/.test(content(h)), 20_000);
    const second = transcribe('dave', voice.id);
    await second.waitFor((h) => privateText(h) !== undefined, 15_000);
    expect(privateText(second)).toMatch(/1 speech requests a minute/);
  });
});
