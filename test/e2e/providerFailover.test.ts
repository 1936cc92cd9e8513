import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { durationFor, toneFor, type SpeechStandin } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(h.message()?.content ?? '');
const inputOf = (r: { body: unknown }) => (r.body as { input?: string } | null)?.input;
const speechRequests = (s: SpeechStandin) => s.requests.filter((r) => r.path === '/v1/audio/speech');

/** The tone of the last item heard in the guild's voice session (pieces split by a loaded machine joined up). */
async function lastHeardTone(w: World): Promise<number> {
  const session = w.voice.session(w.guild.id)!;
  await session.waitForQuiet(250);
  return heardItems(session.utterances(50)).at(-1)!.tone;
}

const COOLDOWN_S = 6;

describe('two providers: failover, circuit breaker, recovery', () => {
  let w: World;
  // By when the first provider's circuit had opened: the failure that opened it came before the failover was heard.
  let circuitOpenBy = 0;
  useWorld(
    {
      extraSpeech: { kokoro: { personality: 'kokoro' } },
      providers: (s) => [
        { name: 'openai', baseUrl: s.main!.baseUrl, apiKey: s.main!.apiKey, models: ['gpt-4o-mini-tts', 'tts-1'] },
        {
          name: 'kokoro',
          baseUrl: s.kokoro!.baseUrl,
          models: ['kokoro'],
          voices: ['af_alloy', 'af_nova', 'af_bella'],
          voiceMap: { alloy: 'af_alloy', nova: 'af_nova' },
        },
      ],
      env: { TTS_MAX_RETRIES: '0', TTS_CIRCUIT_FAILURES: '2', TTS_CIRCUIT_COOLDOWN_S: String(COOLDOWN_S), AUDIO_CACHE_MB: '0' },
    },
    (started) => {
      w = started;
      w.join('alice', 'Lounge');
    },
  );

  it('with the first answering 500, /speak is heard through the second, in the member’s voice mapped by voiceMap', async () => {
    const openai = w.speeches.main!;
    const kokoro = w.speeches.kokoro!;
    openai.always({ kind: 'status', status: 500 });
    const text = 'Heard through the fallback provider';
    const h = w.speak('alice', { text, voice: 'nova' });
    await h.waitFor(spoken, 20_000);
    expect(speechRequests(openai).filter((r) => inputOf(r) === text).map((r) => r.status)).toEqual([500]);
    const atKokoro = speechRequests(kokoro).filter((r) => inputOf(r) === text);
    expect(atKokoro).toHaveLength(1);
    expect(atKokoro[0]!.body).toMatchObject({ voice: 'af_nova', model: 'kokoro' });
    expect(Math.abs((await lastHeardTone(w)) - toneFor(text))).toBeLessThan(toneFor(text) * 0.03);
  });

  it('after repeated failures the first provider’s circuit is open: a new /speak reaches the second without touching the first', async () => {
    const openai = w.speeches.main!;
    const kokoro = w.speeches.kokoro!;
    // The second failure in a row opens the circuit.
    const second = w.speak('alice', { text: 'Second failure opens the circuit' });
    await second.waitFor(spoken, 20_000);
    await w.bot!.waitForLine(/speech provider failed; trying the next one/, 5_000);
    circuitOpenBy = Date.now();

    // /diagnose shows the open circuit to moderators, privately, and no key.
    const d = w.command('dave', 'diagnose');
    await d.waitFor((x) => /Speech providers/.test(x.message()?.content ?? ''), 10_000);
    const report = d.message()!.content;
    expect(d.ephemeral).toBe(true);
    expect(report).toMatch(/1\. openai.*circuit open until <t:\d+:R>/);
    expect(report).toMatch(/2\. kokoro.*healthy/);
    expect(report).not.toContain(openai.apiKey);
    const atOpenAi = speechRequests(openai).length;
    const text = 'Straight to the second provider';
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    expect(speechRequests(openai)).toHaveLength(atOpenAi);
    expect(speechRequests(kokoro).filter((r) => inputOf(r) === text)).toHaveLength(1);
    expect(Math.abs((await lastHeardTone(w)) - toneFor(text))).toBeLessThan(toneFor(text) * 0.03);

  });

  it('when the first recovers, traffic returns to it after the cool-down', async () => {
    const openai = w.speeches.main!;
    const kokoro = w.speeches.kokoro!;
    openai.always(null);
    // The cool-down runs from the opening, so only what is left of it is waited out.
    await sleep(Math.max(0, circuitOpenBy + COOLDOWN_S * 1000 + 300 - Date.now()));
    const atKokoro = speechRequests(kokoro).length;
    const text = 'Back on the first provider';
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    expect(speechRequests(openai).filter((r) => inputOf(r) === text).map((r) => r.status)).toEqual([200]);
    expect(speechRequests(kokoro)).toHaveLength(atKokoro);
    // And it stays there.
    const next = w.speak('alice', { text: 'Still on the first provider' });
    await next.waitFor(spoken, 20_000);
    expect(speechRequests(openai).at(-1)!.body).toMatchObject({ input: 'Still on the first provider', voice: 'alloy' });
    expect(speechRequests(kokoro)).toHaveLength(atKokoro);
  });
});

