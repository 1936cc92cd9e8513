/**
 * `replay`: the conversation benchmark's chat replayed in virtual time through the real reading service, pacing
 * policy and guild queue (GuildPlayback), with a simulated voice link and provider (audio as long as the speech
 * stand-in makes it: 0.1 s + 1/15 s per character, divided by speed; a fixed time to first byte). No Discord, no
 * audio: minutes of chat replay in well under a second each, so the policy can be judged over many seeds rather
 * than the live benchmark's one chat per rate. The live `conversation` rows remain the measurement of record.
 */
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createPronunciation } from '../src/features/pronunciation.js';
import { createReadingService } from '../src/features/reading/readingService.js';
import type { MessageFacts } from '../src/features/reading/messageFacts.js';
import { createSpeakService } from '../src/features/speak.js';
import { loadCatalogs } from '../src/i18n/catalog.js';
import { createEmojiNames } from '../src/i18n/emojiNames.js';
import { createSpokenPhrases } from '../src/i18n/spokenPhrases.js';
import { createTranslator } from '../src/i18n/translator.js';
import { createLogger } from '../src/observability/logger.js';
import { openSqliteSettings } from '../src/settings/sqlite/sqliteStore.js';
import type { SpeechClient } from '../src/speech/speechClient.js';
import type { SpeechRequest } from '../src/speech/request.js';
import { GuildPlayback } from '../src/voice/GuildPlayback.js';
import { PlaybackRegistry } from '../src/voice/PlaybackRegistry.js';
import type { Clock, PlayHandle, VoiceLink } from '../src/voice/ports.js';
import { idealLags, planChat, tallyChat, type ChatTally, type PlannedPost } from './chatModel.js';
import { seededRandom } from './seededRandom.js';
import { mean } from './stats.js';
import { pct, type BenchRow } from './table.js';

const BENCH = 'replay';
const RATES = (process.env.BENCH_REPLAY_RATES ?? "0.2,0.5,1.5").split(",").map(Number);
const SECONDS = 180;
/** Chats replayed per rate (`BENCH_REPLAY_SEEDS`). */
const SEEDS = Number(process.env.BENCH_REPLAY_SEEDS ?? 200);
const MEMBERS = ['alice', 'bob', 'carol'];
const CHARS_PER_SECOND = 15;
/** The speech stand-in's shortest clip (s), added to every item. */
const MIN_SECONDS = 0.1;
/** Provider time to first byte plus the bot's start of playback, ms (the live bench's stand-in answers in 200). */
const TTFB_MS = Number(process.env.BENCH_REPLAY_TTFB_MS ?? 250);
const DROPPED = '🔇';
const GUILD = 'g1';
const VOICE = 'voice1';

/** Timers in virtual time: each fires in order of due time (then of setting), promise chains settling between. */
class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    // As Node does: a delay under 1 ms (or not a number) is 1 ms.
    this.timers.set(id, { at: this.t + (ms >= 1 ? ms : 1), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Runs timers until none is left before `untilMs`. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > untilMs) return;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
  }
}

