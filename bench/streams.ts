/**
 * `streams`: CPU and memory of the bot per concurrent voice stream at 1, 25, 100 and 200 guilds speaking at once, and
 * beside it a baseline doing what typical bots do (the provider answers mp3, ffmpeg transcodes each stream). The
 * voice stand-in only counts packets ('count' mode) so the receiving side does not starve the bot.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GuildHandle, InteractionHandle } from '../test/standins/discord/index.js';
import { pollUntil, progress, sleep, startBotUnderTest, type BotUnderTest } from './botUnderTest.js';
import { cpuSeconds, rssMiB, treeCpuSeconds, treeMemoryMiB } from './procStats.js';
import { mean, range, verdict } from './stats.js';
import { daveFrameCostRows } from './daveFrameCost.js';
import type { BenchRow } from './table.js';

const BENCH = 'streams';
/** Every item is this long (the speech stand-in's duration for any text). */
const STREAM_SECONDS = 12;
const LEVELS = [1, 25, 100, 200];
/** ffmpeg per stream is heavy on 2 cores: the baseline stops here. */
const BASELINE_LEVELS = [1, 25];
const SAMPLE_MS = 250;
/** Discord allows 120 gateway sends a minute; discord.js keeps to 115. More joins than this wait for the next minute. */
const JOINS_PER_MINUTE = 100;

type Variant = 'opus' | 'mp3+ffmpeg';
/** DAVE protocol version the voice stand-in speaks: 1 (end-to-end encrypted, as Discord requires) or 0 (transport only). */
type Dave = 0 | 1;
/** Levels run again with DAVE v0 beside the v1 run, to show what end-to-end encryption costs per stream. */
const V0_LEVELS = [1, 25, 100];

/** One /proc + voice stand-in snapshot. */
interface Tick {
  at: number;
  botCpu: number;
  /** The kernel (stime) part of botCpu. */
  botKernel: number;
  treeCpu: number;
  botRss: number;
  treeRss: number;
  treePss: number;
  processes: number;
  /** packetCount of each measured guild's voice session. */
  counts: number[];
}

/** What one level measured. */
interface LevelResult {
  variant: Variant;
  dave: Dave;
  n: number;
  windowS: number;
  /** Per stream, % of one core, idle subtracted. */
  cpuWindowBot: number;
  cpuWindowTree: number;
  cpuItemTree: number;
  idleCpuPct: number;
  /** Kernel (stime) share of the bot's CPU in the window. */
  kernelShare: number;
  /** MiB per stream over the idle RSS just before the load (bot process, mean over the window). */
  rssPerStream: number;
  /** MiB per stream of the whole tree (bot + ffmpeg children) at its peak, over idle. */
  treeRssPeakPerStream: number;
  treePssPeakPerStream: number;
  extraProcessesPeak: number;
  /** Packets per second per stream during the window: mean, min, max. */
  pps: { mean: number; min: number; max: number };
  /** How long each stream played (first to last tick with new packets), p50 and shortest, in s. */
  span: { p50: number; min: number };
  /**
   * The start burst: when all streams were playing (s after the first /speak), until when the shared audio clock
   * was catching up (0: it never strayed), the highest per-stream packet rate seen, and whether a steady window was found.
   */
  startup: { allPlayingS: number; catchUpUntilS: number; peakRate: number; steady: boolean };
  /** MiB per stream over the bot's RSS before any voice connection (includes its connection). */
  rssPerStreamWithConnection: number;
  /** This (the benchmark) process: event-loop delay max before and in the window (ms), and its CPU over the level (% of a core). */
  receiver: { startLoopDelayMaxMs: number; loopDelayMaxMs: number; cpuPct: number };
  playing: number;
  failed: number;
}

function snapshot(b: BotUnderTest, guilds: readonly GuildHandle[]): Tick {
  const cpu = cpuSeconds(b.pid);
  const tree = treeMemoryMiB(b.pid);
  return {
    at: Date.now(),
    botCpu: cpu ? cpu.self : Number.NaN,
    botKernel: cpu ? cpu.kernel : Number.NaN,
    treeCpu: treeCpuSeconds(b.pid),
    botRss: rssMiB(b.pid),
    treeRss: tree.rss,
    treePss: tree.pss,
    processes: tree.processes,
    counts: guilds.map((g) => b.voice.session(g.id)?.packetCount ?? 0),
  };
}

