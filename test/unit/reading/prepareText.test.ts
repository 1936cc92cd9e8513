import { describe, expect, it } from 'vitest';
import {
  compileDictionary,
  prepareText,
  shouldSayName,
  type PrepareOptions,
  type ReadableMessage,
} from '../../../src/features/reading/prepareText.js';

const MENTIONS: ReadableMessage['mentions'] = {
  users: { '111': 'Bob', '112': 'Zoë 🌸' },
  roles: { '333': 'Moderators' },
  channels: { '444': 'general' },
};

const OPTIONS: PrepareOptions = {
  sayName: false,
  customEmoji: 'name',
  unicodeEmoji: 'name',
  maxChars: 300,
  maxRepeat: 3,
  dictionary: [],
};

function message(content: string, extra: Partial<ReadableMessage> = {}): ReadableMessage {
  return { content, authorName: 'Alice', mentions: MENTIONS, ...extra };
}

interface Case {
  name: string;
  message: ReadableMessage;
  options?: Partial<PrepareOptions>;
  expected: string | null;
}

function run(c: Case): string | null {
  return prepareText(c.message, { ...OPTIONS, ...c.options });
}

const named = { sayName: true };
const image = { name: 'cat.png', contentType: 'image/png' };

const prefixCases: Case[] = [
  { name: 'says the name', message: message('hello'), options: named, expected: 'Alice said: hello' },
  { name: 'leaves the name out', message: message('hello'), expected: 'hello' },
  { name: 'reply with name', message: message('hello', { replyToName: 'Bob' }), options: named, expected: 'Alice, replying to Bob, said: hello' },
  { name: 'reply without name', message: message('hello', { replyToName: 'Bob' }), expected: 'Replying to Bob: hello' },
  { name: 'forward with content, with name', message: message('look at this', { forwarded: true }), options: named, expected: 'Alice forwarded: look at this' },
  { name: 'forward with content, without name', message: message('look at this', { forwarded: true }), expected: 'Forwarded: look at this' },
  { name: 'empty forward, with name', message: message('', { forwarded: true }), options: named, expected: 'Alice sent a forwarded message' },
  { name: 'empty forward, without name', message: message('', { forwarded: true }), expected: 'A forwarded message' },
  { name: 'emoji in the author name is spoken', message: message('hi', { authorName: 'Alice 🌸' }), options: named, expected: 'Alice cherry blossom said: hi' },
  { name: 'invisible author name falls back', message: message('hi', { authorName: '\u3164\u200B' }), options: named, expected: 'Someone said: hi' },
  { name: 'invisible reply name falls back', message: message('hi', { replyToName: '\u200B' }), options: named, expected: 'Alice, replying to someone, said: hi' },
  { name: 'bidi override stripped from the name', message: message('hi', { authorName: '\u202EecilA' }), options: named, expected: 'ecilA said: hi' },
  { name: 'repeated letters in a name are capped', message: message('hi', { authorName: 'Aaaaaaalice' }), options: named, expected: 'Aaaalice said: hi' },
];

const mentionCases: Case[] = [
  { name: 'user mention', message: message('<@111> hi'), expected: 'Bob hi' },
  { name: 'nickname mention', message: message('hi <@!111>'), expected: 'hi Bob' },
  { name: 'role mention', message: message('<@&333> ping'), expected: 'Moderators ping' },
  { name: 'channel mention', message: message('see <#444>'), expected: 'see general' },
  { name: 'unknown user', message: message('hi <@999>'), expected: 'hi someone' },
  { name: 'unknown role', message: message('<@&999> ping'), expected: 'a role ping' },
  { name: 'unknown channel', message: message('go to <#999>'), expected: 'go to a channel' },
  { name: '@everyone and @here', message: message('@everyone look, @here too'), expected: 'everyone look, here too' },
  { name: 'an e-mail address is not @here', message: message('mail a@here.com'), expected: 'mail a@here.com' },
  { name: 'adjacent mentions stay apart', message: message('<@111><@&333>'), expected: 'Bob Moderators' },
  { name: 'possessive after a mention', message: message("<@111>'s idea"), expected: "Bob's idea" },
  { name: 'emoji in a mentioned name', message: message('thanks <@112>!'), expected: 'thanks Zoë cherry blossom!' },
  { name: 'slash command mention', message: message('run </ping:123456>'), expected: 'run /ping' },
  // Found by the property tests: mention syntax that arrives after the content's mentions were resolved.
  { name: 'a zero-width @here in a poll question', message: message('', { poll: { question: 'lunch @\u2060here?' } }), expected: 'A poll: lunch here?' },
  { name: '@ before a member named everyone', message: message('hi @<@111>', { mentions: { ...MENTIONS, users: { '111': 'everyone' } } }), expected: 'hi everyone' },
  { name: 'a mention in an author name', message: message('hi', { authorName: '<@&123> @here' }), options: { sayName: true }, expected: 'a role here said: hi' },
  { name: 'a dictionary reading with @everyone', message: message('gg all'), options: { dictionary: [{ word: 'all', reading: '@everyone' }] }, expected: 'gg everyone' },
];

