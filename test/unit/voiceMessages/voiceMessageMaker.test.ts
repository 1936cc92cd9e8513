import { describe, expect, it } from 'vitest';
import { voiceMessageRefusal } from '../../../src/discord/voiceMessageErrors.js';
import type { SpeakService, SpeechFile } from '../../../src/features/speak.js';
import { createVoiceMessageMaker } from '../../../src/features/voiceMessage.js';
import { messageFor } from '../../support/errorWords.js';
import { createLogger } from '../../../src/observability/logger.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import { readOggOpus } from '../../../src/voice/opus/oggOpusFile.js';
import { encodeOggOpus } from '../../support/oggOpus.js';
import { pcmToBuffer, sineWave } from '../../support/pcm.js';
import { wavFromPcm } from '../../standins/speech/wav.js';

const FFMPEG = 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';
const request = (format: SpeechRequest['response_format']): SpeechRequest =>
  ({ model: 'tts-1', input: 'hi', voice: 'alloy', response_format: format, speed: 1 }) as SpeechRequest;

/** A speak service whose files are the given bytes (what a provider answered), recording what it was asked. */
function speakReturning(data: Buffer, format: SpeechRequest['response_format'], contentType: string) {
  const asked: Array<{ format: string | undefined }> = [];
  const speak = {
    async toFile(ask: { format?: string }): Promise<SpeechFile> {
      asked.push({ format: ask.format });
      return { name: 'x', data, contentType, request: request(format), fromCache: false };
    },
  } as unknown as SpeakService;
  return { speak, asked };
}

const maker = (speak: SpeakService) => createVoiceMessageMaker({ speak, ffmpegPath: FFMPEG, logger: createLogger('silent') });
const who = { guildId: 'g', userId: 'u' };

describe('the voice-message maker', () => {
  it('asks for Ogg Opus and keeps mono Opus as it came (no ffmpeg), relabelled 48 kHz', async () => {
    const ogg = encodeOggOpus(sineWave(440, 1.5), { channels: 1, frameMs: 20, headerInputSampleRate: 24_000 });
    const { speak, asked } = speakReturning(ogg, 'opus', 'audio/ogg');
    const made = await maker(speak).make({ text: 'hi' }, who, 10_000_000);
    expect(asked).toEqual([{ format: 'opus' }]);
    expect(made.transcoded).toBe(false);
    expect(made.audio.durationSecs).toBeCloseTo(1.5, 2);
    expect(made.audio.data.length).toBe(ogg.length);
  });

  it('re-encodes WAV (a server that ignores the format) and stereo Opus to mono 48 kHz Ogg Opus', async () => {
    const wav = wavFromPcm(pcmToBuffer(sineWave(440, 2, { sampleRate: 24_000 })), 24_000, 1);
    const fromWav = await maker(speakReturning(wav, 'opus', 'audio/ogg').speak).make({ text: 'hi' }, who, 10_000_000);
    expect(fromWav.transcoded).toBe(true);
    const head = readOggOpus(fromWav.audio.data).head;
    expect([head.channels, head.inputSampleRate]).toEqual([1, 48_000]);
    expect(Math.abs(fromWav.audio.durationSecs - 2)).toBeLessThan(0.05);

    const stereo = encodeOggOpus(sineWave(440, 1, { channels: 2 }), { channels: 2, frameMs: 20 });
    const fromStereo = await maker(speakReturning(stereo, 'opus', 'audio/ogg').speak).make({ text: 'hi' }, who, 10_000_000);
    expect([fromStereo.transcoded, readOggOpus(fromStereo.audio.data).head.channels]).toEqual([true, 1]);
  });

  it('refuses what is not audio as bad audio from the speech service', async () => {
    const { speak } = speakReturning(Buffer.from('<html>oops</html>'), 'opus', 'audio/ogg');
    await expect(maker(speak).make({ text: 'hi' }, who, 10_000_000)).rejects.toMatchObject({ key: 'speech.bad_audio' });
  });
});

describe('Discord’s voice-message codes', () => {
  it('50173 and 50013 name Send Voice Messages; 50159-50162 say Discord refused it; others are not about voice messages', () => {
    for (const code of [50173, 50013]) {
      const error = voiceMessageRefusal(code, '123')!;
      expect(messageFor(error.key, error.details)).toMatch(/\*\*Send Voice Messages\*\* permission there/);
    }
    const rejected = voiceMessageRefusal(50161, '123')!;
    expect(messageFor(rejected.key, rejected.details)).toMatch(/refused the voice message \(50161: voice messages must have supporting metadata\)/);
    expect(voiceMessageRefusal(10003, '123')).toBeNull();
  });
});
