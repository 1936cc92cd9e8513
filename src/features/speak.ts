import type { Config } from '../config.js';
import { BotError } from '../errors.js';
import { defuseMentions } from '../messages.js';
import type { Logger } from '../observability/logger.js';
import { FORMAT_FILE, buildSpeechRequest, type SpeechAsk, type SpeechRequest } from '../speech/request.js';
import type { SpeechClient } from '../speech/speechClient.js';
import { SpeechError } from '../speech/speechErrors.js';
import type { EntryOutcome, QueueJob, Requester } from '../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../voice/PlaybackRegistry.js';
import { effectiveSpeech, languageVoice } from '../settings/effective.js';
import type { SettingsStore } from '../settings/types.js';

/** Who is asking, so their and their guild's settings apply. */
export interface Asker {
  guildId: string;
  userId: string;
}

/** An audio file made for a reply. */
export interface SpeechFile {
  name: string;
  data: Buffer;
  contentType: string;
  request: SpeechRequest;
  /** Made without a provider call (from the audio cache): no characters were spent. */
  fromCache: boolean;
}

/** A voice request: where, who, what, and who to tell about progress. */
export interface VoiceAsk {
  guildId: string;
  channelId: string;
  requester: Requester;
  ask: SpeechAsk;
  onStart?: () => void;
  onEnd?: (outcome: EntryOutcome) => void;
  /** What /queue shows for the item (default: the start of the text). */
  label?: string;
  /** Announcements go ahead of waiting items (see QueueJob.priority). */
  priority?: 'announcement';
  /** Said in `channelId` even when the bot serves another channel: it goes there and comes back. */
  visit?: boolean;
}

/** Shortens text for display, on a word boundary where possible; mentions in it are defused (shown as typed, never a ping). */
export function shorten(text: string, max: number): string {
  const flat = defuseMentions(text.replace(/\s+/g, ' ').trim());
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A file name from the first words of the text: `speech-hello-world.mp3`. */
export function speechFileName(text: string, ext: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 40)
    .replace(/-+$/, '');
  return `speech${slug ? `-${slug}` : ''}.${ext}`;
}

/** The /speak service: validates asks, makes files, queues voice items. */
export function createSpeakService(deps: {
  config: Config;
  speech: SpeechClient;
  playback: PlaybackRegistry<SpeechRequest>;
  settings: SettingsStore;
  logger: Logger;
  /** The language a guild is spoken to in (catalog code): picks the TTS_LANGUAGE_VOICES default when no one chose a voice. */
  spokenLanguage?: (guildId: string) => string;
}) {
  const log = deps.logger.child({ module: 'speak' });
  const { languageVoices } = deps.config.tts;
  const hasLanguageVoices = Object.keys(languageVoices ?? {}).length > 0;
  /** The configured defaults, with the voice of the guild's language when one is set for it. */
  const defaultsFor = (guildId: string) => {
    const voice = hasLanguageVoices && deps.spokenLanguage ? languageVoice(languageVoices, deps.spokenLanguage(guildId)) : undefined;
    return voice ? { ...deps.config.tts.defaults, voice } : deps.config.tts.defaults;
  };
  /** The ask with the member's and guild's settings filled in (command options win), validated. */
  const request = (ask: SpeechAsk, who: Asker): SpeechRequest => {
    const merged = effectiveSpeech(
      { voice: ask.voice, model: ask.model, speed: ask.speed },
      deps.settings.member(who.guildId, who.userId),
      deps.settings.guild(who.guildId),
      defaultsFor(who.guildId),
    );
    return buildSpeechRequest({ ...ask, ...merged }, deps.config.tts);
  };
  const voiceJob = (v: VoiceAsk): QueueJob<SpeechRequest> => {
    const req = request(v.ask, { guildId: v.guildId, userId: v.requester.id });
    return {
      request: req,
      channelId: v.channelId,
      requester: v.requester,
      label: v.label ?? shorten(req.input, 80),
      ...(v.onStart ? { onStart: v.onStart } : {}),
      ...(v.onEnd ? { onEnd: v.onEnd } : {}),
      ...(v.priority ? { priority: v.priority } : {}),
      ...(v.visit ? { visit: true } : {}),
    };
  };
  return {
    request,

    /**
     * Synthesizes the whole file, refusing once it grows past the attachment limit. `who`'s settings apply; the
     * characters are counted for `payerId` (default: `who`).
     */
    async toFile(ask: SpeechAsk, who: Asker, limitBytes: number, payerId: string = who.userId): Promise<SpeechFile> {
      const request_ = request(ask, who);
      const controller = new AbortController();
      const audio = await deps.speech.synthesize(request_, { signal: controller.signal, key: who.guildId, memberId: payerId });
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of audio.stream) {
          size += (chunk as Buffer).length;
          if (size > limitBytes) {
            controller.abort();
            audio.stream.destroy();
            throw new BotError('file.too_large', { limitMiB: Number((limitBytes / 1048576).toFixed(1)) });
          }
          chunks.push(chunk as Buffer);
        }
      } catch (err) {
        if (err instanceof BotError) throw err;
        throw new SpeechError('speech.unavailable', { retryable: false, cause: err, message: 'audio stream failed' });
      }
      // A provider that cannot return the asked format was asked for one it can: name the file after what came back.
      const format = audio.origin?.request.response_format ?? request_.response_format;
      const { ext, contentType } = FORMAT_FILE[format];
      log.info({ format, bytes: size, ttfbMs: Math.round(audio.ttfbMs), provider: audio.origin?.provider }, 'speech file made');
      return {
        name: speechFileName(request_.input, ext),
        data: Buffer.concat(chunks),
        contentType,
        request: format === request_.response_format ? request_ : { ...request_, response_format: format },
        fromCache: audio.fromCache === true,
      };
    },

    /** The queue job for an ask (validated, settings merged), without queueing it. */
    voiceJob,

    /** Queues speech in a voice channel; returns the queue entry's id and 1-based position. */
    toVoice(v: VoiceAsk): { id: number; position: number; request: SpeechRequest } {
      const job = voiceJob(v);
      const playback = deps.playback.getOrCreate(v.guildId);
      const busyIn = playback.channelId;
      if (!v.visit && busyIn && busyIn !== v.channelId) throw new BotError('voice.not_in_bot_channel', { channelId: busyIn });
      const { id, position } = playback.enqueue(job);
      return { id, position, request: job.request };
    },
  };
}

/** The /speak service's shape. */
export type SpeakService = ReturnType<typeof createSpeakService>;
