/**
 * `soak`: 1,000 mixed events through the stand-ins — speak, skip, stop, members joining, leaving and moving, the bot
 * disconnected or moved by a moderator, provider faults, voice server faults and gateway reconnects — then the bot's
 * own heap, RSS, listener counts and active handles compared with where they were before (both after a GC), and every
 * /speak checked for a final answer (no queue stuck).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InteractionHandle } from '../test/standins/discord/index.js';
import type { SpeechFault } from '../test/standins/speech/index.js';
import type { SoakProbe } from './soakBot.js';
import { pollUntil, progress, sleep, startBotUnderTest, type BotUnderTest } from './botUnderTest.js';
import type { BenchRow } from './table.js';
import { seededRandom } from './seededRandom.js';

const BENCH = 'soak';
/** Events driven; SOAK_EVENTS overrides (e.g. a longer run to tell a leak from a cache filling up). */
const EVENTS = Number(process.env.SOAK_EVENTS ?? 1_000);
const GUILDS = 2;
const MEMBERS = ['alice', 'bob', 'carol', 'dave'];
const PHRASES = Array.from({ length: 40 }, (_, i) => `Soak phrase number ${i}`);
const MIB = 2 ** 20;


async function probe(b: BotUnderTest): Promise<SoakProbe> {
  const answer = (await b.bot.request({ probe: true })) as { probe?: SoakProbe; probeError?: string };
  if (!answer.probe) throw new Error(`soak probe failed: ${answer.probeError ?? 'no answer'}`);
  return answer.probe;
}

const content = (h: InteractionHandle) => h.message()?.content ?? '';

/** Puts every member in Lounge and the bot out of voice, then waits for the bot to settle. */
async function settle(b: BotUnderTest): Promise<void> {
  for (const g of b.guilds) for (const m of MEMBERS) b.join(g, m, 'Lounge');
  for (const g of b.guilds) if (b.discord.botVoiceChannel(g.id) !== null) b.discord.disconnectBot(g.id);
  for (const g of b.guilds) await b.discord.waitForBotVoice(g.id, null, 20_000);
  await sleep(3_000);
}

type Kind = 'speak' | 'speak-fault' | 'skip' | 'stop' | 'member' | 'bot-disconnect' | 'bot-move' | 'voice-close' | 'gateway' | 'leave';
const WEIGHTS: Array<[Kind, number]> = [
  ['speak', 38],
  ['speak-fault', 8],
  ['skip', 9],
  ['stop', 5],
  ['member', 20],
  ['bot-disconnect', 3],
  ['bot-move', 3],
  ['voice-close', 5],
  ['gateway', 3],
  ['leave', 6],
];

