import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
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
    const heard = session.utterances(50).filter((u) => u.packets[0]!.at >= session.packets[before]!.at);
    expect(heard.length).toBeGreaterThan(0);
    expect(Math.abs(heard[0]!.frequency - toneFor(text)) / toneFor(text)).toBeLessThan(0.03);
    expect(session.packets.length - before).toBeGreaterThan(20);
  });
});
