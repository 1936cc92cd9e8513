import type { Config } from '../../config.js';
import { isBotError, type BotError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { memberValue } from '../../settings/effective.js';
import type { GuildSettings } from '../../settings/definitions.js';
import type { SettingsStore } from '../../settings/types.js';
import type { SpeechRequest } from '../../speech/request.js';
import type { EntryOutcome } from '../../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../../voice/PlaybackRegistry.js';
import type { Clock } from '../../voice/ports.js';
import type { SpeakService, SpeechFile } from '../speak.js';
import type { MessageFacts } from './messageFacts.js';
import type { Pronunciation } from '../pronunciation.js';
import { prepareText, shouldSayName } from './prepareText.js';
import { distinctVoice, readDecision } from './readFilter.js';

/** Reactions the bot leaves instead of messages: quiet, visible to the author. */
export const READ_REACTIONS = { dropped: '🔇', failed: '⚠️', budgetSpent: '⏳' } as const;

/** Errors that mean a character budget is spent (the message waits for no one: it is not read). */
const BUDGET_KEYS: ReadonlySet<string> = new Set(['usage.budget_guild', 'usage.budget_bot']);

/** What the reading service does to Discord besides speaking. */
export interface ReadingPorts {
  react(channelId: string, messageId: string, emoji: string): Promise<void>;
  /** Why the bot may not join and speak in a voice channel (a missing permission), or null when it may. */
  cannotSpeakIn(guildId: string, channelId: string): BotError | null;
}

interface PendingRead {
  entryId: number;
  authorId: string;
  sayName: boolean;
}

/** Longest runs of one character kept in what is read ("!!!!!!!" → "!!!"). */
const MAX_REPEAT = 3;

/** Reads messages aloud in the bot's voice channel: filters, prepares text, queues, follows edits and deletions. */
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
  // guild → message id → the queue entry reading it, until it starts or ends.
  const pending = new Map<string, Map<string, PendingRead>>();
  const pendingIn = (guildId: string) => {
    let map = pending.get(guildId);
    if (!map) pending.set(guildId, (map = new Map()));
    return map;
  };
  const lastSpoken = new Map<string, { authorId: string; at: number }>();
  const { dictionaryFor, spokenName } = deps.pronunciation;

  const pendingOf = (guildId: string, authorId: string) => {
    let n = 0;
    for (const p of pendingIn(guildId).values()) if (p.authorId === authorId) n++;
    return n;
  };

  /** The text to say for a message, or null when nothing is left. */
  const textFor = (m: MessageFacts, settings: GuildSettings, sayName: boolean): string | null => {
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
      },
      {
        sayName,
        customEmoji: settings.read_emoji,
        unicodeEmoji: settings.read_emoji,
        maxChars: settings.read_max_chars,
        maxRepeat: MAX_REPEAT,
        dictionary: dictionaryFor(m.guildId),
      },
    );
  };

  /** The member's own voice, else a distinct one when the guild wants it, else undefined (guild/config default). */
  const voiceFor = (m: MessageFacts, settings: GuildSettings): string | undefined => {
    const own = memberValue(deps.settings.member(m.guildId, m.authorId), 'voice');
    if (own) return undefined; // merged by the speak service with the member's settings
    return settings.read_distinct_voices ? distinctVoice(m.authorId, deps.config.tts.voices) : undefined;
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

  const job = (m: MessageFacts, channelId: string, text: string, settings: GuildSettings) => {
    const voice = voiceFor(m, settings);
    return {
      guildId: m.guildId,
      channelId,
      requester: { id: m.authorId, name: m.authorDisplayName },
      ask: { text, ...(voice ? { voice } : {}) },
      label: `message from ${m.authorDisplayName}`,
      onStart: () => {
        pendingIn(m.guildId).delete(m.id);
      },
      onEnd: (outcome: EntryOutcome) => {
        pendingIn(m.guildId).delete(m.id);
        if (outcome.status === 'failed') {
          // One reaction per message: the entry ends once, whatever number of parts it was spoken in.
          react(m, isBotError(outcome.error) && BUDGET_KEYS.has(outcome.error.key) ? READ_REACTIONS.budgetSpent : READ_REACTIONS.failed);
        }
        // A restart drops what was waiting: the author sees it was not read.
        if (outcome.status === 'cancelled' && outcome.reason === 'restarting') react(m, READ_REACTIONS.dropped);
      },
    };
  };

  // Set once the bot shuts down: nothing new is read.
  let stopped = false;
  return {
    /** Stops reading new and edited messages (shutdown). */
    stop(): void {
      stopped = true;
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
      const now = deps.clock.now();
      const sayName = shouldSayName(lastSpoken.get(m.guildId), m.authorId, now, settings.read_name_window_s * 1000);
      const text = textFor(m, settings, sayName);
      if (text === null) {
        counted('skipped');
        return;
      }
      try {
        const { id } = deps.speak.toVoice(job(m, decision.voiceChannelId, text, settings));
        waiting.set(m.id, { entryId: id, authorId: m.authorId, sayName });
        lastSpoken.set(m.guildId, { authorId: m.authorId, at: now });
        counted('read');
      } catch (err) {
        log.info({ guildId: m.guildId, key: isBotError(err) ? err.key : 'internal' }, 'read dropped');
        if (!isBotError(err)) log.error({ err }, 'reading failed');
        react(m, READ_REACTIONS.dropped);
        counted('dropped');
      }
    },

    /** A message was edited: if it is still waiting, it is read as edited, or dropped if it would no longer be read. */
    onEdit(m: MessageFacts): void {
      const waiting = pendingIn(m.guildId).get(m.id);
      const playback = deps.playback.get(m.guildId);
      if (!waiting || !playback) return;
      const settings = deps.settings.guild(m.guildId);
      const decision = decide(m, settings);
      const text = decision.read ? textFor(m, settings, waiting.sayName) : null;
      if (!decision.read || text === null) {
        playback.remove(waiting.entryId, 'stopped');
        pendingIn(m.guildId).delete(m.id);
        return;
      }
      try {
        if (!playback.replace(waiting.entryId, deps.speak.voiceJob(job(m, decision.voiceChannelId, text, settings)))) pendingIn(m.guildId).delete(m.id);
      } catch (err) {
        log.info({ key: isBotError(err) ? err.key : 'internal' }, 'edited message not re-read');
      }
    },

    /** A message was deleted: if it was still waiting, it is never read. */
    onDelete(guildId: string, messageId: string): void {
      const waiting = pendingIn(guildId).get(messageId);
      if (!waiting) return;
      pendingIn(guildId).delete(messageId);
      deps.playback.get(guildId)?.remove(waiting.entryId, 'stopped');
      log.debug({ guildId }, 'deleted message dropped from the queue');
    },

    /** "Read aloud" on one message: in the bot's channel when the member is there, else a private file. */
    async readOnRequest(
      m: MessageFacts,
      requester: { id: string; name: string; voiceChannelId: string | null },
      attachmentLimit: number,
      /** Told how the item ended when it is read in voice (so the requester hears why it was not, e.g. a spent budget). */
      onEnd?: (outcome: EntryOutcome) => void,
    ): Promise<{ kind: 'voice'; channelId: string; position: number } | { kind: 'file'; file: SpeechFile } | { kind: 'nothing' } | { kind: 'opted_out' }> {
      if (m.authorId !== requester.id && memberValue(deps.settings.member(m.guildId, m.authorId), 'optOut') === true) return { kind: 'opted_out' };
      const settings = deps.settings.guild(m.guildId);
      const text = textFor(m, settings, true);
      if (text === null) return { kind: 'nothing' };
      const voice = memberValue(deps.settings.member(m.guildId, m.authorId), 'voice') ?? voiceFor(m, settings);
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
