import { emojiKey } from '../../i18n/emojiNames.js';
import { joinList, SENTENCE_END, type SpokenPhrases } from '../../i18n/spokenPhrases.js';
import { MAX_INPUT_CHARS } from '../../speech/request.js';

/** A message as plain data, already resolved from discord.js by the caller. */
export interface ReadableMessage {
  /** Raw Discord markdown content. */
  content: string;
  /** Spoken name (the member's own spoken name, else the display name). */
  authorName: string;
  /** Id -> name for mentioned users, roles and channels. */
  mentions: { users: Record<string, string>; roles: Record<string, string>; channels: Record<string, string> };
  /** Author name of the replied-to message. */
  replyToName?: string | undefined;
  attachments?: Array<{ name: string; contentType?: string | undefined }>;
  /** Sticker names. */
  stickers?: string[];
  poll?: { question: string } | undefined;
  /** The message is a forward (content may be empty). */
  forwarded?: boolean;
  /** No content, only embeds (e.g. a link preview). */
  embedsOnly?: boolean;
  /** A native voice message: said as "a voice message, 12 seconds" instead of its audio file (never read aloud). */
  voiceMessage?: { durationSecs: number | null } | undefined;
}

/** A replacer made by compileDictionary. */
export type DictionaryReplacer = (text: string) => string;

/** How a message is read. */
export interface PrepareOptions {
  /** Prefix "<name> said" (the caller decides via shouldSayName). */
  sayName: boolean;
  /** <:blobcat:123> / <a:party:456> -> "blobcat" or nothing. */
  customEmoji: 'name' | 'skip';
  /** 😀 -> "grinning face" or nothing. */
  unicodeEmoji: 'name' | 'skip';
  /** Per-message cap; over it the text is cut at a word boundary and ends with " and more". */
  maxChars: number;
  /** Runs of the same character (or the same emoji) longer than this are cut to it. */
  maxRepeat: number;
  /** Whole words, case-insensitive, longest match first; a replacer from compileDictionary may be passed to skip recompiling. */
  dictionary: ReadonlyArray<{ word: string; reading: string }> | DictionaryReplacer;
  /** The guild's language: "Alice said", "a link to", emoji names, "and 3 others". */
  phrases: SpokenPhrases;
  /** How a member's name is said, `{name}` replaced ("{name}さん"); default: the language's `spoken.name`. */
  nameTemplate?: string | null | undefined;
}

interface Settings {
  customEmoji: 'name' | 'skip';
  unicodeEmoji: 'name' | 'skip';
  maxRepeat: number;
  phrases: SpokenPhrases;
}

type Mentions = ReadableMessage['mentions'];

const NAME_MAX_CHARS = 100;
/** Room kept for the fixed words of the prefix ("…, replying to …, forwarded: "). */
const PREFIX_WORDS_CHARS = 40;

// ---------------------------------------------------------------- sanitizing

const LINE_BREAKS = /\r\n?|[\u2028\u2029\u0085]/g;
const SPACING_CONTROLS = /[\t\v\f]/g;
// C0/C1 controls (but \n), bidi marks/overrides/isolates, zero-width and invisible filler characters,
// private-use characters (placeholders use the BMP ones) and lone surrogates. ZWJ and variation selectors stay for emoji.
const INVISIBLE =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
// Emoji glue left over once emoji are spoken or skipped.
const EMOJI_GLUE = /[\u200D\uFE00-\uFE0F\u20E3\u{1F3FB}-\u{1F3FF}\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;
const WHITESPACE = /\s+/g;
const SPACE = /^\s$/u;

function sanitize(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(SPACING_CONTROLS, ' ').replace(INVISIBLE, '');
}

function collapse(text: string): string {
  return text.replace(WHITESPACE, ' ').trim();
}

function capRepeats(text: string, maxRepeat: number): string {
  // Digits are exempt ("1000000" is a number, not an exclamation), and so are private-use placeholders.
  const run = new RegExp(`([^\\p{N}\\p{Co}\\s])\\1{${maxRepeat},}`, 'gu');
  return text.replace(run, (_match, char: string) => char.repeat(maxRepeat));
}

// ---------------------------------------------------------------- neighbours and spacing

function charBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const code = text.codePointAt(index - 2);
  return index >= 2 && code !== undefined && code > 0xffff ? text.slice(index - 2, index) : text[index - 1];
}

