import type { AudioFormat } from '../config.js';

/** Tells the audio format from its first bytes (servers differ from what they declare); undefined when unknown. */
export function sniffAudioFormat(head: Buffer, contentType = ''): AudioFormat | undefined {
  const ascii = head.subarray(0, 4).toString('latin1');
  if (ascii === 'OggS') return 'opus';
  if (ascii === 'RIFF') return 'wav';
  if (ascii === 'fLaC') return 'flac';
  if (head.subarray(0, 3).toString('latin1') === 'ID3') return 'mp3';
  // Before the frame-sync checks: PCM samples such as -1 (ff ff) look like an MPEG sync word.
  if (/audio\/(pcm|l16)/i.test(contentType)) return 'pcm';
  if (head.length >= 2 && head[0] === 0xff) {
    const b1 = head[1]!;
    // ADTS: 12-bit sync then layer 00; MPEG audio: 11-bit sync then a non-zero layer.
    if ((b1 & 0xf6) === 0xf0) return 'aac';
    if ((b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0) return 'mp3';
  }
  return undefined;
}
