import { describe, expect, it } from 'vitest';
import { loadConfig, parseLanguageVoices } from '../../../src/config.js';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { createEmojiNames, emojibaseLocale, emojiNamesFrom } from '../../../src/i18n/emojiNames.js';
import { languageVoice } from '../../../src/settings/effective.js';
import { splitForSpeech } from '../../../src/speech/sentenceSplit.js';
import { problemsOf } from '../core/configProblems.js';

const minimal = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: '123456789012345678', TTS_API_KEY: 'sk-test' };

describe('emoji names per language (emojibase-data, CLDR annotations)', () => {
  it('every shipped catalog has emoji names of its own language', () => {
    const names = createEmojiNames();
    const said = Object.fromEntries(loadCatalogs().map((c) => [c.code, names(c.code)('😀')]));
    expect(said).toEqual({
      de: 'grinsendes Gesicht',
      'en-US': 'grinning face',
      'es-ES': 'cara sonriendo',
      fr: 'visage rieur',
      ja: 'にっこり笑う',
      ko: '활짝 웃는 얼굴',
      'pt-BR': 'rosto risonho',
      'zh-CN': '嘿嘿',
    });
  });

  it('catalog codes and Discord locales map to emojibase folders', () => {
    expect(['en-US', 'en-GB', 'es-419', 'es-ES', 'pt-BR', 'zh-CN', 'zh-TW', 'ja', 'sv-SE', 'xx'].map(emojibaseLocale)).toEqual([
      'en', 'en-gb', 'es', 'es', 'pt', 'zh', 'zh-hant', 'ja', 'sv', 'en',
    ]);
  });

  it('loads a language only when asked, once', () => {
    const loaded: string[] = [];
    const names = createEmojiNames((locale) => {
      loaded.push(locale);
      return [{ unicode: '👍', label: locale === 'de' ? 'Daumen hoch' : 'thumbs up' }];
    });
    expect(loaded).toEqual([]);
    expect(names('de')('👍🏽')).toBe('Daumen hoch');
    expect(names('de')('👍')).toBe('Daumen hoch');
    expect(names('en-US')('👍')).toBe('thumbs up');
    expect(loaded).toEqual(['de', 'en']);
  });

  it('says CLDR labels without their colon, and never a lone regional indicator', () => {
    const named = emojiNamesFrom([
      { unicode: '🇯🇵', label: 'drapeau : Japon' },
      { unicode: '🇯', label: 'regional indicator J' },
    ]);
    expect(named('🇯🇵')).toBe('drapeau Japon');
    expect(named('🇯')).toBeUndefined();
  });
});

describe('sentence splitting of Chinese and Japanese', () => {
  it('cuts at 。！？ with no spaces between sentences', () => {
    expect(splitForSpeech('こんにちは。今日はいい天気ですね！明日も晴れるかな？そうだといいな。', { firstMaxChars: 12, firstMinChars: 0, maxChars: 20 })).toEqual([
      'こんにちは。',
      '今日はいい天気ですね！明日も晴れるかな？',
      'そうだといいな。',
    ]);
    expect(splitForSpeech('你好。今天天气很好！明天呢？', { firstMaxChars: 5, firstMinChars: 0, maxChars: 8 })).toEqual(['你好。', '今天天气很好！', '明天呢？']);
  });

  it('a long sentence without marks is cut between words, and nothing is lost', () => {
    const text = '吾輩は猫である名前はまだ無いどこで生れたかとんと見当がつかぬ';
    const parts = splitForSpeech(text, { firstMaxChars: 10, firstMinChars: 0, maxChars: 10 });
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(10);
    expect(parts[0]).toBe('吾輩は猫である名前は');
  });

  it('a clause mark 、 is a cut point too', () => {
    expect(splitForSpeech('今日はとても楽しかったです、また明日も遊びましょう', { firstMaxChars: 16, firstMinChars: 0, maxChars: 16 })).toEqual([
      '今日はとても楽しかったです、',
      'また明日も遊びましょう',
    ]);
  });
});

describe('TTS_LANGUAGE_VOICES', () => {
  it('parses language:voice pairs', () => {
    expect(parseLanguageVoices('ja:jf_alpha, zh-CN:zf_xiaobei')).toEqual({ ja: 'jf_alpha', 'zh-CN': 'zf_xiaobei' });
    expect(parseLanguageVoices('')).toEqual({});
    expect(parseLanguageVoices('japanese')).toMatch(/language:voice pairs/);
  });

  it('is refused when a voice is not one of TTS_VOICES', () => {
    expect(problemsOf({ ...minimal, TTS_VOICES: 'af_heart,jf_alpha', TTS_DEFAULT_VOICE: 'af_heart', TTS_LANGUAGE_VOICES: 'ja:jf_alpha,zh:zf_xiaobei' })).toEqual([
      'TTS_LANGUAGE_VOICES: zh:zf_xiaobei: the voice must be one of TTS_VOICES (af_heart, jf_alpha)',
    ]);
    expect(loadConfig({ ...minimal, TTS_VOICES: 'af_heart,jf_alpha', TTS_DEFAULT_VOICE: 'af_heart', TTS_LANGUAGE_VOICES: 'ja:jf_alpha' }).tts.languageVoices).toEqual({ ja: 'jf_alpha' });
    expect(loadConfig(minimal).tts.languageVoices).toEqual({});
  });

  it('finds the language, else its base language', () => {
    const voices = { ja: 'jf_alpha', zh: 'zf_xiaobei', 'pt-BR': 'pf_dora' };
    expect(languageVoice(voices, 'ja')).toBe('jf_alpha');
    expect(languageVoice(voices, 'zh-CN')).toBe('zf_xiaobei');
    expect(languageVoice(voices, 'pt-BR')).toBe('pf_dora');
    expect(languageVoice(voices, 'pt-PT')).toBe('pf_dora');
    expect(languageVoice(voices, 'en-US')).toBeUndefined();
  });
});