function charAfter(text: string, index: number): string | undefined {
  const code = text.codePointAt(index);
  return code === undefined ? undefined : String.fromCodePoint(code);
}

const PUNCTUATION = /^\p{P}$/u;

/** Spoken words put in place of a token, kept apart from neighbouring words but not from punctuation. */
function spaced(value: string, before: string | undefined, after: string | undefined): string {
  const apart = (char: string | undefined): boolean => char !== undefined && !SPACE.test(char) && !PUNCTUATION.test(char);
  if (value === '') return apart(before) && apart(after) ? ' ' : '';
  return (apart(before) ? ' ' : '') + value + (apart(after) ? ' ' : '');
}

// ---------------------------------------------------------------- emoji

const EMOJI_SEQUENCE = String.raw`\p{RI}\p{RI}?|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}\uFE0F?\p{EMod}?(?:[\u{E0020}-\u{E007E}]+\u{E007F})?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{EMod}?)*`;
const EMOJI_TOKEN = new RegExp(String.raw`<a?:(\w{1,64}):\d{1,20}>|${EMOJI_SEQUENCE}`, 'gu');

/** CLDR name of an emoji sequence in the guild's language; skin tones are not said; unknown ZWJ sequences are named part by part. */
function unicodeEmojiName(sequence: string, phrases: SpokenPhrases): string {
  const known = phrases.emojiName(sequence);
  if (known !== undefined) return known;
  if (!sequence.includes('\u200D')) return '';
  return sequence
    .split('\u200D')
    .map((part) => phrases.emojiName(part) ?? '')
    .filter((name) => name.length > 0)
    .join(' ');
}

/** Says or skips custom and Unicode emoji; a run of the same emoji is said at most maxRepeat times. */
function speakEmoji(text: string, settings: Settings): string {
  let out = '';
  let last = 0;
  let runKey = '';
  let runCount = 0;
  for (const match of text.matchAll(EMOJI_TOKEN)) {
    const between = text.slice(last, match.index);
    const customName = match[1];
    const spoken =
      customName !== undefined
        ? settings.customEmoji === 'name'
          ? customName.replace(/_+/g, ' ').trim()
          : ''
        : settings.unicodeEmoji === 'name'
          ? unicodeEmojiName(match[0], settings.phrases)
          : '';
    const key = customName !== undefined ? `custom:${customName.toLowerCase()}` : `unicode:${emojiKey(match[0])}`;
    runCount = key === runKey && between.trim() === '' ? runCount + 1 : 1;
    runKey = key;
    last = match.index + match[0].length;
    const said = runCount <= settings.maxRepeat ? spoken : '';
    out += between + spaced(said, charBefore(text, match.index), charAfter(text, last));
  }
  return out + text.slice(last);
}

/** Plain (non-markdown) user text such as a name, a sticker or a poll question, ready to be said. */
function speakPlain(text: string, settings: Settings): string {
  return collapse(capRepeats(speakEmoji(sanitize(text), settings).replace(EMOJI_GLUE, ''), settings.maxRepeat));
}

// ---------------------------------------------------------------- placeholders

// Resolved pieces (code, names, our own wording) are parked behind private-use placeholders, a lead character and
// two digits, so later passes cannot touch them; user private-use characters were removed by sanitize().
const PLACEHOLDER_BASE = 0xe002;
const PLACEHOLDER_DIGITS = 0xf8ff - PLACEHOLDER_BASE + 1;
/** Lead of placeholders restored before the dictionary (user text: code, names). */
const USER_LEAD = '\uE000';
/** Lead of placeholders restored after the dictionary (the bot's own wording: "code block", "a link to", dates). */
const WORDING_LEAD = '\uE001';

/** Values parked behind placeholders for one message. */
class Parking {
  private readonly values: string[] = [];
  private readonly placeholder: RegExp;

  constructor(private readonly lead: string) {
    this.placeholder = new RegExp(`${lead}([\\uE002-\\uF8FF])([\\uE002-\\uF8FF])`, 'g');
  }