const emojiCases: Case[] = [
  { name: 'custom emoji name, underscores as spaces', message: message('<:blob_cat:123> hi'), expected: 'blob cat hi' },
  { name: 'animated custom emoji', message: message('<a:party_parrot:456>'), expected: 'party parrot' },
  { name: 'custom emoji skipped', message: message('hi <:blob:1>'), options: { customEmoji: 'skip' }, expected: 'hi' },
  { name: 'unicode emoji', message: message('😀'), expected: 'grinning face' },
  { name: 'skin tone is not said', message: message('👍🏽'), expected: 'thumbs up' },
  { name: 'ZWJ family', message: message('👨‍👩‍👧'), expected: 'family man, woman, girl' },
  { name: 'ZWJ profession', message: message('🧑‍💻'), expected: 'technologist' },
  { name: 'ZWJ with skin tones', message: message('🧑🏻‍🤝‍🧑🏿'), expected: 'people holding hands' },
  { name: 'flag', message: message('🇯🇵'), expected: 'flag Japan' },
  { name: 'tag-sequence flag', message: message('🏴󠁧󠁢󠁥󠁮󠁧󠁿'), expected: 'flag England' },
  { name: 'keycap', message: message('1️⃣'), expected: 'keycap 1' },
  { name: 'rainbow flag', message: message('🏳️‍🌈'), expected: 'rainbow flag' },
  { name: 'heart without variation selector', message: message('❤'), expected: 'red heart' },
  { name: 'unicode emoji skipped', message: message('nice 😀👍'), options: { unicodeEmoji: 'skip' }, expected: 'nice' },
  { name: 'only skipped emoji is nothing', message: message('😀 😀'), options: { unicodeEmoji: 'skip', sayName: true }, expected: null },
  { name: 'emoji run capped at maxRepeat', message: message('🔥🔥🔥🔥🔥'), expected: 'fire fire fire' },
  { name: 'spaced emoji run capped', message: message('🔥 🔥 🔥 🔥'), expected: 'fire fire fire' },
  { name: 'separated emoji are not a run', message: message('a 🔥 b 🔥'), expected: 'a fire b fire' },
  { name: 'custom emoji run capped', message: message('<:a_b:1><:a_b:1><:a_b:1><:a_b:1>'), expected: 'a b a b a b' },
  { name: 'emoji glued to words', message: message('hi😀there'), expected: 'hi grinning face there' },
  { name: 'emoji before punctuation', message: message('wow😀!'), expected: 'wow grinning face!' },
  { name: 'stray variation selector and skin tone', message: message('ok\uFE0F 🏽'), expected: 'ok' },
];

const timestampCases: Case[] = [
  { name: 'relative timestamp as a full date', message: message('<t:1700000000:R>'), expected: 'November 14, 2023 at 22:13 UTC' },
  { name: 'short time', message: message('meet at <t:1700000000:t>!'), expected: 'meet at 22:13 UTC!' },
  { name: 'long time', message: message('<t:1700000000:T>'), expected: '22:13:20 UTC' },
  { name: 'long date', message: message('<t:1700000000:D>'), expected: 'November 14, 2023' },
  { name: 'full date with weekday', message: message('<t:1700000000:F>'), expected: 'Tuesday, November 14, 2023 at 22:13 UTC' },
  { name: 'timestamp without style', message: message('since <t:0>'), expected: 'since January 1, 1970 at 00:00 UTC' },
  { name: 'timestamp out of range', message: message('<t:9999999999999999:R>'), expected: 'a date' },
];

