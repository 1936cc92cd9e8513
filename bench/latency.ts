/**
 * `latency`: what the bot adds between a /speak and its first voice packet, with the provider's own time to first
 * byte taken out (measured per request at the speech stand-in). Three cases: the bot already in the channel, the bot
 * joining first, and a cache hit (the same text again, no provider call).
 */
import type { InteractionHandle } from '../test/standins/discord/index.js';
import type { SpeechRequestRecord } from '../test/standins/speech/index.js';
import type { VoiceSession } from '../test/standins/voice/index.js';
import { pollUntil, progress, sleep, startBotUnderTest, type BotUnderTest, BENCH_MEMBERS } from './botUnderTest.js';
import { mean, percentiles, verdict } from './stats.js';
import { pct } from './table.js';
import type { BenchRow } from './table.js';

const BENCH = 'latency';
const IN_CHANNEL_SAMPLES = 50;
const JOIN_SAMPLES = 10;
const CACHE_SAMPLES = 20;
const ROUND_TRIP_SAMPLES = 20;
/** A typical round trip from a bot host to Discord's API, given to the deferral (the stand-in holds it this long). */
const DISCORD_ROUND_TRIP_MS = 80;
/** The provider: 200 ms to first byte, then Ogg pages of 100 ms (5 × 20 ms packets) at 4× real time. */
const PROVIDER_TTFB_MS = 200;

/** One measured /speak. */
interface Sample {
  /** Interaction dispatch → first audio packet at the voice stand-in. */
  totalMs: number;
  /** The provider's time to first byte for this request (0 for a cache hit). */
  ttfbMs: number;
  /** Dispatch → the bot's deferral reached the Discord stand-in. */
  ackMs: number;
  /** Dispatch → the provider request arrived (NaN for a cache hit). */
  toProviderMs: number;
  /** Provider's first byte → first voice packet (NaN for a cache hit). */
  afterFirstByteMs: number;
  /** Dispatch → the voice Identify of a new session (NaN when the bot was already in the channel). */
  joinMs: number;
  /** New session: voice Identify → its DAVE group's first transition executed (op 22); NaN otherwise or without DAVE. */
  identifyToGroupMs: number;
  /** New session: voice Identify → first end-to-end encrypted packet; NaN otherwise or without DAVE. */
  identifyToE2eeMs: number;
  /** The first audio packet carried the DAVE marker (what a member hears first was end-to-end encrypted). */
  firstEncrypted: boolean;
}

const spoke = (h: InteractionHandle) => /Spoke in/.test(h.message()?.content ?? '');

/** First non-silence packet of `session` that arrived at or after `notBefore`, once there is one. */
function firstAudio(session: VoiceSession, fromIndex: number, notBefore: number, timeoutMs = 15_000): Promise<number> {
  return pollUntil(
    () => {
      for (let i = fromIndex; i < session.packets.length; i++) {
        const p = session.packets[i]!;
        if (!p.silence && p.at >= notBefore) return p.at;
      }
      return undefined;
    },
    timeoutMs,
    `the first voice packet in guild ${session.guildId}`,
    2,
  );
}

/** The provider request made for `input` after index `since`. */
function requestFor(b: BotUnderTest, since: number, input: string): SpeechRequestRecord | undefined {
  return b.speech.requests.slice(since).find((r) => (r.body as { input?: string } | null)?.input === input);
}

