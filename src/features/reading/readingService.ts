import type { Config } from '../../config.js';
import { isBotError, type BotError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { effectiveSpeech, languageVoice, memberValue } from '../../settings/effective.js';
import type { GuildSettings } from '../../settings/definitions.js';
import type { SettingsStore } from '../../settings/types.js';
import { MAX_INPUT_CHARS, SPEED_RANGE, type SpeechRequest } from '../../speech/request.js';
import { isBudgetSpent } from '../../usage/usageMeter.js';
import type { EntryOutcome } from '../../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../../voice/PlaybackRegistry.js';
import type { Clock } from '../../voice/ports.js';
import type { SpeakService, SpeechFile } from '../speak.js';
import type { MessageFacts } from './messageFacts.js';
import type { Pronunciation } from '../pronunciation.js';
import { pace, spokenLength, SPEECH_CHARS_PER_SECOND } from './pacing.js';
import { prepareText, shouldSayName } from './prepareText.js';
import { distinctVoice, readDecision } from './readFilter.js';
import { capRest, splitRead } from './readInParts.js';

/** Reactions the bot leaves instead of messages: quiet, visible to the author. */
export const READ_REACTIONS = { dropped: '🔇', failed: '⚠️', budgetSpent: '⏳' } as const;


/** What the reading service does to Discord besides speaking. */
export interface ReadingPorts {
  react(channelId: string, messageId: string, emoji: string): Promise<void>;
  /** Why the bot may not join and speak in a voice channel (a missing permission), or null when it may. */
  cannotSpeakIn(guildId: string, channelId: string): BotError | null;
}

/** A message waiting in the reader's own room, not yet handed to the player. */
interface Waiting {
  m: MessageFacts;
  voiceChannelId: string;
  postedAt: number;
  /** Length of what would be read at the full cap, without the name (for the backlog estimate). */
  chars: number;
  /** What saying the name adds to it. */
  nameChars: number;
  /** For the rest of a long message whose first part was handed already: the text still to say. */
  rest?: string;
}

/** One request handed to the player: one message, or several consecutive ones of one author merged. */
interface Handed {
  entryId: number;
  messages: MessageFacts[];
  voiceChannelId: string;
  sayName: boolean;
  capChars: number;
  speedFactor: number;
  /** Texts said for messages instead of preparing them again: the rest of a long message begun earlier. */
  rests: ReadonlyMap<string, string>;
  /** Set when only the first part of the read is said now (the rest waits in the room). */
  firstPart?: string;
  started: boolean;
  /** Set before the reader removes it itself (an edit or deletion), so its cancellation is not taken for a /stop. */
  withdrawn: boolean;
}

/** Where a waiting message is: still in the reader's room, or in a request handed to the player. */
type PendingRead = { at: 'room'; authorId: string } | { at: 'player'; authorId: string; handed: Handed };

/** Longest runs of one character kept in what is read ("!!!!!!!" → "!!!"). */
const MAX_REPEAT = 3;
/** Said between merged messages of one author. */
const MERGE_JOIN = ' … ';
/** Room kept under the endpoint's input limit when messages are merged. */
const MERGE_LIMIT = MAX_INPUT_CHARS - 96;
/** The next read is decided and handed to the player only when this little audio (ms) is left ahead of it: enough to fetch it, late enough that pacing sees what arrived meanwhile. */
const HAND_AHEAD_MS = 2_000;
/** While waiting for that moment, how often the estimate is looked at again (estimates of queued audio can run long). */
const HAND_RECHECK_MS = 500;
/** The moment is judged as if speech were this fast (faster than the pacing estimate), so a quicker voice than estimated still leaves time to fetch the next read. */
const HAND_CHARS_PER_SECOND = 18;
/** What each request adds to the time audio takes besides its speech (silence at its ends, the step to the next), ms. */
const ITEM_GAP_MS = 250;

/** Reads messages aloud in the bot's voice channel: filters, prepares text, paces, queues, follows edits and deletions. */
export function createReadingService(deps: {
  config: Config;
  settings: SettingsStore;
  speak: SpeakService;
  playback: PlaybackRegistry<SpeechRequest>;
  ports: ReadingPorts;
  pronunciation: Pronunciation;
  clock: Clock;
  logger: Logger;
  /** Told what became of each message in a reading channel (metrics). */
  onResult?: (result: 'read' | 'skipped' | 'dropped') => void;
}) {
  const log = deps.logger.child({ module: 'reading' });
  const counted = deps.onResult ?? (() => undefined);
  // guild → message id → where it waits, until it starts or ends.
  const pending = new Map<string, Map<string, PendingRead>>();
  const pendingIn = (guildId: string) => {
    let map = pending.get(guildId);
    if (!map) pending.set(guildId, (map = new Map()));
    return map;
  };
  // guild → messages not yet handed to the player, oldest first: pacing decides how they are read when their turn comes.
  const rooms = new Map<string, Waiting[]>();
  const roomOf = (guildId: string) => {
    let room = rooms.get(guildId);
    if (!room) rooms.set(guildId, (room = []));
    return room;
  };
  // guild → the handed request not yet started (at most one, so the player fetches it ahead while the current plays).
  const queued = new Map<string, Handed>();
  const lastSpoken = new Map<string, { authorId: string; at: number }>();
  // guild → author → when something of theirs last started playing.
  const lastHeard = new Map<string, Map<string, number>>();
  const lastHeardIn = (guildId: string) => {
    let map = lastHeard.get(guildId);
    if (!map) lastHeard.set(guildId, (map = new Map()));
    return map;
  };
  const { dictionaryFor, spokenName, phrasesFor } = deps.pronunciation;
  const speedHonoured = deps.config.tts.providers[0]?.speed ?? true;

  const pendingOf = (guildId: string, authorId: string) => {
    let n = 0;
    for (const p of pendingIn(guildId).values()) if (p.authorId === authorId) n++;
    return n;
  };

  /** The text to say for a message, or null when nothing is left. */
  const textFor = (m: MessageFacts, settings: GuildSettings, sayName: boolean, maxChars = settings.read_max_chars): string | null => {
    const users: Record<string, string> = {};
    for (const [id, name] of Object.entries(m.mentions.users)) users[id] = spokenName(m.guildId, id, name);
    return prepareText(
      {
        content: m.content,
        authorName: spokenName(m.guildId, m.authorId, m.authorDisplayName),
        mentions: { ...m.mentions, users },
        replyToName: m.replyToName,
        attachments: m.attachments,
        stickers: m.stickers,
        poll: m.poll,
        forwarded: m.forwarded,
        embedsOnly: m.embedsOnly,
        voiceMessage: m.voiceMessage,
      },
      {
        sayName,
        customEmoji: settings.read_emoji,
        unicodeEmoji: settings.read_emoji,
        maxChars,
        maxRepeat: MAX_REPEAT,
        dictionary: dictionaryFor(m.guildId),
        phrases: phrasesFor(m.guildId),
        nameTemplate: settings.name_template,
      },
    );
  };

  /** One author's consecutive messages as one text: the name once, the messages joined; null when nothing is left. */
  const mergedText = (messages: readonly MessageFacts[], settings: GuildSettings, sayName: boolean, capChars: number, rests: ReadonlyMap<string, string>): string | null => {
    const parts: string[] = [];
    for (const m of messages) {
      const rest = rests.get(m.id);
      const text = rest !== undefined ? capRest(rest, capChars, phrasesFor(m.guildId)) : textFor(m, settings, sayName && parts.length === 0, capChars);
      if (text !== null) parts.push(text);
    }
    return parts.length > 0 ? parts.join(MERGE_JOIN) : null;
  };

  /** Voices members may be given: not those TTS_LANGUAGE_VOICES reserves for another language (a Japanese voice in a German server). */
  const distinctVoices = (guildId: string): readonly string[] => {
    const reserved = deps.config.tts.languageVoices ?? {};
    if (Object.keys(reserved).length === 0) return deps.config.tts.voices;
    const own = languageVoice(reserved, phrasesFor(guildId).language);
    const others = new Set(Object.values(reserved).filter((v) => v !== own));
    const usable = deps.config.tts.voices.filter((v) => !others.has(v));
    return usable.length > 0 ? usable : deps.config.tts.voices;
  };

  /** The member's own voice, else a distinct one when the guild wants it, else undefined (guild/config default). */
  const voiceFor = (m: MessageFacts, settings: GuildSettings): string | undefined => {
    const own = memberValue(deps.settings.member(m.guildId, m.authorId), 'voice');
    if (own) return undefined; // merged by the speak service with the member's settings
    return settings.read_distinct_voices ? distinctVoice(m.authorId, distinctVoices(m.guildId)) : undefined;
  };

  /** The member's own speed times the pacing factor (undefined at factor 1: the usual settings apply). */
  const speedFor = (m: MessageFacts, settings: GuildSettings, factor: number): number | undefined => {
    if (factor <= 1) return undefined;
    const base = effectiveSpeech({}, deps.settings.member(m.guildId, m.authorId), settings, deps.config.tts.defaults).speed;
    return Math.min(SPEED_RANGE.max, Math.round(base * factor * 100) / 100);
  };

  /** Whether and where a message is read, from the guild's settings and the bot's voice channel now. */
  const decide = (m: MessageFacts, settings: GuildSettings) =>
    readDecision(m, {
      settings,
      boundChannels: deps.settings.readingChannels.channels(m.guildId),
      botVoiceChannelId: deps.playback.get(m.guildId)?.channelId ?? null,
      optedOut: memberValue(deps.settings.member(m.guildId, m.authorId), 'optOut') === true,
    });

  const react = (m: { channelId: string; id: string }, emoji: string) =>
    void deps.ports.react(m.channelId, m.id, emoji).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not react'));

  /** How long the player's request for `request` will play (ms), from its text at the speech's pace. */
  const estimateMs = (request: SpeechRequest) => (spokenLength(request.input) / SPEECH_CHARS_PER_SECOND / request.speed) * 1000 + ITEM_GAP_MS;
  /** The same at the fast end of speech, to time handing the next read. */
  const fastEstimateMs = (request: SpeechRequest) => (spokenLength(request.input) / HAND_CHARS_PER_SECOND / request.speed) * 1000;

  /** A handed request's messages are no longer pending in the player: still pending in the room when their rest waits there. */
  const settlePending = (h: Handed) => {
    const guildId = h.messages[0]?.guildId;
    if (guildId === undefined) return;
    const room = roomOf(guildId);
    for (const m of h.messages) {
      if (room.some((w) => w.m.id === m.id && w.rest !== undefined)) pendingIn(guildId).set(m.id, { at: 'room', authorId: m.authorId });
      else pendingIn(guildId).delete(m.id);
    }
  };
  /** Takes the rests of a request said in parts out of the room (its first part is not said as it was, or not at all). */
  const dropRests = (h: Handed) => {
    const guildId = h.messages[0]?.guildId;
    if (guildId === undefined || h.firstPart === undefined) return;
    const ids = new Set(h.messages.map((m) => m.id));
    const room = roomOf(guildId);
    for (let i = room.length - 1; i >= 0; i--) if (room[i]!.rest !== undefined && ids.has(room[i]!.m.id)) room.splice(i, 1);
  };

  /** The speak service's job for a handed request; its text is built from its messages now. */
  const jobFor = (h: Handed, settings: GuildSettings) => {
    const first = h.messages[0]!;
    const text = h.firstPart ?? mergedText(h.messages, settings, h.sayName, h.capChars, h.rests);
    if (text === null) return null;
    const voice = voiceFor(first, settings);
    const speed = speedFor(first, settings, h.speedFactor);
    return {
      guildId: first.guildId,
      channelId: h.voiceChannelId,
      requester: { id: first.authorId, name: first.authorDisplayName },
      ask: { text, ...(voice ? { voice } : {}), ...(speed !== undefined ? { speed } : {}) },
      label: h.messages.length > 1 ? `${h.messages.length} messages from ${first.authorDisplayName}` : `message from ${first.authorDisplayName}`,
      onStart: () => {
        h.started = true;
        const now = deps.clock.now();
        lastHeardIn(first.guildId).set(first.authorId, now);
        settlePending(h);
        if (queued.get(first.guildId) === h) queued.delete(first.guildId);
        feed(first.guildId);
      },
      onEnd: (outcome: EntryOutcome) => {
        // A first part not heard to its end (skipped, failed, stopped): its rest is not said either.
        if (outcome.status !== 'spoken') dropRests(h);
        settlePending(h);
        if (queued.get(first.guildId) === h) queued.delete(first.guildId);
        if (outcome.status === 'failed') {
          // One reaction per message: the entry ends once, whatever number of parts it was spoken in.
          const emoji = isBudgetSpent(outcome.error) ? READ_REACTIONS.budgetSpent : READ_REACTIONS.failed;
          for (const m of h.messages) react(m, emoji);
        }
        if (outcome.status === 'cancelled' && !h.withdrawn) {
          // A restart drops what was waiting: the authors see it was not read.
          const restarting = outcome.reason === 'restarting';
          if (restarting) for (const m of h.messages) react(m, READ_REACTIONS.dropped);
          // The queue was stopped, or the bot left: what waited behind it in the reader's room goes with it.
          for (const w of roomOf(first.guildId).splice(0)) {
            pendingIn(first.guildId).delete(w.m.id);
            if (restarting) react(w.m, READ_REACTIONS.dropped);
          }
          return;
        }
        feed(first.guildId);
      },
    };
  };

  // Set once the bot shuts down: nothing new is read.
  let stopped = false;
  // guild → the timer that feeds again once the audio ahead is nearly played.
  const feedTimers = new Map<string, unknown>();
  const clearFeedTimer = (guildId: string) => {
    const timer = feedTimers.get(guildId);
    if (timer === undefined) return;
    deps.clock.clearTimeout(timer);
    feedTimers.delete(guildId);
  };
  /** Drops waiting messages the pacing shed: each gets one quiet 🔇. */
  const shed = (guildId: string, ids: ReadonlySet<string>) => {
    const room = roomOf(guildId);
    for (let i = room.length - 1; i >= 0; i--) {
      const w = room[i]!;
      if (!ids.has(w.m.id)) continue;
      room.splice(i, 1);
      pendingIn(guildId).delete(w.m.id);
      react(w.m, READ_REACTIONS.dropped);
      counted('dropped');
    }
    log.info({ guildId, shed: ids.size }, 'reads dropped: reading fell behind');
  };

  /** The author whose read was handed last, when the next read of theirs would not say their name again. */
  const nameSaidLast = (guildId: string, now: number, settings: GuildSettings): string | null => {
    const last = lastSpoken.get(guildId);
    return last && !shouldSayName(last, last.authorId, now, settings.read_name_window_s * 1000) ? last.authorId : null;
  };

  /** Lengths the backlog estimate works with: the text without the name, and what the name adds; null when nothing is read. */
  const lengthsOf = (m: MessageFacts, settings: GuildSettings): { chars: number; nameChars: number } | null => {
    const named = textFor(m, settings, true);
    const bare = named === null ? null : textFor(m, settings, false);
    if (named === null || bare === null) return null;
    const chars = spokenLength(bare);
    return { chars, nameChars: Math.max(0, spokenLength(named) - chars) };
  };

  /**
   * Hands the next request to the player when none is waiting there: pacing decides which waiting messages merge
   * into it, at what speed and cap, and which are dropped. Decided as late as possible (when about HAND_AHEAD_MS of
   * audio is left ahead), so the backlog is current.
   */
  function feed(guildId: string): void {
    const room = roomOf(guildId);
    clearFeedTimer(guildId);
    while (room.length > 0 && !queued.has(guildId)) {
      const playback = deps.playback.get(guildId);
      const fastAheadMs = playback?.queuedMs(fastEstimateMs) ?? 0;
      if (fastAheadMs > HAND_AHEAD_MS) {
        if (!stopped) feedTimers.set(guildId, deps.clock.setTimeout(() => feed(guildId), Math.min(fastAheadMs - HAND_AHEAD_MS, HAND_RECHECK_MS)));
        return;
      }
      const aheadMs = playback?.queuedMs(estimateMs) ?? 0;
      const settings = deps.settings.guild(guildId);
      const now = deps.clock.now();
      const decision = pace({
        now,
        aheadMs,
        waiting: room.map((w) => ({ id: w.m.id, authorId: w.m.authorId, postedAt: w.postedAt, chars: w.chars, nameChars: w.nameChars, ...(w.rest !== undefined ? { keep: true } : {}) })),
        lastHeardAt: lastHeardIn(guildId),
        lastAuthorId: nameSaidLast(guildId, now, settings),
        limits: {
          maxLagMs: settings.read_max_lag_s * 1000,
          maxSpeed: settings.read_max_speed,
          speedHonoured,
          maxChars: settings.read_max_chars,
          charsPerSecond: SPEECH_CHARS_PER_SECOND,
          itemGapMs: ITEM_GAP_MS,
        },
      });
      if (decision.shed.length > 0) shed(guildId, new Set(decision.shed));
      const next = new Set(decision.next);
      const taken: Waiting[] = [];
      let length = 0;
      while (room.length > 0 && next.has(room[0]!.m.id) && (taken.length === 0 || length + room[0]!.chars <= MERGE_LIMIT)) {
        length += room[0]!.chars + MERGE_JOIN.length;
        taken.push(room.shift()!);
      }
      if (taken.length === 0) continue;
      const first = taken[0]!;
      const sayName = shouldSayName(lastSpoken.get(guildId), first.m.authorId, now, settings.read_name_window_s * 1000);
      const handed: Handed = {
        entryId: 0,
        messages: taken.map((w) => w.m),
        voiceChannelId: first.voiceChannelId,
        sayName,
        capChars: decision.capChars,
        speedFactor: decision.speed,
        rests: new Map(taken.flatMap((w) => (w.rest !== undefined ? [[w.m.id, w.rest] as const] : []))),
        started: false,
        withdrawn: false,
      };
      let job = jobFor(handed, settings);
      // A long message is said in parts: its rest waits at the head of the room, where pacing can still cut it. (Not
      // merged ones: cutting a rest that spans several messages could leave one of them unsaid and unmarked.)
      let rest: Waiting | undefined;
      const parts = job === null || taken.length > 1 ? null : splitRead(job.ask.text);
      if (job !== null && parts !== null) {
        const last = taken.at(-1)!;
        handed.firstPart = parts.first;
        job = { ...job, ask: { ...job.ask, text: parts.first } };
        const firstMs = (spokenLength(parts.first) / SPEECH_CHARS_PER_SECOND / decision.speed) * 1000 + ITEM_GAP_MS;
        rest = { m: last.m, voiceChannelId: last.voiceChannelId, postedAt: now + aheadMs + firstMs, chars: spokenLength(parts.rest), nameChars: 0, rest: parts.rest };
      }
      if (job === null) {
        for (const w of taken) {
          pendingIn(guildId).delete(w.m.id);
          counted('skipped');
        }
        continue;
      }
      try {
        handed.entryId = deps.speak.toVoice(job).id;
        queued.set(guildId, handed);
        for (const w of taken) pendingIn(guildId).set(w.m.id, { at: 'player', authorId: w.m.authorId, handed });
        if (rest) room.unshift(rest);
        lastSpoken.set(guildId, { authorId: first.m.authorId, at: now });
        for (let i = 0; i < taken.length; i++) counted('read');
        if (taken.length > 1 || decision.speed > 1 || decision.capChars < settings.read_max_chars) {
          log.debug({ guildId, merged: taken.length, speed: decision.speed, capChars: decision.capChars }, 'read paced');
        }
      } catch (err) {
        log.info({ guildId, key: isBotError(err) ? err.key : 'internal' }, 'read dropped');
        if (!isBotError(err)) log.error({ err }, 'reading failed');
        for (const w of taken) {
          pendingIn(guildId).delete(w.m.id);
          react(w.m, READ_REACTIONS.dropped);
          counted('dropped');
        }
      }
    }
  }

  /** Rebuilds a handed request after one of its messages changed; withdraws it when nothing is left to read. */
  const rebuild = (h: Handed, guildId: string) => {
    const playback = deps.playback.get(guildId);
    if (!playback || h.started) return;
    const settings = deps.settings.guild(guildId);
    let job: ReturnType<typeof jobFor> = null;
    try {
      job = h.messages.length > 0 ? jobFor(h, settings) : null;
      if (job !== null) {
        if (playback.replace(h.entryId, deps.speak.voiceJob(job))) return;
        job = null;
      }
    } catch (err) {
      log.info({ key: isBotError(err) ? err.key : 'internal' }, 'edited message not re-read');
      return;
    }
    h.withdrawn = true;
    playback.remove(h.entryId, 'stopped');
    for (const m of h.messages) pendingIn(guildId).delete(m.id);
    if (queued.get(guildId) === h) queued.delete(guildId);
    feed(guildId);
  };

  const askOnRequest = (m: MessageFacts, requesterId: string): { kind: 'ask'; text: string; voice: string | undefined } | { kind: 'nothing' } | { kind: 'opted_out' } => {
    if (m.authorId !== requesterId && memberValue(deps.settings.member(m.guildId, m.authorId), 'optOut') === true) return { kind: 'opted_out' };
    const settings = deps.settings.guild(m.guildId);
    const text = textFor(m, settings, true);
    if (text === null) return { kind: 'nothing' };
    return { kind: 'ask', text, voice: memberValue(deps.settings.member(m.guildId, m.authorId), 'voice') ?? voiceFor(m, settings) };
  };

  return {
    /** Stops reading new and edited messages (shutdown). */
    stop(): void {
      stopped = true;
      for (const guildId of [...feedTimers.keys()]) clearFeedTimer(guildId);
    },

    /** A message was posted in the guild. */
    onMessage(m: MessageFacts): void {
      if (stopped) return;
      const settings = deps.settings.guild(m.guildId);
      const decision = decide(m, settings);
      if (!decision.read) {
        if (decision.reason !== 'not_reading_channel') {
          log.debug({ guildId: m.guildId, reason: decision.reason }, 'message not read');
          counted('skipped');
        }
        return;
      }
      const cannot = decision.join ? deps.ports.cannotSpeakIn(m.guildId, decision.voiceChannelId) : null;
      if (cannot) {
        log.info({ guildId: m.guildId, why: cannot.key, ...cannot.details }, 'auto-join skipped: cannot speak in the author’s channel');
        counted('skipped');
        return;
      }
      const waiting = pendingIn(m.guildId);
      if (pendingOf(m.guildId, m.authorId) >= settings.read_max_pending_member || waiting.size >= settings.read_max_pending_guild) {
        log.info({ guildId: m.guildId, guildPending: waiting.size }, 'read dropped: backlog limit');
        react(m, READ_REACTIONS.dropped);
        counted('dropped');
        return;
      }
      const lengths = lengthsOf(m, settings);
      if (lengths === null) {
        counted('skipped');
        return;
      }
      roomOf(m.guildId).push({ m, voiceChannelId: decision.voiceChannelId, postedAt: deps.clock.now(), ...lengths });
      waiting.set(m.id, { at: 'room', authorId: m.authorId });
      feed(m.guildId);
    },

    /** A message was edited: if it is still waiting, it is read as edited, or dropped if it would no longer be read. */
    onEdit(m: MessageFacts): void {
      const waiting = pendingIn(m.guildId).get(m.id);
      if (!waiting) return;
      const settings = deps.settings.guild(m.guildId);
      const decision = decide(m, settings);
      const lengths = decision.read ? lengthsOf(m, settings) : null;
      if (waiting.at === 'room') {
        const room = roomOf(m.guildId);
        const index = room.findIndex((w) => w.m.id === m.id);
        // The rest of a message already begun is said as it began.
        if (index < 0 || room[index]!.rest !== undefined) return;
        if (lengths === null) {
          room.splice(index, 1);
          pendingIn(m.guildId).delete(m.id);
        } else {
          room[index] = { ...room[index]!, m, ...lengths };
        }
        return;
      }
      const h = waiting.handed;
      const index = h.messages.findIndex((x) => x.id === m.id);
      if (index < 0) return;
      // Not yet started: a request said in parts is made whole again, as edited.
      dropRests(h);
      h.firstPart = undefined;
      if (lengths === null) {
        h.messages.splice(index, 1);
        pendingIn(m.guildId).delete(m.id);
      } else {
        h.messages[index] = m;
      }
      rebuild(h, m.guildId);
    },

    /** A message was deleted: if it was still waiting, it is never read. */
    onDelete(guildId: string, messageId: string): void {
      const waiting = pendingIn(guildId).get(messageId);
      if (!waiting) return;
      pendingIn(guildId).delete(messageId);
      if (waiting.at === 'room') {
        const room = roomOf(guildId);
        const index = room.findIndex((w) => w.m.id === messageId);
        if (index >= 0) room.splice(index, 1);
      } else {
        const h = waiting.handed;
        // Not yet started: a request said in parts is made whole again from what is left.
        dropRests(h);
        h.firstPart = undefined;
        h.messages = h.messages.filter((x) => x.id !== messageId);
        rebuild(h, guildId);
      }
      log.debug({ guildId }, 'deleted message dropped from the queue');
    },

    /**
     * What "Read aloud" would say for a message asked by `requesterId`, in its author's voice: the author's opt-out and
     * the reading rules for text apply (an author may always have their own message read).
     */
    askOnRequest,

    /** "Read aloud" on one message: in the bot's channel when the member is there, else a private file. */
    async readOnRequest(
      m: MessageFacts,
      requester: { id: string; name: string; voiceChannelId: string | null },
      attachmentLimit: number,
      /** Told how the item ended when it is read in voice (so the requester hears why it was not, e.g. a spent budget). */
      onEnd?: (outcome: EntryOutcome) => void,
    ): Promise<{ kind: 'voice'; channelId: string; position: number } | { kind: 'file'; file: SpeechFile } | { kind: 'nothing' } | { kind: 'opted_out' }> {
      const asked = askOnRequest(m, requester.id);
      if (asked.kind !== 'ask') return asked;
      const { text, voice } = asked;
      const botChannel = deps.playback.get(m.guildId)?.channelId ?? null;
      if (botChannel && requester.voiceChannelId === botChannel) {
        const { position } = deps.speak.toVoice({
          guildId: m.guildId,
          channelId: botChannel,
          requester: { id: requester.id, name: requester.name },
          ask: { text, ...(voice ? { voice } : {}) },
          label: `message from ${m.authorDisplayName}`,
          ...(onEnd ? { onEnd } : {}),
        });
        return { kind: 'voice', channelId: botChannel, position };
      }
      // The file is made with the message author's voice settings, as it would sound in the channel.
      const file = await deps.speak.toFile({ text, format: 'mp3', ...(voice ? { voice } : {}) }, { guildId: m.guildId, userId: m.authorId }, attachmentLimit, requester.id);
      return { kind: 'file', file };
    },

    /** How many reads are waiting in a guild (for /read status). */
    pendingIn(guildId: string): number {
      return pending.get(guildId)?.size ?? 0;
    },
  };
}

/** The reading service's shape. */
export type ReadingService = ReturnType<typeof createReadingService>;