const linkCases: Case[] = [
  { name: 'bare link', message: message('see https://www.example.com/page?q=1'), expected: 'see a link to example.com' },
  { name: 'link in angle brackets', message: message('<https://example.com/x>'), expected: 'a link to example.com' },
  { name: 'masked link says its text', message: message('read [the **docs**](https://example.com/docs)'), expected: 'read the docs' },
  { name: 'masked link without text', message: message('[](https://example.com)'), expected: 'a link to example.com' },
  { name: 'several links', message: message('https://a.com and HTTP://b.org/x'), expected: 'a link to a.com and a link to b.org' },
  { name: 'trailing punctuation is not the link', message: message('go to https://example.com.'), expected: 'go to a link to example.com.' },
  { name: 'link in parentheses', message: message('(https://example.com)'), expected: '(a link to example.com)' },
  { name: 'user info and port dropped, host lowercased', message: message('https://user:pw@Sub.Example.com:8080/x'), expected: 'a link to sub.example.com' },
  { name: 'underscores in a URL do not leak', message: message('https://example.com/_my_file_ ok'), expected: 'a link to example.com ok' },
  { name: 'link without a host', message: message('https:///path'), expected: 'a link' },
];

const codeAndSpoilerCases: Case[] = [
  { name: 'code block', message: message('```js\nconst a = 1;\n```'), expected: 'code block' },
  { name: 'code block inside text', message: message('before```x```after'), expected: 'before code block after' },
  { name: 'inline code says its content', message: message('run `npm test` now'), expected: 'run npm test now' },
  // Mention syntax is never said as symbols, not even in code (it would be read "less than at 1 1 1").
  { name: 'inline code is not markdown', message: message('`__init__ <@111>`'), expected: '__init__ someone' },
  { name: 'unclosed fence', message: message('```\nsome code'), expected: 'some code' },
  { name: 'spoiler dropped', message: message('the killer is ||Bob|| lol'), expected: 'the killer is lol' },
  { name: 'only a spoiler is nothing, even with the name', message: message('||secret||'), options: named, expected: null },
  { name: 'code inside a spoiler dropped', message: message('||`x`||'), expected: null },
  { name: 'several spoilers', message: message('||a|| b ||c||'), expected: 'b' },
  { name: 'unclosed spoiler markers dropped', message: message('|| not closed'), expected: 'not closed' },
];

const markdownCases: Case[] = [
  { name: 'emphasis removed', message: message('**bold** *italic* _it_ __under__ ~~strike~~'), expected: 'bold italic it under strike' },
  { name: 'bold italic', message: message('***wow***'), expected: 'wow' },
  { name: 'headers and subtext', message: message('# Title\n## Sub\n-# small print'), expected: 'Title Sub small print' },
  { name: 'quotes', message: message('> quoted\n>>> more'), expected: 'quoted more' },
  { name: 'list markers', message: message('- one\n- two\n* three\n  + four'), expected: 'one two three four' },
  { name: 'numbered list keeps numbers', message: message('1. first'), expected: '1. first' },
  { name: 'hashtag is not a header', message: message('#hashtag'), expected: '#hashtag' },
  { name: 'not a quote without a space', message: message('>not a quote'), expected: '>not a quote' },
  { name: 'snake_case survives', message: message('set my_var_name now'), expected: 'set my_var_name now' },
  { name: 'dunder emphasis', message: message('__init__'), expected: 'init' },
  { name: 'unbalanced bold', message: message('**hello'), expected: 'hello' },
  { name: 'arithmetic asterisks kept', message: message('5 * 3 = 15 and 5*3'), expected: '5 * 3 = 15 and 5*3' },
  { name: 'escaped markers are literal', message: message('\\*not italic\\*'), expected: '*not italic*' },
  { name: 'emphasis inside a word', message: message('un*frigging*believable'), expected: 'unfriggingbelievable' },
];

