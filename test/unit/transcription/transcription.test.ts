import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { createTranscribeService, audioOf } from '../../../src/features/transcribe.js';
import type { MessageFacts } from '../../../src/features/reading/messageFacts.js';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { createFairLimiter, type FairLimiter } from '../../../src/speech/fairLimiter.js';
import { TRANSCRIBE_MAX_BYTES, uploadName } from '../../../src/speech/transcription/limits.js';
import { createTranscriptionChain } from '../../../src/speech/transcription/transcriptionChain.js';
import { createTranscriptionClient, type TranscriptionClient } from '../../../src/speech/transcription/transcriptionClient.js';
import { createUsageMeter, type UsageMeter } from '../../../src/usage/usageMeter.js';
import { usageText } from '../../../commands/usage.js';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { createTranslator, type MessageValues } from '../../../src/i18n/translator.js';

const translator = createTranslator(loadCatalogs());
/** English words, as the bot gives them to an en-US member. */
const say = (key: string, values?: MessageValues) => translator.text('en-US', key, values);
import { TTS, capturingLogger, tempDataDir } from '../settings/fixtures.js';

const { logger } = capturingLogger();
/** One sample's value from the registry's Prometheus text, or undefined when the series is absent. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
const G = '100000000000000001';
const AUTHOR = '200000000000000001';
const OTHER = '200000000000000002';

describe('the transcription request', () => {
  it('is multipart/form-data with file (named .ogg for a voice message), model and response_format=json, and a Bearer key', async () => {
    let seen: Request | undefined;
    const client = createTranscriptionClient({
      baseUrl: 'http://provider.test/v1',
      apiKey: 'sk-secret',
      timeoutMs: 1000,
      logger,
      fetch: async (url, init) => {
        seen = new Request(url, init);
        return new Response(JSON.stringify({ text: 'hi' }), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    const audio = Buffer.from('OggS fake voice message');
    expect(await client.transcribe({ audio, filename: 'voice-message.ogg', contentType: 'audio/ogg', model: 'gpt-4o-mini-transcribe' })).toEqual({ text: 'hi' });
    expect(seen!.url).toBe('http://provider.test/v1/audio/transcriptions');
    expect(seen!.method).toBe('POST');
    expect(seen!.headers.get('authorization')).toBe('Bearer sk-secret');
    expect(seen!.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    const form = await seen!.formData();
    expect(form.get('model')).toBe('gpt-4o-mini-transcribe');
    expect(form.get('response_format')).toBe('json');
    const file = form.get('file') as File;
    expect(file.name).toBe('voice-message.ogg');
    expect(file.type).toBe('audio/ogg');
    expect(Buffer.from(await file.arrayBuffer()).equals(audio)).toBe(true);
  });

  it('names the upload by what the endpoint reads', () => {
    expect(uploadName('voice-message.ogg', 'audio/ogg', true)).toBe('voice-message.ogg');
    expect(uploadName('recording', 'audio/ogg; codecs=opus', true)).toBe('recording.ogg');
    expect(uploadName('song.MP3', 'audio/mpeg', false)).toBe('song.mp3');
    expect(uploadName('memo.opus', 'audio/opus', false)).toBe('memo.ogg');
    expect(uploadName('clip', 'audio/x-wav', false)).toBe('clip.wav');
    expect(uploadName('thing.xyz', 'application/octet-stream', false)).toBeUndefined();
  });
});

describe('the transcription chain', () => {
  const failing = (status: number, calls: string[], name: string): { name: string; client: TranscriptionClient } => ({
    name,
    client: {
      async transcribe() {
        calls.push(name);
        throw new SpeechError(status === 404 ? 'speech.rejected' : 'speech.unavailable', { retryable: false, status });
      },
    },
  });
  const ok = (calls: string[], name: string) => ({ name, client: { async transcribe() { calls.push(name); return { text: name }; } } });
  const chain = (providers: Array<{ name: string; client: TranscriptionClient }>, metrics?: Metrics) =>
    createTranscriptionChain({
      providers,
      circuit: { failures: 2, cooldownMs: 60_000 },
      now: () => 0,
      logger,
      ...(metrics ? { onCall: metrics.transcriptionRequest } : {}),
    });
  const req = { audio: Buffer.from('x'), filename: 'a.ogg', contentType: 'audio/ogg', model: 'whisper-1' };

  it('passes a provider without the route (404) or down (5xx) to the next, counting each call by provider and outcome', async () => {
    const calls: string[] = [];
    const metrics = createMetrics();
    const c = chain([failing(404, calls, 'kokoro'), failing(503, calls, 'down'), ok(calls, 'openai')], metrics);
    expect((await c.transcribe(req)).text).toBe('openai');
    expect(calls).toEqual(['kokoro', 'down', 'openai']);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="kokoro",outcome="transcribe.unsupported"}')).toBe(1);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="down",outcome="speech.unavailable"}')).toBe(1);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="openai",outcome="ok"}')).toBe(1);
    // Kokoro is known to have no route now: not asked, so not counted again.
    await c.transcribe(req);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="kokoro",outcome="transcribe.unsupported"}')).toBe(1);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="openai",outcome="ok"}')).toBe(2);
  });

  it('says clearly when no provider has the route', async () => {
    const calls: string[] = [];
    const none = chain([failing(404, calls, 'a'), failing(404, calls, 'b')]);
    const err = await none.transcribe(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BotError);
    expect((err as BotError).key).toBe('transcribe.unsupported');
    expect(calls).toEqual(['a', 'b']);
    await expect(none.transcribe(req)).rejects.toMatchObject({ key: 'transcribe.unsupported' });
    expect(calls).toEqual(['a', 'b']);
    calls.length = 0;
    // Known to have no route: not asked again for an hour, and the reply stays the same.
    const c = chain([failing(404, calls, 'a'), ok(calls, 'b')]);
    await c.transcribe(req);
    await c.transcribe(req);
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('does not send a refused file (400) elsewhere', async () => {
    const calls: string[] = [];
    const refusing = { name: 'first', client: { async transcribe(): Promise<never> { calls.push('first'); throw new SpeechError('speech.rejected', { retryable: false, status: 400 }); } } };
    const metrics = createMetrics();
    await expect(chain([refusing, ok(calls, 'second')], metrics).transcribe(req)).rejects.toMatchObject({ key: 'speech.rejected' });
    expect(calls).toEqual(['first']);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="first",outcome="speech.rejected"}')).toBe(1);
    expect(await sample(metrics, 'speechbot_transcription_requests_total{provider="second",outcome="ok"}')).toBeUndefined();
  });
});

describe('the transcribe service: limits, opt-out, seconds against the budget', () => {
  let cleanup: () => Promise<void>;
  let settings: SettingsStore;
  let meter: UsageMeter;
  let downloads: string[];
  let uploads: number;
  let metrics: Metrics;
  /** The count of transcriptions asked by `trigger` that came to `result`. */
  const asked = (trigger: string, result: string) => sample(metrics, `speechbot_transcriptions_total{trigger="${trigger}",result="${result}"}`);
  const secondsSent = () => sample(metrics, 'speechbot_transcription_audio_seconds_sent_total');
  beforeEach(async () => {
    const made = await tempDataDir();
    cleanup = made.cleanup;
    settings = openSqliteSettings({ dataDir: made.dir, tts: TTS, logger });
    meter = createUsageMeter({ settings, botDailyBudget: 0, prices: {}, transcribePrices: { 'whisper-1': 0.006 }, clock: { now: () => Date.now() }, logger });
    downloads = [];
    uploads = 0;
    metrics = createMetrics();
  });
  afterEach(async () => {
    settings.close();
    await cleanup();
  });
  type Ports = Parameters<typeof createTranscribeService>[0]['ports'];
  const quietPorts: Ports = { replyTo: async () => undefined, react: async () => undefined };
  const service = (limiter?: FairLimiter, over: { failWith?: Error; ports?: Ports } = {}) =>
    createTranscribeService({
      ...(limiter ? { limiter } : {}),
      settings,
      usage: meter,
      transcription: {
        transcribe: async () => {
          uploads++;
          if (over.failWith) throw over.failWith;
          return { text: 'hello there' };
        },
      },
      model: 'whisper-1',
      ffmpegPath: 'ffmpeg',
      botVoiceChannel: () => null,
      ports: over.ports ?? quietPorts,
      guildSay: () => say,
      logger,
      onSent: metrics.transcriptionSent,
      onResult: metrics.transcription,
      fetch: async (url) => {
        downloads.push(String(url));
        return new Response(new Uint8Array(1000));
      },
    });
  const voiceMessage = (size: number, durationSecs = 12): MessageFacts => ({
    id: '300000000000000001', guildId: G, channelId: '400000000000000001', authorId: AUTHOR, authorDisplayName: 'Alice',
    authorIsBot: false, webhook: false, system: false, silent: false, authorVoiceChannelId: null, authorRoleIds: [], content: '',
    mentions: { users: {}, roles: {}, channels: {} }, stickers: [], forwarded: false, embedsOnly: false, voiceMessage: { durationSecs },
    attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg', url: 'http://cdn.test/voice-message.ogg', size, durationSecs }],
  });

  it('refuses a file over the endpoint limit before downloading or uploading anything', async () => {
    const err = await service().onRequest(voiceMessage(TRANSCRIBE_MAX_BYTES + 1), AUTHOR, say).catch((e: unknown) => e);
    expect((err as BotError).key).toBe('transcribe.too_large');
    expect(downloads).toEqual([]);
    expect(uploads).toBe(0);
    expect(await asked('menu', 'too_large')).toBe(1);
    expect(await secondsSent()).toBe(0);
  });

  it('counts seconds of audio (15 characters a second) and shows them with the per-minute price', async () => {
    const text = await service().onRequest(voiceMessage(1000, 12), OTHER, say);
    expect(text).toMatch(/Alice’s voice message, 12 s:\n> hello there/);
    expect(await asked('menu', 'transcribed')).toBe(1);
    expect(await secondsSent()).toBe(12);
    const report = meter.report(G);
    const row = report.models.find((m) => m.audio)!;
    expect(row.audio).toEqual({ model: 'whisper-1', todaySeconds: 12, monthSeconds: 12 });
    expect(report.guildBudget.used).toBe(180);
    expect(row.monthCost).toBeCloseTo(0.0012, 6);
    expect(usageText(say, report)).toMatch(/whisper-1 \(transcription\): 12 s of audio today, 12 s this month \(counted as 180 characters\), ≈ \$0\.0012 at \$0\.006\/min/);
  });

  it('refuses a voice message longer than the budget left before downloading it', async () => {
    settings.setGuild(G, 'char_budget_daily', '100');
    const err = await service().onRequest(voiceMessage(1000, 12), AUTHOR, say).catch((e: unknown) => e);
    expect((err as BotError).key).toBe('usage.budget_guild');
    expect(downloads).toEqual([]);
    expect(uploads).toBe(0);
    expect(await asked('menu', 'budget_spent')).toBe(1);
    expect(await secondsSent()).toBe(0);
  });

  it('lets only the author have an opted-out member’s message transcribed', async () => {
    settings.setMember('global', AUTHOR, { optOut: true });
    await expect(service().onRequest(voiceMessage(1000), OTHER, say)).rejects.toMatchObject({ key: 'transcribe.opted_out' });
    expect(uploads).toBe(0);
    expect(await asked('menu', 'opted_out')).toBe(1);
    expect(await service().onRequest(voiceMessage(1000), AUTHOR, say)).toMatch(/hello there/);
    expect(await asked('menu', 'transcribed')).toBe(1);
  });

  it('waits for a slot of the limiter speech uses (TTS_MAX_CONCURRENCY), and gives it back', async () => {
    const limiter = createFairLimiter({ maxInFlight: 1 });
    const speaking = await limiter.acquire('another guild');
    let done = false;
    const pending = service(limiter).onRequest(voiceMessage(1000, 3), OTHER, say).then((text) => { done = true; return text; });
    await new Promise((r) => setTimeout(r, 50));
    expect(downloads).toHaveLength(1);
    expect([uploads, done]).toEqual([0, false]);
    speaking.release();
    expect(await pending).toMatch(/hello there/);
    expect(uploads).toBe(1);
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('counts a request the providers fail as failed, its seconds as sent', async () => {
    const failing = service(undefined, { failWith: new SpeechError('speech.unavailable', { retryable: true, status: 503 }) });
    await expect(failing.onRequest(voiceMessage(1000, 7), OTHER, say)).rejects.toMatchObject({ key: 'speech.unavailable' });
    expect(uploads).toBe(1);
    expect(await asked('menu', 'failed')).toBe(1);
    expect(await asked('menu', 'transcribed')).toBe(0);
    expect(await secondsSent()).toBe(7);
  });

  it('counts voice messages in a channel read aloud under the auto trigger: transcribed, author opted out, failed', async () => {
    const CHANNEL = '400000000000000001';
    settings.setGuild(G, 'transcribe_voice_messages', 'on');
    settings.readingChannels.bind(G, CHANNEL);
    const replies: string[] = [];
    const reactions: string[] = [];
    const ports: Ports = {
      replyTo: async (_c, _m, content) => void replies.push(content),
      react: async (_c, _m, emoji) => void reactions.push(emoji),
    };
    service(undefined, { ports }).onMessage(voiceMessage(1000, 5));
    await vi.waitFor(() => expect(replies).toHaveLength(1));
    expect(await asked('auto', 'transcribed')).toBe(1);
    expect(await secondsSent()).toBe(5);

    service(undefined, { ports, failWith: new SpeechError('speech.timeout', { retryable: false }) }).onMessage(voiceMessage(1000, 4));
    await vi.waitFor(() => expect(reactions).toHaveLength(1));
    expect(await asked('auto', 'failed')).toBe(1);
    expect(await secondsSent()).toBe(9);

    settings.setMember('global', AUTHOR, { optOut: true });
    service(undefined, { ports }).onMessage(voiceMessage(1000, 3));
    expect(await asked('auto', 'opted_out')).toBe(1);
    expect(uploads).toBe(2);
    expect(await secondsSent()).toBe(9);
    // The menu's counts are apart.
    expect(await asked('menu', 'transcribed')).toBe(0);
  });

  it('says when a message has no audio', async () => {
    const m = { ...voiceMessage(10), voiceMessage: undefined, attachments: [{ name: 'cat.png', contentType: 'image/png', url: 'http://cdn.test/cat.png', size: 10 }] };
    expect(audioOf(m)).toBeUndefined();
    await expect(service().onRequest(m, AUTHOR, say)).rejects.toMatchObject({ key: 'transcribe.no_audio' });
    expect(await asked('menu', 'no_audio')).toBe(1);
  });
});
