/**
 * `longtext`: time to first audio for a 4000-character /speak, with the sentence pipeline (TTS_PIPELINE_MIN_CHARS=300)
 * and without it (TTS_PIPELINE_MIN_CHARS=0), against a provider whose time to first byte grows with the input, as a
 * provider that synthesizes before it streams does. Reference: that provider's TTFB for one sentence.
 */
import type { InteractionHandle } from '../test/standins/discord/index.js';
import { pollUntil, progress, sleep, startBotUnderTest, type BotUnderTest } from './botUnderTest.js';
import { mean, percentiles, verdict } from './stats.js';
import type { BenchRow } from './table.js';
import { seededRandom } from './seededRandom.js';

const BENCH = 'longtext';
const TEXT_CHARS = 4000;
const SAMPLES = 3;
/** Provider time to first byte: 250 ms + 0.5 ms per input character (one 100-character sentence ≈ 300 ms, 4000 ≈ 2.25 s). */
const TTFB_BASE_MS = 250;
const TTFB_PER_CHAR_MS = 0.5;

const WORDS = (
  'the a small bright quiet river morning city garden window letter story music silver old new green warm ' +
  'people travel across over under slowly often carefully every evening while before after because although ' +
  'we they she he find bring hear remember build open carry follow watch wonder simple distant gentle heavy'
).split(' ');


/** A text of exactly `chars` characters made of sentences of 60–140 characters; `seed` makes it unique. */
export function longText(seed: number, chars = TEXT_CHARS): { text: string; firstSentence: string } {
  const rand = seededRandom(seed);
  const sentences: string[] = [];
  let length = 0;
  while (length < chars) {
    const target = 60 + Math.floor(rand() * 80);
    const words: string[] = sentences.length === 0 ? [`Story ${seed} begins`] : [];
    while (words.join(' ').length < target) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
    const body = words.join(' ');
    const sentence = `${body[0]!.toUpperCase()}${body.slice(1)}${'.!?'[Math.floor(rand() * 3)]}`;
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  let text = sentences.join(' ');
  text = `${text.slice(0, chars - 1).trimEnd()}`;
  text = `${text}${'.'.repeat(chars - text.length)}`;
  return { text, firstSentence: sentences[0]! };
}

/** One /speak of a long text: dispatch → first voice packet, and what the provider was asked first. */
async function firstAudio(b: BotUnderTest, text: string): Promise<{ ms: number; firstInputChars: number; firstTtfbMs: number }> {
  const g = b.guilds[0]!;
  const session = await b.voice.waitForSession(g.id);
  const from = session.packets.length;
  const sinceReq = b.speech.requests.length;
  const h: InteractionHandle = b.command(g, 'alice', 'speak', { text });
  const at = await pollUntil(
    () => {
      for (let i = from; i < session.packets.length; i++) if (!session.packets[i]!.silence) return session.packets[i]!.at;
      return undefined;
    },
    20_000,
    'the first packet of the long text',
    2,
  );
  const first = b.speech.requests[sinceReq];
  const stop = b.command(g, 'alice', 'stop');
  await stop.waitFor((x) => /Stopped/.test(x.message()?.content ?? ''), 10_000);
  await session.waitForQuiet(300, 10_000);
  await b.speech.waitForSettled(10_000).catch(() => undefined);
  return {
    ms: at - h.createdAt,
    firstInputChars: [...((first?.body as { input?: string } | null)?.input ?? '')].length,
    firstTtfbMs: first?.firstByteAt !== undefined ? first.firstByteAt - first.at : Number.NaN,
  };
}

/** Joins alice's channel and speaks a short warm-up text (after a start or restart). */
async function warmUp(b: BotUnderTest): Promise<void> {
  const g = b.guilds[0]!;
  const j = b.command(g, 'alice', 'join');
  await j.waitFor((h) => /Joined/.test(h.message()?.content ?? ''), 15_000);
  const h = b.command(g, 'alice', 'speak', { text: 'Warming up.' });
  await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
}

/** The provider's TTFB for one sentence, asked directly (median of three), in ms. */
async function sentenceTtfb(b: BotUnderTest, sentence: string): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${b.speech.baseUrl}/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.speech.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: `${sentence} (${i})`, response_format: 'opus' }),
    });
    await res.arrayBuffer();
    const rec = b.speech.requests.at(-1)!;
    values.push(rec.firstByteAt! - rec.at);
  }
  return values.sort((x, y) => x - y)[1]!;
}

