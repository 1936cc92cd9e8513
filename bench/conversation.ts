/**
 * `conversation`: three members chat in the voice channel's text chat at 0.2, 0.5 and 1.5 messages a second, message
 * lengths drawn from a fixed-seed distribution of real chat (median 40 characters, a few of 200), the speech stand-in
 * speaking 15 characters per second of audio. Each rate runs with pacing on (the defaults) and off
 * (`read_max_lag_s` 60, `read_max_speed` 1). Reports post-to-heard lag, what was read in full, merged, shortened,
 * shed, the average speed and provider requests per message.
 */
import { toneFor } from '../test/standins/speech/index.js';
import { splitUtterances } from '../test/standins/voice/utterances.js';
import { pollUntil, progress, sleep, startBotUnderTest, type BotUnderTest } from './botUnderTest.js';
import { mean, verdict } from './stats.js';
import { pct, type BenchRow } from './table.js';
import { seededRandom } from './seededRandom.js';
import { idealLags, planChat, tallyChat } from './chatModel.js';

const BENCH = 'conversation';
const RATES = [0.2, 0.5, 1.5];
/** Seconds of chat per rate; the figure is 180 (`BENCH_CONVERSATION_SECONDS` to shorten a run). */
const SECONDS = Number(process.env.BENCH_CONVERSATION_SECONDS ?? 180);
const MEMBERS = ['alice', 'bob', 'carol'];
const OWNER = 'dave';
const CHARS_PER_SECOND = 15;
const DROPPED = '🔇';
const DEFAULT_LAG_S = 8;
interface Posted {
  marker: string;
  text: string;
  author: string;
  id: string;
  at: number;
}

/** One rate with one setting: posts the conversation, waits for it to drain, measures. */
async function runOnce(b: BotUnderTest, rate: number, pacing: boolean, seed: number): Promise<BenchRow[]> {
  const g = b.guilds[0]!;
  const chat = g.channel('Lounge').id;
  const session = await b.voice.waitForSession(g.id);
  const random = seededRandom(seed);
  const fromPacket = session.packets.length;
  const fromRequest = b.speech.requests.length;
  const posted: Posted[] = [];
  const label = `${rate} msg/s, pacing ${pacing ? 'on' : 'off'}`;
  progress(BENCH, `${label}: ${SECONDS} s of chat`);
  const plan = planChat(random, rate, SECONDS, MEMBERS, `r${seed}${pacing ? 'p' : 'o'}`);
  const t0 = Date.now();
  for (const planned of plan) {
    const due = t0 + planned.atMs;
    if (due > Date.now()) await sleep(due - Date.now());
    const m = b.discord.postMessage({ channelId: chat, authorId: planned.author, content: planned.text });
    posted.push({ marker: planned.marker, text: planned.text, author: planned.author, id: m.id, at: Date.now() });
  }
  const requests = () => b.speech.requests.slice(fromRequest).map((r) => ({ rec: r, body: r.body as { input: string; speed: number } }));
  const reacted = (p: Posted) => b.discord.reactions(chat, p.id).some((r) => r.emoji === DROPPED);
  const inRequest = (p: Posted) => requests().find((r) => new RegExp(`\\b${p.marker}\\b`).test(r.body.input));
  let state = '';
  await pollUntil(
    () => {
      const unsettled = posted.filter((p) => !reacted(p) && !inRequest(p)).length;
      const quietMs = Date.now() - (session.lastPacketAt ?? 0);
      const open = b.speech.requests.filter((r) => r.endedAt === undefined).length;
      state = `${unsettled} of ${posted.length} messages neither read nor marked, audio quiet for ${quietMs} ms, ${open} provider requests open`;
      return unsettled === 0 && quietMs > 1500 && open === 0 ? true : undefined;
    },
    Number(process.env.BENCH_CONVERSATION_DRAIN_MS ?? 180_000),
    `${label} to drain`,
    250,
  ).catch((err: unknown) => {
    process.stderr.write(`${b.bot.output.filter((l) => /reading|read |queue|message/.test(l) && !/playback state/.test(l)).slice(-30).join('\n')}\n`);
    process.stderr.write(`${JSON.stringify(requests().map((r) => r.body.input.slice(0, 40)))}\n${JSON.stringify(posted.map((p) => p.text))}\n`);
    throw new Error(`${(err as Error).message}: ${state}`);
  });

  // Played items in order, matched by tone to the reading requests in order.
  // Every request of the run is a read (the rest of a long message, said as a request of its own, holds no marker).
  const reads = requests();
  const items = splitUtterances(session.packets.slice(fromPacket), 60).filter((u) => u.durationMs >= 100);
  const startOf = new Map<number, number>();
  let k = 0;
  for (const item of items) {
    let step = 0;
    while (k + step < reads.length && step < 3 && Math.abs(item.frequency - toneFor(reads[k + step]!.body.input)) > toneFor(reads[k + step]!.body.input) * 0.03) step++;
    if (k + step >= reads.length || step === 3) continue;
    k += step;
    if (!startOf.has(k)) startOf.set(k, item.startAt);
    k++;
  }
  const inputs = reads.map((r) => r.body.input);
  // Everyone heard each minute: for every message, how long until something of its author's started (the next read
  // of theirs, or the drain's end when nothing more was); the longest such wait over the run.
  const { lags, full, merged, shortened, shed, neither, longestUnheardMs: longestUnheard } = tallyChat(
    posted.map((p) => ({ atMs: p.at, author: p.author, marker: p.marker, text: p.text })),
    inputs,
    (index) => startOf.get(index),
    (i) => reacted(posted[i]!),
    Date.now(),
  );
  // The floor any reader could reach reading everything in full at normal speed, in order, with no gap between items:
  // the same messages served back to back at the stand-in's pace (name said when the author changes).
  const ideal = idealLags(posted.map((p) => ({ atMs: p.at - t0, author: p.author, text: p.text })), CHARS_PER_SECOND);
  const n = posted.length;
  const share = (x: number) => `${Math.round((x / n) * 100)} %`;
  const p95 = pct(lags, 95);
  const target =
    !pacing ? undefined
    : rate <= 0.2 ? verdict(p95 <= 2 && full === n && Math.max(...reads.map((r) => r.body.speed)) <= 1, 'all in full at normal speed, p95 ≤ 2 s')
    : rate <= 0.5 ? verdict(p95 <= DEFAULT_LAG_S && shed === 0, `p95 ≤ ${DEFAULT_LAG_S} s, nothing shed`)
    : verdict(p95 <= DEFAULT_LAG_S && longestUnheard <= 60_000 && neither === 0, `p95 ≤ ${DEFAULT_LAG_S} s, everyone heard each minute, all heard or 🔇`);
  return [
    {
      bench: BENCH,
      metric: `${label}: post → heard lag`,
      value: `p50 ${pct(lags, 50).toFixed(1)} · p95 ${p95.toFixed(1)} · max ${Math.max(...lags).toFixed(1)} s`,
      ...(target ? { target } : {}),
      note: `${n} messages in ${SECONDS} s, ${lags.length} heard lags measured; an ideal reader (all in full, normal speed, no gaps): p50 ${pct(ideal, 50).toFixed(1)} · p95 ${pct(ideal, 95).toFixed(1)} s`,
    },
    {
      bench: BENCH,
      metric: `${label}: in full / merged / shortened / shed / neither`,
      value: `${share(full)} / ${share(merged)} / ${share(shortened)} / ${share(shed)} / ${neither}`,
      note: `average speed ${mean(reads.map((r) => r.body.speed)).toFixed(2)}×; provider requests per message ${(reads.length / n).toFixed(2)}; longest an author waited to be heard ${(longestUnheard / 1000).toFixed(0)} s (every author heard each minute: ${longestUnheard <= 60_000 ? 'yes' : 'no'})`,
    },
  ];
}

