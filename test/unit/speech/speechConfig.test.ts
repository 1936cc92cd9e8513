import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { problemsOf } from '../core/configProblems.js';

const minimal = { DISCORD_TOKEN: 'bot-token', DISCORD_APPLICATION_ID: '123456789012345678', TTS_API_KEY: 'sk-test' };

describe('config: provider concurrency and the long-text pipeline', () => {
  it('defaults: 8 provider calls at once; texts over 300 characters pipelined with 2 parts ahead', () => {
    const { tts } = loadConfig(minimal);
    expect(tts.maxConcurrency).toBe(8);
    expect(tts.pipeline).toEqual({ minChars: 300, ahead: 2 });
  });

  it('empty values take the defaults', () => {
    const { tts } = loadConfig({ ...minimal, TTS_MAX_CONCURRENCY: '', TTS_PIPELINE_MIN_CHARS: ' ', TTS_PIPELINE_AHEAD: '' });
    expect(tts.maxConcurrency).toBe(8);
    expect(tts.pipeline).toEqual({ minChars: 300, ahead: 2 });
  });

  it.each([
    [{ TTS_MAX_CONCURRENCY: '1' }, { maxConcurrency: 1 }],
    [{ TTS_MAX_CONCURRENCY: '1000' }, { maxConcurrency: 1000 }],
    [{ TTS_PIPELINE_MIN_CHARS: '0' }, { pipeline: { minChars: 0, ahead: 2 } }],
    [{ TTS_PIPELINE_MIN_CHARS: '4096', TTS_PIPELINE_AHEAD: '8' }, { pipeline: { minChars: 4096, ahead: 8 } }],
    [{ TTS_PIPELINE_AHEAD: '1' }, { pipeline: { minChars: 300, ahead: 1 } }],
  ])('accepts %j', (env, expected) => {
    expect(loadConfig({ ...minimal, ...env }).tts).toMatchObject(expected);
  });

  it('bad values are reported together, with everything else that is wrong', () => {
    const problems = problemsOf({
      ...minimal,
      TTS_MAX_CONCURRENCY: '0',
      TTS_PIPELINE_MIN_CHARS: '-1',
      TTS_PIPELINE_AHEAD: '2.5',
      TTS_DEFAULT_SPEED: '9',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'TTS_DEFAULT_SPEED',
      'TTS_MAX_CONCURRENCY',
      'TTS_PIPELINE_AHEAD',
      'TTS_PIPELINE_MIN_CHARS',
    ]);
  });

  it.each([
    ['TTS_MAX_CONCURRENCY', '1001'],
    ['TTS_MAX_CONCURRENCY', 'many'],
    ['TTS_PIPELINE_MIN_CHARS', '5000'],
    ['TTS_PIPELINE_AHEAD', '0'],
    ['TTS_PIPELINE_AHEAD', '9'],
  ])('%s=%s is refused', (name, value) => {
    expect(problemsOf({ ...minimal, [name]: value }).map((p) => p.split(':')[0])).toEqual([name]);
  });
});
