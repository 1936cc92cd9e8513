import { describe, expect, it } from 'vitest';
import { EMPTY_MEMBER_SETTINGS, type MemberSettings } from '../../../src/settings/definitions.js';
import { effectiveSpeech, memberValue } from '../../../src/settings/effective.js';

const DEFAULTS = { voice: 'alloy', model: 'gpt-4o-mini-tts', speed: 1, format: 'mp3' as const };
const member = (guild: Partial<MemberSettings>, global: Partial<MemberSettings>) => ({
  guild: { ...EMPTY_MEMBER_SETTINGS, ...guild },
  global: { ...EMPTY_MEMBER_SETTINGS, ...global },
});
const GUILD_NONE = { voice: null, model: null, speed: null };

describe('effective speech options: command > member here > member everywhere > guild > config', () => {
  it.each([
    ['nothing set: config', {}, member({}, {}), GUILD_NONE, { voice: 'alloy', model: 'gpt-4o-mini-tts', speed: 1 }],
    ['guild set', {}, member({}, {}), { voice: 'nova', model: 'tts-1', speed: 1.25 }, { voice: 'nova', model: 'tts-1', speed: 1.25 }],
    ['member global over guild', {}, member({}, { voice: 'echo', speed: 2 }), { voice: 'nova', model: null, speed: 1.25 }, { voice: 'echo', model: 'gpt-4o-mini-tts', speed: 2 }],
    ['member here over member global', {}, member({ voice: 'fable' }, { voice: 'echo', speed: 2 }), GUILD_NONE, { voice: 'fable', model: 'gpt-4o-mini-tts', speed: 2 }],
    ['command over everything', { voice: 'onyx', speed: 0.5, model: 'tts-1-hd' }, member({ voice: 'fable', speed: 3 }, { voice: 'echo' }), { voice: 'nova', model: 'tts-1', speed: 1.5 }, { voice: 'onyx', model: 'tts-1-hd', speed: 0.5 }],
    ['command voice only: speed still merged', { voice: 'onyx' }, member({ speed: 3 }, {}), GUILD_NONE, { voice: 'onyx', model: 'gpt-4o-mini-tts', speed: 3 }],
    ['guild speed under member voice', {}, member({ voice: 'fable' }, {}), { voice: null, model: null, speed: 0.75 }, { voice: 'fable', model: 'gpt-4o-mini-tts', speed: 0.75 }],
  ])('%s', (_name, command, m, guild, expected) => {
    expect(effectiveSpeech(command, m, guild, DEFAULTS)).toEqual(expected);
  });

  it('memberValue: this guild first, then global', () => {
    expect(memberValue(member({ spokenName: 'Al' }, { spokenName: 'Alice' }), 'spokenName')).toBe('Al');
    expect(memberValue(member({}, { spokenName: 'Alice' }), 'spokenName')).toBe('Alice');
    expect(memberValue(member({ optOut: false }, { optOut: true }), 'optOut')).toBe(false);
    expect(memberValue(member({}, {}), 'optOut')).toBeNull();
  });
});