  park(value: string): string {
    const index = this.values.length;
    if (index >= PLACEHOLDER_DIGITS * PLACEHOLDER_DIGITS) return value;
    this.values.push(value);
    return (
      this.lead +
      String.fromCharCode(PLACEHOLDER_BASE + Math.floor(index / PLACEHOLDER_DIGITS)) +
      String.fromCharCode(PLACEHOLDER_BASE + (index % PLACEHOLDER_DIGITS))
    );
  }

  restore(text: string): string {
    return text.replace(this.placeholder, (_match, high: string, low: string) => {
      const index = (high.charCodeAt(0) - PLACEHOLDER_BASE) * PLACEHOLDER_DIGITS + (low.charCodeAt(0) - PLACEHOLDER_BASE);
      return this.values[index] ?? '';
    });
  }
}

// ---------------------------------------------------------------- markdown and Discord tokens

const CODE_BLOCK = /```(?!`)[\s\S]*?[^`]```/g;
const INLINE_CODE = /`([^`]+)`/g;
const ESCAPED = /\\([\\*_~`|>#\-[\]()<:@])/g;
const SPOILER = /\|\|[\s\S]+?\|\|/g;
const STRAY_PIPES = /\|{2,}/g;
const LINE_MARKERS = /^[ \t]*(?:>{1,3}[ \t]+)?(?:(?:#{1,3}|-#)[ \t]+)?(?:[-*+][ \t]+)?/gm;
const MASKED_LINK = /\[([^[\]\n]{0,256})\]\(\s{0,8}<?(https?:\/\/[^\s()<>]{1,2048})>?\s{0,8}\)/gi;
const BRACKETED_LINK = /<(https?:\/\/[^\s<>]+)>/gi;
const BARE_LINK = /https?:\/\/[^\s<>]+/gi;
const LINK_TAIL = /[).,!?;:'"\]*_~|]+$/;
const USER_MENTION = /<@!?(\d{1,20})>/g;
const ROLE_MENTION = /<@&(\d{1,20})>/g;
const CHANNEL_MENTION = /<#(\d{1,20})>/g;
const COMMAND_MENTION = /<\/([^\s:<>]{1,96}):\d{1,20}>/g;
const EVERYONE = /(?<![\w@])@(everyone|here)(?!\w)/g;
const TIMESTAMP = /<t:(-?\d{1,16})(?::([tTdDfFR]))?>/g;
const EMPHASIS = /\*+|_+|~{2,}|`+/g;
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const DIGIT = /^\p{N}$/u;

/** Drops emphasis markers: `*` stays only alone or between digits ("5 * 3", "5*3"), `_` only inside words (snake_case). */
function stripEmphasis(text: string): string {
  return text.replace(EMPHASIS, (marker: string, offset: number) => {
    const before = charBefore(text, offset);
    const after = charAfter(text, offset + marker.length);
    if (marker === '*') {
      const alone = (before === undefined || SPACE.test(before)) && (after === undefined || SPACE.test(after));
      const arithmetic = before !== undefined && after !== undefined && DIGIT.test(before) && DIGIT.test(after);
      if (alone || arithmetic) return marker;
    }
    if (marker[0] === '_' && before !== undefined && after !== undefined && WORD_CHAR.test(before) && WORD_CHAR.test(after)) {
      return marker;
    }
    return '';
  });
}

/** Splits a phrase at one placeholder's value: the parts before and after, to park them apart. */
const SLOT = '\u0001';

/** "a link to example.com": the hostname without www. (left open to the dictionary), or just "a link". */
function describeLink(url: string, wording: Parking, phrases: SpokenPhrases): string {
  const authority = url.replace(/^https?:\/\//i, '').split(/[/?#\\]/, 1)[0] ?? '';
  const host = (/^[\p{L}\p{N}._-]*/u.exec(authority.slice(authority.lastIndexOf('@') + 1))?.[0] ?? '')
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/^[.-]+|[.-]+$/g, '');
  if (host === '') return wording.park(phrases.say('link'));
  // The phrase is parked around the host, so the dictionary sees the host alone ("ein Link zu " + host).
  const [before = '', after = ''] = phrases.say('linkTo', { host: SLOT }).split(SLOT);
  return (before === '' ? '' : wording.park(before)) + host + (after === '' ? '' : wording.park(after));
}

/** A Discord timestamp in fixed UTC wording, in the guild's language; relative ones ("R") are said as a full date. */
function describeTimestamp(seconds: string, style: string | undefined, phrases: SpokenPhrases): string {
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return phrases.say('date');
  const format = (options: Intl.DateTimeFormatOptions): string => {
    try {
      return new Intl.DateTimeFormat(phrases.language, { timeZone: 'UTC', ...options }).format(date);
    } catch {
      return date.toISOString();
    }
  };
  const two = (n: number): string => String(n).padStart(2, '0');
  const day = format({ year: 'numeric', month: 'long', day: 'numeric' });
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`;
  switch (style) {
    case 't':
      return phrases.say('time', { time });
    case 'T':
      return phrases.say('time', { time: `${time}:${two(date.getUTCSeconds())}` });
    case 'd':
    case 'D':
      return day;
    case 'F':
      return phrases.say('dateTime', { date: format({ weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }), time });
    default:
      return phrases.say('dateTime', { date: day, time });
  }
}

/** Turns Discord markdown into plain speakable text; the bot's own wording stays parked in `wording` for after the dictionary. */
function speakContent(content: string, mentions: Mentions, settings: Settings, wording: Parking): string {
  const parking = new Parking(USER_LEAD);
  const mentionName = (name: string | undefined, fallback: string): string => {
    const spoken = name === undefined ? '' : cutAtWord(speakPlain(name, settings), NAME_MAX_CHARS);
    return spoken === '' ? wording.park(fallback) : spoken;
  };
  let text = sanitize(content);
  text = text.replace(CODE_BLOCK, (block: string, at: number, all: string) =>
    parking.park(spaced(wording.park(settings.phrases.say('codeBlock')), charBefore(all, at), charAfter(all, at + block.length))),
  );
  text = text.replace(INLINE_CODE, (_m, code: string) => parking.park(speakEmoji(code, settings)));
  text = text.replace(ESCAPED, (_m, char: string) => parking.park(char));
  text = text.replace(SPOILER, ' ').replace(STRAY_PIPES, ' ');
  text = text.replace(LINE_MARKERS, '');
  text = text.replace(MASKED_LINK, (_m, label: string, url: string) => (label.trim() === '' ? parking.park(` ${describeLink(url, wording, settings.phrases)} `) : label));
  text = text.replace(BRACKETED_LINK, (link: string, url: string, at: number, all: string) =>
    parking.park(spaced(describeLink(url, wording, settings.phrases), charBefore(all, at), charAfter(all, at + link.length))),
  );
  text = text.replace(BARE_LINK, (url: string, at: number, all: string) => {
    const tail = LINK_TAIL.exec(url)?.[0] ?? '';
    return parking.park(spaced(describeLink(url.slice(0, url.length - tail.length), wording, settings.phrases), charBefore(all, at), tail || charAfter(all, at + url.length))) + tail;
  });
  const mention = (pattern: RegExp, say: (id: string) => string): void => {
    text = text.replace(pattern, (token: string, id: string, at: number, all: string) =>
      parking.park(spaced(say(id), charBefore(all, at), charAfter(all, at + token.length))),
    );
  };
  mention(USER_MENTION, (id) => mentionName(mentions.users[id], settings.phrases.say('someone')));
  mention(ROLE_MENTION, (id) => mentionName(mentions.roles[id], settings.phrases.say('role')));
  mention(CHANNEL_MENTION, (id) => mentionName(mentions.channels[id], settings.phrases.say('channel')));
  mention(COMMAND_MENTION, (command) => `/${command}`);
  text = text.replace(EVERYONE, (_m, who: string) => who);
  text = text.replace(TIMESTAMP, (stamp: string, seconds: string, style: string | undefined, at: number, all: string) =>
    parking.park(spaced(wording.park(describeTimestamp(seconds, style, settings.phrases)), charBefore(all, at), charAfter(all, at + stamp.length))),
  );
  text = speakEmoji(text, settings);
  text = stripEmphasis(text);
  text = parking.restore(text).replace(EMOJI_GLUE, '');
  return collapse(capRepeats(text, settings.maxRepeat));
}

// ---------------------------------------------------------------- dictionary

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
// Scripts written without spaces between words: whole-word boundaries do not exist there.
const UNSPACED_CHAR = String.raw`[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]`;
const UNSPACED_SCRIPT = new RegExp(UNSPACED_CHAR, 'u');
const EDGE_WORD_CHAR = /^[\p{L}\p{N}_]$/u;

function entryPattern(word: string): string {
  const escaped = word.replace(REGEX_SYNTAX, '\\$&');
  if (UNSPACED_SCRIPT.test(word)) return escaped;
  const first = String.fromCodePoint(word.codePointAt(0) ?? 0);
  const lastCode = word.codePointAt(word.length - 1);
  const last = lastCode !== undefined && lastCode >= 0xdc00 && lastCode <= 0xdfff ? word.slice(-2) : word.slice(-1);
  // A word's edge must not touch another word character, except one of a script without spaces: "Discordで" matches "discord".
  const before = EDGE_WORD_CHAR.test(first) ? `(?<!(?!${UNSPACED_CHAR})[\\p{L}\\p{N}_])` : '';
  const after = EDGE_WORD_CHAR.test(last) ? `(?!(?!${UNSPACED_CHAR})[\\p{L}\\p{N}_])` : '';
  return `${before}${escaped}${after}`;
}

/** Compiles a dictionary once into a replacer (cache it per guild; rebuilt when the dictionary changes). */
export function compileDictionary(entries: ReadonlyArray<{ word: string; reading: string }>): DictionaryReplacer {
  const seen = new Set<string>();
  const words: Array<{ word: string; reading: string }> = [];
  for (const entry of entries) {
    const word = collapse(sanitize(entry.word).replace(EMOJI_GLUE, ''));
    const folded = word.toLowerCase();
    if (word === '' || seen.has(folded)) continue;
    seen.add(folded);
    words.push({ word, reading: entry.reading });
  }
  if (words.length === 0) return (text) => text;
  words.sort((a, b) => b.word.length - a.word.length);
  const pattern = new RegExp(words.map((entry) => `(${entryPattern(entry.word)})`).join('|'), 'giu');
  return (text) =>
    text.replace(pattern, (...groups: unknown[]) => {
      // A function replacement is used so that "$1" in a reading stays literal.
      for (let i = 0; i < words.length; i += 1) {
        if (groups[i + 1] !== undefined) return words[i]?.reading ?? '';
      }
      return String(groups[0]);
    });
}

// ---------------------------------------------------------------- extras (attachments, stickers, poll)

const KINDS = {
  image: { phrase: 'images', extensions: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'heic', 'heif', 'svg', 'tif', 'tiff'] },
  video: { phrase: 'videos', extensions: ['mp4', 'mov', 'webm', 'mkv', 'avi', 'm4v', 'wmv', 'mpeg', 'mpg'] },
  audio: { phrase: 'audioFiles', extensions: ['mp3', 'ogg', 'oga', 'opus', 'wav', 'flac', 'm4a', 'aac', 'wma'] },
  file: { phrase: 'files', extensions: [] as string[] },
} as const;
type Kind = keyof typeof KINDS;
const KIND_ORDER: Kind[] = ['image', 'video', 'audio', 'file'];