/** Joins made, for keeping under Discord's gateway send budget (a sliding minute, as the Discord stand-in counts). */
interface JoinLog {
  joined: number;
  times: number[];
}

/** Makes sure the bot is in the Lounge of the first `n` guilds (/join), at most JOINS_PER_MINUTE in any 61 s. */
async function ensureJoined(b: BotUnderTest, wanted: number, log: JoinLog): Promise<void> {
  const n = Math.min(wanted, b.guilds.length);
  while (log.joined < n) {
    const recent = log.times.filter((t) => Date.now() - t < 61_000);
    const room = JOINS_PER_MINUTE - recent.length;
    if (room <= 0) {
      const wait = Math.min(...recent) + 61_000 - Date.now();
      progress(BENCH, `waiting ${(wait / 1000).toFixed(0)} s for Discord's gateway send budget (120 a minute) before more joins`);
      await sleep(wait);
      continue;
    }
    const batch = b.guilds.slice(log.joined, Math.min(n, log.joined + room));
    const handles = batch.map((g) => b.command(g, 'alice', 'join'));
    log.times.push(...batch.map(() => Date.now()));
    await Promise.all(
      handles.map((h) =>
        h.waitFor((x) => /Joined|Sorry|could not|failed/i.test(x.message()?.content ?? ''), 60_000).then(() => {
          const content = h.message()?.content ?? '';
          if (!/Joined/.test(content)) throw new Error(`/join failed: ${content}`);
        }),
      ),
    );
    await Promise.all(batch.map((g) => b.voice.waitForSession(g.id, 30_000)));
    log.joined += batch.length;
  }
}

/** The bot at rest for ~3 s: CPU rates (CPU-s per s) and mean memory. */
async function measureIdle(b: BotUnderTest, guilds: readonly GuildHandle[]) {
  const ticks: Tick[] = [];
  for (let i = 0; i <= 12; i++) {
    ticks.push(snapshot(b, guilds));
    await sleep(SAMPLE_MS);
  }
  const a = ticks[0]!;
  const z = ticks.at(-1)!;
  const seconds = (z.at - a.at) / 1000;
  return {
    botRate: (z.botCpu - a.botCpu) / seconds,
    treeRate: (z.treeCpu - a.treeCpu) / seconds,
    rss: mean(ticks.map((t) => t.botRss)),
    treeRss: mean(ticks.map((t) => t.treeRss)),
    treePss: mean(ticks.map((t) => t.treePss)),
    processes: z.processes,
  };
}

/** CPU % of one core over [a, b], per stream, with the idle rate taken out. */
function perStreamCpu(a: Tick, z: Tick, key: 'botCpu' | 'treeCpu', idleRate: number, n: number): number {
  const seconds = (z.at - a.at) / 1000;
  return (((z[key] - a[key]) / seconds - idleRate) * 100) / n;
}

/** Waits (up to `maxMs`) until the bot has used under 3 % of a core for a whole second. */
async function untilQuiet(b: BotUnderTest, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuSeconds(b.pid)?.self ?? 0;
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = cpuSeconds(b.pid)?.self ?? 0;
    if (now - last < 0.03) return;
    last = now;
  }
}

