import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const requestsFor = (w: World, text: string) => w.speech.requests.filter((r) => (r.body as { input?: string } | null)?.input === text);

describe('audio cache', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });

  it('the same file twice costs one provider call, and the bytes are identical', async () => {
    const text = 'Cache me if you can';
    const first = w.speak('alice', { text, output: 'file', format: 'mp3' });
    await first.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 15_000);
    // The entry is written when the body has completed; give the rename a moment.
    await new Promise((r) => setTimeout(r, 200));
    const second = w.speak('bob', { text, output: 'file', format: 'mp3' });
    await second.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(requestsFor(w, text)).toHaveLength(1);
    expect(second.message()!.attachments[0]!.data.equals(first.message()!.attachments[0]!.data)).toBe(true);
    // A different speed is different audio: a new call.
    const third = w.speak('bob', { text, output: 'file', format: 'mp3', speed: 1.5 });
    await third.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(requestsFor(w, text)).toHaveLength(2);
  });

  it('three members asking for the same file at once share one provider call', async () => {
    const text = 'Everyone asked for this at the same moment';
    const asks = (['alice', 'bob', 'carol'] as const).map((m) => w.speak(m, { text, output: 'file', format: 'opus' }));
    for (const h of asks) await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(requestsFor(w, text)).toHaveLength(1);
    const served = await w.speech.expectedAudio({ input: text, response_format: 'opus' });
    for (const h of asks) expect(h.message()!.attachments[0]!.data.equals(served)).toBe(true);
  });

  it('a body cut half way is not cached: the next ask calls the provider again and gets the whole file', async () => {
    const text = 'This answer is cut off half way through';
    const whole = await w.speech.expectedAudio({ input: text, response_format: 'wav' });
    w.speech.next({ kind: 'cut', afterBytes: Math.floor(whole.length / 2) }, { input: text });
    const cut = w.speak('dave', { text, output: 'file', format: 'wav' });
    // A public deferral turned private: the thinking message goes, an ephemeral follow-up says why.
    await cut.waitFor((h) => h.followups().length > 0, 15_000);
    expect(cut.message()).toBeUndefined();
    expect(cut.followups()[0]!.attachments).toHaveLength(0);
    expect(cut.followups()[0]!.content.length).toBeGreaterThan(0);
    const calls = requestsFor(w, text).length;
    expect(calls).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 200));
    const again = w.speak('dave', { text, output: 'file', format: 'wav' });
    await again.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(requestsFor(w, text)).toHaveLength(calls + 1);
    expect(again.message()!.attachments[0]!.data.equals(whole)).toBe(true);
  });

  it('a phrase said again in voice plays from the cache with no provider call', async () => {
    w.join('alice', 'Lounge');
    const text = 'Alice joined';
    const first = w.speak('alice', { text, output: 'voice' });
    await first.waitFor((h) => /Spoke in/.test(content(h)), 15_000);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    const before = session.packets.length;
    const second = w.speak('alice', { text, output: 'voice' });
    await second.waitFor((h) => /Spoke in/.test(content(h)), 15_000);
    await session.waitForQuiet(300);
    expect(requestsFor(w, text)).toHaveLength(1);
    const heard = heardItems(session.utterances(50).filter((u) => u.packets[0]!.at >= session.packets[before]!.at));
    expect(heard).toHaveLength(1);
    expect(Math.abs(heard[0]!.tone - toneFor(text)) / toneFor(text)).toBeLessThan(0.03);
    expect(session.packets.length - before).toBeGreaterThan(20);
  });
});