function attachmentKind(attachment: { name: string; contentType?: string | undefined }): Kind {
  const type = attachment.contentType?.toLowerCase() ?? '';
  for (const kind of ['image', 'video', 'audio'] as const) if (type.startsWith(`${kind}/`)) return kind;
  const extension = /\.([a-z0-9]{1,8})$/i.exec(attachment.name)?.[1]?.toLowerCase() ?? '';
  for (const kind of ['image', 'video', 'audio'] as const) {
    if ((KINDS[kind].extensions as readonly string[]).includes(extension)) return kind;
  }
  return 'file';
}

/** "a voice message, 12 seconds" ("1 minute 5 seconds") in the guild's language; without a duration, just "a voice message". */
export function describeVoiceMessage(durationSecs: number | null, phrases: SpokenPhrases): string {
  if (durationSecs === null || !Number.isFinite(durationSecs) || durationSecs <= 0) return phrases.say('voiceMessage');
  const total = Math.max(1, Math.round(durationSecs));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes > 0 ? phrases.say('voiceMessageMinutes', { minutes, seconds }) : phrases.say('voiceMessageSeconds', { seconds });
}

/** What comes with the text: "a forwarded message", "2 images", "a sticker: wave", "a poll: …". */
function describeExtras(message: ReadableMessage, hasContent: boolean, settings: Settings, dictionary: DictionaryReplacer): string[] {
  const { phrases } = settings;
  const extras: string[] = [];
  if (!hasContent && message.forwarded) extras.push(phrases.say('forwardedMessage'));
  if (!hasContent && message.embedsOnly) extras.push(phrases.say('embed'));
  if (message.voiceMessage !== undefined) extras.push(describeVoiceMessage(message.voiceMessage.durationSecs, phrases));
  const counts = new Map<Kind, number>();
  // A voice message's one audio file is the voice message itself.
  for (const attachment of message.voiceMessage !== undefined ? [] : (message.attachments ?? [])) {
    const kind = attachmentKind(attachment);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const kind of KIND_ORDER) {
    const count = counts.get(kind) ?? 0;
    if (count > 0) extras.push(phrases.say(KINDS[kind].phrase, { count }));
  }
  const stickers = message.stickers ?? [];
  if (stickers.length > 0) {
    const names = joinList(stickers.map((name) => spokenName(name, '', settings, dictionary)).filter((name) => name !== ''), phrases);
    const what = phrases.say('stickers', { count: stickers.length });
    extras.push(names === '' ? what : phrases.say('named', { what, names }));
  }
  if (message.poll !== undefined) {
    const question = collapse(dictionary(cutAtWord(speakPlain(message.poll.question, settings), MAX_INPUT_CHARS)));
    extras.push(question === '' ? phrases.say('poll') : phrases.say('pollQuestion', { question }));
  }
  return extras;
}

