import { describe, expect, it } from 'vitest';
import { durationFor, toneFor, type PersonalityName } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(h.message()?.content ?? '');

/** Each known server with the TTS_PROVIDERS entry the README shows for it, and what the bot should send it. */
const CASES: Array<{
  personality: PersonalityName;
  entry: (baseUrl: string, apiKey: string) => object;
  env?: Record<string, string>;
  /** What the bot sends for /speak with voice nova (as a file, mp3 asked). */
  sends: { model: string; voice: string; response_format: string };
  fileExt: string;
}> = [
  {
    personality: 'openai',
    entry: (baseUrl) => ({ name: 'openai', baseUrl, apiKeyEnv: 'OPENAI_API_KEY' }),
    env: { OPENAI_API_KEY: 'sk-e2e-openai' },
    sends: { model: 'gpt-4o-mini-tts', voice: 'nova', response_format: 'mp3' },
    fileExt: 'mp3',
  },
  {
    personality: 'gateway',
    entry: (baseUrl) => ({ name: 'gateway', baseUrl, apiKeyEnv: 'GATEWAY_KEY', models: ['gpt-4o-mini-tts', 'tts-1'] }),
    env: { GATEWAY_KEY: 'sk-e2e-openai' },
    sends: { model: 'gpt-4o-mini-tts', voice: 'nova', response_format: 'mp3' },
    fileExt: 'mp3',
  },
  {
    personality: 'kokoro',
    entry: (baseUrl) => ({
      name: 'kokoro',
      baseUrl,
      models: ['kokoro'],
      voices: ['af_alloy', 'af_nova', 'af_bella', 'am_echo', 'am_onyx'],
      voiceMap: { alloy: 'af_alloy', nova: 'af_nova', echo: 'am_echo', onyx: 'am_onyx' },
      instructions: false,
    }),
    sends: { model: 'kokoro', voice: 'af_nova', response_format: 'mp3' },
    fileExt: 'mp3',
  },
  {
    personality: 'openedai',
    entry: (baseUrl) => ({ name: 'openedai', baseUrl, models: ['tts-1', 'tts-1-hd'], voices: ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'], instructions: false }),
    sends: { model: 'tts-1', voice: 'nova', response_format: 'mp3' },
    fileExt: 'mp3',
  },
  {
    personality: 'localai',
    entry: (baseUrl) => ({ name: 'localai', baseUrl, models: ['voice-en-us-amy-low'], formats: ['wav'], speed: false, instructions: false }),
    sends: { model: 'voice-en-us-amy-low', voice: 'nova', response_format: 'wav' },
    fileExt: 'wav',
  },
];

for (const c of CASES) {
  describe(`provider: ${c.personality}`, () => {
    let w: World;
    useWorld(
      {
        speech: { personality: c.personality, apiKey: 'sk-e2e-openai' },
        providers: (s) => [c.entry(s.main!.baseUrl, s.main!.apiKey)],
        env: { AUDIO_CACHE_MB: '0', ...c.env },
      },
      (started) => {
        w = started;
        w.join('alice', 'Lounge');
      },
    );

    it('/speak is heard in voice', async () => {
      const text = `Spoken by ${c.personality} in the voice channel`;
      const h = w.speak('alice', { text, voice: 'nova' });
      await h.waitFor(spoken, 20_000);
      const session = w.voice.session(w.guild.id)!;
      await session.waitForQuiet(250);
      const heard = heardItems(session.utterances(50)).at(-1)!;
      expect(Math.abs(heard.tone - toneFor(text))).toBeLessThan(toneFor(text) * 0.03);
      expect(w.speech.requests.at(-1)!.status).toBe(200);
    });

    if (c.personality === 'localai') {
      it('speed asked of a server that ignores it: the bot changes the tempo itself (heard at twice the pace)', async () => {
        const text = 'Twice as fast although the server ignores speed';
        const h = w.speak('alice', { text, speed: 2 });
        await h.waitFor(spoken, 20_000);
        expect(w.speech.requests.at(-1)!.body).toMatchObject({ input: text, speed: 1 });
        const session = w.voice.session(w.guild.id)!;
        await session.waitForQuiet(250);
        const heard = heardItems(session.utterances(50)).at(-1)!;
        const expectedMs = durationFor(text, 2) * 1000;
        expect(Math.abs(heard.ms - expectedMs) / expectedMs).toBeLessThan(0.1);
        expect(Math.abs(heard.tone - toneFor(text))).toBeLessThan(toneFor(text) * 0.03);
      });
    }

    it('/speak is returned as a file, in the format the server really sends', async () => {
      const text = `A file from ${c.personality}`;
      const h = w.speak('bob', { text, voice: 'nova', output: 'file' });
      await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 20_000);
      const file = h.message()!.attachments[0]!;
      const request = w.speech.requests.at(-1)!;
      expect(request.body).toMatchObject({ input: text, ...c.sends });
      expect(file.name).toMatch(new RegExp(`\\.${c.fileExt}$`));
      const served = await w.speech.expectedAudio({ input: text, response_format: request.audio!.format });
      expect(file.data.equals(served)).toBe(true);
    });
  });
}