const settle = async () => {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Played {
  request: SpeechRequest;
  startAt: number;
}

/** What one replayed chat came to. */
interface ReplayResult extends ChatTally {
  ideal: number[];
  posts: number;
  speeds: number[];
  requests: number;
  maxSpeed: number;
}

/** Replays one chat through the real reading service in virtual time. */
async function replay(posts: readonly PlannedPost[], lagS: number, maxSpeed: number, dataDir: string): Promise<ReplayResult> {
  const clock = new VirtualClock();
  const logger = createLogger('silent');
  const config = loadConfig({ DISCORD_TOKEN: 'x', DISCORD_APPLICATION_ID: '100000000000000001', TTS_API_KEY: 'k', TTS_BASE_URL: 'http://127.0.0.1:9/v1', DATA_DIR: dataDir });
  const settings = openSqliteSettings({ dataDir, tts: config.tts, logger });
  const translator = createTranslator(loadCatalogs());
  const phrasesIn = createSpokenPhrases(translator, createEmojiNames());
  const pronunciation = createPronunciation(settings, () => phrasesIn('en-US'));
  const durations = new WeakMap<Readable, { ms: number; request: SpeechRequest }>();
  const played: Played[] = [];
  let lastEndAt = 0;
  const link: VoiceLink = {
    channelId: null,
    join(channelId) {
      (this as { channelId: string | null }).channelId = channelId;
      return Promise.resolve();
    },
    play(packets): PlayHandle {
      const audio = durations.get(packets)!;
      played.push({ request: audio.request, startAt: clock.now() });
      let end!: () => void;
      const finished = new Promise<void>((resolve) => (end = resolve)).then(() => {
        lastEndAt = Math.max(lastEndAt, clock.now());
      });
      const timer = clock.setTimeout(end, audio.ms);
      return {
        finished,
        pause: () => false,
        resume: () => false,
        stop: () => {
          clock.clearTimeout(timer);
          end();
        },
      };
    },
    destroy() {},
    onEvent() {},
  };
  const prepare = (request: SpeechRequest, signal: AbortSignal) =>
    new Promise<{ packets: Readable; ttfbMs: number }>((resolve, reject) => {
      clock.setTimeout(() => {
        if (signal.aborted) return reject(new Error('aborted'));
        const packets = Readable.from([], { objectMode: true });
        durations.set(packets, { ms: ((MIN_SECONDS + [...request.input].length / CHARS_PER_SECOND) / request.speed) * 1000, request });
        resolve({ packets, ttfbMs: TTFB_MS });
      }, TTFB_MS);
    });
  const playback = new PlaybackRegistry<SpeechRequest>(
    (guildId) => new GuildPlayback<SpeechRequest>(guildId, link, prepare, { maxQueue: 100, maxPerMember: 100, idleTimeoutMs: 3_600_000, prefetch: 1 }, clock, logger),
  );
  const speak = createSpeakService({ config, speech: {} as SpeechClient, playback, settings, logger });
  const reactions = new Map<string, string[]>();
  const reading = createReadingService({
    config,
    settings,
    speak,
    playback,
    pronunciation,
    clock,
    logger,
    ports: {
      react: (_channelId, messageId, emoji) => {
        reactions.set(messageId, [...(reactions.get(messageId) ?? []), emoji]);
        return Promise.resolve();
      },
      cannotSpeakIn: () => null,
    },
  });
  settings.setGuild(GUILD, 'read_voice_chats', 'on');
  settings.setGuild(GUILD, 'read_max_lag_s', String(lagS));
  settings.setGuild(GUILD, 'read_max_speed', String(maxSpeed));
  await playback.getOrCreate(GUILD).join(VOICE);

  const ids = posts.map((p, i) => `m${i}`);
  for (const [i, p] of posts.entries()) {
    clock.setTimeout(() => reading.onMessage(messageOf(ids[i]!, p)), p.atMs);
  }
  await clock.run(Number.POSITIVE_INFINITY);
  settings.close();

  const speeds = played.map((x) => x.request.speed);
  const tally = tallyChat(
    posts,
    played.map((x) => x.request.input),
    (index) => played[index]?.startAt,
    (i) => reactions.get(ids[i]!)?.includes(DROPPED) === true,
    lastEndAt,
  );
  return { ...tally, ideal: idealLags(posts, CHARS_PER_SECOND, MIN_SECONDS), posts: posts.length, speeds, requests: played.length, maxSpeed: Math.max(1, ...speeds) };
}

/** A posted chat message as the reading service sees it. */
function messageOf(id: string, p: PlannedPost): MessageFacts {
  return {
    id,
    guildId: GUILD,
    channelId: VOICE,
    authorId: p.author,
    authorDisplayName: p.author,
    authorIsBot: false,
    webhook: false,
    system: false,
    silent: false,
    authorVoiceChannelId: VOICE,
    authorRoleIds: [],
    content: p.text,
    mentions: { users: {}, roles: {}, channels: {} },
    attachments: [],
    stickers: [],
    forwarded: false,
    embedsOnly: false,
  };
}

/** Share of `n` as a whole percentage. */
const share = (x: number, n: number) => `${((x / n) * 100).toFixed(1)} %`;

/** Every rate over many seeded chats, pacing on and off; per rate the spread of per-chat p95s and the pooled shares. */
export async function benchReplay(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dataRoot = mkdtempSync(join(tmpdir(), 'replay-'));
  try {
    for (const [r, rate] of RATES.entries()) {
      for (const pacing of [true, false]) {
        const results: ReplayResult[] = [];
        for (let s = 0; s < SEEDS; s++) {
          // Seed 100 + r is the live benchmark's own chat for this rate; the others vary around it.
          const seed = 100 + r + s * 1000;
          const posts = planChat(seededRandom(seed), rate, SECONDS, MEMBERS, `r${seed}${pacing ? 'p' : 'o'}`);
          const dir = join(dataRoot, `${rate}-${pacing}-${s}`);
          results.push(await replay(posts, pacing ? 8 : 60, pacing ? 1.6 : 1, dir));
        }
        const n = results.reduce((sum, x) => sum + x.posts, 0);
        const sum = (f: (x: ReplayResult) => number) => results.reduce((acc, x) => acc + f(x), 0);
        const p95s = results.map((x) => pct(x.lags, 95));
        const idealP95s = results.map((x) => pct(x.ideal, 95));
        const live = results[0]!;
        const label = `${rate} msg/s, pacing ${pacing ? 'on' : 'off'}`;
        rows.push({
          bench: BENCH,
          metric: `${label}: per-chat lag p95 (median / 90th pct of ${SEEDS} chats)`,
          value: `${pct(p95s, 50).toFixed(1)} / ${pct(p95s, 90).toFixed(1)} s`,
          note: `pooled lag p50 ${pct(results.flatMap((x) => x.lags), 50).toFixed(1)} · p95 ${pct(results.flatMap((x) => x.lags), 95).toFixed(1)} · max ${Math.max(...results.flatMap((x) => x.lags)).toFixed(1)} s; ideal reader's p95 median ${pct(idealP95s, 50).toFixed(1)} s (≤ 2 s in ${idealP95s.filter((x) => x <= 2).length} of ${SEEDS} chats); the live bench's chat: p95 ${pct(live.lags, 95).toFixed(1)} s, ${live.shed} of ${live.posts} shed`,
        });
        rows.push({
          bench: BENCH,
          metric: `${label}: in full / merged / shortened / shed / neither (pooled)`,
          value: `${share(sum((x) => x.full), n)} / ${share(sum((x) => x.merged), n)} / ${share(sum((x) => x.shortened), n)} / ${share(sum((x) => x.shed), n)} / ${sum((x) => x.neither)}`,
          note: `chats with nothing shed ${results.filter((x) => x.shed === 0).length} of ${SEEDS}; all in full at 1× ${results.filter((x) => x.full === x.posts && x.maxSpeed <= 1).length} of ${SEEDS}; average speed ${mean(results.flatMap((x) => x.speeds)).toFixed(2)}×; requests per message ${(sum((x) => x.requests) / n).toFixed(2)}; longest wait to be heard ${(Math.max(...results.map((x) => x.longestUnheardMs)) / 1000).toFixed(0)} s`,
        });
      }
    }
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }
  return rows;
}