// ---------------------------------------------------------------- assembling

const LEFT_USER_MENTION = /<@!?\d+>/g;
const LEFT_ROLE_MENTION = /<@&\d+>/g;
const LEFT_EVERYONE = /(?<!\w)@+(everyone|here)(?!\w)/gi;

/**
 * Mention syntax that names, stickers, polls or the dictionary brought in after the content's own mentions were
 * resolved (a member named "everyone" after an "@", a reading "@here"): said as words, like the content's own. An
 * address such as a@here.com stays as written, as in the content.
 */
function withoutPings(text: string, phrases: SpokenPhrases): string {
  return text
    .replace(LEFT_ROLE_MENTION, () => phrases.say('role'))
    .replace(LEFT_USER_MENTION, () => phrases.say('someone'))
    .replace(LEFT_EVERYONE, '$1');
}

/** Where text without spaces may be cut: after CJK sentence and clause marks. */
const UNSPACED_BREAK = /[、。，．！？；：]/;

/** Cuts text to at most max characters at a word boundary, or after a CJK punctuation mark (hard cut for a single overlong word). */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const limit = Math.max(0, max);
  let end = text[limit] === ' ' || UNSPACED_BREAK.test(text[limit] ?? '') ? limit : text.lastIndexOf(' ', limit - 1);
  // Text without spaces (Japanese, Chinese): the last clause mark in the second half of the budget, kept with its clause.
  for (let i = limit - 1; end < limit && i > Math.max(end, limit / 2); i--) {
    if (UNSPACED_BREAK.test(text[i]!)) {
      end = i + 1;
      break;
    }
  }
  if (end <= 0) {
    end = limit;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  }
  return text.slice(0, end).replace(/[\s,;:、，；：]+$/, '');
}

