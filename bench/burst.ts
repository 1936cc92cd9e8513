/**
 * `burst`: a reading burst — 50 messages a second for 30 s into one guild's read-aloud channel, from members in the
 * bot's voice channel. Reports the bot's memory over the burst, how long what was read waited for its audio, and
 * that every message not read got the quiet 🔇 reaction.
 */
import { toneFor } from '../test/standins/speech/index.js';
import type { ReceivedPacket } from '../test/standins/voice/index.js';
import { splitUtterances } from '../test/standins/voice/utterances.js';
import { pollUntil, progress, sleep, startBotUnderTest } from './botUnderTest.js';
import { rssMiB } from './procStats.js';
import { percentiles, verdict } from './stats.js';
import type { BenchRow } from './table.js';

const BENCH = 'burst';
const PER_SECOND = 50;
const SECONDS = 30;
const POSTERS = ['alice', 'bob', 'carol', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
const OWNER = 'dave';
const DROPPED = '🔇';

/** One played item: its start and tone. */
interface Played {
  startAt: number;
  frequency: number;
}

/** Splits received packets into played items: between two items the player sends ~100 ms of silence frames, so a gap over 60 ms ends one. */
function playedItems(packets: readonly ReceivedPacket[]): Played[] {
  return splitUtterances(packets, 60).map((u) => ({ startAt: u.startAt, frequency: u.frequency }));
}

const sameTone = (a: number, b: number) => Math.abs(a - b) <= b * 0.03;

/** A 30 s burst of 50 messages/s into a read-aloud channel: memory, read latency, reads and drops. */
export async function benchBurst(): Promise<BenchRow[]> {
  const b = await startBotUnderTest({
    members: [...POSTERS, OWNER],
    // Short messages are short audio: about 0.7 s each.
    speech: { ttfbMs: 200, bytesPerSecond: 'realtime-x4', secondsPerChar: 0.01 },
    env: { READING_ENABLED: 'true' },
  });
  const rows: BenchRow[] = [];
  try {
    const g = b.guilds[0]!;
    const chat = g.channel('chat').id;
    for (const m of [...POSTERS, OWNER]) b.join(g, m);
    const joined = b.command(g, 'alice', 'join');
    await joined.waitFor((h) => /Joined/.test(h.message()?.content ?? ''), 15_000);
    const enable = b.command(g, OWNER, 'read', { channel: chat }, 'enable');
    await enable.waitFor((h) => /read aloud/.test(h.message()?.content ?? ''), 15_000);
    const session = await b.voice.waitForSession(g.id);
    await sleep(1000);

    const rssStart = rssMiB(b.pid);
    let rssPeak = rssStart;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rssPeak = Math.max(rssPeak, rssMiB(b.pid));
        await sleep(250);
      }
    })();

    progress(BENCH, `posting ${PER_SECOND * SECONDS} messages at ${PER_SECOND}/s from ${POSTERS.length} members`);
    const fromPacket = session.packets.length;
    const fromRequest = b.speech.requests.length;
    const total = PER_SECOND * SECONDS;
    const posted: Array<{ id: string; at: number }> = [];
    const t0 = Date.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / PER_SECOND;
      if (due > Date.now()) await sleep(due - Date.now());
      const message = b.discord.postMessage({ channelId: chat, authorId: POSTERS[i % POSTERS.length]!, content: `burst ${i}` });
      posted.push({ id: message.id, at: Date.now() });
    }
    const postSeconds = (Date.now() - t0) / 1000;
    progress(BENCH, `posted in ${postSeconds.toFixed(1)} s; waiting for the backlog to be read and the reactions to arrive`);

    // Drained: the provider idle and the channel quiet for 1.5 s, and no reaction added for 2 s.
    const reacted = () => posted.filter((p) => b.discord.reactions(chat, p.id).some((r) => r.emoji === DROPPED)).length;
    let lastReacted = -1;
    let stableSince = Date.now();
    await pollUntil(
      () => {
        const n = reacted();
        if (n !== lastReacted) {
          lastReacted = n;
          stableSince = Date.now();
        }
        const last = session.lastPacketAt ?? 0;
        const quiet = Date.now() - last > 1500 && b.speech.requests.every((r) => r.endedAt !== undefined);
        return quiet && Date.now() - stableSince > 2000 ? true : undefined;
      },
      120_000,
      'the burst to be read and reacted to',
      250,
    );
    sampling = false;
    await sampler;
    const rssEnd = rssMiB(b.pid);

    // What was read: provider requests whose text ends with “burst <i>”, in order.
    const reads = b.speech.requests
      .slice(fromRequest)
      .map((r) => ({ rec: r, i: Number(/burst (\d+)$/.exec((r.body as { input?: string } | null)?.input ?? '')?.[1] ?? Number.NaN) }))
      .filter((x) => Number.isInteger(x.i));
    const readSet = new Set(reads.map((x) => x.i));
    const dropped = posted.map((p, i) => ({ i, reacted: b.discord.reactions(chat, p.id).some((r) => r.emoji === DROPPED) }));
    const droppedCount = dropped.filter((d) => d.reacted).length;
    const silentDrops = dropped.filter((d) => !d.reacted && !readSet.has(d.i)).length;
    const readAndReacted = dropped.filter((d) => d.reacted && readSet.has(d.i)).length;

    // Map played items to reads in order, by tone.
    const items = playedItems(session.packets.slice(fromPacket));
    const latencies: number[] = [];
    let k = 0;
    let matched = 0;
    for (const item of items) {
      // Skip reads whose audio was never heard (e.g. a failure), up to two, to stay aligned.
      let step = 0;
      while (k + step < reads.length && step < 3 && !sameTone(item.frequency, toneFor((reads[k + step]!.rec.body as { input: string }).input))) step++;
      if (k + step >= reads.length || step === 3) continue;
      k += step;
      latencies.push(item.startAt - posted[reads[k]!.i]!.at);
      matched++;
      k++;
    }

    rows.push({
      bench: BENCH,
      metric: `bot RSS start / peak / end (${total} messages in ${postSeconds.toFixed(0)} s)`,
      value: `${rssStart.toFixed(0)} / ${rssPeak.toFixed(0)} / ${rssEnd.toFixed(0)} MiB`,
      target: verdict(rssPeak - rssStart < 64, 'bounded (peak < start + 64 MiB)'),
      note: `peak − start ${(rssPeak - rssStart).toFixed(1)} MiB`,
    });
    rows.push({
      bench: BENCH,
      metric: 'post → start of its audio, for what was read',
      value: percentiles(latencies.map((ms) => ms / 1000), 's', 2),
      note: `min ${(Math.min(...latencies) / 1000).toFixed(2)} s; ${matched} of ${reads.length} reads matched to played items by tone (${items.length} items heard); reading paced (defaults: read_max_lag_s 8, read_max_speed 1.6): what cannot start within the budget is dropped with 🔇 rather than waited for`,
    });
    rows.push({
      bench: BENCH,
      metric: 'messages read / dropped with 🔇 / neither',
      value: `${readSet.size} / ${droppedCount} / ${silentDrops}`,
      target: verdict(silentDrops === 0 && readAndReacted === 0 && readSet.size + droppedCount === total, 'every message read or reacted to, never both'),
      note: `${total} posted; read and also reacted: ${readAndReacted}; defaults: 5 pending per member, 30 per guild`,
    });
  } finally {
    await b.close();
  }
  return rows;
}