describe('a model the provider no longer has', () => {
  let w: World;
  useWorld(
    {
      speech: { personality: 'openai', retiredModels: ['gpt-4o-mini-tts'] },
      providers: (s) => [{ name: 'openai', baseUrl: s.main!.baseUrl, apiKey: s.main!.apiKey, models: ['gpt-4o-mini-tts', 'tts-1'] }],
      env: { AUDIO_CACHE_MB: '0' },
      // 17 days before OpenAI's speech models shut down.
      clockStartMs: Date.parse('2026-12-20T12:00:00Z'),
    },
    (started) => {
      w = started;
      w.join('bob', 'Lounge');
    },
  );

  it('404 model not found: the same text is spoken with the next model, and the log says so once', async () => {
    const texts = ['Spoken with the next model', 'Again with the next model', 'And once more'];
    for (const text of texts) {
      const h = w.speak('bob', { text });
      await h.waitFor(spoken, 20_000);
      expect(Math.abs((await lastHeardTone(w)) - toneFor(text))).toBeLessThan(toneFor(text) * 0.03);
    }
    const speech = speechRequests(w.speech);
    expect(speech.map((r) => [inputOf(r), (r.body as { model: string }).model, r.status])).toEqual([
      [texts[0], 'gpt-4o-mini-tts', 404],
      [texts[0], 'tts-1', 200],
      [texts[1], 'tts-1', 200],
      [texts[2], 'tts-1', 200],
    ]);
    const said = w.bot!.output.filter((l) => /speech model gpt-4o-mini-tts is unavailable at openai/.test(l));
    expect(said).toHaveLength(1);
  });

  it('/diagnose lists the model as unavailable and the rest as retiring on 2027-01-06', async () => {
    const d = w.command('dave', 'diagnose');
    await d.waitFor((x) => /Speech providers/.test(x.message()?.content ?? ''), 10_000);
    const report = d.message()!.content;
    expect(report).toContain('gpt-4o-mini-tts unavailable (refused)');
    expect(report).toContain('tts-1 shuts down on 2027-01-06 (in 17 days)');
    // /diagnose asks the provider now, with the configured key, and shows how long it took.
    expect(report).toMatch(/answered GET \/models with the configured key in \d+ ms/);
  });

  it('a bot left with only retiring models says so loudly, once', () => {
    const loud = w.bot!.output.filter((l) => /"level":"error"/.test(l) && /every configured speech model is retiring or missing/.test(l));
    expect(loud).toHaveLength(1);
    expect(w.bot!.output.filter((l) => /speech model tts-1 at openai shuts down on 2027-01-06 \(in 17 days\)/.test(l))).toHaveLength(1);
    // It asked the provider's model list at start, and once more for /diagnose; the warnings were still said once.
    expect(w.speech.modelListRequests.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('2027-01-07: a bot configured the old way (TTS_BASE_URL, provider "default"), with only OpenAI’s retired models', () => {
  let w: World;
  useWorld(
    {
      speech: { personality: 'openai', retiredModels: ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'] },
      env: { AUDIO_CACHE_MB: '0' },
      clockStartMs: Date.parse('2027-01-07T09:00:00Z'),
    },
    (started) => {
      w = started;
      w.join('bob', 'Lounge');
    },
  );

  it('tries each model once, then tells the member clearly that the model is gone; the next /speak costs no request', async () => {
    const gone = (x: { message(): { content: string } | undefined }) => /no longer available/.test(x.message()?.content ?? '');
    const h = w.speak('bob', { text: 'Is anyone still there' });
    await h.waitFor(gone, 20_000);
    expect(h.message()!.content).toMatch(/Ask the bot’s operator/);
    const tried = speechRequests(w.speech).map((r) => [(r.body as { model: string }).model, r.status]);
    expect(tried).toEqual([
      ['gpt-4o-mini-tts', 404],
      ['tts-1', 404],
      ['tts-1-hd', 404],
    ]);
    const again = w.speak('bob', { text: 'Hello again' });
    await again.waitFor(gone, 20_000);
    expect(speechRequests(w.speech)).toHaveLength(3);
    for (const model of ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd']) {
      await w.bot!.waitForLine(new RegExp(`speech model ${model} is unavailable at default \\(refused\\)`), 5_000);
      expect(w.bot!.output.filter((l) => l.includes(`speech model ${model} is unavailable at default (refused)`))).toHaveLength(1);
    }
  });
});

describe('an item keeps the provider of its first part', () => {
  let w: World;
  // Over TTS_PIPELINE_MIN_CHARS (100) and said in two parts, one per sentence (the first is over 60 characters).
  const SENTENCES = [
    'Welcome to a long message that is read in parts, each asked for on its own.',
    'The later parts must come in the same voice as the first.',
  ];
  useWorld(
    {
      extraSpeech: { kokoro: { personality: 'kokoro' } },
      providers: (s) => [
        { name: 'openai', baseUrl: s.main!.baseUrl, apiKey: s.main!.apiKey },
        { name: 'kokoro', baseUrl: s.kokoro!.baseUrl, models: ['kokoro'], voices: ['af_alloy', 'af_nova'], voiceMap: { alloy: 'af_alloy', nova: 'af_nova' } },
      ],
      env: { TTS_MAX_RETRIES: '0', TTS_PIPELINE_MIN_CHARS: '100', AUDIO_CACHE_MB: '0' },
    },
    (started) => {
      w = started;
      w.join('carol', 'Lounge');
    },
  );

  it('the first part failed over to the second provider: every later part comes from it too, though the first is fine for them', async () => {
    const openai = w.speeches.main!;
    const kokoro = w.speeches.kokoro!;
    // Only the first part fails at the first provider.
    openai.next({ kind: 'status', status: 500 }, (body) => String(body.input).startsWith('Welcome'));
    const h = w.speak('carol', { text: SENTENCES.join(' ') });
    await h.waitFor(spoken, 30_000);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(400);
    const atOpenAi = speechRequests(openai);
    const atKokoro = speechRequests(kokoro);
    // Later parts waited for the first part's provider: the first provider saw only the first part's request.
    expect(atOpenAi.map((r) => r.status)).toEqual([500]);
    expect(atKokoro.length).toBeGreaterThanOrEqual(2);
    expect(atKokoro.every((r) => r.status === 200 && (r.body as { voice: string }).voice === 'af_alloy')).toBe(true);
    expect(atKokoro.map((r) => inputOf(r)).join(' ')).toBe(SENTENCES.join(' '));
    // Heard once, all of it: as long as the parts together (nothing said twice, nothing dropped).
    const totalMs = session.utterances(50).reduce((sum, u) => sum + u.durationMs, 0);
    const expectedMs = atKokoro.reduce((sum, r) => sum + durationFor(inputOf(r)!) * 1000, 0);
    expect(Math.abs(totalMs - expectedMs) / expectedMs).toBeLessThan(0.05);
  });
});
