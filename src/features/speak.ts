import type { Config } from '../config.js';
import { BotError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { FORMAT_FILE, buildSpeechRequest, type SpeechAsk, type SpeechRequest } from '../speech/request.js';
import type { SpeechClient } from '../speech/speechClient.js';
import { SpeechError } from '../speech/speechErrors.js';
import type { EntryOutcome, Requester } from '../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../voice/PlaybackRegistry.js';

/** An audio file made for a reply. */
export interface SpeechFile {
  name: string;
  data: Buffer;
  contentType: string;
  request: SpeechRequest;
}

/** A voice request: where, who, what, and who to tell about progress. */
export interface VoiceAsk {
  guildId: string;
  channelId: string;
  requester: Requester;
  ask: SpeechAsk;
  onStart?: () => void;
  onEnd?: (outcome: EntryOutcome) => void;
}

/** Shortens text for display, on a word boundary where possible. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
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
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'speak' });
  return {
    /** Validates an ask against the endpoint's contract and the configured lists. */
    request(ask: SpeechAsk): SpeechRequest {
      return buildSpeechRequest(ask, deps.config.tts);
    },

    /** Synthesizes the whole file, refusing once it grows past the attachment limit. */
    async toFile(ask: SpeechAsk, limitBytes: number): Promise<SpeechFile> {
      const request = buildSpeechRequest(ask, deps.config.tts);
      const controller = new AbortController();
      const audio = await deps.speech.synthesize(request, { signal: controller.signal });
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
      const { ext, contentType } = FORMAT_FILE[request.response_format];
      log.info({ format: request.response_format, bytes: size, ttfbMs: Math.round(audio.ttfbMs) }, 'speech file made');
      return { name: speechFileName(request.input, ext), data: Buffer.concat(chunks), contentType, request };
    },

    /** Queues speech in a voice channel; returns the 1-based position. */
    toVoice(v: VoiceAsk): { position: number; request: SpeechRequest } {
      const request = buildSpeechRequest(v.ask, deps.config.tts);
      const playback = deps.playback.getOrCreate(v.guildId);
      const busyIn = playback.channelId;
      if (busyIn && busyIn !== v.channelId) throw new BotError('voice.not_in_bot_channel', { channelId: busyIn });
      const { position } = playback.enqueue({
        request,
        channelId: v.channelId,
        requester: v.requester,
        label: shorten(request.input, 80),
        ...(v.onStart ? { onStart: v.onStart } : {}),
        ...(v.onEnd ? { onEnd: v.onEnd } : {}),
      });
      return { position, request };
    },
  };
}

/** The /speak service's shape. */
export type SpeakService = ReturnType<typeof createSpeakService>;