/** The conversation benchmark: each rate with pacing on and off, one bot, settings switched between runs. */
export async function benchConversation(): Promise<BenchRow[]> {
  const b = await startBotUnderTest({
    members: [...MEMBERS, OWNER],
    speech: { ttfbMs: 200, bytesPerSecond: 'realtime-x4', secondsPerChar: 1 / CHARS_PER_SECOND, minSeconds: 0.1, maxSeconds: 300 },
    env: { READING_ENABLED: 'true', ...(process.env.BENCH_CONVERSATION_DEBUG ? { LOG_LEVEL: 'debug' } : {}) },
  });
  const rows: BenchRow[] = [];
  try {
    const g = b.guilds[0]!;
    for (const m of [...MEMBERS, OWNER]) b.join(g, m);
    const set = async (key: string, value: string) => {
      const h = b.command(g, OWNER, 'settings', { key, value }, 'set');
      await h.waitFor((x) => /is now/.test(x.message()?.content ?? ''), 15_000);
    };
    await set('read_voice_chats', 'on');
    const joined = b.command(g, 'alice', 'join');
    await joined.waitFor((h) => /Joined/.test(h.message()?.content ?? ''), 15_000);
    await b.voice.waitForSession(g.id);
    await sleep(1000);
    for (const [i, rate] of RATES.entries()) {
      for (const pacing of [true, false]) {
        await set('read_max_lag_s', pacing ? String(DEFAULT_LAG_S) : '60');
        await set('read_max_speed', pacing ? '1.6' : '1');
        rows.push(...(await runOnce(b, rate, pacing, 100 + i)));
      }
    }
  } finally {
    await b.close();
  }
  return rows;
}
