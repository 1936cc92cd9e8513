/**
 * Opus for the voice path: everything between a speech provider's HTTP body and @discordjs/voice.
 *
 * Scenario API
 * - Provider returned Ogg Opus: `const { packets, head, stats } = opusPacketsFrom(body)`; play `packets`
 *   (object mode, each exactly 20 ms) as `StreamType.Opus`. `head` resolves with the OpusHead (channels,
 *   preSkip, inputSampleRate, …) or rejects with the stream's error; `stats` shows passthrough/split/transcode.
 * - Provider returned mp3/aac/flac/wav/pcm: `opusPacketsFrom(transcodeToOggOpus(body, { format, ffmpegPath }))`.
 * - Errors surface on `packets`: `AudioFormatError` (`key` 'audio_format', `reason` not_ogg | no_opus_head |
 *   unsupported | malformed_packet | undecodable) or `TranscoderError` (`key` 'audio_transcoder').
 * - Destroying `packets` tears the whole chain down (demuxer, source stream, ffmpeg).
 * - Voice message from a whole mono Ogg Opus file: `await voiceMessageAudio(buffer)` → `{ data, durationSecs, waveform }`
 *   (stereo or other formats: `transcodeToOggOpus(body, { format, ffmpegPath, channels: 1 })` first; `voiceMessageFit`
 *   says which). `readOggOpus`, `oggOpusDurationSecs`, `waveformPoints` are the pure parts.
 */
import { pipeline, type Readable } from 'node:stream';
import { OggOpusDemuxer, type OpusHead } from './oggDemuxer.js';
import { OpusReframer, type OpusReframerOptions, type ReframerStats } from './reframer.js';

export { AudioFormatError, TranscoderError, type AudioFormatReason } from './errors.js';
export { OggOpusDemuxer, type OggDemuxerStats, type OpusHead } from './oggDemuxer.js';
export { OpusReframer, type OpusReframerOptions, type ReframerStats } from './reframer.js';
export {
  frameToPacket,
  packetDurationMs,
  packetFrames,
  packetSamples48k,
  parseToc,
  type OpusBandwidth,
  type OpusFrameDurationMs,
  type OpusMode,
  type OpusToc,
} from './toc.js';
export { ffmpegArgs, transcodeToOggOpus, type TranscodeInputFormat, type TranscodeOptions } from './transcoder.js';

/** What `opusPacketsFrom` returns. */
export interface OpusPackets {
  /** 20 ms Opus packets (object mode), ready for `createAudioResource(packets, { inputType: StreamType.Opus })`. */
  packets: Readable;
  /** The stream's OpusHead; rejects with the pipeline's error if none arrives. */
  head: Promise<OpusHead>;
  /** Live reframer counters. */
  stats: ReframerStats;
}

/** Ogg Opus bytes → 20 ms Opus packets (demuxer → reframer, joined with `stream.pipeline`). */
export function opusPacketsFrom(oggStream: Readable, options: OpusReframerOptions = {}): OpusPackets {
  const demuxer = new OggOpusDemuxer();
  const reframer = new OpusReframer(options);
  const head = new Promise<OpusHead>((resolve, reject) => {
    demuxer.once('head', resolve);
    pipeline(oggStream, demuxer, reframer, (err) => {
      reject(err ?? new Error('Opus stream ended without an OpusHead'));
    });
  });
  // The caller may never await `head`; a rejection then must not become an unhandled rejection.
  head.catch(() => {});
  return { packets: reframer, head, stats: reframer.stats };
}
export { oggOpusDurationSecs, oggPages, readOggOpus, withInputRate48k, type OggFilePage, type OggOpusFile } from './oggOpusFile.js';
export { encodeWaveform, MAX_WAVEFORM_POINTS, WaveformBuilder, waveformPoints } from './waveform.js';
export { decodeMono, voiceMessageAudio, voiceMessageFit, type VoiceMessageAudio } from './voiceMessageAudio.js';
