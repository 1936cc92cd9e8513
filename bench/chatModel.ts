/** The benchmark's model of a voice channel's text chat: who posts, when, and how long (fixed seeds, so every run posts the same). */

/** Words chat messages are made of. */
const WORDS = ['so', 'we', 'could', 'try', 'the', 'boss', 'again', 'after', 'dinner', 'maybe', 'with', 'more', 'healers', 'and', 'less', 'rushing', 'lol', 'wait', 'what', 'did', 'you', 'say', 'about', 'that', 'map', 'yes', 'no', 'okay', 'nice', 'run'];

/** A chat message length: log-normal around a median of 40 characters, and one in twenty a long one of 200. */
export function chatLength(random: () => number): number {
  if (random() < 0.05) return 200;
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(4, Math.min(160, Math.round(40 * Math.exp(0.55 * normal))));
}

/** Text of about `length` characters, starting with a marker that finds it in provider requests. */
export function chatText(marker: string, length: number, random: () => number): string {
  let text = marker;
  while (text.length < length) text += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  return text;
}

/** One planned post: when (ms after the start), who, what. */
export interface PlannedPost {
  atMs: number;
  author: string;
  marker: string;
  text: string;
}

/** The posts of one run: Poisson arrivals at `rate` a second for `seconds`, authors and lengths drawn from `random`. */
export function planChat(random: () => number, rate: number, seconds: number, members: readonly string[], markerPrefix: string): PlannedPost[] {
  const posts: PlannedPost[] = [];
  let due = 0;
  for (let i = 0; ; i++) {
    due += (-Math.log(1 - random()) / rate) * 1000;
    if (due > seconds * 1000) break;
    const marker = `${markerPrefix}m${i}`;
    const author = members[Math.floor(random() * members.length)]!;
    posts.push({ atMs: due, author, marker, text: chatText(marker, chatLength(random), random) });
  }
  return posts;
}

/**
 * Lags (s) an ideal reader reaches: everything in full at normal speed, in order, no gap between items but the
 * provider's fixed `minSeconds`, the name said when the author changes.
 */
export function idealLags(posts: readonly { atMs: number; author: string; text: string }[], charsPerSecond: number, minSeconds = 0.1): number[] {
  const lags: number[] = [];
  let freeAt = 0;
  let previousAuthor = '';
  for (const p of posts) {
    const start = Math.max(freeAt, p.atMs);
    lags.push((start - p.atMs) / 1000);
    const nameChars = p.author === previousAuthor ? 0 : `${p.author} said: `.length;
    freeAt = start + ((nameChars + p.text.length) / charsPerSecond + minSeconds) * 1000;
    previousAuthor = p.author;
  }
  return lags;
}

/** Whether a message's text was said whole: in the request at `index`, or continued (a long read said in parts) in the ones after it. */
export function saidInFull(text: string, inputs: readonly string[], index: number): boolean {
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  return flat(inputs.slice(index, index + 4).join(' ')).includes(flat(text));
}

/** What became of a chat's messages: who was heard when, what was said whole, merged, cut, marked 🔇 or neither. */
export interface ChatTally {
  /** Post → start of the request holding the message (s), for the messages read whose start is known. */
  lags: number[];
  full: number;
  merged: number;
  shortened: number;
  shed: number;
  neither: number;
  /** Over all messages, the longest from a post to the next start of anything of its author's (or to `endAt`). */
  longestUnheardMs: number;
}

/**
 * Tallies a chat from the reading requests in order (`inputs`), when each started (by index; undefined when it could
 * not be matched), which messages were marked 🔇, and when the run ended; every time on one clock, in ms.
 */
export function tallyChat(
  posts: readonly { atMs: number; author: string; marker: string; text: string }[],
  inputs: readonly string[],
  startOf: (index: number) => number | undefined,
  marked: (postIndex: number) => boolean,
  endAt: number,
): ChatTally {
  const holds = (input: string, marker: string) => new RegExp(`\\b${marker}\\b`).test(input);
  const tally: ChatTally = { lags: [], full: 0, merged: 0, shortened: 0, shed: 0, neither: 0, longestUnheardMs: 0 };
  const heardAt = new Map<string, number[]>();
  for (const [i, p] of posts.entries()) {
    const index = inputs.findIndex((input) => holds(input, p.marker));
    if (index < 0) {
      if (marked(i)) tally.shed++;
      else tally.neither++;
      continue;
    }
    if (saidInFull(p.text, inputs, index)) tally.full++;
    else tally.shortened++;
    if (posts.filter((q) => holds(inputs[index]!, q.marker)).length > 1) tally.merged++;
    const start = startOf(index);
    if (start !== undefined) {
      tally.lags.push((start - p.atMs) / 1000);
      heardAt.set(p.author, [...(heardAt.get(p.author) ?? []), start]);
    }
  }
  for (const p of posts) {
    const next = (heardAt.get(p.author) ?? []).filter((t) => t >= p.atMs).sort((a, b) => a - b)[0] ?? endAt;
    tally.longestUnheardMs = Math.max(tally.longestUnheardMs, next - p.atMs);
  }
  return tally;
}