/** 1,000 mixed events; memory, listeners and handles before and after. */
export async function benchSoak(): Promise<BenchRow[]> {
  const b = await startBotUnderTest({
    guilds: GUILDS,
    members: MEMBERS,
    extraVoiceChannels: ['Quiet'],
    speech: { ttfbMs: 50, bytesPerSecond: 'realtime-x4', secondsPerChar: 0.01 },
    env: { QUEUE_MAX_PER_MEMBER: '3', TTS_STALL_TIMEOUT_MS: '1000', TTS_MAX_RETRIES: '1' },
    script: { path: 'bench/soakBot.ts', nodeArgs: ['--expose-gc'] },
  });
  const rows: BenchRow[] = [];
  try {
    // Warm-up: every code path once (join, speak, leave), so the baseline holds what stays loaded anyway.
    for (const g of b.guilds) for (const m of MEMBERS) b.join(g, m, 'Lounge');
    for (const g of b.guilds) {
      const h = b.command(g, 'alice', 'speak', { text: 'Warming up' });
      await h.waitFor((x) => /Spoke in/.test(content(x)), 20_000);
    }
    await settle(b);
    const before = await probe(b);
    progress(BENCH, `before: heap ${(before.heapUsedBytes / MIB).toFixed(1)} MiB, rss ${(before.rssBytes / MIB).toFixed(1)} MiB`);

    const rnd = seededRandom(12);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
    const kindOf = (): Kind => {
      let r = rnd() * total;
      for (const [kind, w] of WEIGHTS) if ((r -= w) < 0) return kind;
      return 'speak';
    };
    const counts: Record<string, number> = {};
    const speaks: InteractionHandle[] = [];
    const faults: SpeechFault[] = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfterSeconds: 0.2 },
      { kind: 'stall', afterBytes: 2000 },
      { kind: 'garbage' },
      { kind: 'cut', afterBytes: 0 },
    ];
    const started = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const g = pick(b.guilds);
      const member = pick(MEMBERS);
      const kind = kindOf();
      counts[kind] = (counts[kind] ?? 0) + 1;
      switch (kind) {
        case 'speak':
          speaks.push(b.command(g, member, 'speak', { text: `${pick(PHRASES)} ${i % 7}` }));
          break;
        case 'speak-fault': {
          const text = `Soak fault ${i}`;
          b.speech.next(pick(faults), { input: text });
          speaks.push(b.command(g, member, 'speak', { text }));
          break;
        }
        case 'skip':
        case 'stop':
        case 'leave':
          b.command(g, member, kind);
          break;
        case 'member':
          b.join(g, member, pick(['Lounge', 'Lounge', 'Quiet', null]));
          break;
        case 'bot-disconnect':
          if (b.discord.botVoiceChannel(g.id) !== null) b.discord.disconnectBot(g.id);
          break;
        case 'bot-move':
          if (b.discord.botVoiceChannel(g.id) !== null) b.discord.moveBot(g.id, pick(['Lounge', 'Quiet']));
          break;
        case 'voice-close': {
          const session = b.voice.session(g.id);
          if (session && session.closeCode === undefined) session.close(pick([4015, 4006, 4015]), 'soak');
          break;
        }
        case 'gateway':
          if (rnd() < 0.5) b.discord.requestReconnect();
          else b.discord.cutGateway();
          break;
      }
      await sleep(40);
    }
    const drivenS = (Date.now() - started) / 1000;
    progress(BENCH, `${EVENTS} events in ${drivenS.toFixed(1)} s; draining`);
    // Let what is queued finish, then put everyone back where the baseline was taken.
    await sleep(5_000);
    await settle(b);
    const finals = /Spoke in|Skipped|Cut short|Not spoken|⚠️|🔊|Left|I’m in|Join|can’t|already have|queue is full|unavailable|not playable|rate-limiting/;
    await pollUntil(() => (speaks.every((h) => finals.test(content(h)) || h.events.some((e) => e.kind === 'followup')) ? true : undefined), 30_000, 'every /speak answered').catch(
      () => undefined,
    );
    const stuck = speaks.filter((h) => /Queued|Speaking in|Up next/.test(content(h)));
    // A public "thinking…" that ends in an error is deleted and the error sent as a private follow-up.
    const answeredPrivately = (h: InteractionHandle) => h.events.some((e) => e.kind === 'followup' && e.status === 200);
    // Sent while the bot had no gateway session (discord.js gave one up and identified anew): never delivered, as on
    // Discord, where the member sees "The application did not respond". Counted apart from what the bot dropped.
    const undeliveredIds = new Set(
      b.discord.undeliveredDispatches.filter((d) => d.event === 'INTERACTION_CREATE').map((d) => (d.data as { id: string }).id),
    );
    const undelivered = speaks.filter((h) => undeliveredIds.has(h.id));
    const unanswered = speaks.filter((h) => h.message() === undefined && !answeredPrivately(h) && !undeliveredIds.has(h.id));
    const after = await probe(b);
    progress(BENCH, `after: heap ${(after.heapUsedBytes / MIB).toFixed(1)} MiB, rss ${(after.rssBytes / MIB).toFixed(1)} MiB`);

    const growth = (after.heapUsedBytes - before.heapUsedBytes) / MIB;
    const pair = (x: Record<string, number>, y: Record<string, number>) =>
      [...new Set([...Object.keys(x), ...Object.keys(y)])]
        .sort()
        .map((k) => `${k} ${x[k] ?? 0}→${y[k] ?? 0}`)
        .join(', ');
    const same = (x: Record<string, number>, y: Record<string, number>) =>
      [...new Set([...Object.keys(x), ...Object.keys(y)])].every((k) => (x[k] ?? 0) === (y[k] ?? 0));
    rows.push(
      {
        bench: BENCH,
        metric: `bot heap used before → after ${EVENTS} events (after GC)`,
        value: `${(before.heapUsedBytes / MIB).toFixed(1)} → ${(after.heapUsedBytes / MIB).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(2)})`,
        target: `${growth < 10 ? '✓' : '✗'} growth < 10 MiB`,
        note: `RSS ${(before.rssBytes / MIB).toFixed(0)} → ${(after.rssBytes / MIB).toFixed(0)} MiB; events: ${Object.entries(counts)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}; driven in ${drivenS.toFixed(0)} s`,
      },
      {
        bench: BENCH,
        metric: 'listeners before → after (client, voice objects, queues)',
        value: pair(before.listeners, after.listeners),
        target: `${same(before.listeners, after.listeners) ? '✓' : '✗'} back where they started`,
        note: `objects ${pair(before.objects, after.objects)}`,
      },
      {
        bench: BENCH,
        metric: 'active handles before → after',
        value: pair(before.handles, after.handles),
        target: `${same(before.handles, after.handles) ? '✓' : '✗'} back where they started`,
      },
      {
        bench: BENCH,
        metric: '/speak requests left without a final answer',
        value: `${stuck.length} stuck, ${unanswered.length} unanswered of ${speaks.length}`,
        target: `${stuck.length === 0 && unanswered.length === 0 ? '✓' : '✗'} 0`,
        note: `${undelivered.length} never delivered (sent while the bot had no gateway session); ${b.bot.proc.exitCode === null ? 'the bot ran throughout' : `the bot exited (${b.bot.proc.exitCode})`}; gateway: ${
          b.discord.resumeAttempts.filter((r) => r.accepted).length
        } resumes accepted, ${b.discord.resumeAttempts.filter((r) => !r.accepted).length} refused, ${b.discord.identifies.length} identifies`,
      },
    );
    if (stuck.length > 0) progress(BENCH, `stuck replies, e.g.: ${stuck.slice(0, 3).map(content).join(' | ')}`);
    for (const h of unanswered.slice(0, 5)) progress(BENCH, `unanswered: created ${new Date(h.createdAt).toISOString()}, events ${JSON.stringify(h.events.map((e) => e.kind))}`);
    progress(BENCH, `identifies at: ${b.discord.identifies.map((r) => new Date(r.at).toISOString()).join(', ')}`);
    progress(BENCH, `gateway closes: ${b.discord.gatewayCloses.map((c) => `${c.code}@${new Date(c.at).toISOString().slice(11, 23)}`).join(', ')}; bot op 4 sent: ${b.discord.botVoiceOps.length}`);
  } finally {
    const logFile = join(tmpdir(), 'speech-bot-soak.log');
    writeFileSync(logFile, `${b.bot.output.join('\n')}\n`);
    progress(BENCH, `the bot's log: ${logFile}`);
    await b.close();
  }
  return rows;
}