/** One level: idle, then /speak in the first `n` guilds at once, sampled every SAMPLE_MS until every stream ended. */
async function runLevel(b: BotUnderTest, variant: Variant, dave: Dave, n: number, label: number, beforeVoiceRss: number): Promise<LevelResult> {
  const guilds = b.guilds.slice(0, n);
  await untilQuiet(b);
  // Idle: the bot in its channels, nothing playing.
  const idle = await measureIdle(b, guilds);
  const idleBotRate = idle.botRate;
  const idleTreeRate = idle.treeRate;

  // Load: /speak in every guild, 20 interactions every 100 ms.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const cpu0 = process.cpuUsage();
  const wall0 = Date.now();
  const start = snapshot(b, guilds);
  const ticks: Tick[] = [start];
  /** Event-loop delay max (ms) of this process between each tick and the previous one. */
  const loopMax: number[] = [0];
  let sampling = true;
  loop.enable();
  const sampler = (async () => {
    while (sampling) {
      await sleep(SAMPLE_MS);
      ticks.push(snapshot(b, guilds));
      loopMax.push(loop.max / 1e6);
      loop.reset();
    }
  })();
  const handles: InteractionHandle[] = [];
  for (let i = 0; i < n; i++) {
    handles.push(b.command(guilds[i]!, 'alice', 'speak', { text: `Stream ${label} for the load test.` }));
    if (i % 20 === 19) await sleep(100);
  }
  const expected = STREAM_SECONDS * 50 * 0.95;
  let done: boolean;
  try {
    await pollUntil(
      () => {
        const last = ticks.at(-1)!;
        const prev = ticks.at(-3);
        const allPlayed = last.counts.every((c, i) => c - start.counts[i]! >= expected);
        const quiet = prev !== undefined && last.counts.every((c, i) => c === prev.counts[i]);
        const settled = handles.every((h) => /Spoke in|Not spoken|Cut short|failed|Sorry/i.test(h.message()?.content ?? ''));
        return (allPlayed && quiet) || (quiet && settled) ? true : undefined;
      },
      STREAM_SECONDS * 1000 + 60_000,
      `${n} streams to finish`,
      100,
    );
    done = true;
  } catch {
    done = false;
  }
  sampling = false;
  await sampler;
  loop.disable();
  const used = process.cpuUsage(cpu0);
  const receiverCpuPct = ((used.user + used.system) / 1000 / (Date.now() - wall0)) * 100;
  const end = ticks.at(-1)!;
  // Let the bot finish its Discord messages (REST backlog) before the next level.
  await pollUntil(() => (handles.every((h) => /Spoke in|Not spoken|Cut short/.test(h.message()?.content ?? '')) ? true : undefined), 60_000, 'the last replies', 100).catch(
    () => undefined,
  );

  // Per stream: first tick where it had new packets, last tick where it still gained.
  const startIdx = guilds.map((_, g) => ticks.findIndex((t) => t.counts[g]! > start.counts[g]!));
  const endIdx = guilds.map((_, g) => {
    for (let k = ticks.length - 1; k > 0; k--) if (ticks[k]!.counts[g]! > ticks[k - 1]!.counts[g]!) return k;
    return -1;
  });
  const playing = startIdx.filter((k) => k >= 0).length;
  const allPlaying = Math.max(...startIdx) + 1;
  const wz = Math.min(...endIdx.filter((k) => k >= 0)) - 1;
  // Per-stream packet rate of each tick interval; the steady window starts after the last interval that strays
  // more than 15 % from 50/s (the shared audio clock catching up after the start burst), if 2 s remain after it.
  const rateAt = (k: number) =>
    ticks[k]!.counts.reduce((sum, c, g) => sum + c - ticks[k - 1]!.counts[g]!, 0) / ((ticks[k]!.at - ticks[k - 1]!.at) / 1000) / n;
  let lastStray = allPlaying;
  let peakRate = 0;
  for (let k = allPlaying + 1; k <= wz; k++) {
    const r = rateAt(k);
    peakRate = Math.max(peakRate, r);
    if (Math.abs(r / 50 - 1) > 0.15) lastStray = k;
  }
  const steady = wz >= 0 && (ticks[wz]!.at - ticks[Math.min(lastStray, ticks.length - 1)]!.at) / 1000 >= 2;
  const wa = steady ? lastStray : allPlaying;
  const a = ticks[Math.min(wa, ticks.length - 1)]!;
  const z = ticks[Math.max(wz, 0)]!;
  const windowS = (z.at - a.at) / 1000;
  const rates = guilds.map((_, g) => (z.counts[g]! - a.counts[g]!) / windowS);
  const inWindow = ticks.slice(wa, wz + 1);
  const failed = handles.filter((h) => !/Spoke in/.test(h.message()?.content ?? '')).length;
  const spans = guilds
    .map((_, g) => (startIdx[g]! >= 0 && endIdx[g]! >= 0 ? (ticks[endIdx[g]!]!.at - ticks[startIdx[g]!]!.at) / 1000 : Number.NaN))
    .filter((x) => Number.isFinite(x))
    .sort((x, y) => x - y);
  if (!done) progress(BENCH, `${variant} ${n}: not every stream finished in time (${playing} played)`);
  return {
    variant,
    dave,
    n,
    windowS,
    cpuWindowBot: perStreamCpu(a, z, 'botCpu', idleBotRate, n),
    cpuWindowTree: perStreamCpu(a, z, 'treeCpu', idleTreeRate, n),
    // Whole items: all CPU from the first /speak to the last packet, over the audio delivered (idle taken out).
    cpuItemTree: (((end.treeCpu - start.treeCpu) - idleTreeRate * ((end.at - start.at) / 1000)) / (n * STREAM_SECONDS)) * 100,
    idleCpuPct: idleBotRate * 100,
    kernelShare: (z.botKernel - a.botKernel) / (z.botCpu - a.botCpu),
    rssPerStream: (mean(inWindow.map((t) => t.botRss)) - idle.rss) / n,
    treeRssPeakPerStream: (Math.max(...ticks.map((t) => t.treeRss)) - idle.treeRss) / n,
    treePssPeakPerStream: (Math.max(...ticks.map((t) => t.treePss)) - idle.treePss) / n,
    extraProcessesPeak: Math.max(...ticks.map((t) => t.processes)) - idle.processes,
    pps: { mean: mean(rates), min: Math.min(...rates), max: Math.max(...rates) },
    span: { p50: spans[Math.floor(spans.length / 2)] ?? Number.NaN, min: spans[0] ?? Number.NaN },
    startup: {
      allPlayingS: (ticks[Math.min(allPlaying, ticks.length - 1)]!.at - start.at) / 1000,
      catchUpUntilS: steady && lastStray > allPlaying ? (ticks[lastStray]!.at - start.at) / 1000 : 0,
      peakRate,
      steady,
    },
    rssPerStreamWithConnection: (mean(inWindow.map((t) => t.botRss)) - beforeVoiceRss) / n,
    receiver: { startLoopDelayMaxMs: Math.max(...loopMax.slice(0, wa + 1)), loopDelayMaxMs: Math.max(...loopMax.slice(wa, wz + 1)), cpuPct: receiverCpuPct },
    playing,
    failed,
  };
}

