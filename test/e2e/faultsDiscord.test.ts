/**
 * Faults on Discord's side of the bot, driven through the Discord stand-in: permissions taken away mid-queue, the
 * voice channel deleted, the bot removed from the server, REST answering 429 or 5xx to replies and reactions, and an
 * interaction token that expires before a long item ends.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const speaking = (h: { message(): { content: string } | undefined }) => /Speaking in/.test(content(h));
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const LONG = 'A sentence that takes a few seconds to say, so that Discord can change things while it is being said aloud.';

describe('Discord faults around the queue', () => {
  let w: World;
  useWorld({ env: { READING_ENABLED: 'true' } }, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
  });
  const bot = () => w.discord.botUser.id;

  it('Speak taken away mid-queue: the bot leaves, the asker and the waiting are told why', async () => {
    const a = w.speak('alice', { text: `${LONG} Muted.` });
    const b = w.speak('bob', { text: 'Waiting while my Speak goes' });
    await a.waitFor(speaking, 15_000);
    w.discord.setChannelOverwrite(w.guild.id, 'Lounge', { member: bot(), deny: PermissionFlagsBits.Speak });
    await a.waitFor((h) => /Cut short: I lost the permission to speak/.test(content(h)), 10_000);
    await b.waitFor((h) => /Not spoken: I lost the permission to speak/.test(content(h)), 10_000);
    await w.discord.waitForBotVoice(w.guild.id, null);
    // While it lasts, /join is refused up front, naming what is missing.
    const c = w.command('alice', 'join');
    await c.waitFor((h) => /I need the \*\*Speak\*\* permission in/.test(content(h)), 10_000);
    w.discord.setChannelOverwrite(w.guild.id, 'Lounge', { member: bot(), deny: 0n });
    const d = w.speak('alice', { text: 'Speak is back' });
    await d.waitFor(spoken, 20_000);
  });

  it('Connect taken away mid-queue: Discord keeps the bot in, the queue goes on; the next join is refused clearly', async () => {
    const a = w.speak('alice', { text: `${LONG} Connect.` });
    const b = w.speak('bob', { text: 'Behind the Connect change' });
    await a.waitFor(speaking, 15_000);
    w.discord.setChannelOverwrite(w.guild.id, 'Lounge', { member: bot(), deny: PermissionFlagsBits.Connect });
    await a.waitFor(spoken, 30_000);
    await b.waitFor(spoken, 30_000);
    const leave = w.command('alice', 'leave');
    await leave.waitFor((h) => /Left/.test(content(h)), 10_000);
    await w.discord.waitForBotVoice(w.guild.id, null);
    const c = w.command('alice', 'join');
    await c.waitFor((h) => /I need the \*\*Connect\*\* permission in/.test(content(h)), 10_000);
    w.discord.setChannelOverwrite(w.guild.id, 'Lounge', { member: bot(), deny: 0n });
  });

  it('Discord answers 429 (retry_after) to a reply edit: the edit is retried after the wait and lands', async () => {
    const a = w.speak('alice', { text: 'Rate limited reply' });
    await a.waitFor((h) => /Speaking in|Spoke in/.test(content(h)), 15_000);
    const applied = w.discord.restFaultsApplied.length;
    w.discord.failRest({ method: 'PATCH', path: /^\/webhooks\//, status: 429, retryAfterS: 1 });
    await a.waitFor(spoken, 20_000);
    expect(w.discord.restFaultsApplied.slice(applied).map((f) => f.status)).toEqual([429]);
  });

  it('Discord answers 502 to every try of a reply edit: that edit is lost (logged), the queue goes on', async () => {
    const a = w.speak('alice', { text: 'Reply lost to a bad gateway' });
    await a.waitFor((h) => /Speaking in|Spoke in/.test(content(h)), 15_000);
    const applied = w.discord.restFaultsApplied.length;
    // @discordjs/rest tries a 5xx four times (three retries): fail them all.
    w.discord.failRest({ method: 'PATCH', path: /^\/webhooks\//, status: 502, times: 4 });
    const b = w.speak('bob', { text: 'The next one is answered' });
    await b.waitFor(spoken, 30_000);
    expect(w.discord.restFaultsApplied.length - applied).toBe(4);
    await w.bot!.waitForLine(/reply update failed/, 5_000);
  });

  it('Discord answers 429 and then 500s to reactions: the first lands after the wait, the second is logged; reading goes on', async () => {
    const run = async (member: 'dave', command: string, sub: string, opts: Record<string, string>) => {
      const h = w.command(member, command, opts, sub);
      await h.waitFor((x) => content(x).length > 0, 15_000);
    };
    await run('dave', 'read', 'enable', { channel: w.channelId('chat') });
    await run('dave', 'settings', 'set', { key: 'read_max_pending_member', value: '1' });
    const join = w.command('alice', 'join');
    await join.waitFor((h) => content(h).length > 0, 15_000);
    w.speech.next({ kind: 'delay', ttfbMs: 1500 }, { input: 'Alice said: one' });
    const post = (text: string) => w.discord.postMessage({ guildId: w.guild.id, channelId: 'chat', authorId: 'alice', content: text });
    w.discord.failRest({ method: 'PUT', path: /\/reactions\//, status: 429, retryAfterS: 0.5 });
    w.discord.failRest({ method: 'PUT', path: /\/reactions\//, status: 500, times: 4 });
    post('one');
    post('two');
    const third = post('three');
    const fourth = post('four');
    await w.discord.waitUntil(() => (w.discord.reactions(w.channelId('chat'), third.id).length > 0 ? true : undefined), 15_000, 'the 🔇 reaction');
    await w.bot!.waitForLine(/could not react/, 15_000);
    expect(w.discord.reactions(w.channelId('chat'), fourth.id)).toEqual([]);
    expect(w.discord.restFaultsApplied.filter((f) => f.method === 'PUT').map((f) => f.status)).toEqual([429, 500, 500, 500, 500]);
    // Reading carries on.
    await run('dave', 'settings', 'reset', { key: 'read_max_pending_member' } as Record<string, string>);
    const since = w.speech.requests.length;
    post('five');
    await w.discord.waitUntil(
      () => (w.speech.requests.slice(since).some((r) => /five/.test((r.body as { input?: string }).input ?? '')) ? true : undefined),
      15_000,
      'the next message read',
    );
    await run('dave', 'read', 'disable', { channel: w.channelId('chat') });
    const leave = w.command('alice', 'leave');
    await leave.waitFor((h) => /Left/.test(content(h)), 10_000);
    await w.discord.waitForBotVoice(w.guild.id, null);
  });

  it('the voice channel is deleted while speaking: the queue is cleared with a reason; the bot serves another channel', async () => {
    w.join('carol', 'Quiet');
    w.join('dave', 'Quiet');
    const a = w.command('carol', 'speak', { text: `${LONG} Deleted.` });
    const b = w.command('dave', 'speak', { text: 'Waiting in a channel about to vanish' });
    await a.waitFor(speaking, 15_000);
    const session = w.voice.session(w.guild.id)!;
    w.discord.deleteChannel(w.guild.id, 'Quiet');
    session.close(4014, 'Disconnected');
    // Discord does not document whether CHANNEL_DELETE or the members' VOICE_STATE_UPDATEs come first; the stand-in
    // sends the voice states first, so the reason given is that everyone left (CHANNEL_DELETE first: "deleted").
    const reason = /(the voice channel was deleted|I was disconnected|everyone left the voice channel)/;
    await a.waitFor((h) => new RegExp(`Cut short: ${reason.source}`).test(content(h)), 10_000);
    await b.waitFor((h) => new RegExp(`Not spoken: ${reason.source}`).test(content(h)), 10_000);
    const c = w.speak('alice', { text: 'Back in the Lounge' });
    await c.waitFor(spoken, 20_000);
  });

  it('the bot is removed from the server while speaking: the asker is told, the queue is gone, the process lives', async () => {
    const a = w.speak('alice', { text: `${LONG} Removed.` });
    const b = w.speak('bob', { text: 'Never to be said' });
    await a.waitFor(speaking, 15_000);
    const session = w.voice.session(w.guild.id)!;
    w.discord.removeGuild(w.guild.id);
    session.close(4014, 'Disconnected');
    await a.waitFor((h) => /Cut short: I was removed from the server/.test(content(h)), 10_000);
    await b.waitFor((h) => /Not spoken: I was removed from the server/.test(content(h)), 10_000);
    await sleep(500);
    expect(w.bot!.proc.exitCode).toBeNull();
    expect(w.discord.unhandled).toEqual([]);
  });
});

describe('an interaction token that expires before a long item ends', () => {
  let w: World;
  // Discord: 15 minutes. Shortened so a long item (LONG: 4.8 s of audio) outlives it, while a short one still fits.
  useWorld({ discord: { interactionTokenLifetimeMs: 4_000 } }, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
  });

  it('the last edit fails with 50027 and is logged; nothing is stuck: the next asker is answered', async () => {
    const a = w.speak('alice', { text: LONG });
    await a.waitFor(speaking, 15_000);
    // The item ends after the token's life: the "Spoke in" edit is refused (401, 50027 Invalid Webhook Token).
    await w.bot!.waitForLine(/reply update failed.*Invalid Webhook Token|Invalid Webhook Token.*reply update failed/, 30_000);
    expect(content(a)).toMatch(/Speaking in/);
    const b = w.speak('bob', { text: 'Asked with a fresh token' });
    await b.waitFor(spoken, 20_000);
    expect(w.bot!.proc.exitCode).toBeNull();
  }, 60_000);
});
