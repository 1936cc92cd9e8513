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
