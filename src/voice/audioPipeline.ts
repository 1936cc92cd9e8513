import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AudioFormat } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { SpeechRequest } from '../speech/request.js';
import type { SpeechClient } from '../speech/speechClient.js';
import { SpeechError } from '../speech/speechErrors.js';
import { opusPacketsFrom, transcodeToOggOpus } from './opus/index.js';
import type { AudioPreparer, PreparedAudio } from './ports.js';
import { sniffAudioFormat } from './sniffAudioFormat.js';

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
}

// Packets are small (≈100 bytes per 20 ms); buffering a whole item keeps the provider's socket drained,
// so the stall clock measures the provider, not our playback pace.
const PACKET_BUFFER_LIMIT = 1 << 20;

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

/** A pass-through that resolves `ready` once `count` packets went by, the stream ended, or it failed. */
function prebufferGate(count: number): { gate: Transform; ready: Promise<void> } {
  let seen = 0;
  let settle!: (err?: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  const gate = new Transform({
    objectMode: true,
    transform(packet, _enc, callback) {
      if (++seen === count) settle();
      callback(null, packet);
    },
    flush(callback) {
      settle();
      callback();
    },
  });
  gate.once('error', (err) => settle(err));
  gate.once('close', () => settle(new Error('audio stream closed before it started')));
  return { gate, ready };
}

/** The voice path: asks for Opus, plays Ogg Opus as 20 ms packets without re-encoding, transcodes anything else. */
export function createAudioPreparer(options: AudioPipelineOptions): AudioPreparer<SpeechRequest> {
  const log = options.logger.child({ module: 'audio' });
  return async (request, signal): Promise<PreparedAudio> => {
    const audio = await options.speech.synthesize({ ...request, response_format: 'opus' }, { signal });
    const head = await peekHead(audio.stream, 12);
    const format: AudioFormat | undefined = sniffAudioFormat(head, audio.contentType);
    if (!format) {
      audio.stream.destroy();
      throw new SpeechError('speech.bad_audio', { retryable: false, message: `unrecognised audio (${audio.contentType})` });
    }
    let ogg: Readable = audio.stream;
    if (format !== 'opus') {
      log.info({ format }, 'server sent no Ogg Opus; transcoding');
      ogg = transcodeToOggOpus(audio.stream, { format, ffmpegPath: options.ffmpegPath, signal });
    }
    const { packets } = opusPacketsFrom(ogg);
    const { gate, ready } = prebufferGate(format === 'opus' ? options.prebufferPackets : options.transcodedPrebufferPackets);
    const buffer = new PassThrough({ objectMode: true, highWaterMark: PACKET_BUFFER_LIMIT });
    pipeline(packets, gate, buffer).catch((err: unknown) => {
      if (!signal.aborted) log.debug({ err: (err as Error).message }, 'audio stream ended with an error');
    });
    signal.addEventListener('abort', () => buffer.destroy(), { once: true });
    await ready;
    return { packets: buffer, ttfbMs: audio.ttfbMs };
  };
}
