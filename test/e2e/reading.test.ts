import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const inputs = (w: World, since: number) => w.speech.requests.slice(since).map((r) => (r.body as { input: string }).input);
const within = (value: number, target: number, tolerance: number) => Math.abs(value - target) <= target * tolerance;

describe('reading messages aloud', () => {
  let w: World;
  useWorld({ env: { READING_ENABLED: 'true' } }, (started) => {
    w = started;
  });

  async function run(member: MemberName, command: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0, 15_000);
    return content(h);
  }
  const post = (member: MemberName, text: string, channel = 'chat') =>
    w.discord.postMessage({ guildId: w.guild.id, channelId: channel, authorId: member, content: text });
  /** Waits until the provider has been asked for `n` more requests since `since`. */
  async function waitForRequests(since: number, n: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (w.speech.requests.length < since + n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} speech requests, got ${w.speech.requests.length - since}: ${JSON.stringify(inputs(w, since))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('asks Discord for message content only because reading is enabled', () => {
    const MESSAGE_CONTENT = 1 << 15;
    expect(w.discord.identifies.at(-1)!.intents & MESSAGE_CONTENT).toBe(MESSAGE_CONTENT);
  });

  it('binding a channel posts a privacy notice once and tells the moderator', async () => {
    expect(await run('dave', 'read', 'enable', { channel: w.channelId('chat') })).toMatch(/is now read aloud.*privacy notice/);
    const notices = w.discord.channelMessages(w.channelId('chat')).filter((m) => /read aloud/.test(m.content));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.content).toMatch(/sent to the speech service \(127\.0\.0\.1:\d+\)/);
    expect(notices[0]!.content).toMatch(/\/optout/);
    await run('dave', 'read', 'disable', { channel: w.channelId('chat') });
    expect(await run('dave', 'read', 'enable', { channel: w.channelId('chat') })).not.toMatch(/privacy notice/);
    expect(w.discord.channelMessages(w.channelId('chat')).filter((m) => /read aloud/.test(m.content))).toHaveLength(1);
  });

  it('reads members in the bot’s channel in order, names once per window, and skips what it should', async () => {
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
    const joined = w.command('alice', 'join');
    await joined.waitFor((h) => content(h).length > 0, 15_000);
    await w.discord.waitForBotVoice(w.guild.id, w.channelId('Lounge'));
    const since = w.speech.requests.length;
    const session0 = w.voice.session(w.guild.id)!;
    const packetsBefore = session0.packets.length;
    post('alice', 'Hello **everyone**');
    post('alice', 'second line from me');
    post('carol', 'carol is not in voice'); // not with the bot: not read
    post('bob', '!psst, not this one'); // skip prefix
    post('bob', `look at <#${w.channelId('general')}> https://www.example.com/page`);
    await waitForRequests(since, 3);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForPackets(packetsBefore + 50);
    await session.waitForQuiet(400);
    const said = inputs(w, since);
    expect(said).toEqual(['Alice said: Hello everyone', 'second line from me', 'Bob said: look at general a link to example.com']);
    // What was heard is those three, in that order.
    const tones = session.utterances(50).filter((u) => u.packets[0]!.at >= session0.packets[packetsBefore]!.at);
    const heard = heardItems(tones).map((i) => i.tone);
    expect(heard).toHaveLength(3);
    heard.forEach((f, i) => expect(within(f, toneFor(said[i]!), 0.03)).toBe(true));
  });

  it('members who opt out are never read; /optin undoes it', async () => {
    expect(await run('bob', 'optout', '')).toMatch(/will not be read aloud/);
    const since = w.speech.requests.length;
    post('bob', 'secret words from bob');
    post('alice', 'marker after bob');
    await waitForRequests(since, 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(inputs(w, since)).toEqual(['Alice said: marker after bob']);
    await run('bob', 'optin', '');
    const again = w.speech.requests.length;
    post('bob', 'back again');
    await waitForRequests(again, 1);
    expect(inputs(w, again)).toEqual(['Bob said: back again']);
  });

  it('a deleted message is dropped before it is read; an edited one is read as edited', async () => {
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    w.speech.next({ kind: 'delay', ttfbMs: 1200 }, { input: 'Alice said: a slow first message' });
    const since = w.speech.requests.length;
    post('alice', 'a slow first message');
    const doomed = post('alice', 'this will be deleted');
    const edited = post('alice', 'this will be edtied');
    await new Promise((r) => setTimeout(r, 150));
    w.discord.deleteMessage({ channelId: w.channelId('chat'), messageId: doomed.id });
    w.discord.editMessage({ channelId: w.channelId('chat'), messageId: edited.id, content: 'this was edited' });
    const packetsBefore = session.packets.length;
    await waitForRequests(since, 2);
    await w.discord.waitUntil(() => (inputs(w, since).includes('this was edited') ? true : undefined), 15_000).catch(() => undefined);
    await session.waitForPackets(packetsBefore + 20);
    await session.waitForQuiet(500);
    // The deleted one may already have been requested (the next item is fetched ahead), but it is never heard.
    const startAt = session.packets[packetsBefore]!.at;
    const heard = heardItems(session.utterances(50).filter((x) => x.packets[0]!.at >= startAt)).map((i) => i.tone);
    const expected = ['Alice said: a slow first message', 'this was edited'].map(toneFor);
    expect(heard).toHaveLength(2);
    heard.forEach((f, i) => expect(within(f, expected[i]!, 0.03)).toBe(true));
    expect(inputs(w, since)).toContain('this was edited');
  });

  it('a backlog over the member’s limit is dropped with a quiet reaction, not a message', async () => {
    await run('dave', 'settings', 'set', { key: 'read_max_pending_member', value: '1' });
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    w.speech.next({ kind: 'delay', ttfbMs: 1000 }, { input: 'Alice said: one' });
    const before = w.discord.channelMessages(w.channelId('chat')).length;
    post('alice', 'one');
    post('alice', 'two');
    const third = post('alice', 'three');
    await w.discord.waitUntil(() => (w.discord.reactions(w.channelId('chat'), third.id).length > 0 ? true : undefined), 10_000);
    expect(w.discord.reactions(w.channelId('chat'), third.id)).toEqual([{ emoji: '🔇', userIds: [w.discord.botUser.id] }]);
    expect(w.discord.channelMessages(w.channelId('chat')).length).toBe(before + 3); // no notice messages
    await run('dave', 'settings', 'reset', { key: 'read_max_pending_member' });
  });

  it('the dictionary changes how words are said', async () => {
    expect(await run('dave', 'dictionary', 'add', { word: 'gg', reading: 'good game' })).toMatch(/now said “good game”/);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    const since = w.speech.requests.length;
    post('alice', 'GG everyone');
    await waitForRequests(since, 1);
    expect(inputs(w, since)[0]).toMatch(/good game everyone$/);
    const exported = w.command('dave', 'dictionary', {}, 'export');
    await exported.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 10_000);
    expect(JSON.parse(exported.message()!.attachments[0]!.data.toString('utf8'))).toEqual([{ word: 'gg', reading: 'good game' }]);
  });

  it('“Read aloud” speaks in voice for a member with the bot, and returns a private file otherwise', async () => {
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(300);
    const target = post('carol', 'please read this for me', 'general');
    const since = w.speech.requests.length;
    const inVoice = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('alice').id, command: 'Read aloud', targetMessageId: target.id });
    await inVoice.waitFor((h) => /Reading it in/.test(content(h)), 10_000);
    expect(inVoice.ephemeral).toBe(true);
    await waitForRequests(since, 1);
    expect(inputs(w, since)).toEqual(['Carol said: please read this for me']);
    const asFile = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('dave').id, command: 'Read aloud', targetMessageId: target.id });
    await asFile.waitFor((h) => (h.message()?.attachments.length ?? 0) === 1, 10_000);
    expect(asFile.ephemeral).toBe(true);
    expect(asFile.message()!.attachments[0]!.contentType).toBe('audio/mpeg');
  });
});