/** Time to first audio for a 4000-character message with and without the sentence pipeline. */
export async function benchLongText(): Promise<BenchRow[]> {
  const variants = [
    { name: 'without pipeline (TTS_PIPELINE_MIN_CHARS=0)', pipeline: false, env: { TTS_PIPELINE_MIN_CHARS: '0' } },
    { name: 'with pipeline (TTS_PIPELINE_MIN_CHARS=300)', pipeline: true, env: { TTS_PIPELINE_MIN_CHARS: '300' } },
  ];
  const b = await startBotUnderTest({
    speech: { ttfbMs: TTFB_BASE_MS, ttfbMsPerChar: TTFB_PER_CHAR_MS, bytesPerSecond: 'realtime-x4' },
    // No disk cache: every sample asks the provider.
    env: { AUDIO_CACHE_MB: '0', ...variants[0]!.env },
  });
  const rows: BenchRow[] = [];
  const firstChars: number[] = [];
  try {
    const g = b.guilds[0]!;
    b.join(g, 'alice');
    const reference = await sentenceTtfb(b, longText(999).firstSentence);
    const budget = 1.5 * reference;
    rows.push({
      bench: BENCH,
      metric: 'provider TTFB for one sentence (reference)',
      value: `${reference.toFixed(0)} ms`,
      note: `provider model: ${TTFB_BASE_MS} ms + ${TTFB_PER_CHAR_MS} ms/char, 4× real time; sentence of ${longText(999).firstSentence.length} chars`,
    });
    for (const [v, variant] of variants.entries()) {
      if (v > 0) await b.restart({ AUDIO_CACHE_MB: '0', ...variant.env });
      await warmUp(b);
      progress(BENCH, `${variant.name}: ${SAMPLES} samples`);
      const samples = [];
      for (let i = 0; i < SAMPLES; i++) {
        samples.push(await firstAudio(b, longText(v * 100 + i + 1).text));
        await sleep(100);
      }
      const ms = samples.map((s) => s.ms);
      firstChars.push(mean(samples.map((s) => s.firstInputChars)));
      const p50 = [...ms].sort((x, y) => x - y)[Math.floor(ms.length / 2)]!;
      rows.push({
        bench: BENCH,
        metric: `${TEXT_CHARS} chars ${variant.name}: dispatch → first audio`,
        value: percentiles(ms),
        ...(variant.pipeline ? { target: verdict(p50 <= budget, `p50 ≤ ${budget.toFixed(0)} ms (1.5 × sentence TTFB)`) } : {}),
        note: `n=${samples.length}; first provider request ${mean(samples.map((s) => s.firstInputChars)).toFixed(0)} chars, its TTFB ${mean(samples.map((s) => s.firstTtfbMs)).toFixed(0)} ms`,
      });
    }
    const split = firstChars.some((chars) => chars < TEXT_CHARS);
    rows.push({
      bench: BENCH,
      metric: 'pipeline recognised by this build?',
      value: split ? 'yes' : 'no',
      note: split
        ? `first provider request: ${firstChars.map((c) => c.toFixed(0)).join(' vs ')} chars`
        : 'both variants sent the whole text as the first provider request: TTS_PIPELINE_MIN_CHARS has no effect yet, so the two rows look alike',
    });
  } finally {
    await b.close();
  }
  return rows;
}
