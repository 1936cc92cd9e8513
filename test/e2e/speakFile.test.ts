import { describe, expect, it } from 'vitest';
import { useWorld, type World } from './world.js';

const CONTENT_TYPES = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/l16;rate=24000;channels=1',
} as const;

describe('/speak as a file', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });

  for (const [format, contentType] of Object.entries(CONTENT_TYPES)) {
    it(`attaches exactly the ${format} the provider served, named and typed`, async () => {
      const text = `File test in ${format}, please`;
      const h = w.speak('bob', { text, format, output: 'file' });
      await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
      const message = h.message()!;
      const file = message.attachments[0]!;
      const served = await w.speech.expectedAudio({ input: text, response_format: format as keyof typeof CONTENT_TYPES });
      expect(file.data.equals(served)).toBe(true);
      expect(file.name).toBe(`speech-file-test-in-${format}-please.${format === 'opus' ? 'ogg' : format}`);
      expect(file.contentType).toBe(contentType);
      expect(h.ephemeral).toBe(false);
      expect(message.content).toContain(text);
      const request = w.speech.requests.at(-1)!;
      expect(request.body).toMatchObject({ input: text, response_format: format, voice: 'alloy', model: 'gpt-4o-mini-tts', speed: 1 });
    });
  }

  it('passes every speech option through to the endpoint', async () => {
    const h = w.speak('bob', { text: 'All the options', voice: 'nova', model: 'gpt-4o-mini-tts', speed: 1.5, format: 'wav', instructions: 'Whisper', output: 'file' });
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(w.speech.requests.at(-1)!.body).toEqual({
      model: 'gpt-4o-mini-tts',
      input: 'All the options',
      voice: 'nova',
      response_format: 'wav',
      speed: 1.5,
      instructions: 'Whisper',
    });
  });

  it('defaults to a file when the member is not in voice', async () => {
    const h = w.speak('carol', { text: 'Nobody is listening' });
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(h.message()!.attachments[0]!.name).toMatch(/\.mp3$/);
  });

  it('refuses audio larger than the interaction’s attachment limit, privately and clearly', async () => {
    const h = w.discord.interact({
      guildId: w.guild.id,
      channelId: w.channelId('general'),
      userId: w.guild.member('bob').id,
      command: 'speak',
      options: { text: 'x'.repeat(400), format: 'wav', output: 'file' },
      attachmentSizeLimit: 20_000,
    });
    await h.waitFor((x) => x.followups().some((f) => /larger than/.test(f.content)), 15_000);
    const notice = h.followups().find((f) => /larger than/.test(f.content))!;
    expect(notice.flags & 64).toBe(64);
    expect(notice.content).toMatch(/0\.0 MiB|shorter text/);
    expect(h.message()).toBeUndefined();
  });

  it('names the allowed list or range for a bad value', async () => {
    const voice = w.speak('bob', { text: 'hi', voice: 'nobody', output: 'file' });
    await voice.waitFor((x) => x.followups().length > 0, 10_000);
    expect(voice.followups()[0]!.content).toMatch(/Unknown voice “nobody”. Choose one of: alloy, ash/);
    const instr = w.speak('bob', { text: 'hi', model: 'tts-1', instructions: 'Sing', output: 'file' });
    await instr.waitFor((x) => x.followups().length > 0, 10_000);
    expect(instr.followups()[0]!.content).toMatch(/Instructions work only with gpt-4o-mini-tts/);
    expect(() => w.speak('bob', { text: 'hi', speed: 9 })).toThrow(/speed|max/i);
  });
});
