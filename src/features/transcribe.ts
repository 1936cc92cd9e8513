import { BotError, isBotError } from '../errors.js';
import type { MessageValues } from '../i18n/translator.js';
import type { Logger } from '../observability/logger.js';
import type { TranscribeResult, TranscribeTrigger } from '../observability/metrics.js';
import { memberValue } from '../settings/effective.js';
import type { SettingsStore } from '../settings/types.js';
import { TRANSCRIBE_MAX_BYTES, audioSeconds, isAudioAttachment, uploadName, type TranscriptionChain } from '../speech/transcription/index.js';
import type { FairLimiter } from '../speech/fairLimiter.js';
import { isBudgetSpent, type UsageMeter } from '../usage/usageMeter.js';
import type { MessageFacts } from './reading/messageFacts.js';
import { shorten } from './speak.js';

/** The audio file of a message that can be transcribed. */
export interface MessageAudio {
  name: string;
  contentType: string | undefined;
  url: string;
  size: number;
  durationSecs: number | undefined;
  voiceMessage: boolean;
}

/** Reactions left on a voice message that was not transcribed automatically (as reading does for messages). */
export const TRANSCRIBE_REACTIONS = { failed: '⚠️', budgetSpent: '⏳' } as const;

/** Longest transcript shown (Discord's 2,000 characters, less the heading). */
const MAX_TRANSCRIPT_CHARS = 1800;
const MiB = 1024 * 1024;

/** What a transcription that threw comes to, for the metrics. */
export function transcribeResultOf(err: unknown): TranscribeResult {
  const key = isBotError(err) ? err.key : 'internal';
  if (key === 'transcribe.opted_out') return 'opted_out';
  if (key === 'transcribe.no_audio') return 'no_audio';
  if (key === 'transcribe.too_large') return 'too_large';
  if (isBudgetSpent(err)) return 'budget_spent';
  return 'failed';
}

/** The voice message's file, else the first audio attachment; undefined when the message has none. */
export function audioOf(m: MessageFacts): MessageAudio | undefined {
  const voiceMessage = m.voiceMessage !== undefined;
  const a = voiceMessage ? m.attachments[0] : m.attachments.find((x) => isAudioAttachment(x.name, x.contentType));
  if (!a || a.url === undefined || a.size === undefined) return undefined;
  return { name: a.name, contentType: a.contentType, url: a.url, size: a.size, durationSecs: a.durationSecs, voiceMessage };
}

/** A reply's words in some language: a catalog key and its values. */
export type Say = (key: string, values?: MessageValues) => string;

/** The reply that carries a transcript (the text defused: it can never become a mention). */
export function transcriptText(say: Say, m: MessageFacts, audio: MessageAudio, text: string): string {
  const heading = say('replies.transcribe.heading', {
    name: shorten(m.authorDisplayName, 80),
    kind: audio.voiceMessage ? 'voice' : 'audio',
    hasLength: audio.durationSecs !== undefined ? 'yes' : 'no',
    seconds: Math.round(audio.durationSecs ?? 0),
  });
  const body = text.trim() === '' ? say('replies.transcribe.no_speech') : `> ${shorten(text, MAX_TRANSCRIPT_CHARS)}`;
  return `${heading}\n${body}`;
}

/**
 * Speech to text for messages: on request (the Transcribe menu) and automatically for voice messages in channels read
 * aloud when the server turned `transcribe_voice_messages` on. Checks the author's opt-out, the endpoint's size limit
 * (before anything is downloaded), downloads the file from Discord, counts its seconds against the budgets and sends it
 * to the transcription providers. Transcripts are returned or posted, never stored or logged.
 */