function rowsFor(r: LevelResult): BenchRow[] {
  const kind = r.variant === 'opus' ? 'bot (Ogg Opus passthrough)' : 'baseline (mp3 → ffmpeg per stream)';
  const name = `${kind}, ${r.dave === 1 ? 'DAVE v1' : 'DAVE v0 (transport only)'}`;
  const head = `${name}, ${r.n} stream${r.n === 1 ? '' : 's'}`;
  const cpuNote =
    r.variant === 'opus'
      ? `bot process over a ${r.windowS.toFixed(1)} s window with all ${r.n} playing (idle ${r.idleCpuPct.toFixed(2)} % taken out; ${(r.kernelShare * 100).toFixed(0)} % of it kernel time); whole items ${r.cpuItemTree.toFixed(3)} %`
      : `bot + ffmpeg children; whole items (first /speak → last packet, CPU-s per audio-s) ${r.cpuItemTree.toFixed(3)} %; window (all playing, ${r.windowS.toFixed(1)} s, ffmpeg mostly done) ${r.cpuWindowTree.toFixed(3)} %, bot alone ${r.cpuWindowBot.toFixed(3)} %`;
  const rows: BenchRow[] = [
    {
      bench: BENCH,
      metric: `${head}: CPU per stream (% of one core)`,
      value: `${(r.variant === 'opus' ? r.cpuWindowBot : r.cpuItemTree).toFixed(3)} %`,
      ...(r.variant === 'opus' && r.n === 200 ? { target: verdict(r.cpuWindowBot < 0.5, '< 0.5 %') } : {}),
      note: cpuNote + (r.n === 1 ? '; 10 ms ticks: ± ~0.15 % at 1 stream' : ''),
    },
    {
      bench: BENCH,
      metric: `${head}: RSS per stream`,
      value: `${(r.variant === 'opus' ? r.rssPerStream : r.treeRssPeakPerStream).toFixed(2)} MiB`,
      ...(r.variant === 'opus' && r.n === 200 ? { target: verdict(r.rssPerStream <= 2, '≤ 2 MiB') } : {}),
      note:
        r.variant === 'opus'
          ? `bot VmRSS during the window minus idle just before (voice connection already open); vs. before any voice connection ${r.rssPerStreamWithConnection.toFixed(2)} MiB${r.n === 1 ? '; GC noise of several MiB dominates at 1 stream' : ''}`
          : `peak VmRSS of bot + ${r.extraProcessesPeak} ffmpeg processes minus idle (Pss ${r.treePssPeakPerStream.toFixed(2)} MiB); bot alone in the window ${r.rssPerStream.toFixed(2)} MiB`,
    },
    {
      bench: BENCH,
      metric: `${head}: packets/s per stream received`,
      value: `${r.pps.mean.toFixed(1)}${r.startup.catchUpUntilS > 0 ? ` (start burst up to ${r.startup.peakRate.toFixed(0)})` : ''}`,
      target: verdict(
        r.playing === r.n && r.startup.steady && r.pps.min >= 45 && r.pps.max <= 55 && r.startup.peakRate <= 60,
        '≈ 50 steady, all playing, no catch-up burst',
      ),
      note: `window min–max ${r.pps.min.toFixed(1)}–${r.pps.max.toFixed(1)}; ${r.playing}/${r.n} played; all playing ${r.startup.allPlayingS.toFixed(1)} s after the first /speak${r.startup.catchUpUntilS > 0 ? `, clock catching up until ${r.startup.catchUpUntilS.toFixed(1)} s (peak ${r.startup.peakRate.toFixed(0)}/s)` : ''}${r.startup.steady ? '' : ', no steady 2 s (window = all playing)'}; ${STREAM_SECONDS} s items took p50 ${r.span.p50.toFixed(2)} s, shortest ${r.span.min.toFixed(2)} s (±${SAMPLE_MS / 1000} s); receiver (this process) loop delay max ${r.receiver.startLoopDelayMaxMs.toFixed(0)} ms before the window, ${r.receiver.loopDelayMaxMs.toFixed(0)} ms in it, receiver CPU ${r.receiver.cpuPct.toFixed(0)} %${r.failed ? `; ${r.failed} not reported spoken` : ''}`,
    },
  ];
  return rows;
}

