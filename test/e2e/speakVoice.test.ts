import { describe, expect, it } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { useWorld, type World } from './world.js';

describe('/speak into a voice channel', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });

  it('is heard in the member’s channel: the provider’s tone, complete, at 20 ms pace', async () => {
    w.join('alice', 'Lounge');
    const text = 'Hello from the end to end test';
    const h = w.speak('alice', { text });
    await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    const [u, ...rest] = session.utterances();
    expect(rest).toHaveLength(0);
    expect(h.ephemeral).toBe(true);
    expect(u!.frequency).toBeGreaterThan(toneFor(text) * 0.97);
    expect(u!.frequency).toBeLessThan(toneFor(text) * 1.03);
    const expectedMs = durationFor(text) * 1000;
    expect(Math.abs(u!.durationMs - expectedMs) / expectedMs).toBeLessThan(0.05);
    const audio = u!.packets;
    for (let i = 1; i < audio.length; i++) {
      expect((audio[i]!.sequence - audio[i - 1]!.sequence) & 0xffff).toBe(1);
      expect((audio[i]!.timestamp - audio[i - 1]!.timestamp) >>> 0).toBe(960);
    }
    const wall = audio.at(-1)!.at - audio[0]!.at;
    const paced = (audio.length - 1) * 20;
    expect(Math.abs(wall - paced) / paced).toBeLessThan(0.05);
    expect(session.speaking.some((s) => s.speaking !== 0 && s.at <= audio[0]!.at)).toBe(true);
    const req = w.speech.requests.at(-1)!;
    console.info(
      `[figure] first voice packet ${(audio[0]!.at - h.createdAt).toFixed(0)} ms after the interaction (bot had to join); ` +
        `provider time to first byte ${(req.firstByteAt! - req.at).toFixed(0)} ms`,
    );
  });

  it('with the bot already in the channel, the first packet follows the provider’s first byte closely', async () => {
    const session = w.voice.session(w.guild.id)!;
    const before = session.packets.length;
    const h = w.speak('alice', { text: 'Second, already connected' });
    await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
    const first = session.packets[before]!;
    const req = w.speech.requests.at(-1)!;
    const sinceFirstByte = first.at - req.firstByteAt!;
    console.info(
      `[figure] already connected: first packet ${(first.at - h.createdAt).toFixed(0)} ms after the interaction, ` +
        `${sinceFirstByte.toFixed(0)} ms after the provider's first byte (TTFB ${(req.firstByteAt! - req.at).toFixed(0)} ms)`,
    );
    expect(first.at).toBeGreaterThan(req.firstByteAt!);
  });
});