export function createTranscribeService(deps: {
  settings: SettingsStore;
  usage: Pick<UsageMeter, 'reserveAudio'>;
  transcription: Pick<TranscriptionChain, 'transcribe'>;
  /** The limiter speech calls share (TTS_MAX_CONCURRENCY): an upload takes a slot of its guild like a speech request. */
  limiter?: Pick<FairLimiter, 'acquire'>;
  model: string;
  ffmpegPath: string;
  /** The bot's voice channel in a guild (its text chat is read with read_voice_chats). */
  botVoiceChannel: (guildId: string) => string | null;
  ports: {
    /** Posts a reply to a message that pings no one (not even its author). */
    replyTo(channelId: string, messageId: string, content: string): Promise<void>;
    react(channelId: string, messageId: string, emoji: string): Promise<void>;
  };
  /** Words in a guild's own language, for the transcripts posted there for everyone. */
  guildSay: (guildId: string) => Say;
  logger: Logger;
  /** Told of the seconds of each file handed to the transcription providers (metrics). */
  onSent?: (seconds: number) => void;
  /** Told what became of each transcription asked for (metrics). */
  onResult?: (trigger: TranscribeTrigger, result: TranscribeResult) => void;
  fetch?: typeof fetch;
}) {
  const log = deps.logger.child({ module: 'transcribe' });
  const counted = deps.onResult ?? (() => undefined);
  const doFetch = deps.fetch ?? fetch;
  const optedOut = (m: MessageFacts) => memberValue(deps.settings.member(m.guildId, m.authorId), 'optOut') === true;

  /** Downloads the attachment from its URL, refusing more than the limit even if Discord's size was wrong. */
  async function download(audio: MessageAudio): Promise<Buffer> {
    try {
      const res = await doFetch(audio.url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res.body) {
        total += chunk.byteLength;
        if (total > TRANSCRIBE_MAX_BYTES) throw new BotError('transcribe.too_large', { sizeMiB: (total / MiB).toFixed(1), limitMiB: 25 });
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks);
    } catch (err) {
      if (isBotError(err)) throw err;
      log.warn({ err: (err as Error).message }, 'attachment download failed');
      throw new BotError('transcribe.download_failed', {}, { cause: err });
    }
  }

  /** The whole path for one file: size check, download, seconds counted, upload; returns the text. */
  async function transcribe(m: MessageFacts, audio: MessageAudio, payer: { guildId: string; memberId: string }): Promise<string> {
    if (audio.size > TRANSCRIBE_MAX_BYTES) {
      throw new BotError('transcribe.too_large', { sizeMiB: (audio.size / MiB).toFixed(1), limitMiB: 25 });
    }
    const filename = uploadName(audio.name, audio.contentType, audio.voiceMessage);
    if (filename === undefined) throw new BotError('transcribe.no_audio');
    // A voice message says its length: the budget is asked before anything is downloaded. Other files are measured.
    let reservation = audio.durationSecs !== undefined ? deps.usage.reserveAudio(payer, deps.model, audio.durationSecs) : undefined;
    try {
      const bytes = await download(audio);
      const seconds = audio.durationSecs ?? (await audioSeconds(bytes, deps.ffmpegPath)) ?? bytes.length / 16_000;
      reservation ??= deps.usage.reserveAudio(payer, deps.model, seconds);
      const contentType = audio.voiceMessage ? 'audio/ogg' : (audio.contentType ?? 'application/octet-stream');
      const slot = await deps.limiter?.acquire(m.guildId);
      let text: string;
      try {
        deps.onSent?.(seconds);
        ({ text } = await deps.transcription.transcribe({ audio: bytes, filename, contentType, model: deps.model }));
      } finally {
        slot?.release();
      }
      log.info({ guildId: m.guildId, seconds: Math.round(seconds), bytes: bytes.length }, 'audio transcribed');
      return text;
    } catch (err) {
      reservation?.release();
      throw err;
    }
  }

  /** Whether the channel is read aloud: bound with /read, or the bot's voice channel chat with read_voice_chats. */
  const isReadChannel = (m: MessageFacts) =>
    deps.settings.readingChannels.channels(m.guildId).has(m.channelId) ||
    (deps.settings.guild(m.guildId).read_voice_chats && m.channelId === deps.botVoiceChannel(m.guildId));

  return {
    /**
     * The Transcribe menu: the message's audio as text, for `requesterId`, worded by `say`. Throws BotError: no audio, the author opted
     * out (only they may then), too large, download failed, a budget spent; or the providers' SpeechError.
     */
    async onRequest(m: MessageFacts, requesterId: string, say: Say): Promise<string> {
      try {
        const audio = audioOf(m);
        if (!audio) throw new BotError('transcribe.no_audio');
        if (m.authorId !== requesterId && optedOut(m)) throw new BotError('transcribe.opted_out');
        const text = await transcribe(m, audio, { guildId: m.guildId, memberId: requesterId });
        counted('menu', 'transcribed');
        return transcriptText(say, m, audio, text);
      } catch (err) {
        counted('menu', transcribeResultOf(err));
        throw err;
      }
    },

    /** A posted message: a voice message in a channel read aloud gets a transcript reply when the server wants it. */
    onMessage(m: MessageFacts): void {
      if (m.voiceMessage === undefined || m.system || m.authorIsBot || m.webhook) return;
      if (!deps.settings.guild(m.guildId).transcribe_voice_messages || !isReadChannel(m)) return;
      if (optedOut(m)) {
        log.debug({ guildId: m.guildId }, 'voice message not transcribed: its author opted out');
        counted('auto', 'opted_out');
        return;
      }
      const audio = audioOf(m);
      if (!audio) {
        counted('auto', 'no_audio');
        return;
      }
      void (async () => {
        // A reply that fails to post after the transcript came is not counted a second time.
        let transcribed = false;
        try {
          const text = await transcribe(m, audio, { guildId: m.guildId, memberId: m.authorId });
          transcribed = true;
          counted('auto', 'transcribed');
          await deps.ports.replyTo(m.channelId, m.id, transcriptText(deps.guildSay(m.guildId), m, audio, text));
        } catch (err) {
          const key = isBotError(err) ? err.key : 'internal';
          if (!transcribed) counted('auto', transcribeResultOf(err));
          log.warn({ guildId: m.guildId, channelId: m.channelId, key }, 'voice message not transcribed');
          const emoji = isBudgetSpent(err) ? TRANSCRIBE_REACTIONS.budgetSpent : TRANSCRIBE_REACTIONS.failed;
          await deps.ports.react(m.channelId, m.id, emoji).catch(() => undefined);
        }
      })();
    },
  };
}

/** The transcribe service's shape. */
export type TranscribeService = ReturnType<typeof createTranscribeService>;