/**
 * Per-stream CPU and RSS at 1–200 concurrent streams on DAVE v1 (as Discord requires) with the ffmpeg-per-stream
 * baseline beside it, then 1–100 streams again on DAVE v0 (transport encryption only): the difference is what
 * end-to-end encryption costs per stream.
 */
export async function benchStreams(): Promise<BenchRow[]> {
  const v1 = await streamsRun(1, LEVELS, BASELINE_LEVELS);
  const v0 = await streamsRun(0, V0_LEVELS, []);
  const rows = [...v1.rows, ...v0.rows, ...daveFrameCostRows(BENCH)];
  for (const n of V0_LEVELS) {
    const [e2ee, plain] = [v1.results, v0.results].map((rs) => rs.find((r) => r.variant === 'opus' && r.n === n));
    if (!e2ee || !plain) continue;
    rows.push({
      bench: BENCH,
      metric: `DAVE v1 − v0, ${n} stream${n === 1 ? '' : 's'}: CPU per stream (% of one core)`,
      value: `${(e2ee.cpuWindowBot - plain.cpuWindowBot).toFixed(3)} %`,
      note: `what end-to-end encryption adds per stream: ${e2ee.cpuWindowBot.toFixed(3)} % with DAVE, ${plain.cpuWindowBot.toFixed(3)} % without (bot process, steady window); RSS ${e2ee.rssPerStream.toFixed(2)} vs ${plain.rssPerStream.toFixed(2)} MiB per stream`,
    });
  }
  return rows;
}