function withExtras(content: string, extras: string, phrases: SpokenPhrases): string {
  if (extras === '') return content;
  if (content === '') return extras;
  if (SENTENCE_END.test(content)) return phrases.say('withExtrasNewSentence', { text: content, extras });
  return phrases.say('withExtras', { text: content.replace(/[,;:、，；：]+$/, ''), extras });
}

function said(sayName: boolean, author: string, replyTo: string | undefined, verb: 'said' | 'forwarded' | 'sent', hasContent: boolean, body: string, phrases: SpokenPhrases): string {
  if (sayName) {
    const key = replyTo === undefined ? verb : `reply${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    return phrases.say(key, { name: author, reply: replyTo ?? '', text: body });
  }
  if (replyTo !== undefined) return phrases.say('reply', { reply: replyTo, text: body });
  if (verb === 'forwarded' && hasContent) return phrases.say('forward', { text: body });
  return hasContent ? body : body.charAt(0).toUpperCase() + body.slice(1);
}

/** A name (or sticker name) as said, capped before and after the dictionary so an expansion cannot blow it up. */
function spokenName(name: string, fallback: string, settings: Settings, dictionary: DictionaryReplacer): string {
  const spoken = cutAtWord(collapse(dictionary(cutAtWord(speakPlain(name, settings), NAME_MAX_CHARS))), NAME_MAX_CHARS);
  return spoken === '' ? fallback : spoken;
}

/** A member's name through the name template ("{name}さん"): the guild's own, else the language's `spoken.name`. */
export function withNameTemplate(name: string, template: string | null | undefined, phrases: SpokenPhrases): string {
  if (template === null || template === undefined || !template.includes('{name}')) return phrases.say('name', { name });
  return template.replace(/\{name\}/g, () => name);
}

function wholeNumber(value: number, fallback: number, min: number): number {
  return Number.isFinite(value) ? Math.max(min, Math.floor(value)) : fallback;
}

/** Text cut at a word so that it fits `cap` characters with the language's "and more" after it. */
export function endWithAndMore(text: string, cap: number, phrases: SpokenPhrases): string {
  const andMore = phrases.say('andMore', { text: '' }).length;
  return phrases.say('andMore', { text: cutAtWord(text, Math.max(1, cap - andMore)) });
}

/** Turns a message into what is said, or null when nothing is left to say (nothing is then queued). */
export function prepareText(message: ReadableMessage, options: PrepareOptions): string | null {
  const { phrases } = options;
  const settings: Settings = {
    customEmoji: options.customEmoji,
    unicodeEmoji: options.unicodeEmoji,
    maxRepeat: wholeNumber(options.maxRepeat, 3, 1),
    phrases,
  };
  const dictionary = typeof options.dictionary === 'function' ? options.dictionary : compileDictionary(options.dictionary);
  const named = (name: string) => withNameTemplate(name, options.nameTemplate, phrases);
  const author = named(spokenName(message.authorName ?? '', phrases.say('someoneAuthor'), settings, dictionary));
  const replyTo = message.replyToName === undefined ? undefined : named(spokenName(message.replyToName, phrases.say('someone'), settings, dictionary));
  const andMore = phrases.say('andMore', { text: '' }).length;
  const reserved = PREFIX_WORDS_CHARS + author.length + (replyTo?.length ?? 0);
  const budget = Math.max(andMore + 1, Math.min(wholeNumber(options.maxChars, MAX_INPUT_CHARS, 1), MAX_INPUT_CHARS - reserved));

  const wording = new Parking(WORDING_LEAD);
  let content = speakContent(message.content ?? '', message.mentions ?? { users: {}, roles: {}, channels: {} }, settings, wording);
  // Cut before the dictionary so that expansions never work on more than the budget.
  let truncated = content.length > budget;
  if (truncated) content = cutAtWord(content, budget);
  content = collapse(wording.restore(dictionary(content)).replace(INVISIBLE, ''));

  const hasContent = content !== '';
  const extras = joinList(describeExtras(message, hasContent, settings, dictionary), phrases);
  if (!hasContent && extras === '') return null;

  let body = withExtras(content, extras, phrases);
  truncated ||= body.length > budget;
  if (truncated) body = endWithAndMore(body, budget, phrases);
  const verb = !hasContent ? 'sent' : message.forwarded ? 'forwarded' : 'said';
  return cutAtWord(withoutPings(said(options.sayName, author, replyTo, verb, hasContent, body, phrases).trim(), phrases), MAX_INPUT_CHARS);
}

/** Whether to say "<name> said": not when the same author was the last one spoken within windowMs. */
export function shouldSayName(last: { authorId: string; at: number } | undefined, authorId: string, now: number, windowMs: number): boolean {
  if (last === undefined || last.authorId !== authorId) return true;
  return now - last.at > windowMs;
}
