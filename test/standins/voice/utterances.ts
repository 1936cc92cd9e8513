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
