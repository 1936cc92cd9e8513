import { execFileSync } from 'node:child_process';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { describe, expect, it } from 'vitest';
import { sniffAudioFormat } from '../../../src/voice/sniffAudioFormat.js';

/** The first `n` bytes of 0.1 s of a tone encoded by ffmpeg with the given output arguments. */
function encodedHead(args: string[], n = 12): Buffer {
  const out = execFileSync(
    ffmpeg.path,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.1', ...args, 'pipe:1'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  expect(out.length).toBeGreaterThan(n);
  return out.subarray(0, n);
}

describe('sniffAudioFormat on real encoder output (ffmpeg)', () => {
  const cases: Array<{ name: string; args: string[]; format: string; contentType?: string }> = [
    { name: 'Ogg Opus', args: ['-c:a', 'libopus', '-f', 'ogg'], format: 'opus' },
    { name: 'mp3 with an ID3v2 tag', args: ['-c:a', 'libmp3lame', '-f', 'mp3'], format: 'mp3' },
    { name: 'bare MPEG-1 Layer III frames', args: ['-c:a', 'libmp3lame', '-id3v2_version', '0', '-write_xing', '0', '-f', 'mp3'], format: 'mp3' },
    { name: 'bare MPEG-2 Layer III frames (22.05 kHz)', args: ['-ar', '22050', '-c:a', 'libmp3lame', '-id3v2_version', '0', '-f', 'mp3'], format: 'mp3' },
    { name: 'bare MPEG-2.5 Layer III frames (8 kHz)', args: ['-ar', '8000', '-c:a', 'libmp3lame', '-id3v2_version', '0', '-f', 'mp3'], format: 'mp3' },
    { name: 'AAC in ADTS', args: ['-c:a', 'aac', '-f', 'adts'], format: 'aac' },
    { name: 'AAC in ADTS at 22.05 kHz', args: ['-ar', '22050', '-c:a', 'aac', '-f', 'adts'], format: 'aac' },
    { name: 'FLAC', args: ['-c:a', 'flac', '-f', 'flac'], format: 'flac' },
    { name: 'WAV', args: ['-c:a', 'pcm_s16le', '-f', 'wav'], format: 'wav' },
    { name: 'raw PCM declared as audio/pcm', args: ['-ar', '24000', '-c:a', 'pcm_s16le', '-f', 's16le'], format: 'pcm', contentType: 'audio/pcm' },
  ];
  for (const { name, args, format, contentType } of cases) {
    it(name, () => {
      expect(sniffAudioFormat(encodedHead(args), contentType)).toBe(format);
    });
  }

  it('trusts the bytes over a wrong content type', () => {
    expect(sniffAudioFormat(encodedHead(['-c:a', 'libopus', '-f', 'ogg']), 'audio/mpeg')).toBe('opus');
    expect(sniffAudioFormat(encodedHead(['-c:a', 'flac', '-f', 'flac']), 'audio/opus')).toBe('flac');
  });

  it('raw PCM without a PCM content type is not recognised', () => {
    expect(sniffAudioFormat(encodedHead(['-ar', '24000', '-c:a', 'pcm_s16le', '-f', 's16le']), 'application/octet-stream')).toBeUndefined();
  });
});

describe('sniffAudioFormat on constructed headers', () => {
  it('recognises PCM declared as audio/L16 with parameters', () => {
    expect(sniffAudioFormat(Buffer.from([0, 0, 1, 0, 2, 0]), 'audio/L16;rate=24000;channels=1')).toBe('pcm');
  });

  it('PCM whose first samples look like a frame sync is still PCM when declared so', () => {
    // s16le samples -1, -5: bytes ff ff fb ff, which also match an MPEG audio sync word.
    const samples = Buffer.from(new Int16Array([-1, -5, 12, 40, -3, 7]).buffer);
    expect(samples.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xff]));
    expect(sniffAudioFormat(samples, 'audio/pcm')).toBe('pcm');
  });

  it('MPEG-2 ADTS (ff f9) is AAC', () => {
    expect(sniffAudioFormat(Buffer.from([0xff, 0xf9, 0x50, 0x80]))).toBe('aac');
  });
});

describe('sniffAudioFormat on things that are not audio', () => {
  const cases: Array<[string, Buffer, string?]> = [
    ['an empty buffer', Buffer.alloc(0)],
    ['an empty buffer declared as mp3', Buffer.alloc(0), 'audio/mpeg'],
    ['a JSON error body', Buffer.from('{"error":{"message":"bad"}}'), 'application/json'],
    ['an HTML page', Buffer.from('<!DOCTYPE html><html>'), 'text/html'],
    ['text declared as audio/mpeg', Buffer.from('hello world!'), 'audio/mpeg'],
    ['zeros', Buffer.alloc(12)],
    ['a lone 0xff', Buffer.from([0xff])],
    ['0xff followed by a byte without a sync', Buffer.from([0xff, 0x00, 0x00, 0x00])],
    ['MPEG sync with the reserved layer 00 and an 11-bit sync only', Buffer.from([0xff, 0xe0, 0x00, 0x00])],
    ['a truncated Ogg magic', Buffer.from('Ogg')],
    ['RIFX (big-endian RIFF is not what we read)', Buffer.from('RIFXxxxxWAVE')],
    ['lower-case magic', Buffer.from('oggs........')],
  ];
  for (const [name, head, contentType] of cases) {
    it(name, () => {
      expect(sniffAudioFormat(head, contentType)).toBeUndefined();
    });
  }
});