const extraCases: Case[] = [
  { name: 'image only, with name', message: message('', { attachments: [image] }), options: named, expected: 'Alice sent an image' },
  { name: 'two images', message: message('', { attachments: [image, { name: 'b.JPG' }] }), expected: '2 images' },
  { name: 'video by extension', message: message('', { attachments: [{ name: 'clip.MP4' }] }), expected: 'A video' },
  { name: 'audio by content type', message: message('', { attachments: [{ name: 'voice-message', contentType: 'audio/ogg' }] }), expected: 'An audio file' },
  { name: 'other file', message: message('', { attachments: [{ name: 'notes.pdf', contentType: 'application/pdf' }] }), expected: 'A file' },
  { name: 'voice message, with name', message: message('', { attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg' }], voiceMessage: { durationSecs: 12.4 } }), options: named, expected: 'Alice sent a voice message, 12 seconds' },
  { name: 'voice message, name not repeated', message: message('', { attachments: [{ name: 'voice-message.ogg', contentType: 'audio/ogg' }], voiceMessage: { durationSecs: 0.4 } }), expected: 'A voice message, 1 second' },
  { name: 'long voice message', message: message('', { attachments: [{ name: 'v.ogg', contentType: 'audio/ogg' }], voiceMessage: { durationSecs: 125 } }), options: named, expected: 'Alice sent a voice message, 2 minutes 5 seconds' },
  { name: 'voice message without a duration', message: message('', { attachments: [{ name: 'v.ogg', contentType: 'audio/ogg' }], voiceMessage: { durationSecs: null } }), options: named, expected: 'Alice sent a voice message' },
  {
    name: 'mixed attachments with text',
    message: message('look', { attachments: [image, { name: 'notes.txt' }, image, { name: 'a.webm' }] }),
    expected: 'look, with 2 images, a video and a file',
  },
  { name: 'text ending a sentence', message: message('wow!', { attachments: [image] }), expected: 'wow! With an image' },
  { name: 'sticker', message: message('', { stickers: ['wave'] }), options: named, expected: 'Alice sent a sticker: wave' },
  { name: 'two stickers', message: message('', { stickers: ['wave', 'hi'] }), expected: '2 stickers: wave and hi' },
  { name: 'poll', message: message('', { poll: { question: 'Pizza or pasta?' } }), options: named, expected: 'Alice sent a poll: Pizza or pasta?' },
  { name: 'poll with text', message: message('vote', { poll: { question: 'Best day?' } }), expected: 'vote, with a poll: Best day?' },
  { name: 'embeds only', message: message('', { embedsOnly: true }), options: named, expected: 'Alice sent an embed' },
  { name: 'reply with an image, with name', message: message('', { replyToName: 'Bob', attachments: [image] }), options: named, expected: 'Alice, replying to Bob, sent an image' },
  { name: 'reply with an image, without name', message: message('', { replyToName: 'Bob', attachments: [image] }), expected: 'Replying to Bob: an image' },
  { name: 'forward with an image', message: message('', { forwarded: true, attachments: [image] }), expected: 'A forwarded message and an image' },
  { name: 'spoiler only, with an image', message: message('||secret||', { attachments: [image] }), options: named, expected: 'Alice sent an image' },
];

const repeatAndCleanupCases: Case[] = [
  { name: 'letter run', message: message('wwwwwww'), expected: 'www' },
  { name: 'punctuation run', message: message('what!!!!!!'), expected: 'what!!!' },
  { name: 'run inside a word', message: message('lollllll'), expected: 'lolll' },
  { name: 'numbers are not capped', message: message('1000000'), expected: '1000000' },
  { name: 'maxRepeat 1', message: message('nooo!!'), options: { maxRepeat: 1 }, expected: 'no!' },
  { name: 'exactly maxRepeat kept', message: message('hmm...'), expected: 'hmm...' },
  { name: 'whitespace collapsed', message: message('  a   b\n\n\tc  '), expected: 'a b c' },
  { name: 'empty content', message: message(''), options: named, expected: null },
  { name: 'whitespace only', message: message('   \n\t '), options: named, expected: null },
  { name: 'zero-width only', message: message('\u200B\u200C\u2060\uFEFF\u200D'), options: named, expected: null },
  { name: 'control characters', message: message('a\u0000b\u0007c\u007F'), expected: 'abc' },
  { name: 'bidi controls', message: message('abc\u202Edef\u2066g\u2069'), expected: 'abcdefg' },
  { name: 'lone surrogate', message: message('a\uD800b'), expected: 'ab' },
  { name: 'private-use characters cannot fake placeholders', message: message('x\uE000\uE001\uE002y'), expected: 'xy' },
];

const lol = [{ word: 'lol', reading: 'laughing out loud' }];

const dictionaryCases: Case[] = [
  { name: 'dictionary word', message: message('lol that was funny'), options: { dictionary: lol }, expected: 'laughing out loud that was funny' },
  { name: 'dictionary is whole-word', message: message('lollipop'), options: { dictionary: lol }, expected: 'lollipop' },
  { name: 'dictionary is case-insensitive', message: message('LOL'), options: { dictionary: lol }, expected: 'laughing out loud' },
  { name: 'dictionary after markdown', message: message('**lol**'), options: { dictionary: lol }, expected: 'laughing out loud' },
  {
    name: 'longest match first',
    message: message('I love new york'),
    options: { dictionary: [{ word: 'new', reading: 'neu' }, { word: 'New York', reading: 'the Big Apple' }] },
    expected: 'I love the Big Apple',
  },
  { name: 'regex metacharacters', message: message('I like C++ a lot'), options: { dictionary: [{ word: 'C++', reading: 'C plus plus' }] }, expected: 'I like C plus plus a lot' },
  { name: 'replacement is literal', message: message('x marks'), options: { dictionary: [{ word: 'x', reading: '$1 $& $$' }] }, expected: '$1 $& $$ marks' },
  { name: 'dictionary applies to the author name', message: message('hi'), options: { sayName: true, dictionary: [{ word: 'alice', reading: 'Alicia' }] }, expected: 'Alicia said: hi' },
  { name: 'dictionary applies to mentioned names', message: message('<@111>'), options: { dictionary: [{ word: 'bob', reading: 'Robert' }] }, expected: 'Robert' },
  { name: 'Cyrillic whole word', message: message('Привет мир, приветик'), options: { dictionary: [{ word: 'привет', reading: 'privet' }] }, expected: 'privet мир, приветик' },
  { name: 'Japanese as substring', message: message('草生える'), options: { dictionary: [{ word: '草', reading: 'kusa' }] }, expected: 'kusa生える' },
  { name: 'empty reading mutes a word', message: message('um ok'), options: { dictionary: [{ word: 'um', reading: '' }] }, expected: 'ok' },
  { name: 'muted word alone is nothing', message: message('um'), options: { sayName: true, dictionary: [{ word: 'um', reading: '' }] }, expected: null },
  { name: 'precompiled dictionary', message: message('lol'), options: { dictionary: compileDictionary(lol) }, expected: 'laughing out loud' },
  { name: 'dictionary leaves the bot wording alone', message: message('see https://example.com, my link'), options: { dictionary: [{ word: 'link', reading: 'LINK' }] }, expected: 'see a link to example.com, my LINK' },
  { name: 'dictionary applies to link hosts', message: message('https://www.youtube.com/watch?v=1'), options: { dictionary: [{ word: 'youtube.com', reading: 'YouTube' }] }, expected: 'a link to YouTube' },
  { name: 'dictionary leaves "code block" alone', message: message('```x``` code'), options: { dictionary: [{ word: 'code', reading: 'kode' }] }, expected: 'code block kode' },
  { name: 'dictionary leaves dates and fallbacks alone', message: message('<t:0:t> <#999>'), options: { dictionary: [{ word: 'UTC', reading: 'U' }, { word: 'channel', reading: 'C' }] }, expected: '00:00 UTC a channel' },
  { name: 'placeholders survive maxRepeat 1', message: message('<t:0:t> and <#999> `x` <@111>'), options: { maxRepeat: 1 }, expected: '00:00 UTC and a channel x Bob' },
  { name: 'dictionary on sticker names', message: message('', { stickers: ['lol'] }), options: { dictionary: lol }, expected: 'A sticker: laughing out loud' },
];

const lengthCases: Case[] = [
  { name: 'cut at a word boundary', message: message('the quick brown fox jumps over'), options: { maxChars: 20 }, expected: 'the quick and more' },
  { name: 'exactly maxChars is not cut', message: message('the quick brown fox'), options: { maxChars: 19 }, expected: 'the quick brown fox' },
  { name: 'one overlong word is hard-cut', message: message('abcdefghijklmnopqrstuvwxyz'), options: { maxChars: 20 }, expected: 'abcdefghijk and more' },
  { name: 'the prefix is not counted', message: message('the quick brown fox jumps over'), options: { maxChars: 20, sayName: true }, expected: 'Alice said: the quick and more' },
  { name: 'cut drops a dangling comma', message: message('one, two three'), options: { maxChars: 13 }, expected: 'one and more' },
  {
    name: 'absurd dictionary expansion stays within the endpoint limit',
    message: message('a b'),
    options: { sayName: true, maxChars: 1e9, dictionary: [{ word: 'a', reading: 'x'.repeat(5000) }] },
    expected: `Alice said: ${'x'.repeat(4042)} and more`,
  },
  {
    name: 'absurd name expansion is capped',
    message: message('hi', { authorName: 'Al' }),
    options: { sayName: true, dictionary: [{ word: 'al', reading: 'word '.repeat(2000) }] },
    expected: `${Array(20).fill('word').join(' ')} said: hi`,
  },
];

describe('prepareText', () => {
  const groups: Array<[string, Case[]]> = [
    ['prefix', prefixCases],
    ['mentions', mentionCases],
    ['emoji', emojiCases],
    ['timestamps', timestampCases],
    ['links', linkCases],
    ['code and spoilers', codeAndSpoilerCases],
    ['markdown', markdownCases],
    ['attachments, stickers, polls, forwards', extraCases],
    ['repeats and cleanup', repeatAndCleanupCases],
    ['dictionary', dictionaryCases],
    ['length', lengthCases],
  ];
  for (const [group, cases] of groups) {
    describe(group, () => {
      it.each(cases)('$name', (c) => {
        expect(run(c)).toBe(c.expected);
      });
    });
  }

  it('never returns more than the endpoint limit', () => {
    const said = run({
      name: 'limit',
      message: message('a b', { authorName: 'Al', replyToName: 'Al' }),
      options: { sayName: true, maxChars: 1e9, dictionary: [{ word: 'a', reading: 'y '.repeat(9000) }, { word: 'al', reading: 'z '.repeat(9000) }] },
      expected: null,
    });
    expect(said?.length).toBeLessThanOrEqual(4096);
  });
});

interface HostileCase {
  name: string;
  content: string;
  options?: Partial<PrepareOptions>;
  expected: string | null;
}

const hostileCases: HostileCase[] = [
  { name: '100k asterisks', content: '*'.repeat(100_000), expected: null },
  { name: '100k underscores', content: '_'.repeat(100_000), expected: null },
  { name: '100k tildes', content: '~'.repeat(100_000), expected: null },
  { name: 'repeated "<@"', content: '<@'.repeat(50_000), expected: `${'<@'.repeat(145)}< and more` },
  { name: 'repeated "||"', content: '||'.repeat(50_000), expected: null },
  { name: 'repeated "||a"', content: '||a'.repeat(33_333), expected: `${'a '.repeat(145)}a and more` },
  { name: '50001 backticks', content: '`'.repeat(50_001), expected: null },
  { name: 'huge emoji run', content: '😀'.repeat(50_000), expected: 'grinning face grinning face grinning face' },
  { name: 'huge skipped emoji run', content: '🔥'.repeat(50_000), options: { unicodeEmoji: 'skip' }, expected: null },
  { name: 'huge ZWJ emoji run', content: '👨‍👩‍👧'.repeat(20_000), expected: 'family man, woman, girl family man, woman, girl family man, woman, girl' },
  { name: 'huge ZWJ-only input', content: '\u200D'.repeat(100_000), expected: null },
  { name: 'lone regional indicators', content: '🇯'.repeat(3), expected: null },
  { name: 'repeated "<t:"', content: '<t:'.repeat(33_000), expected: `${'<t:'.repeat(96)}<t and more` },
  { name: 'repeated "https://"', content: 'https://'.repeat(12_500), expected: 'a link to https' },
  { name: 'repeated masked-link openers', content: '[a]('.repeat(25_000), expected: `${'[a]('.repeat(72)}[a] and more` },
  { name: 'repeated quote markers', content: '> '.repeat(50_000), expected: `${'> '.repeat(145)}> and more` },
  { name: '100k backslashes', content: '\\'.repeat(100_000), expected: '\\\\\\' },
  { name: '100k letters', content: 'a'.repeat(100_000), expected: 'aaa' },
  { name: 'repeated custom-emoji openers', content: '<:a'.repeat(33_000), expected: `${'<:a'.repeat(97)} and more` },
];

describe('prepareText on hostile input', () => {
  it.each(hostileCases)('$name', ({ content, options, expected }) => {
    const started = performance.now();
    const said = prepareText(message(content), { ...OPTIONS, ...options });
    const elapsed = performance.now() - started;
    expect(said).toBe(expected);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('shouldSayName', () => {
  it.each([
    { name: 'nobody spoken yet', last: undefined, authorId: 'a', now: 1_000, expected: true },
    { name: 'same author within the window', last: { authorId: 'a', at: 1_000 }, authorId: 'a', now: 5_000, expected: false },
    { name: 'same author exactly at the window edge', last: { authorId: 'a', at: 1_000 }, authorId: 'a', now: 11_000, expected: false },
    { name: 'same author after the window', last: { authorId: 'a', at: 1_000 }, authorId: 'a', now: 11_001, expected: true },
    { name: 'another author', last: { authorId: 'b', at: 1_000 }, authorId: 'a', now: 1_001, expected: true },
  ])('$name', ({ last, authorId, now, expected }) => {
    expect(shouldSayName(last, authorId, now, 10_000)).toBe(expected);
  });
});

describe('compileDictionary', () => {
  it.each([
    { name: 'empty dictionary changes nothing', entries: [], text: 'lol C++ $1', expected: 'lol C++ $1' },
    { name: 'blank words are ignored', entries: [{ word: '  ', reading: 'x' }], text: 'a b', expected: 'a b' },
    { name: 'first duplicate wins', entries: [{ word: 'gg', reading: 'good game' }, { word: 'GG', reading: 'nope' }], text: 'GG', expected: 'good game' },
    { name: 'punctuation-edged word needs no boundary', entries: [{ word: ':)', reading: 'smiley' }], text: 'nice:)', expected: 'nicesmiley' },
    { name: 'word ending in a dot', entries: [{ word: 'e.g.', reading: 'for example' }], text: 'see e.g. this, not egg', expected: 'see for example this, not egg' },
    { name: 'accented whole word', entries: [{ word: 'café', reading: 'coffee shop' }], text: 'café cafés', expected: 'coffee shop cafés' },
    { name: 'Cyrillic case-insensitive', entries: [{ word: 'привет', reading: 'hi' }], text: 'ПРИВЕТ', expected: 'hi' },
    { name: 'Japanese substring', entries: [{ word: 'ありがとう', reading: 'arigatou' }], text: 'ありがとうございます', expected: 'arigatouございます' },
    { name: 'Korean substring', entries: [{ word: '감사', reading: 'gamsa' }], text: '감사합니다', expected: 'gamsa합니다' },
    { name: 'regex syntax in a word', entries: [{ word: '(╯°□°)╯', reading: 'table flip' }], text: 'ok (╯°□°)╯', expected: 'ok table flip' },
    { name: 'backreference-looking reading', entries: [{ word: 'a', reading: "$' $`" }], text: 'a', expected: "$' $`" },
    { name: 'multi-word entry, collapsed spaces', entries: [{ word: 'new   york', reading: 'NYC' }], text: 'in New York', expected: 'in NYC' },
    { name: 'underscore is part of a word', entries: [{ word: 'var', reading: 'variable' }], text: 'my_var var', expected: 'my_var variable' },
  ])('$name', ({ entries, text, expected }) => {
    expect(compileDictionary(entries)(text)).toBe(expected);
  });
});
