import type { Readable } from 'node:stream';
import type { AudioFormat } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { MAX_INPUT_CHARS, type SpeechRequest } from '../speech/request.js';
import { splitForSpeech, type SentenceSplitOptions } from '../speech/sentenceSplit.js';
import type { SpeechClient } from '../speech/speechClient.js';
import { SpeechError } from '../speech/speechErrors.js';
import { opusPacketsFrom, transcodeToOggOpus } from './opus/index.js';
import { createPartsStream, type OpenedPart } from './partsPipeline.js';
import type { AudioPreparer, PrepareContext, PreparedAudio } from './ports.js';
import { sniffAudioFormat } from './sniffAudioFormat.js';

/** Long texts are spoken as a pipeline of sentence parts: the first plays while the next ones are made. */
export interface PartsPipelineSettings {
  /** Texts longer than this many characters are split; 0 splits only what one request cannot take (4096). */
  minChars: number;
  /** Parts requested beyond the one playing (so at most ahead + 1 provider calls per item). */
  ahead: number;
  /** Part sizes; the splitter's defaults when absent. */
  split?: SentenceSplitOptions;
}

/** Settings of the voice audio path. */
export interface AudioPipelineOptions {
  speech: SpeechClient;
  /** ffmpeg used only when a server sends something other than Ogg Opus. */
  ffmpegPath: string;
  logger: Logger;
  /** 20 ms packets buffered before playback starts, to absorb network jitter. */
  prebufferPackets: number;
  /** The same when ffmpeg transcodes: its output comes in bursts after a start-up delay. */
  transcodedPrebufferPackets: number;
  /** Long-text pipeline; absent: only text over one request's limit is split (with 2 parts ahead). */
  pipeline?: PartsPipelineSettings;
  /**
   * Several providers: the later parts of an item are asked for once the first part has answered, first of the
   * provider that answered it, so an item keeps one voice. Off (one provider): every part is asked for at once.
   */
  oneProviderPerItem?: boolean;
}

const DEFAULT_AHEAD = 2;

/** Reads up to `n` bytes from the start of a stream and puts them back. */
async function peekHead(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= n) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head;
}

/** The voice path: asks for Opus, plays Ogg Opus as 20 ms packets without re-encoding, transcodes anything else. */
export function createAudioPreparer(options: AudioPipelineOptions): AudioPreparer<SpeechRequest> {
  const log = options.logger.child({ module: 'audio' });
  const minChars = options.pipeline?.minChars ?? 0;
  const ahead = options.pipeline?.ahead ?? DEFAULT_AHEAD;

  /** The texts one item is spoken as: the whole input, or its sentence parts when it is long. */
  function partsOf(input: string): string[] {
    const long = minChars > 0 && input.length > minChars;
    if (!long && input.length <= MAX_INPUT_CHARS) return [input];
    const parts = splitForSpeech(input, options.pipeline?.split);
    return parts.length > 0 ? parts : [input];
  }

  /**
   * One provider call, as 20 ms packets: synthesize, look at the bytes, transcode if they are not Ogg Opus.
   * `provider` asks the provider that served the item's first part first; `onProvider` learns who answered.
   */
  async function openPart(
    request: SpeechRequest,
    signal: AbortSignal,
    context: PrepareContext,
    provider: string | undefined,
    onProvider?: (name: string | undefined) => void,
  ): Promise<OpenedPart> {
    const audio = await options.speech.synthesize({ ...request, response_format: 'opus' }, { signal, key: context.guildId, memberId: context.memberId, provider });
    onProvider?.(audio.origin?.provider);
    let head: Buffer;
    try {
      head = await peekHead(audio.stream, 12);
      signal.throwIfAborted();
    } catch (err) {
      audio.stream.destroy();
      throw err;
    }
    const format: AudioFormat | undefined = sniffAudioFormat(head, audio.contentType);
    if (!format) {
      audio.stream.destroy();
      throw new SpeechError('speech.bad_audio', { retryable: false, message: `unrecognised audio (${audio.contentType})` });
    }
    let ogg: Readable = audio.stream;
    // A server that ignores `speed` sent normal-speed audio: ffmpeg changes its tempo (not its pitch).
    const tempo = audio.origin && !audio.origin.speedHonoured ? request.speed : 1;
    const transcoded = format !== 'opus' || tempo !== 1;
    if (transcoded) {
      log.info({ format, tempo, provider: audio.origin?.provider }, tempo === 1 ? 'server sent no Ogg Opus; transcoding' : 'server ignores speed; changing the tempo');
      ogg = transcodeToOggOpus(audio.stream, { format, ffmpegPath: options.ffmpegPath, signal, tempo });
    }
    const { packets } = opusPacketsFrom(ogg);
    return { packets, ttfbMs: audio.ttfbMs, transcoded };
  }

  return async (request, signal, context): Promise<PreparedAudio> => {
    const texts = partsOf(request.input);
    if (texts.length > 1) {
      log.debug({ parts: texts.length, chars: request.input.length, ahead }, 'long text: speaking it as a pipeline of parts');
    }
    // An item keeps one voice: later parts go first to the provider that answered the first part, so they wait for it.
    const sticky = options.oneProviderPerItem ?? false;
    let firstProvider: (name: string | undefined) => void = () => {};
    const servedFirst = new Promise<string | undefined>((resolve) => {
      firstProvider = resolve;
    });
    const packets = createPartsStream({
      count: texts.length,
      ahead,
      signal,
      open: async (index, partSignal) => {
        const part = { ...request, input: texts[index]! };
        if (!sticky) return openPart(part, partSignal, context, undefined);
        if (index === 0) {
          return openPart(part, partSignal, context, undefined, firstProvider).catch((err: unknown) => {
            firstProvider(undefined);
            throw err;
          });
        }
        const provider = await servedFirst;
        partSignal.throwIfAborted();
        return openPart(part, partSignal, context, provider);
      },
    });
    packets.once('error', (err) => {
      if (!signal.aborted) log.debug({ err: err.message }, 'audio stream ended with an error');
    });
    try {
      const first = await packets.ready((part) => (part.transcoded ? options.transcodedPrebufferPackets : options.prebufferPackets));
      return { packets, ttfbMs: first.ttfbMs };
    } catch (err) {
      packets.destroy();
      throw err;
    }
  };
}
