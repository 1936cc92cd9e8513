/**
 * What OpenAI's `POST /audio/transcriptions` accepts: file extensions it reads, and its upload limit. OpenAI's guide says
 * "File uploads are currently limited to 25 MB"; its server refuses a larger request with 413 "Maximum content size
 * limit (26214400) exceeded", i.e. 25 MiB for the whole request, so the file is held to that less a margin for the form.
 */

/** Largest audio file the bot uploads for transcription (25 MiB less 64 KiB for the multipart form around it). */
export const TRANSCRIBE_MAX_BYTES = 25 * 1024 * 1024 - 64 * 1024;

/** File extensions the endpoint recognises (its format check goes by the file name). */
export const TRANSCRIBE_EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'] as const;

const BY_CONTENT_TYPE: Record<string, (typeof TRANSCRIBE_EXTENSIONS)[number]> = {
  'audio/ogg': 'ogg',
  'application/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/webm': 'webm',
};

/**
 * The file name to upload an attachment as: its own name when the extension is one the endpoint reads, else a name
 * with the extension its content type implies (a Discord voice message goes in as `.ogg`); undefined when neither fits.
 */
export function uploadName(name: string, contentType: string | undefined, voiceMessage: boolean): string | undefined {
  const base = name.replace(/\.[^.]*$/, '') || 'audio';
  if (voiceMessage) return `${base}.ogg`;
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext && (TRANSCRIBE_EXTENSIONS as readonly string[]).includes(ext)) return `${base}.${ext}`;
  if (ext === 'opus') return `${base}.ogg`;
  const mapped = contentType ? BY_CONTENT_TYPE[contentType.split(';')[0]!.trim().toLowerCase()] : undefined;
  return mapped ? `${base}.${mapped}` : undefined;
}

/** Whether an attachment looks like audio (by content type or file name), as Discord clients decide to show a player. */
export function isAudioAttachment(name: string, contentType: string | undefined): boolean {
  if (contentType && /^(audio\/|application\/ogg)/i.test(contentType)) return true;
  return /\.(ogg|oga|opus|mp3|m4a|wav|flac|webm|mpga|mpeg)$/i.test(name);
}
