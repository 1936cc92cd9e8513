/** Why audio could not be used. */
export type AudioFormatReason =
  /** The stream does not start with an Ogg page (e.g. mp3 bytes or an HTML error page). */
  | 'not_ogg'
  /** An Ogg stream without an Opus logical stream (e.g. Ogg Vorbis), or no data at all. */
  | 'no_opus_head'
  /** Opus the bot cannot play (multistream / surround, unknown OpusHead version). */
  | 'unsupported'
  /** An Opus packet that breaks RFC 6716 §3.4, or that the decoder rejects. */
  | 'malformed_packet'
  /** ffmpeg could not decode the input. */
  | 'undecodable';

/** Audio the bot cannot play: wrong container, no Opus, malformed packets, or input ffmpeg cannot decode. */
export class AudioFormatError extends Error {
  /** Message key for user-facing text. */
  readonly key = 'audio_format';
  override readonly name = 'AudioFormatError';

  constructor(
    /** Machine-readable cause. */
    readonly reason: AudioFormatReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The transcoder itself failed: ffmpeg missing, not executable, or killed by a signal. */
export class TranscoderError extends Error {
  /** Message key for user-facing text. */
  readonly key = 'audio_transcoder';
  override readonly name = 'TranscoderError';
}
