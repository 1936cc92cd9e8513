import { describe, expect, it } from 'vitest';
import { voiceEventFor, type VoiceStateChange } from '../../../src/features/announcements/voiceEvents.js';

const change = (from: string | null, to: string | null, extra: Partial<VoiceStateChange> = {}): VoiceStateChange => ({
  userId: 'u1',
  isBot: false,
  name: 'Alice',
  fromChannelId: from,
  toChannelId: to,
  ...(to ? { toChannelName: `#${to}` } : {}),
  ...extra,
});

describe('voiceEventFor', () => {
  it.each([
    ['into the bot’s channel from nowhere', change(null, 'bot'), { kind: 'join', userId: 'u1', name: 'Alice' }],
    ['into the bot’s channel from another', change('other', 'bot'), { kind: 'join', userId: 'u1', name: 'Alice' }],
    ['out of voice from the bot’s channel', change('bot', null), { kind: 'leave', userId: 'u1', name: 'Alice' }],
    ['to another channel from the bot’s', change('bot', 'other'), { kind: 'move', userId: 'u1', name: 'Alice', channelName: '#other' }],
    ['a move whose channel name is unknown', change('bot', 'other', { toChannelName: undefined } as never), { kind: 'move', userId: 'u1', name: 'Alice' }],
  ])('%s', (_, c, expected) => {
    const copy = { ...c };
    if ('toChannelName' in copy && copy.toChannelName === undefined) delete copy.toChannelName;
    expect(voiceEventFor(copy, 'bot')).toEqual(expected);
  });

  it.each([
    ['mute or deafen in the same channel', change('bot', 'bot')],
    ['between two other channels', change('a', 'b')],
    ['joining another channel', change(null, 'other')],
    ['a bot joining', change(null, 'bot', { isBot: true })],
  ])('nothing for %s', (_, c) => {
    expect(voiceEventFor(c, 'bot')).toBeNull();
  });

  it('nothing when the bot is in no channel', () => {
    expect(voiceEventFor(change(null, 'bot'), null)).toBeNull();
  });
});
