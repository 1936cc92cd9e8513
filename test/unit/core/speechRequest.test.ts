import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { messageFor } from '../../support/errorWords.js';
import { buildSpeechRequest, MAX_INPUT_CHARS, type SpeechAsk } from '../../../src/speech/request.js';

const tts = {
  defaults: { model: 'gpt-4o-mini-tts', voice: 'alloy', speed: 1, format: 'mp3' as const },
  models: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
  voices: ['alloy', 'nova', 'verse'],
  instructionModels: ['gpt-4o-mini-tts'],
};

/** The English words of the request.* BotError thrown for `ask` (fails the test if none is thrown). */
function reasonFor(ask: SpeechAsk): string {
  try {
    buildSpeechRequest(ask, tts);
  } catch (err) {
    expect(err).toBeInstanceOf(BotError);
    expect((err as BotError).key).toMatch(/^request\./);
    return messageFor((err as BotError).key, { ...(err as BotError).details });
  }
  throw new Error(`buildSpeechRequest accepted ${JSON.stringify(ask).slice(0, 80)}`);
}

describe('buildSpeechRequest rejects', () => {
  const cases: Array<{ name: string; ask: SpeechAsk; reason: RegExp }> = [
    { name: 'empty text', ask: { text: '' }, reason: /no text/ },
    { name: 'whitespace-only text', ask: { text: ' \n\t ' }, reason: /no text/ },
    { name: 'text of 4097 characters', ask: { text: 'a'.repeat(MAX_INPUT_CHARS + 1) }, reason: /4097 characters.*limit is 4096/ },
    { name: 'an unknown model, naming the allowed ones', ask: { text: 'hi', model: 'tts-2' }, reason: /Unknown model “tts-2”.*gpt-4o-mini-tts, tts-1, tts-1-hd/ },
    { name: 'an unknown voice, naming the allowed ones', ask: { text: 'hi', voice: 'bob' }, reason: /Unknown voice “bob”.*alloy, nova, verse/ },
    { name: 'a voice that differs only in case', ask: { text: 'hi', voice: 'Alloy' }, reason: /Unknown voice “Alloy”/ },
    { name: 'an unknown format, naming the allowed ones', ask: { text: 'hi', format: 'ogg' }, reason: /Unknown format “ogg”.*mp3, opus, aac, flac, wav, pcm/ },
    { name: 'speed 0.24', ask: { text: 'hi', speed: 0.24 }, reason: /between 0\.25 and 4/ },
    { name: 'speed 4.01', ask: { text: 'hi', speed: 4.01 }, reason: /between 0\.25 and 4/ },
    { name: 'speed 0', ask: { text: 'hi', speed: 0 }, reason: /between 0\.25 and 4/ },
    { name: 'speed NaN', ask: { text: 'hi', speed: Number.NaN }, reason: /between 0\.25 and 4/ },
    { name: 'speed Infinity', ask: { text: 'hi', speed: Number.POSITIVE_INFINITY }, reason: /between 0\.25 and 4/ },
    {
      name: 'instructions for a model that does not take them',
      ask: { text: 'hi', model: 'tts-1', instructions: 'whisper' },
      reason: /Instructions work only with gpt-4o-mini-tts; “tts-1”/,
    },
    {
      name: 'instructions longer than 4096 characters',
      ask: { text: 'hi', instructions: 'b'.repeat(MAX_INPUT_CHARS + 1) },
      reason: /Instructions are limited to 4096/,
    },
  ];
  for (const { name, ask, reason } of cases) {
    it(name, () => {
      expect(reasonFor(ask)).toMatch(reason);
    });
  }
});

describe('buildSpeechRequest accepts', () => {
  const cases: Array<{ name: string; ask: SpeechAsk; expected: Record<string, unknown> }> = [
    {
      name: 'bare text, with every default applied',
      ask: { text: 'Hello there' },
      expected: { model: 'gpt-4o-mini-tts', input: 'Hello there', voice: 'alloy', response_format: 'mp3', speed: 1 },
    },
    {
      name: 'text trimmed of surrounding whitespace',
      ask: { text: '  Hello\n' },
      expected: { model: 'gpt-4o-mini-tts', input: 'Hello', voice: 'alloy', response_format: 'mp3', speed: 1 },
    },
    {
      name: 'exactly 4096 characters (after trimming)',
      ask: { text: ` ${'a'.repeat(MAX_INPUT_CHARS)} ` },
      expected: { model: 'gpt-4o-mini-tts', input: 'a'.repeat(MAX_INPUT_CHARS), voice: 'alloy', response_format: 'mp3', speed: 1 },
    },
    {
      name: 'every field chosen',
      ask: { text: 'hi', model: 'tts-1-hd', voice: 'nova', format: 'opus', speed: 1.5 },
      expected: { model: 'tts-1-hd', input: 'hi', voice: 'nova', response_format: 'opus', speed: 1.5 },
    },
    {
      name: 'speed 0.25 and undefined fields falling back to defaults',
      ask: { text: 'hi', voice: undefined, model: undefined, format: undefined, speed: 0.25 },
      expected: { model: 'gpt-4o-mini-tts', input: 'hi', voice: 'alloy', response_format: 'mp3', speed: 0.25 },
    },
    {
      name: 'speed 4',
      ask: { text: 'hi', speed: 4, format: 'pcm' },
      expected: { model: 'gpt-4o-mini-tts', input: 'hi', voice: 'alloy', response_format: 'pcm', speed: 4 },
    },
    {
      name: 'trimmed instructions for an instruction model',
      ask: { text: 'hi', instructions: '  Speak softly. ' },
      expected: { model: 'gpt-4o-mini-tts', input: 'hi', voice: 'alloy', response_format: 'mp3', speed: 1, instructions: 'Speak softly.' },
    },
    {
      name: 'blank instructions with a model that takes none (dropped, not an error)',
      ask: { text: 'hi', model: 'tts-1', instructions: '   ' },
      expected: { model: 'tts-1', input: 'hi', voice: 'alloy', response_format: 'mp3', speed: 1 },
    },
  ];
  for (const { name, ask, expected } of cases) {
    it(name, () => {
      // toStrictEqual: no `instructions: undefined` key may reach the request body.
      expect(buildSpeechRequest(ask, tts)).toStrictEqual(expected);
    });
  }

  it('uses the configured defaults, not built-in ones', () => {
    const custom = { ...tts, defaults: { model: 'tts-1', voice: 'verse', speed: 2, format: 'wav' as const } };
    expect(buildSpeechRequest({ text: 'x' }, custom)).toStrictEqual({ model: 'tts-1', input: 'x', voice: 'verse', response_format: 'wav', speed: 2 });
  });
});
