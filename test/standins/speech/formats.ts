/** Audio formats of the speech endpoint (`response_format`) and their HTTP content types. */
export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

/** One of the `response_format` values the endpoint accepts. */
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

/** True when the value is a known `response_format`. */
export function isSpeechFormat(value: unknown): value is SpeechFormat {
  return typeof value === 'string' && (SPEECH_FORMATS as readonly string[]).includes(value);
}

/** Content type sent for a format; opus is configurable because OpenAI labels Ogg Opus as `audio/opus`. */
export function contentTypeFor(format: SpeechFormat, contentTypeOpus = 'audio/opus'): string {
  switch (format) {
    case 'mp3':
      return 'audio/mpeg';
    case 'opus':
      return contentTypeOpus;
    case 'aac':
      return 'audio/aac';
    case 'flac':
      return 'audio/flac';
    case 'wav':
      return 'audio/wav';
    case 'pcm':
      return 'audio/pcm';
  }
}