/** Runs one /speak of `text` as alice and measures it; `session` is the voice session audio will arrive on (or a getter for a new one). */
async function measure(b: BotUnderTest, text: string, session: () => Promise<VoiceSession>, expectProvider: boolean, callbackDelayMs = 0): Promise<Sample> {
  const g = b.guilds[0]!;
  const sinceReq = b.speech.requests.length;
  const current = b.voice.session(g.id);
  const fromIndex = current?.packets.length ?? 0;
  const h = b.command(g, 'alice', 'speak', { text }, undefined, callbackDelayMs ? { callbackDelayMs } : {});
  const s = await session();
  const at = await firstAudio(s, s === current ? fromIndex : 0, h.createdAt);
  await h.waitFor(spoke, 20_000);
  const rec = requestFor(b, sinceReq, text);
  if (expectProvider && (!rec || rec.firstByteAt === undefined)) throw new Error(`no provider request seen for “${text}”`);
  if (!expectProvider && rec) throw new Error(`a cache hit was expected for “${text}”, but the provider was asked`);
  const ack = h.events.find((e) => e.kind === 'callback');
  return {
    totalMs: at - h.createdAt,
    ttfbMs: rec ? rec.firstByteAt! - rec.at : 0,
    ackMs: ack ? ack.at - h.createdAt : Number.NaN,
    toProviderMs: rec ? rec.at - h.createdAt : Number.NaN,
    afterFirstByteMs: rec ? at - rec.firstByteAt! : Number.NaN,
    joinMs: s === current ? Number.NaN : s.openedAt - h.createdAt,
    identifyToGroupMs: s === current || s.e2eeSince === undefined ? Number.NaN : s.e2eeSince - s.openedAt,
    identifyToE2eeMs: s === current || s.firstE2eePacketAt === undefined ? Number.NaN : s.firstE2eePacketAt - s.openedAt,
    firstEncrypted: (s.packets.find((p) => !p.silence && p.at >= at)?.e2ee ?? 'plain') === 'encrypted',
  };
}

function rowsFor(name: string, samples: Sample[], target?: string): BenchRow[] {
  const added = samples.map((s) => s.totalMs - s.ttfbMs);
  const rows: BenchRow[] = [
    {
      bench: BENCH,
      metric: `${name}: bot-added (dispatch → first packet − provider TTFB)`,
      value: percentiles(added),
      ...(target ? { target } : {}),
      note: `n=${samples.length}, mean ${mean(added).toFixed(1)} ms`,
    },
  ];
  return rows;
}

/**
 * Bot-added latency from interaction dispatch to the first voice packet: in channel, joining first, cache hit; on a
 * DAVE v1 call (as Discord requires) and, in the same run, on DAVE v0 (transport encryption only).
 */
export async function benchLatency(): Promise<BenchRow[]> {
  return [...(await latencyRun(1)), ...(await latencyRun(0))];
}

