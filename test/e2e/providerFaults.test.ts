import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(h.message()?.content ?? '');
const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';

describe('provider faults in voice', () => {
  let w: World;
  useWorld({ env: { TTS_STALL_TIMEOUT_MS: '1000', TTS_MAX_RETRIES: '2' } }, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
  });

  /** Queues a faulty item and a good one behind it; returns both handles once the good one is spoken. */
  async function faultThenNext(fault: Parameters<World['speech']['next']>[0], text: string) {
    w.speech.next(fault, { input: text });
    const bad = w.speak('alice', { text });
    const good = w.speak('bob', { text: `${text} (next)` });
    await good.waitFor(spoken, 20_000);
    await bad.waitFor((h) => !/Speaking|Up next|Queued/.test(content(h)), 10_000);
    return { bad, good };
  }

  it('401: a clear reply about the key, and the next item plays', async () => {
    const { bad } = await faultThenNext({ kind: 'status', status: 401 }, 'Bad key');
    expect(content(bad)).toMatch(/refused the bot’s API key/);
    expect(content(bad)).not.toContain(w.speech.apiKey);
  });

  it('429 then success: retried after Retry-After and spoken', async () => {
    const text = 'Rate limited once';
    w.speech.next({ kind: 'status', status: 429, retryAfterSeconds: 0.3 }, { input: text });
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
    const tries = w.speech.requests.filter((r) => (r.body as { input?: string } | null)?.input === text);
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('500 on every try: gives up after the retries with a clear reply', async () => {
    const text = 'Provider down';
    w.speech.next([{ kind: 'status', status: 500 }], { input: text });
    w.speech.next([{ kind: 'status', status: 500 }], { input: text });
    w.speech.next([{ kind: 'status', status: 500 }], { input: text });
    const h = w.speak('alice', { text });
    await h.waitFor((x) => /unavailable/.test(content(x)), 20_000);
    expect(w.speech.requests.filter((r) => (r.body as { input?: string } | null)?.input === text)).toHaveLength(3);
  });

  it('a stall mid-item ends that item with a message; the next plays', async () => {
    const { bad, good } = await faultThenNext({ kind: 'stall', afterBytes: 2000 }, 'This one stalls half way through the sentence, sadly');
    expect(content(bad)).toMatch(/stopped sending audio part-way/);
    expect(spoken(good)).toBe(true);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(250);
    const last = heardItems(session.utterances(50)).at(-1)!;
    const heard = session.utterances(50).map((u) => `${u.frequency.toFixed(0)} Hz ${u.durationMs.toFixed(0)} ms`);
    expect(Math.abs(last.tone - toneFor('This one stalls half way through the sentence, sadly (next)')), `heard: ${heard.join(', ')}`).toBeLessThan(
      toneFor('This one stalls half way through the sentence, sadly (next)') * 0.03,
    );
  });

  it('garbage instead of audio: a clear reply; the next plays', async () => {
    const { bad } = await faultThenNext({ kind: 'garbage' }, 'Garbage bytes');
    expect(content(bad)).toMatch(/not playable audio/);
  });

  it('a cut connection before any audio is retried invisibly', async () => {
    const text = 'Cut at once';
    w.speech.next({ kind: 'cut', afterBytes: 0 }, { input: text });
    const h = w.speak('alice', { text });
    await h.waitFor(spoken, 20_000);
  });

  it('the bot is still running and answering after all of that', async () => {
    const h = w.speak('bob', { text: 'Still here' });
    await h.waitFor(spoken, 20_000);
    expect(w.bot!.proc.exitCode).toBeNull();
    expect(w.discord.unhandled).toEqual([]);
  });

  it('logs (at debug level) never contain the token, the API key or what was said', () => {
    const log = w.bot!.output.join('\n');
    expect(log.length).toBeGreaterThan(1000);
    expect(log).not.toContain(w.env.DISCORD_TOKEN!);
    expect(log).not.toContain(w.env.TTS_API_KEY!);
    for (const said of ['Rate limited once', 'Still here', 'This one stalls half way']) expect(log).not.toContain(said);
  });
});
