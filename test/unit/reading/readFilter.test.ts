import { describe, expect, it } from 'vitest';
import type { MessageFacts } from '../../../src/features/reading/messageFacts.js';
import { distinctVoice, readDecision, type ReadContext } from '../../../src/features/reading/readFilter.js';

const CHAT = 'chat', LOUNGE = 'lounge', QUIET = 'quiet', ROLE = '300000000000000001';

const msg = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  id: 'm1', guildId: 'g', channelId: CHAT, authorId: 'u1', authorDisplayName: 'Alice', authorIsBot: false, webhook: false,
  system: false, silent: false, authorVoiceChannelId: LOUNGE, authorRoleIds: [], content: 'hello',
  mentions: { users: {}, roles: {}, channels: {} }, attachments: [], stickers: [], forwarded: false, embedsOnly: false, ...over,
});
const SETTINGS: ReadContext['settings'] = {
  read_voice_chats: false, read_require_in_voice: true, read_ignore_bots: true, read_skip_silent: true,
  read_skip_prefix: '!', read_required_role: null, read_auto_join: false,
};
const ctx = (over: Partial<ReadContext> = {}, settings: Partial<ReadContext['settings']> = {}): ReadContext => ({
  settings: { ...SETTINGS, ...settings }, boundChannels: new Set([CHAT]), botVoiceChannelId: LOUNGE, optedOut: false, ...over,
});

describe('which messages are read, and where', () => {
  it.each<[string, Partial<MessageFacts>, ReadContext, ReturnType<typeof readDecision>]>([
    ['a member with the bot, in a bound channel', {}, ctx(), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['an unbound channel', { channelId: 'other' }, ctx(), { read: false, reason: 'not_reading_channel' }],
    ['the voice channel’s own chat when voice chats are read', { channelId: LOUNGE }, ctx({ boundChannels: new Set() }, { read_voice_chats: true }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['another voice channel’s chat is not the bot’s', { channelId: QUIET }, ctx({ boundChannels: new Set() }, { read_voice_chats: true }), { read: false, reason: 'not_reading_channel' }],
    ['voice chats off: the voice channel’s chat is not read', { channelId: LOUNGE }, ctx({ boundChannels: new Set() }), { read: false, reason: 'not_reading_channel' }],
    ['a system message', { system: true }, ctx(), { read: false, reason: 'system' }],
    ['a bot', { authorIsBot: true }, ctx(), { read: false, reason: 'bot' }],
    ['a webhook', { webhook: true }, ctx(), { read: false, reason: 'bot' }],
    ['a bot when bots are read (and in voice)', { authorIsBot: true }, ctx({}, { read_ignore_bots: false }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['@silent', { silent: true }, ctx(), { read: false, reason: 'silent' }],
    ['@silent when silent messages are read', { silent: true }, ctx({}, { read_skip_silent: false }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['the skip prefix', { content: '!not this' }, ctx(), { read: false, reason: 'skip_prefix' }],
    ['the skip prefix after spaces', { content: '   !not this' }, ctx(), { read: false, reason: 'skip_prefix' }],
    ['a custom skip prefix', { content: '//quiet' }, ctx({}, { read_skip_prefix: '//' }), { read: false, reason: 'skip_prefix' }],
    ['no skip prefix: "!" is read', { content: '!wow' }, ctx({}, { read_skip_prefix: '' }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['opted out', {}, ctx({ optedOut: true }), { read: false, reason: 'opted_out' }],
    ['missing the required role', {}, ctx({}, { read_required_role: ROLE }), { read: false, reason: 'missing_role' }],
    ['holding the required role', { authorRoleIds: [ROLE] }, ctx({}, { read_required_role: ROLE }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['author in another voice channel', { authorVoiceChannelId: QUIET }, ctx(), { read: false, reason: 'author_not_with_bot' }],
    ['author not in voice', { authorVoiceChannelId: null }, ctx(), { read: false, reason: 'author_not_with_bot' }],
    ['author not in voice, presence not required', { authorVoiceChannelId: null }, ctx({}, { read_require_in_voice: false }), { read: true, voiceChannelId: LOUNGE, join: false }],
    ['bot not in voice, no auto-join', {}, ctx({ botVoiceChannelId: null }), { read: false, reason: 'bot_not_in_voice' }],
    ['bot not in voice, auto-join brings it to the author', { authorVoiceChannelId: QUIET }, ctx({ botVoiceChannelId: null }, { read_auto_join: true }), { read: true, voiceChannelId: QUIET, join: true }],
    ['auto-join, author not in voice', { authorVoiceChannelId: null }, ctx({ botVoiceChannelId: null }, { read_auto_join: true }), { read: false, reason: 'bot_not_in_voice' }],
    ['auto-join never moves a bot that is elsewhere', { authorVoiceChannelId: QUIET }, ctx({}, { read_auto_join: true }), { read: false, reason: 'author_not_with_bot' }],
    ['bot not in voice, the author’s voice chat with auto-join', { channelId: QUIET, authorVoiceChannelId: QUIET }, ctx({ botVoiceChannelId: null, boundChannels: new Set() }, { read_voice_chats: true, read_auto_join: true }), { read: true, voiceChannelId: QUIET, join: true }],
    ['opt-out beats everything after the channel check', { content: 'hi' }, ctx({ optedOut: true }, { read_require_in_voice: false }), { read: false, reason: 'opted_out' }],
  ])('%s', (_name, over, context, expected) => {
    expect(readDecision(msg(over), context)).toEqual(expected);
  });
});

describe('distinct voices', () => {
  const voices = ['alloy', 'echo', 'fable', 'nova', 'onyx', 'shimmer'];
  it('gives a member the same voice every time, and spreads members over the list', () => {
    const ids = Array.from({ length: 600 }, (_, i) => `${100000000000000000n + BigInt(i) * 7919n}`);
    for (const id of ids.slice(0, 20)) expect(distinctVoice(id, voices)).toBe(distinctVoice(id, voices));
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(distinctVoice(id, voices), (counts.get(distinctVoice(id, voices)) ?? 0) + 1);
    expect(counts.size).toBe(voices.length);
    for (const n of counts.values()) expect(n).toBeGreaterThan(50); // 100 each on average
  });
});
