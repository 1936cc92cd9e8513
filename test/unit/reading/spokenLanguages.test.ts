import { describe, expect, it } from 'vitest';
import { joinNames, renderBatch, templatesFor } from '../../../src/features/announcements/templates.js';
import { pace, spokenLength } from '../../../src/features/reading/pacing.js';
import { compileDictionary, cutAtWord, describeVoiceMessage, prepareText, withNameTemplate, type PrepareOptions, type ReadableMessage } from '../../../src/features/reading/prepareText.js';
import { phrasesIn } from '../../support/spokenPhrases.js';

const DE = phrasesIn('de');
const JA = phrasesIn('ja');

function message(content: string, extra: Partial<ReadableMessage> = {}): ReadableMessage {
  return { content, authorName: 'Alice', mentions: { users: { '111': 'Bob' }, roles: {}, channels: {} }, ...extra };
}

function read(m: ReadableMessage, options: Partial<PrepareOptions> & Pick<PrepareOptions, 'phrases'>): string | null {
  return prepareText(m, { sayName: true, customEmoji: 'name', unicodeEmoji: 'name', maxChars: 300, maxRepeat: 3, dictionary: [], ...options });
}

const image = (name: string) => ({ name, contentType: 'image/png' });

describe('prepareText in German', () => {
  it.each([
    { name: 'said', m: message('Hallo zusammen'), expected: 'Alice sagte: Hallo zusammen' },
    { name: 'reply', m: message('ja', { replyToName: 'Bob' }), expected: 'Alice, als Antwort an Bob, sagte: ja' },
    { name: 'forward', m: message('schau', { forwarded: true }), expected: 'Alice leitete weiter: schau' },
    { name: 'one image (ICU plural one)', m: message('', { attachments: [image('a.png')] }), expected: 'Alice schickte ein Bild' },
    { name: '3 images and a file (plural other)', m: message('', { attachments: [image('a.png'), image('b.png'), image('c.png'), { name: 'x.zip' }] }), expected: 'Alice schickte 3 Bilder und eine Datei' },
    { name: 'text with an image', m: message('guck mal', { attachments: [image('a.png')] }), expected: 'Alice sagte: guck mal, mit ein Bild' },
    { name: 'a link', m: message('siehe https://www.example.com/x'), expected: 'Alice sagte: siehe ein Link zu example.com' },
    { name: 'a code block', m: message('so: ```js\nx()\n```'), expected: 'Alice sagte: so: Codeblock' },
    { name: 'emoji by its German CLDR name', m: message('super 😀'), expected: 'Alice sagte: super grinsendes Gesicht' },
    { name: 'a sticker', m: message('', { stickers: ['wave'] }), expected: 'Alice schickte einen Sticker: wave' },
    { name: 'a poll', m: message('', { poll: { question: 'Pizza?' } }), expected: 'Alice schickte eine Umfrage: Pizza?' },
    { name: 'unknown mention', m: message('hi <@999>'), expected: 'Alice sagte: hi jemand' },
    { name: 'a timestamp in German', m: message('um <t:1767225600:F>'), expected: 'Alice sagte: um Donnerstag, 1. Januar 2026 um 00:00 UTC' },
  ])('$name', ({ m, expected }) => {
    expect(read(m, { phrases: DE })).toBe(expected);
  });

  it('a cut message ends with "und mehr"', () => {
    expect(read(message('eins zwei drei vier fünf sechs sieben acht neun zehn elf'), { phrases: DE, sayName: false, maxChars: 30 })).toBe('eins zwei drei vier und mehr');
  });
});

describe('prepareText in Japanese', () => {
  it.each([
    { name: 'name with さん, no "said"', m: message('こんにちは'), expected: 'Aliceさん、こんにちは' },
    { name: 'reply', m: message('はい', { replyToName: 'Bob' }), expected: 'Aliceさん、Bobさんへの返信、はい' },
    { name: 'images counted with a counter word', m: message('', { attachments: [image('a.png'), image('b.png')] }), expected: 'Aliceさんが画像2枚を送信' },
    { name: 'a link', m: message('見て https://example.com/a'), expected: 'Aliceさん、見て example.comへのリンク' },
    { name: 'emoji by its Japanese CLDR name', m: message('やった😀'), expected: 'Aliceさん、やった にっこり笑う' },
    { name: 'code block', m: message('```x```'), expected: 'Aliceさん、コードブロック' },
  ])('$name', ({ m, expected }) => {
    expect(read(m, { phrases: JA })).toBe(expected);
  });

  it('a server that does not want さん sets name_template to {name}', () => {
    expect(read(message('こんにちは'), { phrases: JA, nameTemplate: '{name}' })).toBe('Alice、こんにちは');
    expect(read(message('hello'), { phrases: phrasesIn('en-US'), nameTemplate: '{name}-san' })).toBe('Alice-san said: hello');
  });

  it('long text without spaces is cut after a clause mark, and ends with 以下略', () => {
    const said = read(message('今日はとても楽しかったです、また明日も遊びたいと思いますので、よろしくお願いします'), { phrases: JA, sayName: false, maxChars: 20 });
    expect(said).toBe('今日はとても楽しかったです、以下略');
  });

  it('the dictionary matches inside text without spaces: CJK words anywhere, Latin words next to kana', () => {
    const dictionary = [
      { word: 'discord', reading: 'ディスコード' },
      { word: '草', reading: 'わら' },
      { word: 'ok', reading: 'オーケー' },
    ];
    expect(read(message('今日はDiscordで遊んだ草'), { phrases: JA, sayName: false, dictionary })).toBe('今日はディスコードで遊んだわら');
    // Latin words keep their whole-word rule against Latin letters: "okay" and "book" are not "ok".
    expect(read(message('okです okay book'), { phrases: JA, sayName: false, dictionary })).toBe('オーケーです okay book');
  });
});

