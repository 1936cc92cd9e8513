/** Splits a session's received packets into utterances (runs of audio separated by arrival gaps) and decodes them. */
import { dominantFrequency } from '../../support/pcm.js';

/** One voice packet as the stand-in received it. */
export interface ReceivedPacket {
  /** Arrival time, ms on the `Date.now()` scale with sub-ms precision (`performance.timeOrigin + performance.now()`). */
  at: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** The transport nonce counter the sender appended. */
  nonce: number;
  /** Decrypted Opus payload. */
  opus: Buffer;
  /** True for the Opus silence frame F8 FF FE that senders emit around pauses. */
  silence: boolean;
  /** Decoded 48 kHz stereo s16 PCM (decoded in arrival order by the session's decoder); undefined if decoding failed. */
  pcm: Int16Array | undefined;
  /**
   * On a DAVE session, how the frame came: 'encrypted' (passed the DAVE frame check; `opus` is what the call's
   * listening member decrypted), 'plain' (no DAVE marker) or 'silence' (the silence frame, always passed through).
   */
  e2ee?: 'encrypted' | 'plain' | 'silence';
}

/** A stretch of received audio with no gap longer than the split threshold. */
export interface Utterance {
  /** Arrival time of the first audio packet. */
  startAt: number;
  /** Arrival time of the last audio packet. */
  endAt: number;
  /** The audio packets (silence frames excluded), in arrival order. */
  packets: ReceivedPacket[];
  /** Their decoded PCM concatenated: 48 kHz, stereo, interleaved. */
  pcm: Int16Array;
  /** Decoded length: stereo frames / 48. */
  durationMs: number;
  /** Dominant frequency of `pcm` in Hz (0 if too short to measure). */
  frequency: number;
}

/** The Opus "silence" frame. */
export const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

/** Groups non-silence packets into utterances, starting a new one when a packet arrives > `gapMs` after the previous. */
export function splitUtterances(packets: readonly ReceivedPacket[], gapMs: number): Utterance[] {
  const groups: ReceivedPacket[][] = [];
  let current: ReceivedPacket[] | undefined;
  let lastAt = -Infinity;
  for (const packet of packets) {
    if (packet.silence) continue;
    if (!current || packet.at - lastAt > gapMs) {
      current = [];
      groups.push(current);
    }
    current.push(packet);
    lastAt = packet.at;
  }
  return groups.map((group) => {
    const parts = group.map((p) => p.pcm ?? new Int16Array(0));
    const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      pcm.set(part, offset);
      offset += part.length;
    }
    return {
      startAt: group[0]!.at,
      endAt: group[group.length - 1]!.at,
      packets: group,
      pcm,
      durationMs: pcm.length / 2 / 48,
      frequency: dominantFrequency(pcm, 48000, 2),
    };
  });
}

/** Shorter than this, a piece's tone is not measured reliably enough to tell two items apart. */
export const MIN_MEASURABLE_MS = 120;

/** One item as a listener tells it apart: a run of pieces of one tone. */
export interface HeardItem {
  /** Dominant frequency of the item's first measurable piece (0 if none was measurable). */
  tone: number;
  startAt: number;
  endAt: number;
  /** Decoded audio of all its pieces, gaps left out. */
  ms: number;
  pieces: Utterance[];
}

/**
 * Groups utterances into heard items by tone. A scheduling hiccup on a loaded machine can split one item into
 * pieces, and a piece of a packet or two has no measurable tone: such a piece joins the neighbouring item whose tone
 * it is nearer (the item before it when it has none), so a split never counts as an extra item and never reorders.
 */
export function heardItems(utterances: readonly Utterance[], tolerance = 0.03): HeardItem[] {
  const items: HeardItem[] = [];
  let floating: Utterance[] = [];
  const add = (item: HeardItem, u: Utterance) => {
    item.pieces.push(u);
    item.startAt = Math.min(item.startAt, u.startAt);
    item.endAt = Math.max(item.endAt, u.endAt);
    item.ms += u.durationMs;
  };
  const itemOf = (u: Utterance, tone: number): HeardItem => ({ tone, startAt: u.startAt, endAt: u.endAt, ms: u.durationMs, pieces: [u] });
  const distance = (f: number, tone: number) => (f > 0 && tone > 0 ? Math.abs(f - tone) / tone : Infinity);
  for (const u of utterances) {
    if (u.durationMs < MIN_MEASURABLE_MS || u.frequency <= 0) {
      floating.push(u);
      continue;
    }
    const last = items.at(-1);
    if (last && distance(u.frequency, last.tone) <= tolerance) {
      for (const f of floating) add(last, f);
      add(last, u);
    } else {
      // Floating pieces before the first one nearer the new tone stay with the item before.
      let cut = last ? floating.findIndex((f) => distance(f.frequency, u.frequency) < distance(f.frequency, last.tone)) : 0;
      if (cut < 0) cut = floating.length;
      if (last) for (const f of floating.slice(0, cut)) add(last, f);
      const [head, ...rest] = [...floating.slice(cut), u];
      const item = itemOf(head!, u.frequency);
      for (const r of rest) add(item, r);
      items.push(item);
    }
    floating = [];
  }
  if (floating.length) {
    const last = items.at(-1);
    if (last) for (const f of floating) add(last, f);
    else {
      const [head, ...rest] = floating;
      const item = itemOf(head!, 0);
      for (const r of rest) add(item, r);
      items.push(item);
    }
  }
  return items;
}
