/** One message waiting to be read, oldest first. */
export interface WaitingRead {
  id: string;
  authorId: string;
  /** When it was posted (ms, the injected clock). */
  postedAt: number;
  /** Length of its text (without the name) as it would be read at the guild's full cap. */
  chars: number;
  /** What saying the author's name adds ("Alice said: "), when it is said: at the start of each author's turn. */
  nameChars?: number;
  /** Never dropped: the rest of a message whose first part was already said (it may still be cut short). */
  keep?: boolean;
}

/** What the pacing policy looks at: the reader's backlog now. */
export interface PacingInput {
  now: number;
  /** Audio (ms, at the speed it was asked for) already queued ahead of every waiting read: the current item, /speak items, announcements, reads already handed to the player. */
  aheadMs: number;
  /** Reads not yet handed to the player, oldest first. */
  waiting: readonly WaitingRead[];
  /** When something of each author's was last read (started playing). */
  lastHeardAt: ReadonlyMap<string, number>;
  /** The author whose read was handed last, when a read of theirs next would not say the name again. */
  lastAuthorId?: string | null;
  limits: PacingLimits;
}

/** The guild's and provider's numbers the policy works with. */
export interface PacingLimits {
  /** `read_max_lag_s` in ms: how late a read may start after it was posted. */
  maxLagMs: number;
  /** `read_max_speed`: the most the member's own speed is multiplied by. */
  maxSpeed: number;
  /** Whether the provider honours `speed` (if not, the policy never speeds up). */
  speedHonoured: boolean;
  /** `read_max_chars`: the cap when there is no pressure. */
  maxChars: number;
  /** Characters of text per second of audio at speed 1. */
  charsPerSecond: number;
  /** Time each request adds besides its speech (silence at its ends, the gap before it starts), ms. */
  itemGapMs?: number;
}

/** The policy's decisions for the next read to hand to the player. */
export interface PacingDecision {
  /** Multiplier of the member's own speed (1 = as they set it). */
  speed: number;
  /** The per-message character cap to read with (≤ `maxChars`). */
  capChars: number;
  /** The waiting reads spoken next as one request, one name (one author, consecutive); empty when nothing waits. */
  next: string[];
  /** Waiting reads dropped (oldest first), each to be marked with one 🔇. */
  shed: string[];
}

/** Characters of text per second of audio at speed 1 (typical speech; the estimate of how long queued items play). */
export const SPEECH_CHARS_PER_SECOND = 15;
/** Characters of Chinese, Japanese and Korean script: each takes about twice as long to say as a Latin letter. */
const WIDE_SPEECH_CHAR = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/gu;

/** Length of text in Latin-letter equivalents of speaking time: CJK characters count twice (for the estimates above). */
export function spokenLength(text: string): number {
  return text.length + (text.match(WIDE_SPEECH_CHAR)?.length ?? 0);
}

/** Backlog (ms of audio) under which nothing is sped up. */
export const SPEEDUP_FROM_MS = 3_000;
/** The shortest the per-message cap gets under pressure: about one short sentence, under the 40-character median of chat. */
export const CAP_FLOOR_CHARS = 30;
/** Share of the lag budget the cap aims for: shortening starts at half the budget, so shedding (at the full budget) is the last resort. */
export const SHORTEN_AIM = 0.5;
/** An author with nothing read for this long keeps their newest message (everyone gets heard). */
export const HEARD_WINDOW_MS = 60_000;
/** Spoken between merged messages and the name, roughly; counted so estimates stay honest. */
const MERGE_OVERHEAD_CHARS = 2;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
/** Smooth 0→1 ramp with zero slope at both ends. */
const smoothstep = (x: number) => {
  const t = clamp01(x);
  return t * t * (3 - 2 * t);
};

/** Speed multiplier for a backlog (how late, after its post, the latest waiting message would start): 1 up to a few seconds, rising smoothly to `maxSpeed` at the lag budget. */
export function speedFor(backlogMs: number, limits: Pick<PacingLimits, 'maxLagMs' | 'maxSpeed' | 'speedHonoured'>): number {
  if (!limits.speedHonoured || limits.maxSpeed <= 1) return 1;
  const from = Math.min(SPEEDUP_FROM_MS, limits.maxLagMs / 2);
  const factor = 1 + (limits.maxSpeed - 1) * smoothstep((backlogMs - from) / (limits.maxLagMs - from));
  return Math.round(factor * 100) / 100;
}