/** One bot and its stand-ins speaking DAVE `dave`: the levels, and the baseline levels if any. */
async function streamsRun(dave: Dave, levels: number[], baselineLevels: number[]): Promise<{ rows: BenchRow[]; results: LevelResult[] }> {
  const maxGuilds = Math.max(...levels, ...baselineLevels);
  const b = await startBotUnderTest({
    guilds: maxGuilds,
    members: ['alice', 'owner'],
    // Every text is STREAM_SECONDS of audio, sent as 100 ms Ogg pages (or mp3 pieces) at 4× real time.
    speech: { ttfbMs: 200, bytesPerSecond: 'realtime-x4', minSeconds: STREAM_SECONDS, maxSeconds: STREAM_SECONDS, secondsPerChar: 0 },
    voice: { receive: 'count', dave },
    // One text per level for every guild (the stand-in encodes it once); without the disk cache each guild asks the provider.
    env: { AUDIO_CACHE_MB: '0', TTS_MAX_CONCURRENCY: '1000' },
  });
  const rows: BenchRow[] = [];
  const results: LevelResult[] = [];
  try {
    const joins: JoinLog = { joined: 0, times: [] };
    for (const g of b.guilds) b.join(g, 'alice');
    await sleep(1000);
    // Idle before any voice, then with the first hundred voice connections open: what a connection costs at rest.
    const before = await measureIdle(b, []);
    progress(BENCH, `bot idle before any voice: ${before.rss.toFixed(1)} MiB RSS; joining ${JOINS_PER_MINUTE} voice channels`);
    await ensureJoined(b, JOINS_PER_MINUTE, joins);
    await untilQuiet(b);
    const joined = await measureIdle(b, b.guilds.slice(0, joins.joined));
    rows.push({
      bench: BENCH,
      metric: `open voice connection at rest (DAVE v${dave}): RSS and CPU each`,
      value: `${((joined.rss - before.rss) / joins.joined).toFixed(2)} MiB · ${(((joined.botRate - before.botRate) * 100) / joins.joined).toFixed(3)} %`,
      note: `${joins.joined} connections: ${before.rss.toFixed(1)} → ${joined.rss.toFixed(1)} MiB, idle CPU ${(before.botRate * 100).toFixed(2)} → ${(joined.botRate * 100).toFixed(2)} % of a core`,
    });
    // Warm-up: one short item (JIT, first provider call), then the levels.
    const warm = b.command(b.guilds[0]!, 'alice', 'speak', { text: 'warm up' });
    await warm.waitFor((h) => /Spoke in/.test(h.message()?.content ?? ''), 30_000);
    const plan: Array<{ variant: Variant; n: number }> = [
      ...levels.filter((n) => n <= JOINS_PER_MINUTE).map((n) => ({ variant: 'opus' as const, n })),
      // The baseline runs while the gateway's send budget refills for the joins beyond the first hundred.
      ...baselineLevels.map((n) => ({ variant: 'mp3+ffmpeg' as const, n })),
      ...levels.filter((n) => n > JOINS_PER_MINUTE).map((n) => ({ variant: 'opus' as const, n })),
    ];
    let label = 0;
    for (const step of plan) {
      if (step.n > joins.joined) progress(BENCH, `joining ${step.n - joins.joined} more voice channels`);
      await ensureJoined(b, step.n, joins);
      b.speech.always(step.variant === 'opus' ? null : { kind: 'format', respondAs: 'mp3' });
      progress(BENCH, `${step.variant}, DAVE v${dave}: ${step.n} stream(s) of ${STREAM_SECONDS} s`);
      const r = await runLevel(b, step.variant, dave, step.n, ++label, before.rss);
      results.push(r);
      progress(
        BENCH,
        `  cpu/stream window ${r.cpuWindowBot.toFixed(3)} % (tree ${r.cpuWindowTree.toFixed(3)} %, ${r.windowS.toFixed(1)} s), items ${r.cpuItemTree.toFixed(3)} %; rss/stream ${r.rssPerStream.toFixed(2)} MiB (tree peak ${r.treeRssPeakPerStream.toFixed(2)}); ${r.pps.mean.toFixed(1)} pkt/s (${range([r.pps.min, r.pps.max])}); ${r.playing}/${r.n} playing; span p50 ${r.span.p50.toFixed(2)} s min ${r.span.min.toFixed(2)} s; all playing at ${r.startup.allPlayingS.toFixed(1)} s, catch-up until ${r.startup.catchUpUntilS.toFixed(1)} s (peak ${r.startup.peakRate.toFixed(0)}/s); receiver loop max ${r.receiver.startLoopDelayMaxMs.toFixed(0)}/${r.receiver.loopDelayMaxMs.toFixed(0)} ms, cpu ${r.receiver.cpuPct.toFixed(0)} %`,
      );
    }
    b.speech.always(null);
    const order = (r: LevelResult) => (r.variant === 'opus' ? 0 : 1) * 1000 + r.n;
    for (const r of [...results].sort((x, y) => order(x) - order(y))) rows.push(...rowsFor(r));
    const opus = results.filter((r) => r.variant === 'opus').sort((x, y) => x.n - y.n);
    const [lo, hi] = [opus.at(-2), opus.at(-1)];
    if (lo && hi) {
      const marginal = (hi.cpuWindowBot * hi.n - lo.cpuWindowBot * lo.n) / (hi.n - lo.n);
      rows.push({
        bench: BENCH,
        metric: `bot, DAVE v${dave}: marginal CPU per added stream (${lo.n} → ${hi.n})`,
        value: `${marginal.toFixed(3)} %`,
        note: 'the first stream also pays for the shared 20 ms audio clock (see the 1-stream row); this is what one more costs',
      });
    }
    // Ratio at the largest level both ran, on the whole-item figure (ffmpeg works while the provider streams, not later).
    const both = baselineLevels.filter((n) => levels.includes(n)).at(-1);
    const ours = results.find((r) => r.variant === 'opus' && r.n === both);
    const base = results.find((r) => r.variant === 'mp3+ffmpeg' && r.n === both);
    if (ours && base) {
      const ratio = base.cpuItemTree / ours.cpuItemTree;
      rows.push({
        bench: BENCH,
        metric: `CPU per stream, baseline ÷ bot at ${both} streams (whole items, bot + children)`,
        value: `${ratio.toFixed(1)}×`,
        target: verdict(ratio >= 10, '≥ 10×'),
        note: `${base.cpuItemTree.toFixed(3)} % vs ${ours.cpuItemTree.toFixed(3)} %; RSS ${base.treeRssPeakPerStream.toFixed(2)} vs ${ours.rssPerStream.toFixed(2)} MiB per stream; baseline capped at ${Math.max(...baselineLevels)} streams: ${both} ffmpeg at once already fill both cores`,
      });
      const ours1 = results.find((r) => r.variant === 'opus' && r.n === 1);
      const base1 = results.find((r) => r.variant === 'mp3+ffmpeg' && r.n === 1);
      if (ours1 && base1 && both !== undefined && both > 1) {
        const added = (r1: LevelResult, rn: LevelResult) => (rn.cpuItemTree * rn.n - r1.cpuItemTree) / (rn.n - 1);
        const [mb, mo] = [added(base1, base), added(ours1, ours)];
        rows.push({
          bench: BENCH,
          metric: `CPU per added stream (1 → ${both}, whole items), baseline ÷ bot`,
          value: `${(mb / mo).toFixed(1)}×`,
          note: `${mb.toFixed(3)} % vs ${mo.toFixed(3)} %: the shared audio clock, paid once by both, left out`,
        });
      }
    }
  } finally {
    b.speech.always(null);
    await b.close();
  }
  return { rows, results };
}
