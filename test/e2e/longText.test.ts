import { describe, expect, it } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { dominantFrequency } from '../support/pcm.js';
import { useWorld, type World } from './world.js';

const within = (value: number, target: number, tolerance: number) => Math.abs(value - target) <= target * tolerance;

const SENTENCES = [
  'Welcome to the reading of a rather long message.',
  'It goes on for a while, so that waiting for all of it to be made would be a long silence before the first word.',
  'Instead the first sentence is asked for on its own and starts playing while the rest is being made.',
  'The next parts are larger, so the whole text costs only a few requests, and they follow each other without a gap.',
  'Nothing is lost, nothing is said twice, and everything comes in the order it was written.',
  'That is the end of this message, thank you for listening to all of it.',
];

describe('long text in voice', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });

  it('is said as sentence parts in order, the first one short, with no gap between parts', async () => {
    w.join('alice', 'Lounge');
    const text = SENTENCES.join(' ');
    expect(text.length).toBeGreaterThan(300);
    const since = w.speech.requests.length;
    const h = w.speak('alice', { text, speed: 4 });
    await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 30_000);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    const parts = w.speech.requests.slice(since).map((r) => (r.body as { input: string }).input);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(4);
    expect(parts.join(' ')).toBe(text);
    expect(parts[0]!.length).toBeLessThanOrEqual(200);
    // The second part was asked for before the first had been played out.
    const reqs = w.speech.requests.slice(since);
    const firstPacket = session.packets.find((p) => !p.silence && p.at >= reqs[0]!.at)!;
    expect(reqs[1]!.at).toBeLessThan(firstPacket.at + (durationFor(parts[0]!, 4) * 1000) / 2);

    // Heard: each part's tone in order, back to back (one utterance: no 50 ms gap anywhere), at full length.
    const heard = session.utterances(50).filter((u) => u.startAt >= firstPacket.at - 1);
    expect(heard).toHaveLength(1);
    const pcmMs = heard[0]!.durationMs;
    const expectedMs = parts.reduce((sum, p) => sum + durationFor(p, 4) * 1000, 0);
    expect(within(pcmMs, expectedMs, 0.03)).toBe(true);
    // Each part's tone where that part should be in what was heard (the middle half of its span), in order.
    const pcm = heard[0]!.pcm;
    let offsetMs = 0;
    for (const part of parts) {
      const ms = durationFor(part, 4) * 1000;
      const from = Math.round((offsetMs + ms / 4) * 48) * 2;
      const to = Math.round((offsetMs + (ms * 3) / 4) * 48) * 2;
      expect(within(dominantFrequency(pcm.subarray(from, to), 48000, 2), toneFor(part), 0.03)).toBe(true);
      offsetMs += ms;
    }
  });
});
