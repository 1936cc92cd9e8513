import { afterEach, describe, expect, it } from 'vitest';
import { startSpeechStandin, type PersonalityName, type SpeechStandin } from '../../standins/speech/index.js';

let speech: SpeechStandin | undefined;
afterEach(async () => {
  await speech?.close();
  speech = undefined;
});

async function standin(personality: PersonalityName, extra: { retiredModels?: string[] } = {}) {
  speech = await startSpeechStandin({ personality, bytesPerSecond: Infinity, ...extra });
  return speech;
}

function post(s: SpeechStandin, body: Record<string, unknown>, key: string | null = null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  return fetch(`${s.baseUrl}/audio/speech`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('speech stand-in personalities', () => {
  it('openai: GET /models carries shutdown_date 2027-01-06 for the three speech models; a retired one is refused 404 and left out', async () => {
    const s = await standin('openai', { retiredModels: ['tts-1'] });
    const list = (await (await fetch(`${s.baseUrl}/models`, { headers: { authorization: `Bearer ${s.apiKey}` } })).json()) as { data: Array<{ id: string; shutdown_date?: string }> };
    expect(list.data.map((m) => [m.id, m.shutdown_date])).toEqual([
      ['tts-1-hd', '2027-01-06'],
      ['gpt-4o-mini-tts', '2027-01-06'],
    ]);
    const res = await post(s, { model: 'tts-1', input: 'hi', voice: 'alloy' }, s.apiKey);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'model_not_found' } });
  });

  it('kokoro: no key needed, its own voices and OpenAI aliases, FastAPI detail errors for a model or a voice', async () => {
    const s = await standin('kokoro');
    expect((await post(s, { model: 'kokoro', input: 'hi', voice: 'af_nova', response_format: 'opus' })).headers.get('content-type')).toBe('audio/opus');
    expect((await post(s, { model: 'kokoro', input: 'hi', voice: 'nova' })).status).toBe(200);
    const model = await post(s, { model: 'tts-2', input: 'hi', voice: 'af_nova' });
    expect(model.status).toBe(400);
    expect(await model.json()).toEqual({ detail: { error: 'invalid_model', message: 'Unsupported model: tts-2', type: 'invalid_request_error' } });
    const voice = await post(s, { model: 'kokoro', input: 'hi', voice: 'verse' });
    expect(voice.status).toBe(400);
    expect(await voice.json()).toMatchObject({ detail: { error: 'validation_error' } });
    // Fields it does not know are ignored, not refused.
    expect((await post(s, { model: 'kokoro', input: 'hi', voice: 'af_nova', instructions: 'softly' })).status).toBe(200);
  });

  it('openedai: six voices, tts-1 and tts-1-hd, flat error bodies, no shutdown dates', async () => {
    const s = await standin('openedai');
    const res = await post(s, { model: 'gpt-4o-mini-tts', input: 'hi', voice: 'alloy' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'No such model, must be tts-1 or tts-1-hd.', code: 400, type: 'BadRequestError', param: 'model' });
    expect((await post(s, { model: 'tts-1', input: 'hi', voice: 'verse' })).status).toBe(400);
    const list = (await (await fetch(`${s.baseUrl}/models`)).json()) as { data: Array<{ id: string; shutdown_date?: string }> };
    expect(list.data.map((m) => m.id)).toEqual(['tts-1', 'tts-1-hd']);
    expect(list.data.every((m) => m.shutdown_date === undefined)).toBe(true);
  });

  it('localai: WAV whatever is asked, speed ignored, 404 {error:{code:404}} for an unknown model', async () => {
    const s = await standin('localai');
    const res = await post(s, { model: 'voice-en-us-amy-low', input: 'hello there', voice: 'whatever', response_format: 'opus', speed: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/x-wav');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 4).toString()).toBe('RIFF');
    expect(body.equals(await s.expectedAudio({ input: 'hello there', response_format: 'wav', speed: 1 }))).toBe(true);
    const unknown = await post(s, { model: 'tts-1', input: 'hi', voice: 'x' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 404, message: expect.stringMatching(/model "tts-1" not found/) } });
  });

  it('gateway: OpenAI names behind its own key, a 5xx worded as the gateway, no shutdown dates', async () => {
    const s = await standin('gateway');
    expect((await post(s, { model: 'tts-1', input: 'hi', voice: 'alloy' })).status).toBe(401);
    s.next({ kind: 'status', status: 502 });
    const res = await post(s, { model: 'tts-1', input: 'hi', voice: 'alloy' }, s.apiKey);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/^gateway: /), code: '502' } });
    const list = (await (await fetch(`${s.baseUrl}/models`, { headers: { authorization: `Bearer ${s.apiKey}` } })).json()) as { data: Array<{ shutdown_date?: string }> };
    expect(list.data.every((m) => m.shutdown_date === undefined)).toBe(true);
  });
});