describe('compileDictionary across scripts', () => {
  it('Korean particles attached to a Latin word, Chinese without spaces', () => {
    const replace = compileDictionary([
      { word: 'GG', reading: '굿 게임' },
      { word: '牛逼', reading: '厉害' },
    ]);
    expect(replace('GG를 쳤다')).toBe('굿 게임를 쳤다');
    expect(replace('你真牛逼啊')).toBe('你真厉害啊');
    expect(replace('eggs')).toBe('eggs');
  });
});

describe('cutAtWord', () => {
  it.each([
    { text: 'one two three four', max: 10, expected: 'one two' },
    { text: '一二三四五、六七八九十', max: 8, expected: '一二三四五' },
    { text: '一二三四五六七八九十', max: 4, expected: '一二三四' },
    { text: '一二、三四五六七八九十', max: 8, expected: '一二、三四五六七' },
    { text: '一二三四五六七八、九十', max: 8, expected: '一二三四五六七八' },
  ])('$text / $max → $expected', ({ text, max, expected }) => {
    expect(cutAtWord(text, max)).toBe(expected);
  });
});

describe('announcements by language', () => {
  it('German defaults and "and 4 others" with plurals', () => {
    const t = templatesFor({ join: null, leave: null, move: null }, DE);
    expect(renderBatch({ joined: ['Alice'], left: ['Bob', 'Carol'], moved: [] }, t, DE)).toBe('Alice ist beigetreten. Bob und Carol ist gegangen');
    expect(joinNames(['A', 'B', 'C', 'D', 'E', 'F'], DE)).toBe('A, B, C und 3 weitere');
    expect(joinNames(['A', 'B', 'C', 'D'], DE)).toBe('A, B, C und D');
  });

  it('a stored template is kept as written, whatever the language', () => {
    const t = templatesFor({ join: 'Willkommen, {name}!', leave: null, move: null }, JA);
    expect(renderBatch({ joined: ['Alice'], left: ['Bob'], moved: [] }, t, JA)).toBe('Willkommen, Alice! Bobが退出しました。');
  });

  it('Japanese: names with さん, 、between names, ほか N人', () => {
    const t = templatesFor({ join: null, leave: null, move: null }, JA);
    const names = ['Alice', 'Bob'].map((n) => withNameTemplate(n, null, JA));
    expect(renderBatch({ joined: names, left: [], moved: [{ name: 'Carolさん', channel: '雑談' }] }, t, JA)).toBe(
      'AliceさんとBobさんが参加しました。 Carolさんが雑談に移動しました。',
    );
    expect(joinNames(['A', 'B', 'C', 'D', 'E', 'F', 'G'], JA)).toBe('A、B、C、ほか4人');
  });
});

describe('spokenLength', () => {
  it('counts CJK characters twice: they take about twice as long to say', () => {
    expect(spokenLength('hello')).toBe(5);
    expect(spokenLength('こんにちは')).toBe(10);
    // The ideographic comma is CJK punctuation: a pause of the same kind.
    expect(spokenLength('ok、はい')).toBe(2 + 3 * 2);
  });

  it('so Japanese backlog is estimated longer than the same count of Latin letters', () => {
    const limits = { maxLagMs: 8000, maxSpeed: 1.6, speedHonoured: true, maxChars: 300, charsPerSecond: 15 };
    const waiting = (chars: number) => [{ id: 'a', authorId: 'u', postedAt: 0, chars }];
    const latin = pace({ now: 0, aheadMs: 0, waiting: waiting(spokenLength('a'.repeat(60))), lastHeardAt: new Map(), limits });
    const japanese = pace({ now: 0, aheadMs: 0, waiting: waiting(spokenLength('あ'.repeat(60))), lastHeardAt: new Map(), limits });
    expect(japanese.speed).toBeGreaterThanOrEqual(latin.speed);
  });
});

describe('a voice message described in the server’s language', () => {
  it('says its length with the language’s plurals', () => {
    expect(describeVoiceMessage(12.4, phrasesIn('de'))).toBe('eine Sprachnachricht, 12 Sekunden');
    expect(describeVoiceMessage(61, phrasesIn('de'))).toBe('eine Sprachnachricht, 1 Minute 1 Sekunde');
    expect(describeVoiceMessage(120, phrasesIn('ja'))).toBe('ボイスメッセージ、2分');
    expect(describeVoiceMessage(null, phrasesIn('fr'))).toBe('un message vocal');
    expect(describeVoiceMessage(0.4, phrasesIn('en-US'))).toBe('a voice message, 1 second');
  });
});