/** Consecutive runs of one author, as index ranges into `reads`. */
function runs(reads: readonly WaitingRead[]): WaitingRead[][] {
  const out: WaitingRead[][] = [];
  for (const r of reads) {
    const last = out.at(-1);
    if (last && last[0]!.authorId === r.authorId) last.push(r);
    else out.push([r]);
  }
  return out;
}

/** Characters a run is read with under a cap (merged: the name once when its author's turn starts, small joins). */
function runChars(run: readonly WaitingRead[], cap: number, sayName: boolean): number {
  const name = sayName ? (run[0]!.nameChars ?? 0) : 0;
  return name + run.reduce((sum, r) => sum + Math.min(r.chars, cap), 0) + MERGE_OVERHEAD_CHARS * (run.length - 1);
}

/** Each run of `reads` with whether its name is said: not when it continues the author heard just before. */
function namedRuns(reads: readonly WaitingRead[], lastAuthorId: string | null | undefined): Array<{ run: WaitingRead[]; sayName: boolean }> {
  let previous = lastAuthorId ?? null;
  return runs(reads).map((run) => {
    const sayName = run[0]!.authorId !== previous;
    previous = run[0]!.authorId;
    return { run, sayName };
  });
}

/**
 * The pacing policy: given the backlog, how the next read is spoken (speed, cap, which waiting messages merge into
 * it) and which waiting messages are dropped. Pure: the same backlog always gives the same decisions.
 */
export function pace(input: PacingInput): PacingDecision {
  const { now, aheadMs, limits } = input;
  const gapMs = limits.itemGapMs ?? 0;
  const msFor = (chars: number, speed: number) => (chars / limits.charsPerSecond / speed) * 1000 + gapMs;

  // How late the latest of `reads` would start (ms past the budget's origin: its post), read in order at a cap and speed.
  const latestStart = (reads: readonly WaitingRead[], cap: number, speed: number) => {
    let startMs = aheadMs;
    let worst = 0;
    for (const { run, sayName } of namedRuns(reads, input.lastAuthorId)) {
      for (const r of run) worst = Math.max(worst, now - r.postedAt + startMs);
      startMs += msFor(runChars(run, cap, sayName), speed);
    }
    return worst;
  };

  // Speed from how late the latest would start at normal speed and the full cap (counting how long each has waited).
  const speed = speedFor(latestStart(input.waiting, limits.maxChars, 1), limits);

  // Shortening: when even at that speed some read would start past half the budget, the largest cap that brings them
  // all within it (the floor when none does), so that the budget itself, where shedding starts, is rarely reached.
  let capChars = limits.maxChars;
  const floor = Math.min(CAP_FLOOR_CHARS, limits.maxChars);
  const aimMs = limits.maxLagMs * SHORTEN_AIM;
  if (latestStart(input.waiting, limits.maxChars, speed) > aimMs) {
    let low = floor;
    let high = limits.maxChars;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (latestStart(input.waiting, mid, speed) <= aimMs) low = mid;
      else high = mid - 1;
    }
    capChars = low;
  }

  // Shedding: while some read would start past the budget, drop the oldest one that may go.
  const kept = [...input.waiting];
  const shed: string[] = [];
  const protectedIds = new Set<string>(input.waiting.filter((r) => r.keep).map((r) => r.id));
  const newestOf = new Map<string, string>();
  for (const r of input.waiting) newestOf.set(r.authorId, r.id);
  for (const [authorId, id] of newestOf) {
    const heard = input.lastHeardAt.get(authorId);
    if (heard === undefined || now - heard >= HEARD_WINDOW_MS) protectedIds.add(id);
  }
  for (;;) {
    let startMs = aheadMs;
    let lastLate = -1;
    let index = 0;
    for (const { run, sayName } of namedRuns(kept, input.lastAuthorId)) {
      for (const r of run) {
        if (now - r.postedAt + startMs > limits.maxLagMs) lastLate = index + run.indexOf(r);
      }
      startMs += msFor(runChars(run, capChars, sayName), speed);
      index += run.length;
    }
    if (lastLate < 0) break;
    const victim = kept.slice(0, lastLate + 1).findIndex((r) => !protectedIds.has(r.id));
    if (victim < 0) break;
    shed.push(kept[victim]!.id);
    kept.splice(victim, 1);
  }

  const first = runs(kept)[0] ?? [];
  return { speed, capChars, next: first.map((r) => r.id), shed };
}