async function latencyRun(dave: 0 | 1): Promise<BenchRow[]> {
  // Metric names carry the DAVE version of the run.
  const label = ` (DAVE v${dave})`;
  progress(BENCH, `DAVE v${dave}`);
  const b = await startBotUnderTest({
    // Short clips (≈0.5 s) keep 80 samples quick; the provider streams 100 ms Ogg pages at 4× real time.
    speech: { ttfbMs: PROVIDER_TTFB_MS, bytesPerSecond: 'realtime-x4', minSeconds: 0.3, secondsPerChar: 0.005 },
    voice: { dave },
  });
  const rows: BenchRow[] = [];
  try {
    const g = b.guilds[0]!;
    b.join(g, 'alice');
    // Warm-up (JIT, first connections), not counted: join and speak twice.
    const warm = b.command(g, 'alice', 'join');
    await warm.waitFor((h) => /Joined/.test(h.message()?.content ?? ''), 15_000);
    // About one /speak a second from one member for two minutes: above the default member rate (10 a minute).
    const rate = b.command(g, BENCH_MEMBERS.at(-1)!, 'settings', { key: 'member_rate_per_min', value: '120' }, 'set');
    await rate.waitFor((h) => /member_rate_per_min is now/.test(h.message()?.content ?? ''), 15_000);
    for (let i = 0; i < 3; i++) {
      const h = b.command(g, 'alice', 'speak', { text: `Warming up number ${i}` });
      await h.waitFor(spoke, 20_000);
    }
    const inChannel = () => b.voice.waitForSession(g.id);

    progress(BENCH, `bot in the channel: ${IN_CHANNEL_SAMPLES} samples`);
    const texts: string[] = [];
    const warmSamples: Sample[] = [];
    for (let i = 0; i < IN_CHANNEL_SAMPLES; i++) {
      const text = `Latency sample ${i} for the bench`;
      texts.push(text);
      warmSamples.push(await measure(b, text, inChannel, true));
    }
    const addedInChannel = warmSamples.map((s) => s.totalMs - s.ttfbMs);
    rows.push(...rowsFor(`in channel${label}`, warmSamples, verdict(pct(addedInChannel, 50) <= 15 && pct(addedInChannel, 99) <= 50, 'p50 ≤ 15, p99 ≤ 50 ms')));
    rows.push({
      bench: BENCH,
      metric: `in channel${label}: dispatch → first packet (raw)`,
      value: percentiles(warmSamples.map((s) => s.totalMs)),
      note: `provider TTFB ${percentiles(warmSamples.map((s) => s.ttfbMs))} (set to ${PROVIDER_TTFB_MS} ms)`,
    });
    rows.push({
      bench: BENCH,
      metric: `in channel${label}: where the added time goes`,
      value: `→ provider ${percentiles(warmSamples.map((s) => s.toProviderMs))}`,
      note: `deferral at ${percentiles(warmSamples.map((s) => s.ackMs))}; provider first byte → first packet ${percentiles(warmSamples.map((s) => s.afterFirstByteMs))} (@discordjs/voice prepares a packet on one 20 ms tick and sends it on the next: 20–40 ms)`,
    });

    progress(BENCH, `bot in the channel, Discord taking ${DISCORD_ROUND_TRIP_MS} ms to accept the deferral: ${ROUND_TRIP_SAMPLES} samples`);
    const slowAck: Sample[] = [];
    for (let i = 0; i < ROUND_TRIP_SAMPLES; i++) slowAck.push(await measure(b, `Round trip sample ${i} for the bench`, inChannel, true, DISCORD_ROUND_TRIP_MS));
    rows.push({
      ...rowsFor(`in channel${label}, deferral taking ${DISCORD_ROUND_TRIP_MS} ms`, slowAck)[0]!,
      note: `n=${slowAck.length}; deferral accepted at ${percentiles(slowAck.map((s) => s.ackMs))}; the command runs while Discord takes it, so its round trip is not added`,
    });

    progress(BENCH, `cache hit: ${CACHE_SAMPLES} samples`);
    const cacheSamples: Sample[] = [];
    for (let i = 0; i < CACHE_SAMPLES; i++) cacheSamples.push(await measure(b, texts[i]!, inChannel, false));
    rows.push({
      bench: BENCH,
      metric: `cache hit${label}: dispatch → first packet (no provider call)`,
      value: percentiles(cacheSamples.map((s) => s.totalMs)),
      target: verdict(pct(cacheSamples.map((s) => s.totalMs), 50) <= 10, 'p50 ≤ 10 ms'),
      note: `n=${cacheSamples.length}; provider requests during these: 0`,
    });

    progress(BENCH, `bot must join first: ${JOIN_SAMPLES} samples`);
    const joinSamples: Sample[] = [];
    for (let i = 0; i < JOIN_SAMPLES; i++) {
      const old = b.voice.session(g.id);
      const leave = b.command(g, 'alice', 'leave');
      await leave.waitFor((h) => /Left/.test(h.message()?.content ?? ''), 10_000);
      await b.discord.waitForBotVoice(g.id, null);
      await sleep(100);
      const fresh = () => b.voice.waitForSession(g.id, 15_000, old ? { after: old } : {});
      joinSamples.push(await measure(b, `Joining sample ${i} for the bench`, fresh, true));
    }
    rows.push(...rowsFor(`must join${label}`, joinSamples));
    rows.push({
      bench: BENCH,
      metric: `must join${label}: dispatch → first packet (raw)`,
      value: percentiles(joinSamples.map((s) => s.totalMs)),
      target: verdict(joinSamples.every((s) => s.totalMs <= s.ttfbMs + 100), 'each ≤ its provider TTFB + 100 ms'),
      note: `provider TTFB ${percentiles(joinSamples.map((s) => s.ttfbMs))}; dispatch → voice Identify ${percentiles(joinSamples.map((s) => s.joinMs))}`,
    });
    if (dave === 1) {
      rows.push({
        bench: BENCH,
        metric: `must join${label}: voice Identify → first end-to-end encrypted packet`,
        value: percentiles(joinSamples.map((s) => s.identifyToE2eeMs)),
        note: `Identify → DAVE group ready (first transition executed) ${percentiles(joinSamples.map((s) => s.identifyToGroupMs))}; first packet encrypted in ${joinSamples.filter((s) => s.firstEncrypted).length}/${joinSamples.length} joins; the listening member commits after 100 ms if the bot has not`,
      });
    }
  } finally {
    await b.close();
  }
  return rows;
}
