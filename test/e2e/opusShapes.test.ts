import { describe, expect, it } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { heardItems, type VoiceSession } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(h.message()?.content ?? '');

/** The last utterance heard, checked for tone, length and 20 ms packet timing against the text's source audio. */
function expectFaithful(session: VoiceSession, text: string, speed = 1) {
  // The item is the last one heard (a scheduling hiccup on a loaded machine may split it into pieces).
  const item = heardItems(session.utterances(50)).at(-1);
  expect(item).toBeDefined();
  const u = { packets: item!.pieces.flatMap((p) => p.packets), durationMs: item!.ms, frequency: item!.tone };
  const expectedMs = durationFor(text, speed) * 1000;
  const paceMs = u.packets.at(-1)!.at - u.packets[0]!.at;
  const error = Math.abs(u.durationMs - expectedMs) / expectedMs;
  console.info(
    `[figure] ${text}: heard ${u.durationMs.toFixed(0)} ms of ${expectedMs.toFixed(0)} ms (error ${(error * 100).toFixed(2)} %), sent over ${paceMs.toFixed(0)} ms, ${u.frequency.toFixed(1)} Hz of ${toneFor(text).toFixed(1)} Hz`,
  );
  expect(error).toBeLessThan(0.05);
  expect(Math.abs(paceMs - u.durationMs) / u.durationMs).toBeLessThan(0.05);
  expect(Math.abs(u.frequency - toneFor(text)) / toneFor(text)).toBeLessThan(0.03);
  for (let i = 1; i < u.packets.length; i++) expect((u.packets[i]!.timestamp - u.packets[i - 1]!.timestamp) >>> 0).toBe(960);
}

for (const modes of [undefined, ['aead_xchacha20_poly1305_rtpsize']]) {
  describe(`what the provider sends, heard at the right pace (${modes ? 'XChaCha only' : 'both transport modes offered'})`, () => {
    let w: World;
    useWorld(modes ? { voice: { modes } } : {}, (started) => {
      w = started;
      w.join('alice', 'Lounge');
    });

    const cases = modes
      ? ([['20 ms mono Ogg Opus (OpenAI-like)', null]] as const)
      : ([
          ['20 ms mono Ogg Opus (OpenAI-like)', null],
          ['60 ms packets', { kind: 'shape', opus: { channels: 1, frameMs: 60 } }],
          ['60 ms SILK packets (voip, low bitrate)', { kind: 'shape', opus: { channels: 1, frameMs: 60, application: 'voip', bitrate: 10000 } }],
          ['10 ms packets', { kind: 'shape', opus: { channels: 2, frameMs: 10 } }],
          ['packets continued across pages', { kind: 'shape', opus: { channels: 1, frameMs: 20, maxPageBodyBytes: 255, bitrate: 160000 } }],
          ['mp3 instead of opus', { kind: 'format', respondAs: 'mp3' }],
          ['wav instead of opus', { kind: 'format', respondAs: 'wav' }],
        ] as const);

    for (const [name, fault] of cases) {
      it(name, async () => {
        const text = `Shape test with a longer sentence to hear, ${name}`;
        if (fault) w.speech.next(fault as Parameters<World['speech']['next']>[0], { input: text });
        const h = w.speak('alice', { text });
        await h.waitFor(spoken, 20_000);
        const session = w.voice.session(w.guild.id)!;
        await session.waitForQuiet(250);
        expect(session.mode).toBe(modes ? modes[0] : 'aead_aes256_gcm_rtpsize');
        expectFaithful(session, text);
      });
    }

    if (!modes) {
      it('speed 2 is heard in half the time', async () => {
        const text = 'Twice as fast as usual, please';
        const h = w.speak('alice', { text, speed: 2 });
        await h.waitFor(spoken, 20_000);
        const session = w.voice.session(w.guild.id)!;
        await session.waitForQuiet(250);
        expectFaithful(session, text, 2);
      });
    }
  });
}
