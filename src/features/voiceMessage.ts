import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { AudioFormat } from '../config.js';
import { BotError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { SpeechAsk, SpeechRequest } from '../speech/request.js';
import { SpeechError } from '../speech/speechErrors.js';
import { AudioFormatError } from '../voice/opus/errors.js';
import { readOggOpus } from '../voice/opus/oggOpusFile.js';
import { transcodeToOggOpus } from '../voice/opus/transcoder.js';
import { voiceMessageAudio, voiceMessageFit, type VoiceMessageAudio } from '../voice/opus/voiceMessageAudio.js';
import { sniffAudioFormat } from '../voice/sniffAudioFormat.js';
import type { Asker, SpeakService } from './speak.js';

/** A voice message made from text, ready to post. */
export interface MadeVoiceMessage {
  audio: VoiceMessageAudio;
  request: SpeechRequest;
  /** Made without a provider call (from the audio cache): no characters were spent. */
  fromCache: boolean;
  /** Whether ffmpeg re-encoded the provider's audio (it was not mono Ogg Opus). */
  transcoded: boolean;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Makes voice messages: speech asked as Ogg Opus, re-encoded to mono only when it came as something else. */
export function createVoiceMessageMaker(deps: { speak: SpeakService; ffmpegPath: string; logger: Logger }) {
  const log = deps.logger.child({ module: 'voice-message' });
  const toMonoOgg = async (data: Buffer, format: AudioFormat): Promise<Buffer> => {
    const input = new PassThrough();
    input.end(data);
    return collect(transcodeToOggOpus(input, { format, ffmpegPath: deps.ffmpegPath, channels: 1, bitrate: 48_000 }));
  };
  return {
    /**
     * Synthesizes `ask` (with `who`'s settings; characters counted for `payerId`) and turns it into a voice message.
     * Refuses past `limitBytes` like a file reply does.
     */
    async make(ask: SpeechAsk, who: Asker, limitBytes: number, payerId: string = who.userId): Promise<MadeVoiceMessage> {
      const file = await deps.speak.toFile({ ...ask, format: 'opus' }, who, limitBytes, payerId);
      const declared = file.request.response_format;
      // What came back decides, not what was asked: some servers answer WAV or mp3 whatever the request says.
      const format = sniffAudioFormat(file.data.subarray(0, 16), file.contentType) ?? declared;
      let ogg = file.data;
      let transcoded = false;
      try {
        let parsed = format === 'opus' ? readOggOpus(ogg) : undefined;
        if (!parsed || voiceMessageFit(parsed.head) === 'transcode') {
          ogg = await toMonoOgg(file.data, format);
          transcoded = true;
          parsed = undefined;
        }
        const audio = await voiceMessageAudio(ogg, parsed);
        if (audio.data.length > limitBytes) throw new BotError('file.too_large', { limitMiB: Number((limitBytes / 1048576).toFixed(1)) });
        log.info({ format, transcoded, bytes: audio.data.length, seconds: audio.durationSecs }, 'voice message made');
        return { audio, request: file.request, fromCache: file.fromCache, transcoded };
      } catch (err) {
        if (err instanceof BotError) throw err;
        log.warn({ err: (err as Error).message, format }, 'speech audio could not become a voice message');
        if (err instanceof AudioFormatError) throw new SpeechError('speech.bad_audio', { retryable: false, cause: err, message: err.message });
        throw err;
      }
    },
  };
}

/** The voice-message maker's shape. */
export type VoiceMessageMaker = ReturnType<typeof createVoiceMessageMaker>;
